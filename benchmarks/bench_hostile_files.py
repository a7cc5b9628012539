"""Benchmark: time and peak memory of the worst hostile input of each kind, against a sound file.

Each input is built here (deterministic), then read by ``syriamap validate`` in
a fresh subprocess, so that peak memory (``VmHWM``) belongs to that run alone;
the time is that of the command, imports excluded.
The baseline is a sound file of the same number of rows read the same way.
Every run must end in a report or a one-line error: the script prints the exit
code and the first line of its error, and fails if a traceback appears.

Run: ``.venv/bin/python benchmarks/bench_hostile_files.py [--rows N]``
"""
from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = "event_id,event_date,event_type,location,fatalities,notes\n"

_RUN = """
import sys, time, json, io, contextlib
from syriamap.cli import main
import syriamap.io, syriamap.validate  # imports are not what is measured
t = time.perf_counter()
err = io.StringIO()
with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
    code = main(["validate", sys.argv[1]])
seconds = time.perf_counter() - t
with open("/proc/self/status") as fh:
    peak = next(int(l.split()[1]) / 1024 for l in fh if l.startswith("VmHWM:"))
print(json.dumps({"code": code, "seconds": seconds, "peak_mb": peak, "err": err.getvalue()}))
"""


def _rows(n: int, start: int = 0) -> str:
    return "".join(f"b:{i},2016-01-{1 + i % 28:02d},Battles,Town{i % 500},{i % 9},An invented note {i}\n"
                   for i in range(start, start + n))


def build(folder: Path, rows: int) -> dict[str, Path]:
    """The inputs, by kind."""
    files: dict[str, bytes] = {
        "sound CSV (baseline)": (HEADER + _rows(rows)).encode(),
        "unterminated quote near the top": (HEADER + _rows(1) + 'b:x,2016-01-01,Battles,"Runaway,1,n\n'
                                            + _rows(rows - 2, 2)).encode(),
        "stray quote on every 10th row": (HEADER + "".join(
            (line.replace(",Town", ',"Town') if i % 10 == 0 else line)
            for i, line in enumerate(_rows(rows).splitlines(keepends=True)))).encode(),
        "stray non-UTF-8 byte": (HEADER + "b:0,2016-01-01,Battles,حلب,1,n\n" + _rows(rows - 2, 1)).encode()
        + b"b:z,2016-01-01,Battles,Ha\xffma,1,n\n",
        "numbers out of range": (HEADER + _rows(rows).replace(",3,", ",1e400,")).encode(),
        "1 MiB header of empty columns": b"," * (1 << 20) + b"\n1\n",
        "64 MiB single line": HEADER.encode() + b"b:1,2016-01-01,Battles," + b"x" * (64 << 20) + b"\n",
        "200 KB fields": (HEADER + "".join(f'b:{i},2016-01-01,Battles,{"y" * 200_000},1,"{"z" * 200_000}"\n'
                                           for i in range(100))).encode(),
        "gzip bomb named .csv (4 GiB of zeros)": b"",
        "100k-deep JSON": ("[" * 100_000 + "]" * 100_000).encode(),
        "GeoJSON of junk features": json.dumps({"type": "FeatureCollection", "features": [
            [1, {"geometry": "x"}, {"type": "Feature", "geometry": {"type": "Point", "coordinates": {"a": 1}},
                                    "properties": [1]}, None][i % 4] for i in range(rows)]}).encode(),
    }
    paths: dict[str, Path] = {}
    for i, (kind, data) in enumerate(files.items()):
        suffix = ".geojson" if "JSON" in kind else ".csv"
        path = folder / f"case{i}{suffix}"
        if kind.startswith("gzip bomb"):
            with gzip.open(path, "wb", compresslevel=9) as fh:
                block = bytes(1 << 24)
                for _ in range(256):
                    fh.write(block)
        else:
            path.write_bytes(data)
        paths[kind] = path
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    failed = False
    with tempfile.TemporaryDirectory(prefix="syriamap-hostile-") as tmp:
        paths = build(Path(tmp), args.rows)
        print(f"{'input':<40}{'MiB':>8}{'exit':>6}{'seconds':>9}{'peak MB':>9}  outcome")
        base = None
        for kind, path in paths.items():
            out = subprocess.run([sys.executable, "-c", _RUN, str(path)], capture_output=True, text=True)
            if out.returncode != 0 or "Traceback" in out.stdout + out.stderr:
                print(f"{kind:<40} crashed: {out.stderr.strip().splitlines()[-1:]}")
                failed = True
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            base = base or r
            outcome = r["err"].strip().splitlines()[0][:70] if r["err"].strip() else "report"
            print(f"{kind:<40}{path.stat().st_size / 2**20:>8.1f}{r['code']:>6}{r['seconds']:>9.2f}"
                  f"{r['peak_mb']:>9.0f}  {outcome}  (x{r['seconds'] / base['seconds']:.1f} time of the sound file)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
