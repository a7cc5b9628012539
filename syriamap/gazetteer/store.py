"""The gazetteer's SQLite file: schema, atomic writes and layers.

A gazetteer file holds *layers*: the embedded default is one layer, and each
import (a GeoNames dump, Open-Syria, an ACLED/UCDP export) adds another.  Every
write goes to a temporary copy that replaces the file only when complete, under
a file lock, so a failed import leaves the file as it was and two processes
building at once do not corrupt it.

The temporary copy is ``<name>.<8 random characters>.tmp`` beside the file.  A
writer killed mid-write (``kill -9``) leaves it behind; the next transaction on
that file, or the next reader that can take the lock, deletes it.  Holding the
lock is what makes that safe: a live writer holds it for as long as its copy
exists.  A path that is a symbolic link is written through: the link's target
is replaced and the link kept, and the file keeps its permission bits.
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from syriamap.errors import DataError
from syriamap.gazetteer.model import KINDS, Alias, Place
from syriamap.normalize import normalize_name, phonetic_key, script_of

logger = logging.getLogger(__name__)

#: Bump when the file layout changes; old files are then rebuilt or refused.
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE layers (
    name TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    priority INTEGER NOT NULL DEFAULT 0,
    places INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE places (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    layer TEXT NOT NULL REFERENCES layers(name),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    feature TEXT,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    country_code TEXT NOT NULL DEFAULT '',
    admin1 TEXT,
    admin2 TEXT,
    parent_id TEXT,
    population INTEGER,
    source TEXT NOT NULL DEFAULT '',
    geometry TEXT
);
CREATE TABLE aliases (
    place INTEGER NOT NULL REFERENCES places(rowid),
    name TEXT NOT NULL,
    norm TEXT NOT NULL,
    phon TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT '',
    script TEXT NOT NULL DEFAULT '',
    valid_from INTEGER,
    valid_to INTEGER
);
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS aliases_norm ON aliases(norm);
CREATE INDEX IF NOT EXISTS aliases_phon ON aliases(phon);
CREATE INDEX IF NOT EXISTS aliases_place ON aliases(place);
CREATE INDEX IF NOT EXISTS places_kind ON places(kind, country_code);
"""


class GazetteerFileError(DataError, RuntimeError):
    """A gazetteer file that cannot be read or written, with the reason."""


class EmptyLayerError(GazetteerFileError):
    """A layer would be written with no places (and the caller did not allow that)."""


def _lock(real: Path, timeout: float) -> FileLock:
    """The writers' lock of the gazetteer file ``real`` (a resolved path)."""
    return FileLock(str(real) + ".lock", timeout=timeout)


def _temp_copies(real: Path) -> list[Path]:
    """Temporary copies of ``real`` made by :func:`transaction`: ``<name>.<mkstemp's 8 characters>.tmp``."""
    pattern = re.compile(re.escape(real.name) + r"\.[a-z0-9_]{8}\.tmp")
    try:
        with os.scandir(real.parent) as entries:
            return sorted(real.parent / e.name for e in entries if pattern.fullmatch(e.name) and e.is_file())
    except OSError:
        return []


def _remove_stale_temps(real: Path) -> int:
    """Delete leftover temporary copies of ``real``; the caller holds its lock.  Returns how many."""
    removed = 0
    for leftover in _temp_copies(real):
        try:
            size = leftover.stat().st_size
            leftover.unlink()
        except OSError as exc:
            logger.warning("cannot delete the leftover temporary file %s: %s", leftover, exc)
            continue
        removed += 1
        logger.warning("deleted %s (%.1f MB), left by an interrupted write of %s", leftover, size / 1e6, real)
    return removed


def clean_stale_temps(path: Path) -> int:
    """Delete temporary copies of ``path`` left by interrupted writes, if no writer is live.

    Takes the writers' lock without waiting: if another process is writing the
    file now, its temporary copy is live and nothing is touched.  Returns how
    many files were deleted.
    """
    real = Path(os.path.realpath(path))
    if not _temp_copies(real):
        return 0
    try:
        with _lock(real, timeout=0):
            return _remove_stale_temps(real)
    except (Timeout, OSError):  # a live writer, or a folder we cannot write: leave it
        return 0


def connect(path: Path, *, readonly: bool = True) -> sqlite3.Connection:
    """Open a gazetteer file, checking that it is one of ours and of this version.

    Temporary files left beside it by an interrupted write are deleted first
    (see :func:`clean_stale_temps`).
    """
    if not path.is_file():
        raise GazetteerFileError(f"gazetteer file not found: {path}")
    clean_stale_temps(path)
    return _connect_unlocked(path, readonly=readonly)


