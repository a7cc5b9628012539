"""Benchmark: read + validate + write Parquet for 1 million generated rows in UCDP GED layout.

Generates a UCDP-layout CSV of invented rows (deterministic, seed 0), then runs,
each in a fresh subprocess so that peak memory (peak RSS: ``VmHWM`` of
``/proc/self/status``, which, unlike ``ru_maxrss``, starts afresh at exec) belongs
to that run alone:

* ``syriamap``: :func:`syriamap.io.read_ucdp` (admin names canonicalised through
  the gazetteer, already built) + :func:`syriamap.validate.validate` +
  :func:`syriamap.io.write_parquet`;
* ``syriamap-raw``: the same with ``canonical_admin=False``;
* ``baseline``: plain ``pd.read_csv`` + ``DataFrame.to_parquet`` of the same file
  (no schema mapping, no checks);
* ``baseline-arrow``: the same with ``engine="pyarrow"``.

Prints rows/s, seconds and peak RSS for each, and syriamap's ratios to the
baselines.  Targets: under 10 s and under 2 GB for syriamap.

Run: ``.venv/bin/python benchmarks/bench_events.py [--rows N]``
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

UCDP_HEADER = (
    "id,year,active_year,type_of_violence,conflict_new_id,conflict_name,dyad_new_id,dyad_name,side_a_new_id,"
    "side_a,side_b_new_id,gwnob,side_b,number_of_sources,source_article,source_office,source_date,"
    "source_headline,source_original,where_prec,where_coordinates,adm_1,adm_2,latitude,longitude,geom_wkt,"
    "priogrid_gid,country,country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,"
    "deaths_civilians,deaths_unknown,low,best,high"
).split(",")
GOVERNORATES = [f"Governorate {i} Governorate" for i in range(14)]


def generate(path: Path, rows: int, seed: int = 0) -> None:
    """Write ``rows`` invented events in UCDP GED layout to ``path``."""
    rng = np.random.default_rng(seed)
    n = rows
    places = np.array([f"Place{i} {'town' if i % 3 else 'village'}" for i in range(5000)])
    # Syria has 65 districts (UCDP spells about a hundred ways): canonicalising them costs one
    # gazetteer lookup per distinct name, so the benchmark draws from that many, not 5,000
    districts = np.array([f"Place{i} district" for i in range(65)])
    sides = np.array(["Government of Syria", "Syrian insurgents", "IS", "SDF", "Civilians", "Group A", "Group B"])
    offices = np.array(["Desk A", "Desk B", "Desk C;Desk D", "Desk E"])
    lat = np.round(rng.uniform(32.4, 37.2, n), 6)
    lon = np.round(rng.uniform(35.8, 42.3, n), 6)
    start = np.datetime64("2016-01-01") + rng.integers(0, 366, n).astype("timedelta64[D]")
    place = places[rng.integers(0, places.size, n)]
    best = rng.poisson(3, n)
    side_a = sides[rng.integers(0, 4, n)]
    side_b = sides[rng.integers(1, sides.size, n)]
    dates = start.astype(str)
    headline = np.char.add("Invented report about ", place)
    data = {
        "id": np.arange(1, n + 1), "year": np.full(n, 2016), "active_year": rng.integers(0, 2, n),
        "type_of_violence": rng.integers(1, 4, n), "conflict_new_id": rng.integers(1, 500, n),
        "conflict_name": np.full(n, "Syria: Government"), "dyad_new_id": rng.integers(1, 900, n),
        "dyad_name": np.char.add(np.char.add(side_a, " - "), side_b), "side_a_new_id": rng.integers(1, 99, n),
        "side_a": side_a, "side_b_new_id": rng.integers(1, 99, n), "gwnob": pa.nulls(n, pa.float64()),
        "side_b": side_b, "number_of_sources": rng.integers(1, 4, n),
        "source_article": np.char.add(np.char.add("Desk A,", dates), np.char.add(",", headline)),
        "source_office": offices[rng.integers(0, offices.size, n)], "source_date": dates,
        "source_headline": headline, "source_original": np.full(n, "Desk A"),
        "where_prec": rng.integers(1, 7, n), "where_coordinates": place,
        "adm_1": np.array(GOVERNORATES)[rng.integers(0, 14, n)], "adm_2": districts[rng.integers(0, districts.size, n)],
        "latitude": lat, "longitude": lon,
        "geom_wkt": np.char.add(np.char.add("POINT (", lon.astype(str)), np.char.add(" ", np.char.add(lat.astype(str), ")"))),
        "priogrid_gid": rng.integers(170000, 190000, n), "country": np.full(n, "Syria"), "country_id": np.full(n, 652),
        "region": np.full(n, "Middle East"), "event_clarity": rng.integers(1, 3, n), "date_prec": rng.integers(1, 6, n),
        "date_start": dates, "date_end": dates, "deaths_a": best // 2, "deaths_b": best - best // 2,
        "deaths_civilians": np.zeros(n, dtype=int), "deaths_unknown": np.zeros(n, dtype=int),
        "low": np.maximum(best - 1, 0), "best": best, "high": best + 2,
    }
    table = pa.table({name: data[name] for name in UCDP_HEADER})
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


_SYRIAMAP = """
import sys, time, json
t = time.perf_counter()
from syriamap.io import read_ucdp, write_parquet
from syriamap.validate import validate
events = read_ucdp(sys.argv[1], canonical_admin=sys.argv[3] == "canonical")
t_read = time.perf_counter() - t
report = validate(events)
t_val = time.perf_counter() - t - t_read
write_parquet(events, sys.argv[2])
total = time.perf_counter() - t
print(json.dumps({"rows": len(events), "seconds": total, "read": t_read, "validate": t_val,
                  "problems": len(report.problems),
                  "peak_mb": peak_mb()}))
