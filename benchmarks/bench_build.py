"""First use of the embedded gazetteer: unpacking the shipped prebuilt default vs building it.

Each is timed cold, in a fresh cache folder and a fresh interpreter (the way a
user meets it), with its peak memory.  The baseline is the build from the
package sources, which first use falls back to when no shipped copy matches.
Then the size of what is shipped and of what is built.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, resource, sys, time
from syriamap.gazetteer import build
mode = sys.argv[1]
if mode == "build":
    build.prebuilt_folder = lambda: build.Path("/nonexistent")  # force the build from the sources
started = time.perf_counter()
path = build.ensure_embedded()
took = time.perf_counter() - started
print(json.dumps({"seconds": took, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "bytes": path.stat().st_size}))
"""


def _first_use(mode: str) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        env = {"SYRIAMAP_CACHE_DIR": cache, "PATH": "/usr/bin:/bin", "TQDM_DISABLE": "1"}
        out = subprocess.run([sys.executable, "-c", CHILD, mode], env=env, check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    from syriamap.gazetteer import build

    shipped = build.prebuilt_folder() / f"default-{build.fingerprint()}.sqlite.xz"
    built = _first_use("build")
    print(f"build from the sources (baseline): {built['seconds']:.1f} s, peak {built['peak_mb']:.0f} MB,"
          f" {built['bytes'] / 1e6:.1f} MB SQLite")
    if not shipped.is_file():
        print(f"no prebuilt default for the current sources ({shipped.name}); regenerate it with"
              " `syriamap gazetteer build --prebuilt gazetteer/`")
        return
    unpacked = _first_use("unpack")
    print(f"unpack the shipped prebuilt: {unpacked['seconds']:.1f} s, peak {unpacked['peak_mb']:.0f} MB"
          f" ({built['seconds'] / unpacked['seconds']:.0f}x faster than building);"
          f" shipped file {shipped.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"({time.perf_counter() - started:.0f} s)")
