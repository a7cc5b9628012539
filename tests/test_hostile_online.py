"""The online fallback against a hostile geocoding server on 127.0.0.1.

A real ``ThreadingHTTPServer`` answers ``/search`` like Nominatim for good
queries and misbehaves on purpose for the others: ``Retry-After: 3600``, one
byte every half second (in the body or in the headers), silence, 300 MB
answers (declared or streamed), a gzip bomb, malformed JSON of every shape, an
error object with HTTP 200, and redirects to another host.  Each call must end
within its deadline (asserted loosely: deadline + 2 s), read a bounded amount
of memory (tracemalloc), give ``None`` with a logged reason, and cache nothing.
"""
from __future__ import annotations

import itertools
import json
import logging
import threading
import time
import tracemalloc
import zlib
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from geopy.geocoders import Nominatim
from geopy.location import Location
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syriamap.cli.app import main as syriamap_main
from syriamap.gazetteer.online import CachedGeocoder, default_cache_path
from syriamap.gazetteer.online_http import MAX_RESPONSE_BYTES

DEADLINE = 2.0
SLACK = 2.0
HUGE = 300 * 10**6
TOWN = {"place_id": 7001, "lat": "35.25", "lon": "38.75", "class": "place", "type": "town", "addresstype": "town",
        "display_name": "Zzyzxabad, Test Governorate, Syria"}


