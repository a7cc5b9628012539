"""Time and peak memory of the worst hostile inputs to the importers and the online fallback.

Each case runs in its own child process, so its peak resident memory (the
child's ``VmHWM``, Linux) is its own; the baselines are the same operations on good input in
the same run: a 3-row GeoNames import into the same gazetteer file, and one good
answer from the same local server.  The hostile server runs in this (parent)
process on 127.0.0.1, so its memory is not counted.

    .venv/bin/python benchmarks/bench_hostile_gazetteer.py
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DEADLINE = 2.0
HUGE = 300 * 10**6
TOWN = [{"lat": "35.25", "lon": "38.75", "display_name": "Zzyzxabad, Syria", "type": "town"}]


def gn_row(gid: int, name: str, lat: float, lon: float) -> str:
    return "\t".join([str(gid), name, name, "", str(lat), str(lon), "P", "PPL", "SY", "", "01", "", "", "", "0",
                      "", "", "Asia/Damascus", "2024-01-01"])


# -- the hostile server (parent process) ---------------------------------------

class Hostile(BaseHTTPRequestHandler):
    bomb = b""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _send(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        q = parse_qs(urlsplit(self.path).query).get("q", [""])[0]
        try:
            if q == "good":
                self._send(200, json.dumps(TOWN).encode())
            elif q == "retry-after-3600":
                self._send(429, b"{}", Retry_After="3600")
            elif q == "drip-body":
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                for _ in range(100_000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.5)
            elif q == "300-MB-streamed":
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                block = b" " * (1 << 16)
                for _ in range(HUGE // len(block)):
                    self.wfile.write(block)
            elif q == "gzip-bomb-300-MB":
                self._send(200, self.bomb, Content_Encoding="gzip")
            elif q == "100k-deep-JSON":
                self._send(200, b"[" * 100_000 + b"]" * 100_000)
        except (BrokenPipeError, ConnectionResetError):
            pass


def serve() -> tuple[ThreadingHTTPServer, int]:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    Hostile.bomb = b"".join(packer.compress(b" " * (1 << 20)) for _ in range(HUGE >> 20)) + packer.flush()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, httpd.server_address[1]


# -- one case (child process) ----------------------------------------------------

def child(case: str, arg: str) -> None:
    """Run one case; print the seconds it took and the process's peak resident memory (MB)."""
    started = time.perf_counter()
    if case == "online":
        import logging

        from geopy.geocoders import Nominatim

        from syriamap.gazetteer.online import CachedGeocoder

        logging.disable(logging.WARNING)
        port, query, cache = arg.split("|")
        nominatim = Nominatim(domain=f"127.0.0.1:{port}", scheme="http", user_agent="bench", proxies={}, timeout=None)
        online = CachedGeocoder(nominatim, cache, min_delay_seconds=0, error_wait_seconds=0.05,
                                deadline_seconds=DEADLINE)
        started = time.perf_counter()
        online.geocode(query)
    elif case == "import":
        from syriamap.gazetteer.importers import GazetteerImportError, import_geonames

        dump, into = arg.split("|")
        try:
            import_geonames([dump], into, layer="bench")
        except GazetteerImportError:
            pass
    elif case == "open":
        from syriamap.gazetteer import Gazetteer

        Gazetteer(arg).close()
    seconds = time.perf_counter() - started
    status = Path("/proc/self/status").read_text()
    peak_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    print(seconds, peak_kb / 1024)


def measure(case: str, arg: str) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one case in a child process."""
    out = subprocess.run([sys.executable, __file__, "--child", case, arg], stdout=subprocess.PIPE, check=True).stdout
    seconds, peak = out.decode().strip().splitlines()[-1].split()
    return float(seconds), float(peak)


def main() -> int:
    from syriamap.gazetteer.importers import import_geonames

    folder = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    try:
        small = folder / "XX.txt"
        small.write_text("\n".join(gn_row(9800001 + i, f"Testplace {i}", 35 + i / 10, 38) for i in range(3)) + "\n")
        into = folder / "mine.sqlite"
        import_geonames([small], into)
        rows = []

        base_t, base_m = measure("import", f"{small}|{into}")
        rows.append(("imports", "baseline: 3-row GeoNames dump", base_t, base_m, base_t, base_m))
        long_line = folder / "allCountries.txt"
        with long_line.open("wb") as handle:
            handle.write(b"1\tA")
            handle.truncate(3 << 29)
        t, m = measure("import", f"{long_line}|{into}")
        rows.append(("imports", "1.5 GiB dump, no line break", t, m, base_t, base_m))
        empty = folder / "YY.txt"
        empty.write_text("")
        t, m = measure("import", f"{empty}|{into}")
        rows.append(("imports", "empty dump (refused)", t, m, base_t, base_m))

        open_t, open_m = measure("open", str(into))
        rows.append(("imports", "baseline: open the gazetteer", open_t, open_m, open_t, open_m))
        leftover = folder / "mine.sqlite.k1ll9xyz.tmp"
        shutil.copyfile(into, leftover)
        t, m = measure("open", str(into))
        assert not leftover.exists()
        rows.append(("imports", f"open + delete a {into.stat().st_size / 1e6:.0f} MB kill -9 leftover", t, m,
                     open_t, open_m))

        httpd, port = serve()
        try:
            cache = folder / "cache.sqlite"
            base_t, base_m = measure("online", f"{port}|good|{cache}")
            rows.append(("online", "baseline: one good answer", base_t, base_m, base_t, base_m))
            for query in ("retry-after-3600", "drip-body", "300-MB-streamed", "gzip-bomb-300-MB", "100k-deep-JSON"):
                t, m = measure("online", f"{port}|{query}|{cache}")
                rows.append(("online", query, t, m, base_t, base_m))
        finally:
            httpd.shutdown()
        print(f"{'group':<8} {'case':<44} {'seconds':>8} {'x base':>7} {'peak MB':>8} {'x base':>7}")
        for group, case, t, m, bt, bm in rows:
            print(f"{group:<8} {case:<44} {t:8.2f} {t / bt:7.1f} {m:8.1f} {m / bm:7.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main())
