"""``syriamap gazetteer fetch``: downloads from a real HTTP server on 127.0.0.1 serving dump-format zips.

The server serves zips generated here (a few made-up villages in GeoNames' dump
format) and, on request, misbehaves: a cut connection, a damaged archive, the
wrong member, malformed rows, a trickle slower than the deadline, a stall longer
than the read timeout, a 404.  Every failure must be a clear FetchError that
leaves the gazetteer file and the cache without a bad file.
"""
from __future__ import annotations

import hashlib
import io
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from syriamap.cli import main
from syriamap.gazetteer import Gazetteer, build, store
from syriamap.gazetteer.fetch import BASE_URL_ENV, FetchError, country_codes, download, fetch_geonames

# Made-up villages (names and ids invented), in GeoNames' 19-column dump format.
PLACES = [
    (990001, "Tall Zumurrud", "Tall Zumurrud", "Tell Zumurrud,Tal Zumurud", 35.61, 38.42, "P", "PPL", "SY", "", "04",
     "", "", "", "800", "", "300", "Asia/Damascus", "2024-01-01"),
    (990002, "Kafr Batikh", "Kafr Batikh", "", 35.72, 36.80, "P", "PPL", "SY", "", "07", "", "", "", "0", "", "400",
     "Asia/Damascus", "2024-01-01"),
    (990003, "Hayy al Yasmin", "Hayy al Yasmin", "", 34.73, 36.70, "P", "PPLX", "SY", "", "11", "", "", "", "0", "",
     "480", "Asia/Damascus", "2024-01-01"),
    # A real record: GeoNames' Dar‘ā, which display_names.tsv calls Daraa.
    (170905, "Dar‘ā", "Dar`a", "Daraa,Deraa", 32.6189, 36.1021, "P", "PPLA", "SY", "", "12", "", "", "", "97969", "",
     "500", "Asia/Damascus", "2024-01-01"),
]
ALTERNATE_NAMES = [
    (1, 990002, "en", "Kafr Battikh Qibli", "", "", "", "", "", ""),
    (2, 990002, "ar", "كفر بطيخ", "", "", "", "", "", ""),
]
ADMIN1 = "SY.04\tAr-Raqqah\tAr-Raqqah\t172957\nSY.07\tIdlib\tIdlib\t169388\nSY.11\tHoms\tHoms\t169575\n"
ADMIN2 = "SY.11.163532\tHoms District\tHoms District\t163532\n"


def _tsv(rows: list[tuple]) -> str:
    return "".join("\t".join(str(v) for v in row) + "\n" for row in rows)


def _zip(member: str, text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text)
    return buf.getvalue()


def _damaged(data: bytes) -> bytes:
    """The zip with bytes of its compressed data flipped (the central directory stays readable)."""
    out = bytearray(data)
    for i in range(40, 60):
        out[i] ^= 0xFF
    return bytes(out)