"""

_BASELINE = """
import sys, time, json
t = time.perf_counter()
import pandas as pd
frame = pd.read_csv(sys.argv[1], engine=sys.argv[3]) if sys.argv[3] != "c" else pd.read_csv(sys.argv[1])
t_read = time.perf_counter() - t
frame.to_parquet(sys.argv[2], index=False)
total = time.perf_counter() - t
print(json.dumps({"rows": len(frame), "seconds": total, "read": t_read, "validate": 0.0, "problems": 0,
                  "peak_mb": peak_mb()}))
"""


_PEAK = """
def peak_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""


def _run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _PEAK + code, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--generate", metavar="PATH", help="only write the generated file to PATH")
    args = parser.parse_args(argv)
    if args.generate:
        generate(Path(args.generate), args.rows)
        return 0
    with tempfile.TemporaryDirectory(prefix="syriamap-bench-") as tmp:
        src = Path(tmp) / "ucdp.csv"
        t = time.perf_counter()
        # generated in a subprocess: this process stays small, so nothing it holds is counted in the runs
        subprocess.run([sys.executable, __file__, "--generate", str(src), "--rows", str(args.rows)], check=True)
        size_mb = src.stat().st_size / 2**20
        print(f"generated {args.rows:,} UCDP-layout rows ({size_mb:,.0f} MiB) in {time.perf_counter() - t:.1f} s")
        results = {
            "syriamap": _run(_SYRIAMAP, str(src), str(Path(tmp) / "a.parquet"), "canonical"),
            "syriamap-raw": _run(_SYRIAMAP, str(src), str(Path(tmp) / "d.parquet"), "raw"),
            "baseline": _run(_BASELINE, str(src), str(Path(tmp) / "b.parquet"), "c"),
            "baseline-arrow": _run(_BASELINE, str(src), str(Path(tmp) / "c.parquet"), "pyarrow"),
        }
    print(f"{'run':<16}{'rows/s':>12}{'total s':>9}{'read s':>8}{'valid. s':>9}{'peak MB':>9}")
    for name, r in results.items():
        print(f"{name:<16}{r['rows'] / r['seconds']:>12,.0f}{r['seconds']:>9.2f}{r['read']:>8.2f}"
              f"{r['validate']:>9.2f}{r['peak_mb']:>9,.0f}")
    ours = results["syriamap"]
    for name in ("baseline", "baseline-arrow"):
        base = results[name]
        print(f"syriamap / {name}: time x{ours['seconds'] / base['seconds']:.2f}, "
              f"peak memory x{ours['peak_mb'] / base['peak_mb']:.2f}")
    ok = ours["seconds"] < 10 and ours["peak_mb"] < 2048
    print(f"targets (< 10 s, < 2048 MB): {'met' if ok else 'NOT met'}; validation problems found: {ours['problems']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
