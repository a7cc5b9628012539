"""Run every benchmark in this folder, one after another, each in its own process.

Usage: ``python benchmarks/run.py [name ...]`` (names like ``gazetteer``, ``events``, ``maps``;
all by default).  Each script prints its figures with a baseline from the same run.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in argv]
    failed = 0
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)])
        print(f"({script.stem}: {time.perf_counter() - start:.0f} s, exit {result.returncode})", flush=True)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
