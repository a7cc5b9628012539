"""The full GeoNames of some countries, one command away: ``syriamap gazetteer fetch SY LB IQ``.

:func:`fetch_geonames` downloads, for each country, GeoNames' dump of every
feature (``<base>/SY.zip``: villages, quarters, sites, admin units) and its
alternate names (``<base>/alternatenames/SY.zip``), plus the admin1/admin2 name
tables, when the user is online.  Each download:

* streams to a temporary file with a tqdm progress bar on stderr, under a read
  timeout (a stalled server) and an overall deadline (a server that trickles);
* is checked before use: the byte count the server announced, the zip archive's
  integrity (every member's CRC), the expected member (``SY.txt``), and the
  column count of its first rows;
* is kept in the cache (``<cache dir>/geonames/``) and reused by later calls
  (``refresh=True`` downloads again).

Each country is then imported as its own layer, ``geonames-sy``, through
:func:`syriamap.gazetteer.importers.import_geonames`, into the user's gazetteer
file, which becomes the user's default (:func:`syriamap.gazetteer.build.set_default`),
so ``Gazetteer()`` and every command use it from then on.

The server is ``$SYRIAMAP_GEONAMES_URL`` if set, else GeoNames' own
(:data:`DEFAULT_BASE_URL`); ``base_url=`` overrides both.  GeoNames data is
CC BY 4.0: "Contains data from GeoNames, geonames.org".
"""
from __future__ import annotations

import http.client
import logging
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from syriamap import config
from syriamap.errors import DataError

logger = logging.getLogger(__name__)

#: GeoNames' dump folder.
DEFAULT_BASE_URL = config.DEFAULT_GEONAMES_URL
#: Environment variable that replaces :data:`DEFAULT_BASE_URL` (a mirror, or a test server).
BASE_URL_ENV = config.GEONAMES_URL_ENV
#: Seconds to wait for the server to connect or send the next bytes.
READ_TIMEOUT = 30.0
#: Seconds one download may take in all before it is abandoned.
DOWNLOAD_DEADLINE = 1800.0
#: Rows of each downloaded table whose column count is checked before import.
CHECKED_ROWS = 200
#: Columns of a GeoNames place row, of an alternate-names row (V2, or the older 8), of an admin-code row.
PLACE_COLUMNS = 19
ALTERNATE_NAME_COLUMNS = (10, 8)
ADMIN_CODE_COLUMNS = 4
#: The admin-name tables fetched once for every country.
ADMIN_FILES = ("admin1CodesASCII.txt", "admin2Codes.txt")
_CHUNK = 1 << 16
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


class FetchError(DataError, RuntimeError):
    """A download that failed or a file that failed its checks, with the URL or file and why."""


@dataclass
class FetchReport:
    """What :func:`fetch_geonames` did: files downloaded or reused, layers written, the default set."""

    path: Path
    downloaded: list[Path] = field(default_factory=list)
    reused: list[Path] = field(default_factory=list)
    layers: dict[str, int] = field(default_factory=dict)
    made_default: bool = False

    def summary(self) -> str:
        """Lines for the command line."""
        lines = [f"{layer}: {places:,} places" for layer, places in self.layers.items()]
        lines.append(
            f"{self.path}: {len(self.downloaded)} file(s) downloaded, {len(self.reused)} reused from the cache"
            + ("; now your default gazetteer" if self.made_default else "")
        )
        return "\n".join(lines)


def base_url(override: str | None = None) -> str:
    """The dump folder to download from, ending in ``/``."""
    return config.geonames_url(override)


def download_dir() -> Path:
    """Where downloads are cached: ``geonames/`` in syriamap's cache folder."""
    from syriamap.gazetteer.build import cache_dir

    return cache_dir() / "geonames"


def country_codes(codes: Iterable[str]) -> list[str]:
    """Upper-cased, de-duplicated ISO 3166 alpha-2 codes; ValueError naming any that is not one."""
    out: list[str] = []
    for code in codes:
        cc = str(code).strip().upper()
        if not _COUNTRY_RE.match(cc):
            raise ValueError(f"{code!r} is not a two-letter country code (SY, LB, IQ, ...)")
        if cc not in out:
            out.append(cc)
    if not out:
        raise ValueError("no country codes given (e.g. SY LB IQ)")
    return out


