"""Gazetteer speed and size: cold start, exact and fuzzy lookups per second, memory, index size.

Run: ``python benchmarks/bench_gazetteer.py``.  Every figure is printed next to a
baseline measured in the same run, as a ratio:

* cold start vs. the bare interpreter start (``python -c pass``);
* exact lookups vs. the raw indexed SQLite query they are built on;
* fuzzy lookups vs. brute-force rapidfuzz over every indexed name.

Targets (issue 2): cold start < 0.5 s once built, >= 50,000 exact lookups/s,
>= 2,000 fuzzy lookups/s; (issue 10) >= 1,000 lookups/s with hints on distinct names.
"""
from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time

from rapidfuzz import fuzz, process

from syriamap.gazetteer import default_gazetteer
from syriamap.normalize import normalize_name

COLD = "from syriamap.gazetteer import resolve; resolve('Deir ez-Zor')"
# Peak resident memory of a fresh process, from /proc (ru_maxrss survives fork+exec on Linux).
HWM = "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
PEAK = (
    "from syriamap.gazetteer import default_gazetteer; g = default_gazetteer();"
    "names = [p.name for p in g.places(kind='populated_place', country='SY')];"
    "[g.resolve(n) for n in names]; [g.resolve(n[:-1] + 'x') for n in names[:300]];" + HWM
)


def _median_seconds(code: str, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _typo(name: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1] + name[i] + name[i + 2:] if rng.random() < 0.5 else name[:i] + name[i + 1:]


def main() -> None:
    gz = default_gazetteer()  # builds the embedded default if needed (not timed)
    rows = []

    base = _median_seconds("pass")
    cold = _median_seconds(COLD)
    rows.append(("cold start to first answer (s)", cold, "python -c pass", base, cold / base))

    names = sorted({p.name for cc in ("SY", "TR", "IQ", "LB", "JO") for p in gz.places(kind="populated_place", country=cc)})
    norms = [normalize_name(n) for n in names]
    raw_sql = "SELECT p.* FROM aliases a JOIN places p ON p.rowid = a.place WHERE a.norm = ?"
    start = time.perf_counter()
    for n in norms:
        gz._conn.execute(raw_sql, (n,)).fetchall()
    sql_rate = len(norms) / (time.perf_counter() - start)

    gz._cached_lookup.cache_clear()
    start = time.perf_counter()
    for n in names:
        gz.lookup(n)
    distinct_rate = len(names) / (time.perf_counter() - start)
    rows.append((f"exact lookups/s, {len(names):,} distinct names", distinct_rate, "raw SQLite query/s", sql_rate,
                 distinct_rate / sql_rate))

    # With hints, as an event table gives them: the place's country and governorate.
    hinted = sorted({(p.name, p.country_code, p.admin1) for cc in ("SY", "TR", "IQ", "LB", "JO")
                     for p in gz.places(kind="populated_place", country=cc) if p.admin1})
    gz._cached_lookup.cache_clear()
    start = time.perf_counter()
    for n, cc, a1 in hinted:
        gz.lookup(n, country=cc, admin1=a1)
    hinted_rate = len(hinted) / (time.perf_counter() - start)
    rows.append((f"lookups/s with hints, {len(hinted):,} distinct", hinted_rate, "raw SQLite query/s", sql_rate,
                 hinted_rate / sql_rate))

    rng = random.Random(7)
    hinted_typos = [(_typo(n, rng), cc, a1) for n, cc, a1 in rng.sample([h for h in hinted if len(h[0]) >= 6], 2000)]
    gz._cached_lookup.cache_clear()
    start = time.perf_counter()
    for t, cc, a1 in hinted_typos:
        gz.lookup(t, country=cc, admin1=a1)
    hinted_typo_rate = len(hinted_typos) / (time.perf_counter() - start)
    rows.append(("typo lookups/s with hints (constrained search)", hinted_typo_rate, "raw SQLite query/s", sql_rate,
                 hinted_typo_rate / sql_rate))

    stream = [rng.choice(names[:2000]) for _ in range(200_000)]  # a corpus repeats its places
    start = time.perf_counter()
    for n in stream:
        gz.lookup(n)
    stream_rate = len(stream) / (time.perf_counter() - start)
    rows.append(("exact lookups/s, 200k mentions of 2k places", stream_rate, "raw SQLite query/s", sql_rate,
                 stream_rate / sql_rate))

    typos = [_typo(n, rng) for n in rng.sample([n for n in names if len(n) >= 6], 2000)]
    gz._cached_lookup.cache_clear()
    gz.lookup("warm up the fuzzy index")
    start = time.perf_counter()
    for t in typos:
        gz.lookup(t)
    fuzzy_rate = len(typos) / (time.perf_counter() - start)
    choices = sorted({n for block in gz._finder._fuzzy_blocks.values() for n in block})
    sample = typos[:100]
    start = time.perf_counter()
    for t in sample:
        process.extractOne(normalize_name(t), choices, scorer=fuzz.ratio)
    brute_rate = len(sample) / (time.perf_counter() - start)
    rows.append((f"fuzzy lookups/s (typos; {len(choices):,} names)", fuzzy_rate, "brute-force rapidfuzz/s", brute_rate, fuzzy_rate / brute_rate))

    peak_kb = int(subprocess.run([sys.executable, "-c", PEAK], check=True, capture_output=True, text=True).stdout)
    base_kb = int(subprocess.run([sys.executable, "-c", HWM], check=True, capture_output=True, text=True).stdout)
    rows.append(("peak memory (MB)", peak_kb / 1024, "bare interpreter (MB)", base_kb / 1024, peak_kb / base_kb))
    size = gz.path.stat().st_size / 1e6
    rows.append(("index size (MB)", size, "places in it", float(len(gz)), float("nan")))

    print(f"{'measure':45} {'value':>12}  {'baseline':28} {'value':>12}  {'ratio':>7}")
    for label, value, base_label, base_value, ratio in rows:
        print(f"{label:45} {value:12,.3f}  {base_label:28} {base_value:12,.3f}  {ratio:7.2f}")


if __name__ == "__main__":
    main()