def _gzip_bomb(size: int) -> bytes:
    """``size`` spaces, gzip-compressed in steps (about a thousandth of the size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b" " * (1 << 20)
    parts = [packer.compress(block) for _ in range(size // len(block))]
    return b"".join(parts) + packer.flush()


#: Malformed or untrustworthy answers with HTTP 200: raw body -> what it stands for.
MALFORMED: dict[str, bytes] = {
    "bare number": b"5",
    "zero": b"0",
    "string": b'"Zzyzxabad"',
    "null": b"null",
    "empty object": b"{}",
    "error object": b'{"error": "Unable to geocode"}',
    "structured error": b'{"error": {"code": 503, "message": "database offline"}}',
    "list of numbers": b"[5]",
    "list of null": b"[null]",
    "lat 999": json.dumps([dict(TOWN, lat="999")]).encode(),
    "lat string NaN": json.dumps([dict(TOWN, lat="NaN")]).encode(),
    "lat literal NaN": b'[{"lat": NaN, "lon": "38.75", "display_name": "X"}]',
    "lat 1e400": json.dumps([dict(TOWN, lat="1e400")]).encode(),
    "lat a list": json.dumps([dict(TOWN, lat=[1, 2])]).encode(),
    "lat missing": json.dumps([{k: v for k, v in TOWN.items() if k != "lat"}]).encode(),
    "address missing": json.dumps([{k: v for k, v in TOWN.items() if k != "display_name"}]).encode(),
    "one good one bad": json.dumps([TOWN, dict(TOWN, lon="-999")]).encode(),
    "not JSON": b"<html>Service Unavailable</html>",
    "not UTF-8": b'[{"display_name": "\xff\xfe"}]',
    "100k-deep JSON": b"[" * 100_000 + b"]" * 100_000,
}


#: The body the server sends for ``Fuzz:<n>`` queries (set by the fuzz test).
FUZZ_BODY = {"body": b"[]"}


class Hostile(BaseHTTPRequestHandler):
    """Answers by query; counts requests per query on the class made per server."""

    counts: Counter[str]
    other_port: int
    bomb: bytes

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet test output
        pass

    def _head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()

    def _body(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self._head(status, {"Content-Type": "application/json; charset=utf-8", "Content-Length": str(len(body)),
                            **(headers or {})})
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        q = parse_qs(url.query).get("q", [""])[0]
        self.counts[q] += 1
        try:
            self._answer(q, url)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up, as it should

    def _answer(self, q: str, url: object) -> None:
        if q == "Zzyzxabad":
            self._body(200, json.dumps([TOWN]).encode())
        elif q == "Nothing":
            self._body(200, b"[]")
        elif q == "RetryHour":
            self._body(429, b'{"error": "slow down"}', {"Retry-After": "3600"})
        elif q == "Unavailable":
            self._body(503, b'{"error": "try later"}')
        elif q == "DripBody":
            self._head(200, {"Content-Type": "application/json", "Content-Length": "100000"})
            self._drip(b"[" + b" " * 99_999)
        elif q == "DripHeaders":
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            self._drip(b"X-Slow: " + b"a" * 10_000)
        elif q == "Silent":
            time.sleep(DEADLINE + 10)
        elif q == "HugeDeclared":
            self._head(200, {"Content-Type": "application/json", "Content-Length": str(HUGE)})
            self._stream(HUGE)
        elif q == "HugeStreamed":
            self._head(200, {"Content-Type": "application/json", "Connection": "close"})
            self._stream(HUGE)
        elif q == "GzipBomb":
            self._body(200, self.bomb, {"Content-Encoding": "gzip"})
        elif q.startswith("Fuzz:"):
            self._body(200, FUZZ_BODY["body"])
        elif q.startswith("Malformed:"):
            self._body(200, MALFORMED[q.removeprefix("Malformed:")])
        elif q == "AwayRedirect":
            self._head(302, {"Location": f"http://localhost:{self.other_port}/search?q=Zzyzxabad&format=json",
                             "Content-Length": "0"})
        elif q == "HomeRedirect":
            self._head(302, {"Location": "/search?q=Zzyzxabad&format=json", "Content-Length": "0"})
        elif q == "RedirectLoop":
            self._head(302, {"Location": self.path, "Content-Length": "0"})
        else:
            self._body(404, b'{"error": "unknown test query"}')

    def _drip(self, data: bytes) -> None:
        for i in range(len(data)):
            self.wfile.write(data[i:i + 1])
            self.wfile.flush()
            time.sleep(0.5)

    def _stream(self, size: int) -> None:
        block = b" " * (1 << 16)
        for _ in range(size // len(block)):
            self.wfile.write(block)


def _serve(counts: Counter[str], other_port: int, bomb: bytes) -> tuple[ThreadingHTTPServer, threading.Thread]:
    handler = type("Handler", (Hostile,), {"counts": counts, "other_port": other_port, "bomb": bomb})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd, thread


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[int, Counter[str], Counter[str]]]:
    """(port of the hostile server, its request counts, request counts of the 'other host')."""
    bomb = _gzip_bomb(HUGE)
    other_counts: Counter[str] = Counter()
    other, other_thread = _serve(other_counts, 0, bomb)
    counts: Counter[str] = Counter()
    hostile, thread = _serve(counts, other.server_address[1], bomb)
    yield hostile.server_address[1], counts, other_counts
    for httpd, t in ((hostile, thread), (other, other_thread)):
        httpd.shutdown()
        httpd.server_close()
        t.join(timeout=5)


@pytest.fixture()
def online(servers: tuple[int, Counter[str], Counter[str]], tmp_path: Path) -> Iterator[CachedGeocoder]:
    port, counts, other_counts = servers
    counts.clear()
    other_counts.clear()
    nominatim = Nominatim(domain=f"127.0.0.1:{port}", scheme="http", user_agent="syriamap-tests",
                          timeout=None, proxies={})
    geocoder = CachedGeocoder(nominatim, tmp_path / "cache.sqlite", min_delay_seconds=0.0, error_wait_seconds=0.05,
                              max_retries=2, deadline_seconds=DEADLINE)
    yield geocoder
    geocoder.close()


def timed(online: CachedGeocoder, query: str) -> tuple[object, float, int]:
    """(answer, seconds, peak traced bytes) of one geocode call."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        answer = online.geocode(query)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return answer, time.perf_counter() - started, peak


def warnings_of(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)