def download(
    url: str,
    dest: Path,
    *,
    timeout: float = READ_TIMEOUT,
    deadline: float = DOWNLOAD_DEADLINE,
    progress: bool | None = None,
) -> Path:
    """Download ``url`` to ``dest``: whole or not at all.

    ``timeout`` bounds every wait for the server; ``deadline`` the whole download.
    A response shorter than its ``Content-Length`` is an error (a cut connection).
    ``progress``: a tqdm bar on stderr (``None``: only on a terminal).
    Raises :class:`FetchError`; ``dest`` is then left as it was.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "syriamap (gazetteer fetch)"})
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            expected = int(length) if length and length.isdigit() else None
            received = 0
            with tqdm(total=expected, unit="B", unit_scale=True, desc=dest.name, file=sys.stderr,
                      disable=None if progress is None else not progress, leave=False) as bar:
                while chunk := response.read1(_CHUNK):  # whatever has arrived, so the deadline is checked often
                    out.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
                    if time.monotonic() - started > deadline:
                        raise FetchError(f"{url}: not finished after {deadline:.0f} s (server too slow); giving up")
        if expected is not None and received != expected:
            raise FetchError(f"{url}: received {received:,} of {expected:,} bytes (connection cut); try again")
        os.replace(tmp, dest)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchError(f"{url}: cannot download ({exc.reason}); are you online?") from None
    except (OSError, http.client.HTTPException) as exc:  # timeouts, resets, a cut response
        raise FetchError(f"{url}: download failed ({exc or type(exc).__name__})") from None
    finally:
        tmp.unlink(missing_ok=True)
    logger.info("downloaded %s (%d bytes) in %.1f s", url, dest.stat().st_size, time.monotonic() - started)
    return dest


def verify_zip(path: Path, member: str, columns: Sequence[int]) -> None:
    """Check a downloaded GeoNames zip: whole, holding ``member``, rows of ``columns`` tab-separated fields.

    Raises :class:`FetchError` naming the file and the problem.
    """
    if not zipfile.is_zipfile(path):
        raise FetchError(f"{path.name}: not a zip archive (damaged or an error page)")
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            if bad is not None:
                raise FetchError(f"{path.name}: member {bad} is damaged (CRC mismatch)")
            names = archive.namelist()
            if member not in names:
                raise FetchError(f"{path.name}: expected {member} in the archive, found {', '.join(names) or 'nothing'}")
            with archive.open(member) as handle:
                _check_rows(f"{path.name}/{member}", handle, columns)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise FetchError(f"{path.name}: damaged zip archive ({exc})") from None


def verify_table(path: Path, columns: Sequence[int]) -> None:
    """Check a downloaded text table's first rows (tab-separated, ``columns`` fields)."""
    with path.open("rb") as handle:
        _check_rows(path.name, handle, columns)


def _check_rows(name: str, handle: Iterable[bytes], columns: Sequence[int]) -> None:
    rows = 0
    for lineno, raw in enumerate(handle, 1):
        if lineno > CHECKED_ROWS:
            break
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise FetchError(f"{name}:{lineno}: not UTF-8 text") from None
        if not line.strip() or line.startswith("#"):
            continue
        found = line.count("\t") + 1
        if found not in columns:
            want = " or ".join(str(c) for c in columns)
            raise FetchError(f"{name}:{lineno}: expected {want} tab-separated columns, found {found}")
        rows += 1
    if rows == 0:
        raise FetchError(f"{name}: no data rows")


def _fetch_file(
    url: str, dest: Path, check: Callable[[Path], None], *, refresh: bool, report: FetchReport, timeout: float, deadline: float,
    progress: bool | None,
) -> Path:
    """A verified copy of ``url`` in the cache: reused if present and whole, else downloaded."""
    if dest.is_file() and not refresh:
        try:
            check(dest)
        except FetchError as exc:
            logger.warning("cached %s failed its check (%s); downloading it again", dest, exc)
        else:
            report.reused.append(dest)
            return dest
    fresh = dest.parent / ".incoming" / dest.name  # same name, for the messages
    download(url, fresh, timeout=timeout, deadline=deadline, progress=progress)
    try:
        check(fresh)
    except FetchError:
        fresh.unlink(missing_ok=True)  # never cache a bad file, nor replace a good one with it
        raise
    os.replace(fresh, dest)
    report.downloaded.append(dest)
    return dest


