"""The online fallback against a real HTTP server on 127.0.0.1 that speaks Nominatim's JSON.

The server (a ``ThreadingHTTPServer`` on an ephemeral port) answers ``/search``
and ``/reverse`` the way Nominatim does, and misbehaves on purpose for some
queries: slow beyond the client's timeout, 429 once, 5xx always.  It counts the
requests it receives, so the tests can tell a cache hit from a network call.
Nothing but 127.0.0.1 is ever contacted (system proxies are disabled).
"""
from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from geopy.geocoders import Nominatim
from geopy.location import Location

from syriamap.cli.app import main as syriamap_main
from syriamap.gazetteer.geocoder import OfflineGazetteer
from syriamap.gazetteer.online import CachedGeocoder, GeocodeCache, GeocodeCacheError

SLOW_SECONDS = 1.0
CLIENT_TIMEOUT = 0.25

# Invented places, far from anything the offline gazetteer knows.
TOWN = {"place_id": 90101, "licence": "test data", "osm_type": "node", "osm_id": 1, "lat": "35.1234",
        "lon": "38.9876", "class": "place", "type": "town", "addresstype": "town", "place_rank": 18,
        "importance": 0.41, "name": "Qxvbrimtown", "display_name": "Qxvbrimtown, Test Governorate, Syria",
        "boundingbox": ["35.1", "35.2", "38.9", "39.0"]}
DISTRICT = {"place_id": 90102, "lat": "35.5", "lon": "39.5", "class": "boundary", "type": "administrative",
            "addresstype": "state_district", "importance": 0.3, "name": "Qxvbrimtown District",
            "display_name": "Qxvbrimtown District, Test Governorate, Syria"}
VILLAGE = {"place_id": 90200, "lat": "35.0010", "lon": "38.0020", "class": "place", "type": "village",
           "addresstype": "village", "importance": 0.2, "name": "Qasr Testun",
           "display_name": "Qasr Testun, Test Governorate, Syria"}


@dataclass
class NominatimStub:
    """What the server saw, and how often each query was asked."""

    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, path: str, params: dict[str, str]) -> int:
        """Store one request; return how many times this (path, q) was asked, this one included."""
        with self.lock:
            self.requests.append((path, params))
            return sum(1 for p, q in self.requests if p == path and q.get("q") == params.get("q"))

    def count(self, q: str | None = None, path: str = "/search") -> int:
        with self.lock:
            return sum(1 for p, params in self.requests if p == path and (q is None or params.get("q") == q))

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()


class _Handler(BaseHTTPRequestHandler):
    stub: NominatimStub  # set on the class made per server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet test output
        pass

    def _send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        nth = self.stub.record(url.path, params)
        if params.get("format") != "json":
            self._send(400, {"error": "format=json expected"})
        elif url.path == "/search":
            self._search(params.get("q", ""), nth)
        elif url.path == "/reverse":
            lat = float(params["lat"])
            if lat < -80:
                self._send(200, {"error": "Unable to geocode"})
            else:
                self._send(200, VILLAGE)
        else:
            self._send(404, {"error": "not found"})

    def _search(self, q: str, nth: int) -> None:
        if q == "Qxvbrimtown":
            self._send(200, [TOWN, DISTRICT])
        elif q == "Slowvalia":
            time.sleep(SLOW_SECONDS)
            self._send(200, [TOWN])
        elif q == "Busyvalia":
            if nth == 1:
                self._send(429, {"error": "Too many requests"}, {"Retry-After": "0"})
            else:
                self._send(200, [TOWN])
        elif q.startswith("Broken"):
            status = int(q.removeprefix("Broken"))
            self._send(status, {"error": "Internal error"})
        elif q.startswith("Parallel"):
            self._send(200, [dict(TOWN, place_id=int(q.removeprefix("Parallel")), display_name=q)])
        else:
            self._send(200, [])


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[NominatimStub, int]]:
    stub = NominatimStub()
    handler = type("Handler", (_Handler,), {"stub": stub})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="nominatim-stub", daemon=True)
    thread.start()
    yield stub, httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture()
def stub(server: tuple[NominatimStub, int]) -> NominatimStub:
    server[0].reset()
    return server[0]


@pytest.fixture()
def nominatim(server: tuple[NominatimStub, int]) -> Nominatim:
    return make_nominatim(server[1])


