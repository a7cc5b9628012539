"""Text pipeline speed and memory on real news articles, against geotext's city scan.

Run: ``python benchmarks/bench_extract.py [N]``.  Reads the FA-KES dev articles
(``../shared/data/fakes/fa-kes-dev.csv``, replicated to N articles, 2,000 by
default) and prints, each as a median of several runs:

* full extraction (:func:`syriamap.extract_events_many`, one table for the batch): articles/s and MB/s on one core;
* mention finding alone (:class:`MentionFinder`);
* the baseline from the same run: ``geotext.GeoText`` over the same texts (a
  regex city scan with no disambiguation, what a notebook user would reach for);
* peak resident memory of the process.

Targets (issue 9): >= 300 articles/s per core for full extraction; mention
finding at least half geotext's speed; under 500 MB.
"""
from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fakes" / "fa-kes-dev.csv"
RUNS = 3


def _median_rate(func, texts: list[str]) -> tuple[float, float]:
    """(articles/s, MB/s), medians of RUNS runs."""
    size_mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        func(texts)
        times.append(time.perf_counter() - start)
    t = statistics.median(times)
    return len(texts) / t, size_mb / t


def main(argv: list[str]) -> int:
    if not SHARED.is_file():
        print(f"skipped: {SHARED} not found (expects ../shared beside the repository)")
        return 0
    n = int(argv[0]) if argv else 2000
    articles = pd.read_csv(SHARED)["article_content"].dropna().astype(str).tolist()
    texts = (articles * (n // len(articles) + 1))[:n]

    from geotext import GeoText

    from syriamap.gazetteer import Gazetteer
    from syriamap.text.pipeline import _finder, extract_events, extract_events_many

    gaz = Gazetteer()
    finder = _finder(gaz)
    extract_events(texts[0], published="2017-01-01", gazetteer=gaz)  # warm: automaton, caches

    geotext_rate, geotext_mb = _median_rate(lambda ts: [GeoText(t).cities for t in ts], texts)
    mention_rate, mention_mb = _median_rate(lambda ts: [finder.find(t) for t in ts], texts)
    full_rate, full_mb = _median_rate(
        lambda ts: extract_events_many(ts, published="2017-01-01", gazetteer=gaz, progress=False), texts)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"{len(texts)} FA-KES articles ({sum(map(len, texts)) / len(texts):.0f} characters on average), one core")
    print(f"{'':36}{'articles/s':>12}{'MB/s':>8}{'vs geotext':>12}")
    print(f"{'geotext city scan (baseline)':36}{geotext_rate:>12.0f}{geotext_mb:>8.2f}{1.0:>12.2f}")
    print(f"{'syriamap mention finding':36}{mention_rate:>12.0f}{mention_mb:>8.2f}{mention_rate / geotext_rate:>12.2f}")
    print(f"{'syriamap full extraction':36}{full_rate:>12.0f}{full_mb:>8.2f}{full_rate / geotext_rate:>12.2f}")
    print(f"peak memory: {peak_mb:.0f} MB (target < 500 MB); full extraction target >= 300 articles/s per core")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
