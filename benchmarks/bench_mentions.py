"""Speed of place-mention finding on the FA-KES dev articles, against geotext.

Both scan the same texts in the same run: geotext's ``GeoText`` (a regex for
capitalised words and a dictionary of GeoNames cities) is the baseline, and
:class:`syriamap.text.mentions.MentionFinder` (folding, one Aho-Corasick
automaton over the whole gazetteer, context filters) is measured against it.
Prints the medians of several runs (CPU time of this process, so that other
load on a shared machine counts less), the ratio, and the automaton's build time
and memory.  Run: ``python benchmarks/bench_mentions.py [--runs 5]``.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

from syriamap.text.mentions import MentionFinder

FAKES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fakes" / "fa-kes-dev.csv"


def _rate(function, texts: list[str]) -> float:
    started = time.process_time()
    for text in texts:
        function(text)
    return len(texts) / (time.process_time() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--csv", type=Path, default=FAKES)
    args = parser.parse_args(argv)
    if not args.csv.is_file():
        print(f"{args.csv} not found", file=sys.stderr)
        return 1
    from geotext import GeoText

    texts = pd.read_csv(args.csv)["article_content"].fillna("").astype(str).tolist()
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    finder = MentionFinder()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    finder.find("Warm-up in Homs.")
    first_use = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    GeoText("Warm-up in Homs.")
    ours, theirs = [], []
    for _ in range(args.runs):
        theirs.append(_rate(GeoText, texts))
        ours.append(_rate(finder.find, texts))
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    mentions = sum(len(finder.find(t)) for t in texts)
    print(f"{len(texts)} FA-KES articles, {megabytes:.2f} MB, {args.runs} runs (medians)")
    print(f"geotext (baseline):   {theirs_median:9,.0f} articles/s  {theirs_median * megabytes / len(texts):6.1f} MB/s")
    print(f"MentionFinder:        {ours_median:9,.0f} articles/s  {ours_median * megabytes / len(texts):6.1f} MB/s")
    print(f"ratio ours/geotext:   {ours_median / theirs_median:.2f} (target >= 0.5)")
    print(f"mentions found:       {mentions} ({mentions / len(texts):.1f} per article)")
    print(
        f"automaton build:      {finder.build_seconds:.2f} s wall (first use {first_use:.2f} s), "
        f"about {finder.memory_bytes / 1e6:.0f} MB by pyahocorasick's count, peak RSS +{rss_after - rss_before:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