def make_nominatim(port: int) -> Nominatim:
    return Nominatim(domain=f"127.0.0.1:{port}", scheme="http", user_agent="syriamap-tests",
                     timeout=CLIENT_TIMEOUT, proxies={})


def cached(nominatim: Nominatim, path: Path, **kwargs: object) -> CachedGeocoder:
    options = {"min_delay_seconds": 0.0, "error_wait_seconds": 0.01, "max_retries": 2, **kwargs}
    return CachedGeocoder(nominatim, path, **options)  # type: ignore[arg-type]


def test_a_hit_is_returned_marked_and_cached(stub: NominatimStub, nominatim: Nominatim, tmp_path: Path) -> None:
    online = cached(nominatim, tmp_path / "cache.sqlite")
    loc = online.geocode("Qxvbrimtown")
    assert isinstance(loc, Location)
    assert loc.point[:2] == (35.1234, 38.9876)
    assert loc.address == TOWN["display_name"]
    assert loc.raw["place_id"] == TOWN["place_id"]
    assert loc.raw["source"] == "online:nominatim"
    assert (loc.raw["kind"], loc.raw["geo_precision"]) == ("populated_place", 1)
    assert stub.count("Qxvbrimtown") == 1
    both = online.geocode("  qxvbrimtown ", exactly_one=False)  # same normalised query: from the cache
    assert [x.raw["place_id"] for x in both] == [TOWN["place_id"], DISTRICT["place_id"]]
    assert [x.raw["geo_precision"] for x in both] == [1, 2]
    assert stub.count() == 1
    assert online.cache.stats() == {"answers": 1, "found": 1, "negative": 0, "expired": 0}


def test_a_miss_is_cached_as_a_negative_answer(stub: NominatimStub, nominatim: Nominatim, tmp_path: Path) -> None:
    online = cached(nominatim, tmp_path / "cache.sqlite")
    assert online.geocode("Nowhere Qx") is None
    assert online.geocode("Nowhere Qx") is None
    assert online.geocode("Nowhere Qx", exactly_one=False) is None
    assert stub.count("Nowhere Qx") == 1
    assert online.cache.stats()["negative"] == 1


def test_other_parameters_are_part_of_the_key(stub: NominatimStub, nominatim: Nominatim, tmp_path: Path) -> None:
    online = cached(nominatim, tmp_path / "cache.sqlite")
    online.geocode("Qxvbrimtown")
    online.geocode("Qxvbrimtown", country_codes="sy")
    online.geocode("Qxvbrimtown", country_codes="sy")
    assert stub.count("Qxvbrimtown") == 2
    assert [params.get("countrycodes") for _, params in stub.requests] == [None, "sy"]