def test_a_good_answer_still_works_and_is_cached(online: CachedGeocoder, servers) -> None:
    loc = online.geocode("Zzyzxabad")
    assert loc is not None and loc.point[:2] == (35.25, 38.75)
    assert online.geocode("Nothing") is None
    assert online.cache.stats() == {"answers": 2, "found": 1, "negative": 1, "expired": 0}


# -- time: a deadline nothing extends ----------------------------------------

@pytest.mark.parametrize("query,reason", [
    ("RetryHour", "retry after 3600"),
    ("DripBody", "deadline passed"),
    ("DripHeaders", "deadline passed"),
    ("Silent", "deadline passed"),
])
def test_each_call_ends_within_its_deadline(
    online: CachedGeocoder, servers, caplog: pytest.LogCaptureFixture, query: str, reason: str
) -> None:
    with caplog.at_level(logging.WARNING):
        answer, seconds, _ = timed(online, query)
    assert answer is None
    assert seconds < DEADLINE + SLACK, f"{query} took {seconds:.1f} s"
    assert reason in warnings_of(caplog).lower()
    assert online.cache.stats()["answers"] == 0


def test_a_wait_between_retries_never_passes_the_deadline(servers, tmp_path: Path) -> None:
    port, counts, _ = servers
    counts.clear()
    nominatim = Nominatim(domain=f"127.0.0.1:{port}", scheme="http", user_agent="t", proxies={})
    online = CachedGeocoder(nominatim, tmp_path / "c.sqlite", min_delay_seconds=0.0, error_wait_seconds=60.0,
                            max_retries=5, deadline_seconds=DEADLINE)
    started = time.perf_counter()
    assert online.geocode("Unavailable") is None
    assert time.perf_counter() - started < DEADLINE + SLACK
    assert counts["Unavailable"] == 1  # a 60 s error wait does not fit in the deadline: no retry
    online.close()


def test_retries_that_fit_the_deadline_still_happen(online: CachedGeocoder, servers) -> None:
    _, counts, _ = servers
    assert online.geocode("Unavailable") is None
    assert counts["Unavailable"] == 3  # the first try and max_retries=2 retries, 0.05 s apart


# -- size: bounded memory -----------------------------------------------------

@pytest.mark.parametrize("query,reason", [
    ("HugeDeclared", "300,000,000 bytes refused"),
    ("HugeStreamed", "longer than"),
    ("GzipBomb", "decompressing to more than"),
])
def test_a_huge_answer_is_stopped_early_with_bounded_memory(
    online: CachedGeocoder, servers, caplog: pytest.LogCaptureFixture, query: str, reason: str
) -> None:
    with caplog.at_level(logging.WARNING):
        answer, seconds, peak = timed(online, query)
    assert answer is None
    assert reason in warnings_of(caplog)
    assert peak < 4 * MAX_RESPONSE_BYTES + (4 << 20), f"{query}: peak {peak / 1e6:.1f} MB"
    assert seconds < DEADLINE + SLACK
    assert online.cache.stats()["answers"] == 0


# -- shape: every answer validated before it is cached ------------------------

