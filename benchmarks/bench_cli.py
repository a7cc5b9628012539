"""Benchmark: start-up time of the ``syriamap`` command.

Runs each command line several times in fresh processes (the gazetteer already
built) and prints the median wall time and peak memory (``VmHWM``, read by a
wrapper process: the child's own high-water mark) of each, with the ratios to
two baselines measured in the same run:

* ``python -c pass``: the interpreter alone;
* ``python -c "import syriamap"``: the package's lazy front door.

Measured: ``syriamap --help`` and ``syriamap resolve Homs``; for scale,
``python -c "import pandas"``; and, with ``--before DIR`` (a checkout of an
earlier version, e.g. the main branch), the same two commands run from that
checkout's code (``PYTHONPATH=DIR``), as the before-and-after figure.
Target (issue 11): ``--help`` and ``resolve Homs`` under 0.3 s on this machine.
The machine is shared, so the medians move with its load; the ratios to the
baselines move much less.

Run: ``.venv/bin/python benchmarks/bench_cli.py [--runs N] [--before ../main]``
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

#: Runs one command and prints its wall time and the child's peak RSS (VmHWM via wait4's rusage).
_TIMER = r"""
import json, os, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(json.dumps({"seconds": time.perf_counter() - start, "peak_mb": usage.ru_maxrss / 1024,
                  "code": os.waitstatus_to_exitcode(status)}))
"""


def _run_once(argv: list[str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _TIMER, *argv], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    if result["code"] != 0:
        raise SystemExit(f"{' '.join(argv)} exited {result['code']}")
    return result


def measure(cases: dict[str, list[str]], runs: int) -> dict[str, dict[str, float]]:
    """Median wall seconds and peak MB of each command over ``runs`` fresh processes.

    The commands take turns (one run of each, ``runs`` times over), so a change in
    the machine's load touches them all alike; one warm-up round comes first
    (file cache, ``.pyc`` files).
    """
    results: dict[str, list[dict[str, float]]] = {name: [] for name in cases}
    for round_ in range(runs + 1):
        for name, argv in cases.items():
            result = _run_once(argv)
            if round_:
                results[name].append(result)
    return {name: {"seconds": statistics.median(r["seconds"] for r in rs),
                   "peak_mb": statistics.median(r["peak_mb"] for r in rs)} for name, rs in results.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per command (default 9; the median is shown)")
    parser.add_argument("--before", type=Path, metavar="DIR", help="also time the commands of this checkout's code")
    args = parser.parse_args()
    script = shutil.which("syriamap", path=str(Path(sys.executable).parent))
    if script is None:
        raise SystemExit("no syriamap console script next to this Python: pip install -e . first")
    subprocess.run([script, "gazetteer", "build"], check=True, stdout=subprocess.DEVNULL)
    python = sys.executable
    cases = {
        "python -c pass": [python, "-c", "pass"],
        "python -c 'import syriamap'": [python, "-c", "import syriamap"],
        "syriamap --help": [script, "--help"],
        "syriamap resolve Homs": [script, "resolve", "Homs"],
        "python -c 'import pandas'": [python, "-c", "import pandas"],
    }
    if args.before is not None:
        before = str(args.before.resolve())
        run_old = f"import sys; sys.path.insert(0, {before!r}); from syriamap.cli import main; sys.exit(main(sys.argv[1:]))"
        cases["before: syriamap --help"] = [python, "-c", run_old, "--help"]
        cases["before: syriamap resolve Homs"] = [python, "-c", run_old, "resolve", "Homs"]
    figures = measure(cases, args.runs)
    bare = figures["python -c pass"]["seconds"]
    package = figures["python -c 'import syriamap'"]["seconds"]
    load = os.getloadavg()[0]
    print(f"median of {args.runs} runs each; load average {load:.1f} on {os.cpu_count()} cores; "
          f"SYRIAMAP_CACHE_DIR={os.environ.get('SYRIAMAP_CACHE_DIR', '(default)')}")
    print(f"{'command':<30} {'seconds':>8} {'peak MB':>8} {'x pass':>7} {'x import':>9}")
    for name, fig in figures.items():
        print(f"{name:<30} {fig['seconds']:>8.3f} {fig['peak_mb']:>8.0f} {fig['seconds'] / bare:>7.1f}"
              f" {fig['seconds'] / package:>9.1f}")
    slow = [name for name in ("syriamap --help", "syriamap resolve Homs") if figures[name]["seconds"] >= 0.3]
    print("target (under 0.3 s):", "met" if not slow else f"missed by {', '.join(slow)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