def test_a_slow_answer_times_out_to_none_and_is_not_cached(
    stub: NominatimStub, nominatim: Nominatim, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    online = cached(nominatim, tmp_path / "cache.sqlite", max_retries=1)
    with caplog.at_level(logging.WARNING, logger="syriamap.gazetteer.online"):
        assert online.geocode("Slowvalia") is None
    asked = stub.count("Slowvalia")
    assert asked >= 2  # the first try and one retry (the HTTP adapter may add its own retries)
    assert any(r.name == "syriamap.gazetteer.online" and r.levelno == logging.WARNING
               and "timed out" in r.getMessage().lower() for r in caplog.records)
    assert online.cache.stats()["answers"] == 0
    assert online.geocode("Slowvalia") is None
    assert stub.count("Slowvalia") > asked  # asked again: a failure is not an answer


def test_429_then_200_is_retried_and_returned(stub: NominatimStub, nominatim: Nominatim, tmp_path: Path) -> None:
    online = cached(nominatim, tmp_path / "cache.sqlite")
    loc = online.geocode("Busyvalia")
    assert loc is not None and loc.raw["place_id"] == TOWN["place_id"]
    assert stub.count("Busyvalia") == 2
    assert online.geocode("Busyvalia") is not None
    assert stub.count("Busyvalia") == 2


@pytest.mark.parametrize("status", [500, 502, 503])
def test_persistent_server_errors_give_none_and_a_warning(
    stub: NominatimStub, nominatim: Nominatim, tmp_path: Path, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    online = cached(nominatim, tmp_path / "cache.sqlite", max_retries=2)
    query = f"Broken{status}"
    with caplog.at_level(logging.WARNING, logger="syriamap.gazetteer.online"):
        assert online.geocode(query) is None
    assert stub.count(query) == 3
    warnings = [r for r in caplog.records if r.name == "syriamap.gazetteer.online" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and query in warnings[0].getMessage()
    assert online.cache.stats()["answers"] == 0


def test_the_cache_survives_reopening_in_another_process(
    stub: NominatimStub, server: tuple[NominatimStub, int], tmp_path: Path
) -> None:
    path = tmp_path / "cache.sqlite"
    online = cached(make_nominatim(server[1]), path)
    online.geocode("Qxvbrimtown")
    online.geocode("Nowhere Qx")
    online.close()
    assert stub.count() == 2
    script = f"""
import sys
from geopy.geocoders import Nominatim
from syriamap.gazetteer.online import CachedGeocoder
nominatim = Nominatim(domain="127.0.0.1:{server[1]}", scheme="http", user_agent="syriamap-tests", proxies={{}})
online = CachedGeocoder(nominatim, sys.argv[1], min_delay_seconds=0)
hit = online.geocode("Qxvbrimtown")
print(hit.raw["place_id"], hit.raw["source"], online.geocode("Nowhere Qx"))
"""
    out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(TOWN["place_id"]), "online:nominatim", "None"]
    assert stub.count() == 2  # both answered from the file


def test_answers_expire(stub: NominatimStub, nominatim: Nominatim, tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    online = cached(nominatim, path, cache_ttl_days=7)
    online.geocode("Qxvbrimtown")
    with sqlite3.connect(path) as conn:
        created, expires = conn.execute("SELECT created_at, expires_at FROM answers").fetchone()
        assert expires - created == pytest.approx(7 * 86_400)
        conn.execute("UPDATE answers SET created_at = created_at - 8 * 86400, expires_at = expires_at - 8 * 86400")
    conn.close()
    assert online.cache.stats()["expired"] == 1
    assert online.geocode("Qxvbrimtown") is not None
    assert stub.count("Qxvbrimtown") == 2  # expired: asked again, and stored afresh
    assert online.cache.stats() == {"answers": 1, "found": 1, "negative": 0, "expired": 0}
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE answers SET expires_at = 0")
    conn.close()
    assert online.cache.purge_expired() == 1
    assert online.cache.stats()["answers"] == 0


def test_reverse_through_the_cache(stub: NominatimStub, nominatim: Nominatim, tmp_path: Path) -> None:
    online = cached(nominatim, tmp_path / "cache.sqlite")
    loc = online.reverse("35.001, 38.002")
    assert loc.address == VILLAGE["display_name"] and loc.raw["kind"] == "populated_place"
    assert online.reverse((35.001, 38.002)) is not None
    assert online.reverse((-85.0, 10.0)) is None  # Nominatim's "Unable to geocode"
    assert online.reverse((-85.0, 10.0)) is None
    assert stub.count(path="/reverse") == 2
    assert online.reverse("not a point") is None


def test_threads_and_two_instances_share_one_cache_file(
    stub: NominatimStub, nominatim: Nominatim, server: tuple[NominatimStub, int], tmp_path: Path
) -> None:
    path = tmp_path / "cache.sqlite"
    first, second = cached(nominatim, path), cached(make_nominatim(server[1]), path)
    names = [f"Parallel{i}" for i in range(40)]
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def work(online: CachedGeocoder, chunk: list[str]) -> None:
        try:
            for name in chunk:
                results[name] = online.geocode(name).raw["place_id"]
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(online, names[i::4]))
               for i, online in enumerate([first, second, first, second])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert results == {name: int(name.removeprefix("Parallel")) for name in names}
    assert GeocodeCache(path).stats()["answers"] == 40
    again = [second.geocode(name) for name in names]
    assert all(loc is not None for loc in again)
    assert Counter(params["q"] for _, params in stub.requests) == Counter(names)


def test_a_file_that_is_not_a_cache_is_a_clear_error(nominatim: Nominatim, tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not a database\x00" * 100)
    with pytest.raises(GeocodeCacheError, match="junk.sqlite"):
        CachedGeocoder(nominatim, path)


# -- through OfflineGazetteer ---------------------------------------------------


def test_offline_first_then_online_for_unknown_names(
    stub: NominatimStub, nominatim: Nominatim, tmp_path: Path
) -> None:
    geocoder = OfflineGazetteer(fallback=nominatim, cache_path=tmp_path / "cache.sqlite",
                                min_delay_seconds=0, error_wait_seconds=0.01)
    homs = geocoder.geocode("Homs")
    assert homs.raw["source"].startswith("offline:")
    assert stub.count() == 0
    loc = geocoder.geocode("Qxvbrimtown")
    assert loc.raw["source"] == "online:nominatim" and loc.raw["place_id"] == TOWN["place_id"]
    assert geocoder.geocode("Qxvbrimtown", kind="admin2").raw["place_id"] == DISTRICT["place_id"]
    assert geocoder.geocode("Qxvbrimtown", kind="river") is None
    assert len(geocoder.geocode("Qxvbrimtown", exactly_one=False)) == 2
    assert stub.count("Qxvbrimtown") == 1
    assert geocoder.geocode("Broken500") is None  # no exception reaches the caller
    assert geocoder.geocode(None) is None and stub.count() == 4


def test_country_is_sent_as_nominatim_country_codes(
    stub: NominatimStub, nominatim: Nominatim, tmp_path: Path
) -> None:
    geocoder = OfflineGazetteer(fallback=nominatim, cache_path=tmp_path / "cache.sqlite", min_delay_seconds=0)
    assert geocoder.geocode("Qxvbrimtown", country="Syria") is not None
    assert [params.get("countrycodes") for _, params in stub.requests] == ["sy"]


def test_fallback_by_service_name_and_reverse_beyond_max_km(
    stub: NominatimStub, server: tuple[NominatimStub, int], tmp_path: Path
) -> None:
    geocoder = OfflineGazetteer(
        fallback="nominatim",
        fallback_options={"domain": f"127.0.0.1:{server[1]}", "scheme": "http", "proxies": {}},
        cache_path=tmp_path / "cache.sqlite", min_delay_seconds=0, user_agent="syriamap-tests",
    )
    assert isinstance(geocoder.online.geocoder, Nominatim)
    assert geocoder.online.geocoder.headers["User-Agent"] == "syriamap-tests"
    near = geocoder.reverse((35.001, 38.002), max_km=500)  # the nearest town is beyond the default 25 km
    assert near.raw["source"].startswith("offline:") and stub.count(path="/reverse") == 0
    far = geocoder.reverse((35.001, 38.002), max_km=0.01)
    assert far.raw["source"] == "online:nominatim" and far.address == VILLAGE["display_name"]
    assert stub.count(path="/reverse") == 1


def test_offline_gazetteer_without_fallback_sends_nothing(stub: NominatimStub) -> None:
    geocoder = OfflineGazetteer()
    assert geocoder.geocode("Qxvbrimtown") is None
    assert geocoder.reverse((35.001, 38.002), max_km=0.01) is None
    assert stub.count() == 0 and stub.count(path="/reverse") == 0


# -- command line ---------------------------------------------------------------


def _run(argv: list[str]) -> int:
    return syriamap_main(argv)


def test_cli_locate_online_and_cache_info(
    stub: NominatimStub, server: tuple[NominatimStub, int], tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    for var in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    cache = tmp_path / "cache.sqlite"
    online = ["--online", "--domain", f"127.0.0.1:{server[1]}", "--scheme", "http", "--cache", str(cache),
              "--min-delay", "0", "--user-agent", "syriamap-tests"]
    assert _run(["locate", "Homs", "Qxvbrimtown", *online]) == 0
    out = capsys.readouterr().out
    assert "online:nominatim" in out and "offline:" in out and TOWN["display_name"] in out
    assert _run(["locate", "Nowhere Qx", *online]) == 1
    assert "not found" in capsys.readouterr().out
    assert stub.count() == 2
    assert _run(["online-cache", "info", "--cache", str(cache)]) == 0
    assert "2 answers, 1 found, 1 negative" in capsys.readouterr().out
    assert _run(["online-cache", "clear", "--cache", str(cache)]) == 0
    assert GeocodeCache(cache).stats()["answers"] == 0


def test_cli_locate_offline_sends_nothing(stub: NominatimStub, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["locate", "Qxvbrimtown"]) == 1
    assert stub.count() == 0


def test_cli_reverse(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["reverse", "34.735,36.712", "--limit", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and "Homs" in lines[1]
    assert _run(["reverse", "0,-30", "--max-km", "50"]) == 1
    assert "nothing found" in capsys.readouterr().out