@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_answer_is_none_with_a_reason_and_never_cached(
    online: CachedGeocoder, servers, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    _, counts, _ = servers
    query = f"Malformed:{case}"
    with caplog.at_level(logging.WARNING):
        assert online.geocode(query) is None  # nothing escapes: no AttributeError, ValueError, TypeError
        assert online.geocode(query, exactly_one=False) is None
    assert "not cached" in warnings_of(caplog)
    assert online.cache.stats()["answers"] == 0
    assert counts[query] >= 2  # asked again: a refused answer is not "no such place"


def test_nominatims_reverse_no_result_is_a_real_negative(servers, tmp_path: Path) -> None:
    class Reverse(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            body = b'{"error": "Unable to geocode"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Reverse)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        nominatim = Nominatim(domain=f"127.0.0.1:{httpd.server_address[1]}", scheme="http", user_agent="t", proxies={})
        online = CachedGeocoder(nominatim, tmp_path / "c.sqlite", min_delay_seconds=0.0, error_wait_seconds=0.01)
        assert online.reverse((-85.0, 10.0)) is None
        assert online.cache.stats()["negative"] == 1
        online.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_a_tampered_cache_entry_is_asked_again(online: CachedGeocoder, servers) -> None:
    _, counts, _ = servers
    assert online.geocode("Zzyzxabad") is not None
    online.cache._conn.execute("UPDATE answers SET answer = ?", (json.dumps([{"address": "X", "raw": 5}]),))
    loc = online.geocode("Zzyzxabad")
    assert loc is not None and loc.address == TOWN["display_name"]
    assert counts["Zzyzxabad"] == 2


# -- redirects ----------------------------------------------------------------

def test_a_redirect_to_another_host_is_refused_not_followed_nor_cached(
    online: CachedGeocoder, servers, caplog: pytest.LogCaptureFixture
) -> None:
    _, counts, other_counts = servers
    with caplog.at_level(logging.WARNING):
        assert online.geocode("AwayRedirect") is None
    assert "redirect to another host refused" in warnings_of(caplog)
    assert sum(other_counts.values()) == 0
    assert online.cache.stats()["answers"] == 0


def test_a_redirect_within_the_host_is_followed(online: CachedGeocoder, servers) -> None:
    _, counts, _ = servers
    loc = online.geocode("HomeRedirect")
    assert loc is not None and loc.address == TOWN["display_name"]
    assert counts["HomeRedirect"] == 1 and counts["Zzyzxabad"] == 1


def test_a_redirect_loop_ends(online: CachedGeocoder, servers, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        answer, seconds, _ = timed(online, "RedirectLoop")
    assert answer is None and "redirects" in warnings_of(caplog) and seconds < DEADLINE + SLACK


# -- where the cache lives ----------------------------------------------------

def test_the_cache_lives_under_the_configured_cache_dir(
    servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port, _, _ = servers
    monkeypatch.setenv("SYRIAMAP_CACHE_DIR", str(tmp_path / "cache-here"))
    assert default_cache_path() == tmp_path / "cache-here" / "online-geocode.sqlite"
    nominatim = Nominatim(domain=f"127.0.0.1:{port}", scheme="http", user_agent="t", proxies={})
    online = CachedGeocoder(nominatim, min_delay_seconds=0.0)
    try:
        assert online.geocode("Zzyzxabad") is not None
        assert online.cache.path == tmp_path / "cache-here" / "online-geocode.sqlite"
        assert online.cache.path.is_file()
    finally:
        online.close()
    assert syriamap_main(["online-cache", "info"]) == 0
    assert str(tmp_path / "cache-here" / "online-geocode.sqlite") in capsys.readouterr().out


# -- fuzz: any JSON answer gives a valid location or None, never an exception ----

_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8),
    st.sampled_from(["35.5", "999", "-999", "NaN", "1e400", "", " 12 ", "Infinity"]),
)
_json = st.recursive(_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)), max_leaves=12)
_place = st.fixed_dictionaries(
    {}, optional={"lat": _scalar, "lon": _scalar, "display_name": _scalar, "type": _scalar, "error": _scalar},
)
_answer = st.one_of(_json, st.lists(_place, max_size=3), _place)


_fuzz_queries = itertools.count()


# Each example is a real request and a cache write (about 45 ms): 400 keep the suite quick.
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=_answer)
def test_fuzz_any_answer_gives_a_valid_location_or_none(online: CachedGeocoder, servers, answer: object) -> None:
    FUZZ_BODY["body"] = json.dumps(answer).encode()
    found = online.geocode(f"Fuzz:{next(_fuzz_queries)}", exactly_one=False)
    for loc in found or []:
        assert isinstance(loc, Location) and isinstance(loc.address, str) and loc.address.strip()
        assert -90 <= loc.latitude <= 90 and -180 <= loc.longitude <= 180
        assert float(loc.raw["lat"]) == loc.latitude and float(loc.raw["lon"]) == loc.longitude
