"""Speed of the geopy interface: OfflineGazetteer.geocode/reverse and the online cache.

Baselines run in the same process: ``Gazetteer.resolve`` (what geocode wraps),
``reverse_geocoder.search`` (a KD-tree reverse geocoder, a dependency already)
and an uncached request to a Nominatim-like server on 127.0.0.1.

    .venv/bin/python benchmarks/bench_geocoder.py
"""
from __future__ import annotations

import json
import random
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from geopy.geocoders import Nominatim

from syriamap.gazetteer import default_gazetteer
from syriamap.gazetteer.geocoder import OfflineGazetteer
from syriamap.gazetteer.online import CachedGeocoder

NAMES = ["Homs", "Hims", "Aleppo", "Raqqa", "Deir ez-Zor", "Idlib", "Afrin", "Palmyra", "Damascus", "Daraa",
         "Qamishli", "Manbij", "Tripoli", "Mosul", "Gaziantep", "Beirut", "Amman", "Kobani"]


def rate(func: Callable[[object], object], items: Sequence[object], seconds: float = 2.0) -> float:
    """Calls per second of ``func`` over ``items``, cycling for about ``seconds``."""
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for item in items:
            func(item)
        done += len(items)
    return done / (time.perf_counter() - start)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        body = json.dumps([{"place_id": 1, "lat": "35.0", "lon": "38.0", "display_name": "Benchtown",
                            "class": "place", "type": "town"}]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    rng = random.Random(7)
    t0 = time.perf_counter()
    geocoder = OfflineGazetteer()
    geocoder.geocode("Homs")
    first = time.perf_counter() - t0
    gz = default_gazetteer()
    rows = [("first geocode (index built)", first * 1000, "ms", None)]

    base = rate(lambda n: gz.resolve(n), NAMES)
    ours = rate(lambda n: geocoder.geocode(n), NAMES)
    rows.append(("geocode exact (cached lookups)", ours, "/s", ours / base))

    t0 = time.perf_counter()
    geocoder.reverse((34.7, 36.7))
    rows.append(("reverse index build", (time.perf_counter() - t0) * 1000, "ms", None))
    points = [(rng.uniform(32.3, 37.3), rng.uniform(35.7, 42.3)) for _ in range(2000)]
    import reverse_geocoder

    reverse_geocoder.search([points[0]], mode=1, verbose=False)
    base = rate(lambda p: reverse_geocoder.search([p], mode=1, verbose=False), points)
    ours = rate(lambda p: geocoder.reverse(p), points)
    rows.append(("reverse, one point per call", ours, "/s", ours / base))

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    nominatim = Nominatim(domain=f"127.0.0.1:{httpd.server_address[1]}", scheme="http",
                          user_agent="syriamap-bench", proxies={})
    with tempfile.TemporaryDirectory() as tmp:
        online = CachedGeocoder(nominatim, Path(tmp) / "cache.sqlite", min_delay_seconds=0)
        queries = [f"Benchtown {i}" for i in range(300)]
        base = rate(lambda q: nominatim.geocode(q), queries[:50], seconds=1.0)
        for q in queries:
            online.geocode(q)
        ours = rate(lambda q: online.geocode(q), queries)
        rows.append(("online cache hit vs HTTP to 127.0.0.1", ours, "/s", ours / base))
        online.close()
    httpd.shutdown()

    print(f"{'measure':42} {'value':>12}  {'':4} {'x baseline':>10}")
    for name, value, unit, ratio in rows:
        print(f"{name:42} {value:12,.1f}  {unit:4} {'' if ratio is None else f'{ratio:10.2f}'}")


if __name__ == "__main__":
    main()
