"""Speed of the "what and who" steps of the text pipeline, per sentence.

For every sentence: :func:`~syriamap.text.clauses.split_clauses`, then
:func:`~syriamap.text.actors.find_actors` over the sentence, and for each clause
:func:`~syriamap.text.classify.classify` and :func:`~syriamap.text.actors.assign_actors`.
Sentences come from the event-location dev set (``../shared/data/event-location/
sentences-dev.jsonl``, real news sentences) or, where it is absent, from a few
dispatches written here.

Also per article on the FA-KES dev articles (``../shared/data/fakes/fa-kes-dev.csv``,
split into sentences here by a plain regular expression, not the package's
splitter): articles/s of these steps alone, against the 300 articles/s per core the
whole pipeline must reach.

Times are CPU times of this process (the machine may be shared).  Baseline, same
sentences, same run: one ``re.findall(r"\\w+", sentence.lower())``
per sentence (the cheapest pass that reads every word).  Prints sentences/s and
microseconds per sentence for both, and the ratio.

Run: ``.venv/bin/python benchmarks/bench_text_attrs.py [--sentences FILE.jsonl] [--repeat N]``
"""
from __future__ import annotations

import argparse
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from syriamap.text.actors import assign_actors, find_actors
from syriamap.text.classify import classify
from syriamap.text.clauses import split_clauses

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT = SHARED / "event-location" / "sentences-dev.jsonl"
FAKES = SHARED / "fakes" / "fa-kes-dev.csv"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
FALLBACK = [
    "Government forces clashed with rebels near Kafr Nabl on Tuesday, leaving four fighters dead.",
    "Russian warplanes bombed a market in Ariha, killing 12 civilians, as talks opened in Geneva.",
    "The SDF plans to launch an offensive on Raqqa next month, a spokesman said.",
    "Police fired tear gas to disperse demonstrators in Daraa.",
]


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def load(path: Path) -> list[str]:
    if not path.is_file():
        print(f"{path} not found: using {len(FALLBACK)} built-in sentences")
        return FALLBACK * 500
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle]


def pipeline(sentences: list[Sentence]) -> int:
    events = 0
    for sentence in sentences:
        mentions = find_actors(sentence.text, 0, len(sentence.text))
        for clause in split_clauses(sentence):
            result = classify(clause, mentions)
            assign_actors(clause, mentions, result)
            events += result is not None
    return events


def baseline(sentences: list[Sentence]) -> int:
    findall = re.compile(r"\w+").findall
    return sum(len(findall(s.text.lower())) for s in sentences)


def best_of(function, sentences: list[Sentence], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()  # CPU time: the machine may be shared
        function(sentences)
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    texts = load(args.sentences)
    sentences = [Sentence(0, len(t), t) for t in texts]
    events = pipeline(sentences)  # warm up: tables and lexicon built once
    ours = best_of(pipeline, sentences, args.repeat)
    base = best_of(baseline, sentences, args.repeat)
    n = len(sentences)
    mean_chars = sum(len(t) for t in texts) / n
    print(f"{n} sentences, {mean_chars:.0f} characters on average, {events} events")
    print(f"clauses+actors+classify+assign: {n / ours:10,.0f} sentences/s  {ours / n * 1e6:7.1f} us/sentence")
    print(f"baseline re.findall(\\w+):        {n / base:10,.0f} sentences/s  {base / n * 1e6:7.1f} us/sentence")
    print(f"ratio (baseline time / ours):     {base / ours:.3f}")
    if FAKES.is_file():
        import pandas as pd

        articles = pd.read_csv(FAKES)["article_content"].dropna().astype(str).tolist()
        split = [
            [Sentence(0, len(t), t) for t in _SENTENCE_END.split(article) if t.strip()] for article in articles
        ]
        flat = [s for sentences in split for s in sentences]
        seconds = best_of(pipeline, flat, args.repeat)
        print(f"FA-KES dev: {len(articles)} articles, {len(flat) / len(articles):.1f} sentences each: "
              f"{len(articles) / seconds:,.0f} articles/s for these steps ({seconds / len(articles) * 1e3:.2f} ms each)")


if __name__ == "__main__":
    main()
