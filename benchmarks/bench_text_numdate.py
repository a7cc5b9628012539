"""Benchmark: dates and death tolls per sentence, on the FA-KES dev articles.

Splits the articles of ``../shared/data/fakes/fa-kes-dev.csv`` into sentences (a
plain regex split: the benchmark measures the two readers, not the splitter), then
times, over the same sentences and in the same run:

* ``find_dates`` with a publication date (the article's ``date_iso``);
* ``find_fatalities``;
* ``baseline``: ``re.findall(r"\\w+")`` over each sentence, i.e. the cost of merely
  tokenising it, so the figures can be read as a ratio on any machine.

Also prints the same for the sentences that hold a death word, the worst case for
``find_fatalities``.  Target: tens of thousands of sentences/s for each reader.
Times are CPU time of this process (``time.process_time``), the best of
``--repeat`` runs, so that other load on a shared machine disturbs them less.

Run: ``.venv/bin/python benchmarks/bench_text_numdate.py [--repeat N]``
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from pathlib import Path

import pandas as pd

from syriamap.text.dates import find_dates
from syriamap.text.fatalities import find_fatalities

FAKES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fakes" / "fa-kes-dev.csv"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
_TOKEN = re.compile(r"\w+")
_DEATH = re.compile(r"(?i)kill|dead|died|death|toll|bodies")


def _sentences() -> tuple[list[tuple[str, dt.date | None]], int]:
    """(sentence, published) of every article, and the number of articles."""
    frame = pd.read_csv(FAKES)
    out = []
    for text, date in zip(frame["article_content"].fillna("").astype(str), frame["date_iso"]):
        published = pd.to_datetime(date, errors="coerce")
        published = None if pd.isna(published) else published.date()
        out.extend((s, published) for s in _SENTENCE_END.split(text) if s.strip())
    return out, len(frame)


def _rate(func, sentences, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for text, published in sentences:
            func(text, published)
        best = min(best, time.process_time() - start)
    return len(sentences) / best


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure; the best is kept")
    args = parser.parse_args(argv)
    if not FAKES.is_file():
        print(f"FA-KES dev file not found at {FAKES}", file=sys.stderr)
        return 1
    sentences, articles = _sentences()
    deadly = [(s, p) for s, p in sentences if _DEATH.search(s)]
    readers = {
        "find_dates": lambda s, p: find_dates(s, 0, len(s), p),
        "find_fatalities": lambda s, p: find_fatalities(s, 0, len(s)),
        "baseline (tokenise)": lambda s, p: _TOKEN.findall(s),
    }
    mean = sum(len(s) for s, _ in sentences) / len(sentences)
    print(f"{len(sentences)} sentences (mean {mean:.0f} chars), {len(deadly)} with a death word")
    for label, subset in (("all sentences", sentences), ("sentences with a death word", deadly)):
        rates = {name: _rate(func, subset, args.repeat) for name, func in readers.items()}
        base = rates["baseline (tokenise)"]
        print(f"\n{label}:")
        for name, rate in rates.items():
            per_article = rate * articles / len(sentences) if subset is sentences else None
            extra = f"   ({per_article:,.0f} articles/s)" if per_article else ""
            print(f"  {name:22s} {rate:10,.0f} sentences/s   {rate / base:5.2f} x baseline{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