def _connect_unlocked(path: Path, *, readonly: bool = True) -> sqlite3.Connection:
    """:func:`connect` without the clean-up (for a caller that holds the writers' lock)."""
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise GazetteerFileError(f"{path} is not a syriamap gazetteer file ({exc})") from None
    if version is None or int(version[0]) != SCHEMA_VERSION:
        conn.close()
        raise GazetteerFileError(
            f"{path} has gazetteer schema {version and version[0]}, this syriamap reads {SCHEMA_VERSION}"
        )
    return conn


def create(path: Path, meta: dict[str, str] | None = None) -> None:
    """Create an empty gazetteer file at ``path`` (atomically)."""
    with transaction(path, new=True) as conn:
        for key, value in (meta or {}).items():
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


@contextmanager
def transaction(
    path: Path, *, new: bool = False, base: Path | None = None
) -> Iterator[sqlite3.Connection]:
    """Write to a copy of ``path`` and swap it in only if the block succeeds.

    Holds ``<path>.lock`` meanwhile, so concurrent writers queue up.  With
    ``new=True`` the copy starts empty (with the schema) instead of from ``path``;
    where ``path`` does not exist yet, it starts as a copy of ``base`` if given
    (so a user's file stacks its layers on the embedded default), else empty.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    real = Path(os.path.realpath(path))  # write through a symbolic link: replace its target, keep the link
    real.parent.mkdir(parents=True, exist_ok=True)
    with _lock(real, timeout=600):
        _remove_stale_temps(real)
        fd, tmp_name = tempfile.mkstemp(prefix=real.name + ".", suffix=".tmp", dir=real.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            source = None if new else real if real.exists() else base
            fresh = source is None
            if source is None:
                tmp.unlink()
            else:
                _connect_unlocked(source).close()  # refuse to build on a file that is not ours
                shutil.copyfile(source, tmp)
            conn = sqlite3.connect(tmp)
            try:
                conn.execute("PRAGMA journal_mode=OFF")
                conn.execute("PRAGMA synchronous=OFF")
                if fresh:
                    conn.executescript(_SCHEMA)
                    conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                with conn:
                    yield conn
                    conn.executescript(_INDEXES)
                conn.execute("ANALYZE")
            finally:
                conn.close()
            os.chmod(tmp, _mode_for(real))
            os.replace(tmp, real)
        finally:
            tmp.unlink(missing_ok=True)


def _mode_for(real: Path) -> int:
    """Permission bits for the new version of ``real``: its own, or the umask's default for a new file."""
    try:
        return real.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)  # elsewhere: the only way to read it is to set it, briefly
    os.umask(umask)
    return umask


def write_layer(
    conn: sqlite3.Connection,
    layer: str,
    places: Iterable[Place],
    *,
    source: str,
    description: str = "",
    priority: int = 0,
    allow_empty: bool = True,
) -> int:
    """Replace ``layer`` in an open transaction with ``places``; return how many.

    Place ids must be unique across layers; a place whose id exists in another
    layer is an error (the caller chose ids that collide).  With
    ``allow_empty=False`` no places at all raises :class:`EmptyLayerError` (so
    the transaction, and the layer it would have replaced, are left as they were).
    """
    before = conn.execute("SELECT places FROM layers WHERE name=?", (layer,)).fetchone()
    _delete_layer(conn, layer)
    conn.execute(
        "INSERT INTO layers (name, source, description, priority) VALUES (?, ?, ?, ?)",
        (layer, source, description, priority),
    )
    count = 0
    for place in places:
        _check_place(place)
        try:
            cur = conn.execute(
                "INSERT INTO places (id, layer, name, kind, feature, latitude, longitude, country_code,"
                " admin1, admin2, parent_id, population, source, geometry)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    place.id, layer, place.name, place.kind, place.feature, place.latitude,
                    place.longitude, place.country_code, place.admin1, place.admin2,
                    place.parent_id, place.population, place.source or source, place.geometry,
                ),
            )
        except sqlite3.IntegrityError:
            raise GazetteerFileError(f"place id {place.id!r} appears twice (layer {layer!r})") from None
        rowid = cur.lastrowid
        conn.executemany(
            "INSERT INTO aliases VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            list(_alias_rows(rowid, place)),
        )
        count += 1
    if count == 0 and not allow_empty:
        replaced = f"; layer {layer!r} is kept as it was ({before[0]:,} places)" if before else ""
        raise EmptyLayerError(f"no places to write to layer {layer!r}{replaced}")
    conn.execute("UPDATE layers SET places=? WHERE name=?", (count, layer))
    logger.info("gazetteer layer %r: %d places", layer, count)
    return count