def apply_display_names(path: Path, layers: Sequence[str]) -> int:
    """Give the places of ``layers`` the English names of ``display_names.tsv``, as the default has.

    A dump holds the GeoNames forms (``Dar‘ā``); its places would otherwise show
    them where the embedded default says ``Daraa``.  The GeoNames form stays an
    alias.  Returns how many places were renamed.
    """
    from syriamap.gazetteer import sources, store
    from syriamap.normalize import normalize_name, phonetic_key, script_of

    table = next((p for p in sources.curated_files() if p.name == sources.DISPLAY_NAMES_TABLE), None)
    if table is None or not layers:
        return 0
    names = {f"gnd:{pid[3:]}": name for pid, (name, _) in sources.read_display_names(table).items()}
    marks = ", ".join("?" * len(layers))
    renamed = 0
    with store.transaction(path) as conn:
        found = conn.execute(
            f"SELECT rowid, id FROM places WHERE layer IN ({marks}) AND id IN ({', '.join('?' * len(names))})",
            [*layers, *names],
        ).fetchall()
        for rowid, pid in found:
            name = names[pid]
            conn.execute("UPDATE places SET name=? WHERE rowid=?", (name, rowid))
            if conn.execute("SELECT 1 FROM aliases WHERE place=? AND name=?", (rowid, name)).fetchone() is None:
                conn.execute(
                    "INSERT INTO aliases (place, name, norm, phon, lang, script) VALUES (?, ?, ?, ?, 'en', ?)",
                    (rowid, name, normalize_name(name), phonetic_key(name), script_of(name)),
                )
            renamed += 1
    logger.info("gave %d fetched places their English display names", renamed)
    return renamed


def fetch_geonames(
    countries: Iterable[str],
    into: str | Path | None = None,
    *,
    url: str | None = None,
    cache: str | Path | None = None,
    alternate_names: bool = True,
    refresh: bool = False,
    make_default: bool = True,
    timeout: float = READ_TIMEOUT,
    deadline: float = DOWNLOAD_DEADLINE,
    progress: bool | None = None,
) -> FetchReport:
    """Download the GeoNames dumps of ``countries`` and import each as layer ``geonames-<cc>``.

    ``into`` is the gazetteer file (default: the user's, see
    :func:`~syriamap.gazetteer.importers.common.user_gazetteer_path`); it starts
    as a copy of the embedded default.  ``url`` is the dump folder (default
    :func:`base_url`), ``cache`` the download folder (default :func:`download_dir`).
    With ``make_default`` the file becomes the user's default gazetteer.
    Every file is downloaded and checked before anything is imported, so a
    failed download leaves the gazetteer file as it was.  Raises
    :class:`FetchError` (download or check) or the importer's error.
    """
    from syriamap.gazetteer.build import set_default
    from syriamap.gazetteer.importers import import_geonames
    from syriamap.gazetteer.importers.common import user_gazetteer_path

    codes = country_codes(countries)
    root = base_url(url)
    folder = Path(cache) if cache is not None else download_dir()
    path = Path(into) if into is not None else user_gazetteer_path()
    report = FetchReport(path=path)
    options = {"refresh": refresh, "report": report, "timeout": timeout, "deadline": deadline, "progress": progress}

    admin = [
        _fetch_file(root + name, folder / name, lambda p: verify_table(p, (ADMIN_CODE_COLUMNS,)), **options)
        for name in ADMIN_FILES
    ]
    files: dict[str, list[Path]] = {}
    for cc in codes:
        places = _fetch_file(root + f"{cc}.zip", folder / f"{cc}.zip",
                             lambda p, cc=cc: verify_zip(p, f"{cc}.txt", (PLACE_COLUMNS,)), **options)
        files[cc] = [places, *admin]
        if alternate_names:
            # Named alternateNames-* so that the importer reads it as alternate names.
            names = _fetch_file(root + f"alternatenames/{cc}.zip", folder / f"alternateNames-{cc}.zip",
                                lambda p, cc=cc: verify_zip(p, f"{cc}.txt", ALTERNATE_NAME_COLUMNS), **options)
            files[cc].append(names)
    for cc in codes:
        layer = f"geonames-{cc.lower()}"
        imported = import_geonames(files[cc], path, layer=layer, countries=[cc])
        report.layers[layer] = imported.places
    apply_display_names(path, list(report.layers))
    if make_default:
        set_default(path)
        report.made_default = True
    return report