class Server:
    """A dump folder on 127.0.0.1: ``files`` maps paths to bytes; ``modes`` makes paths misbehave."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {
            "/SY.zip": _zip("SY.txt", _tsv(PLACES)),
            "/alternatenames/SY.zip": _zip("SY.txt", _tsv(ALTERNATE_NAMES)),
            "/admin1CodesASCII.txt": ADMIN1.encode(),
            "/admin2Codes.txt": ADMIN2.encode(),
        }
        self.modes: dict[str, str] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.requests.append(self.path)
                body = server.files.get(self.path)
                mode = server.modes.get(self.path, "")
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if mode == "truncated":
                        self.wfile.write(body[: len(body) // 2])
                    elif mode == "slow":  # a byte every 0.2 s, bounded to 5 s in all
                        for byte in body[:25]:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(0.2)
                    elif mode == "stall":
                        self.wfile.flush()
                        time.sleep(3)
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should
                self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def server():
    with Server() as srv:
        yield srv


@pytest.fixture()
def user_dirs(tmp_path, monkeypatch):
    """Private config and download folders; no $SYRIAMAP_GAZETTEER (the embedded build stays shared)."""
    monkeypatch.setenv("SYRIAMAP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("SYRIAMAP_GAZETTEER", raising=False)
    return tmp_path


def _sha(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def test_fetch_imports_a_layer_and_makes_it_the_default(server, user_dirs, monkeypatch):
    monkeypatch.setenv(BASE_URL_ENV, server.url)  # the base URL from the environment
    into = user_dirs / "mine.sqlite"
    report = fetch_geonames(["sy"], into, cache=user_dirs / "dl", progress=False)
    assert report.layers == {"geonames-sy": 4}
    assert report.made_default and build.chosen_default() == into.resolve()
    conn = store.connect(into)
    try:
        layers = {row["name"]: row["places"] for row in store.layers(conn)}
    finally:
        conn.close()
    assert layers["geonames-sy"] == 4 and layers[build.DEFAULT_LAYER] > 10_000, "the embedded default is kept"

    gz = Gazetteer()  # the default now: the fetched file
    assert gz.path == into.resolve()
    village = gz.resolve("Tall Zumurrud")
    assert village.place.id == "gnd:990001" and village.place.admin1 == "Ar-Raqqah"
    assert gz.resolve("Kafr Battikh Qibli").place.id == "gnd:990002"  # from the alternate-names file
    assert gz.resolve("كفر بطيخ").place.id == "gnd:990002"
    assert gz.resolve("Hayy al Yasmin").place.kind == "neighbourhood"  # PPLX: a city quarter
    fetched = [c.place for c in gz.lookup("Dar‘ā", kind="populated_place", limit=5) if c.place.id == "gnd:170905"]
    assert fetched and fetched[0].name == "Daraa", "the dump's place gets the English display name too"
    assert any(c.place.id == "gnd:170905" for c in gz.lookup("Daraa", kind="populated_place", limit=5))
    gz.close()

    # A second fetch reuses the verified cache: no new request.
    before = len(server.requests)
    again = fetch_geonames(["SY"], into, url=server.url, cache=user_dirs / "dl", progress=False)
    assert len(server.requests) == before and len(again.reused) == 4 and not again.downloaded


def test_the_default_can_go_back_to_the_embedded_one(server, user_dirs):
    into = user_dirs / "mine.sqlite"
    fetch_geonames(["SY"], into, url=server.url, cache=user_dirs / "dl", progress=False)
    assert build.ensure_default() == into.resolve()
    assert main(["gazetteer", "use", "--embedded"]) == 0
    assert build.ensure_default() == build.ensure_embedded()
    assert main(["gazetteer", "use", str(into)]) == 0
    assert build.ensure_default() == into.resolve()
    into.unlink()  # a chosen file that disappeared: the embedded default, with a warning
    assert build.ensure_default() == build.ensure_embedded()


def test_use_refuses_a_file_that_is_not_a_gazetteer(user_dirs, capsys):
    junk = user_dirs / "junk.sqlite"
    junk.write_text("not a database")
    assert main(["gazetteer", "use", str(junk)]) == 1  # a data error
    assert "not a syriamap gazetteer" in capsys.readouterr().err
    assert build.chosen_default() is None


@pytest.mark.parametrize(
    "path,mode,content,message",
    [
        ("/SY.zip", "truncated", None, "connection cut"),
        ("/SY.zip", "", _damaged(_zip("SY.txt", _tsv(PLACES))), "damaged"),
        ("/SY.zip", "", b"<html>Service unavailable</html>", "not a zip archive"),
        ("/SY.zip", "", _zip("LB.txt", _tsv(PLACES)), "expected SY.txt"),
        ("/SY.zip", "", _zip("SY.txt", "990001\tTall Zumurrud\t35.6\t38.4\n"), "SY.zip/SY.txt:1: expected 19"),
        ("/alternatenames/SY.zip", "", _zip("SY.txt", _tsv(PLACES)), "expected 10 or 8"),
        ("/admin1CodesASCII.txt", "", b"SY.04 Ar-Raqqah\n", "expected 4"),
        ("/SY.zip", "missing", None, "404"),
    ],
)
def test_a_bad_download_is_a_clear_error_and_changes_nothing(server, user_dirs, path, mode, content, message):
    if content is not None:
        server.files[path] = content
    if mode == "missing":
        del server.files[path]
    else:
        server.modes[path] = mode
    into = user_dirs / "mine.sqlite"
    cache = user_dirs / "dl"
    with pytest.raises(FetchError, match=message):
        fetch_geonames(["SY"], into, url=server.url, cache=cache, progress=False)
    assert not into.exists(), "nothing imported before every file is whole"
    assert build.chosen_default() is None
    assert not list(cache.rglob("*.part")) and not list(cache.rglob(".incoming/*")), "no partial download left"
    bad_name = {"/SY.zip": "SY.zip", "/alternatenames/SY.zip": "alternateNames-SY.zip"}.get(path, path.strip("/"))
    assert not (cache / bad_name).exists(), "a file that failed its check is not cached"


def test_a_failed_refresh_leaves_an_existing_gazetteer_as_it_was(server, user_dirs):
    into = user_dirs / "mine.sqlite"
    fetch_geonames(["SY"], into, url=server.url, cache=user_dirs / "dl", progress=False)
    before = _sha(into)
    server.modes["/SY.zip"] = "truncated"
    with pytest.raises(FetchError):
        fetch_geonames(["SY"], into, url=server.url, cache=user_dirs / "dl", refresh=True, progress=False)
    assert _sha(into) == before


def test_a_trickling_server_hits_the_deadline(server, tmp_path):
    server.modes["/SY.zip"] = "slow"
    started = time.monotonic()
    with pytest.raises(FetchError, match="too slow"):
        download(server.url + "SY.zip", tmp_path / "SY.zip", timeout=5, deadline=1.0, progress=False)
    assert time.monotonic() - started < 4
    assert not (tmp_path / "SY.zip").exists()


def test_a_stalled_server_hits_the_read_timeout(server, tmp_path):
    server.modes["/SY.zip"] = "stall"
    started = time.monotonic()
    with pytest.raises(FetchError, match="download failed|cannot download"):
        download(server.url + "SY.zip", tmp_path / "SY.zip", timeout=0.5, deadline=60, progress=False)
    assert time.monotonic() - started < 2.5


def test_nobody_listening_is_a_clear_error(tmp_path):
    import socket

    with socket.socket() as sock:  # a free port with no server behind it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError, match="are you online"):
        download(f"http://127.0.0.1:{port}/SY.zip", tmp_path / "SY.zip", timeout=2, progress=False)


def test_country_codes_are_checked():
    assert country_codes(["sy", "LB", "SY"]) == ["SY", "LB"]
    with pytest.raises(ValueError, match="two-letter"):
        country_codes(["Syria"])
    with pytest.raises(ValueError, match="no country codes"):
        country_codes([])


def test_cli_fetch(server, user_dirs, capsys):
    into = user_dirs / "mine.sqlite"
    cache = str(user_dirs / "dl")
    code = main(["gazetteer", "fetch", "SY", "--url", server.url, "--into", str(into), "--no-default", "--cache", cache])
    out = capsys.readouterr().out
    assert code == 0 and "geonames-sy: 4 places" in out
    assert build.chosen_default() is None, "--no-default leaves the default alone"
    server.files["/SY.zip"] = b"garbage"
    code = main(["gazetteer", "fetch", "SY", "--url", server.url, "--into", str(into), "--refresh", "--cache", cache])
    assert code == 1 and "fetch failed, gazetteer file unchanged" in capsys.readouterr().err  # a data error