def _delete_layer(conn: sqlite3.Connection, layer: str) -> None:
    conn.execute(
        "DELETE FROM aliases WHERE place IN (SELECT rowid FROM places WHERE layer=?)", (layer,)
    )
    conn.execute("DELETE FROM places WHERE layer=?", (layer,))
    conn.execute("DELETE FROM layers WHERE name=?", (layer,))


def remove_layer(path: Path, layer: str) -> None:
    """Remove ``layer`` from the gazetteer file at ``path``."""
    with transaction(path) as conn:
        if conn.execute("SELECT 1 FROM layers WHERE name=?", (layer,)).fetchone() is None:
            raise GazetteerFileError(f"{path} has no layer {layer!r}")
        _delete_layer(conn, layer)


def _check_place(place: Place) -> None:
    if place.kind not in KINDS:
        raise GazetteerFileError(f"place {place.id!r}: unknown kind {place.kind!r} (expected one of {KINDS})")
    if not (-90 <= place.latitude <= 90 and -180 <= place.longitude <= 180):
        raise GazetteerFileError(
            f"place {place.id!r}: coordinates out of range ({place.latitude}, {place.longitude})"
        )


def _alias_rows(rowid: int | None, place: Place) -> Iterator[tuple]:
    """Alias rows of a place: its name plus its aliases, one row per distinct spelling."""
    seen: set[tuple[str, int | None, int | None]] = set()
    for alias in (Alias(place.name), *place.aliases):
        norm = normalize_name(alias.name)
        key = (alias.name, alias.valid_from, alias.valid_to)
        if not norm or key in seen:
            continue
        seen.add(key)
        yield (
            rowid, alias.name, norm, phonetic_key(alias.name), alias.lang,
            alias.script or script_of(alias.name), alias.valid_from, alias.valid_to,
        )


def read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    """The file's meta table as a dict."""
    return dict(conn.execute("SELECT key, value FROM meta"))


def layers(conn: sqlite3.Connection) -> list[dict[str, object]]:
    """The layers of an open file, highest priority first."""
    rows = conn.execute(
        "SELECT name, source, description, priority, places FROM layers ORDER BY priority DESC, name"
    )
    return [dict(zip(("name", "source", "description", "priority", "places"), row)) for row in rows]


def counts(conn: sqlite3.Connection) -> dict[str, object]:
    """What an open file holds: places and aliases in all, and places by kind and by country (most first)."""
    def grouped(column: str) -> dict[str, int]:
        query = f"SELECT {column}, COUNT(*) AS n FROM places GROUP BY {column} ORDER BY n DESC, {column}"
        return {str(key) or "(none)": int(n) for key, n in conn.execute(query)}

    return {
        "places": int(conn.execute("SELECT COUNT(*) FROM places").fetchone()[0]),
        "aliases": int(conn.execute("SELECT COUNT(*) FROM aliases").fetchone()[0]),
        "kinds": grouped("kind"),
        "countries": grouped("country_code"),
    }


def place_from_row(row: sqlite3.Row | tuple, aliases: tuple[Alias, ...] = ()) -> Place:
    """Build a :class:`Place` from a ``places`` row selected with :data:`PLACE_COLUMNS`."""
    (_rowid, pid, layer, name, kind, feature, lat, lon, cc, a1, a2, parent, pop, source, geom) = row
    return Place(
        id=pid, name=name, kind=kind, latitude=lat, longitude=lon, country_code=cc,
        admin1=a1, admin2=a2, parent_id=parent, population=pop, feature=feature,
        source=source, layer=layer, aliases=aliases, geometry=geom,
    )


#: Column list matching :func:`place_from_row`.
PLACE_COLUMNS = (
    "rowid, id, layer, name, kind, feature, latitude, longitude, country_code, admin1, admin2,"
    " parent_id, population, source, geometry"
)


def geometry_json(coords: list[list[float]]) -> str:
    """A GeoJSON LineString string for ``[[lon, lat], ...]``."""
    return json.dumps({"type": "LineString", "coordinates": coords}, separators=(",", ":"))
