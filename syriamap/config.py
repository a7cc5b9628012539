"""Every environment variable, user folder and default file location of syriamap, in one place.

Other modules read their settings through the functions here, never through
``os.environ`` themselves, so this table is the whole story:

=========================  =====================================================  ===================================
variable                   what it sets                                           when unset
=========================  =====================================================  ===================================
``SYRIAMAP_GAZETTEER``     the gazetteer file lookups read and imports write      the chosen default (see below)
``SYRIAMAP_CACHE_DIR``     built gazetteers, mention automata, GeoNames           the platform's user cache folder
                           downloads, the online geocoding cache                  (``~/.cache/syriamap`` on Linux)
``SYRIAMAP_CONFIG_DIR``    ``default-gazetteer.txt``, written by                  the platform's user config folder
                           ``syriamap gazetteer use`` and ``gazetteer fetch``     (``~/.config/syriamap``)
``SYRIAMAP_DATA_DIR``      ``gazetteer.sqlite``, the file ``syriamap import``     the platform's user data folder
                           and ``gazetteer fetch`` create when none is chosen     (``~/.local/share/syriamap``)
``SYRIAMAP_GEONAMES_URL``  the folder ``gazetteer fetch`` downloads dumps from    GeoNames' own dump folder
``SYRIAMAP_CHROMIUM``      the Chromium ``syriamap.maps.save_png`` drives          Debian's ``/usr/bin/chromium``, else
                                                                                  Playwright's own browser
``TQDM_DISABLE``           tqdm's own: ``1`` turns off progress bars whose        bars on (on a terminal)
                           caller does not decide (``syriamap --quiet`` sets it)
=========================  =====================================================  ===================================

**Which gazetteer file.**  Lookups (``Gazetteer()``, ``syriamap resolve``, the
text pipeline) and imports agree on one file, :func:`user_gazetteer`:
``$SYRIAMAP_GAZETTEER`` if set, else the file recorded by ``syriamap gazetteer
use`` (or ``fetch``), else ``gazetteer.sqlite`` in the data folder.  An import
writes that file (creating it as a copy of the embedded default); lookups read
it once it exists and the embedded default before.  So what ``syriamap import``
writes is what the next lookup reads, unless the user says otherwise
(``--into`` / ``--gazetteer``, or the variable).

The module imports only the standard library (platformdirs too, when a folder
variable is unset), so reading a setting costs nothing at start-up.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "APP_NAME", "GAZETTEER_ENV", "CACHE_DIR_ENV", "CONFIG_DIR_ENV", "DATA_DIR_ENV", "GEONAMES_URL_ENV",
    "CHROMIUM_ENV", "SYSTEM_CHROMIUM",
    "DEFAULT_CHOICE_FILE", "USER_GAZETTEER_FILE", "DEFAULT_GEONAMES_URL",
    "cache_dir", "config_dir", "data_dir", "gazetteer_from_env", "chosen_default", "choice_file",
    "user_gazetteer", "existing_user_gazetteer", "geonames_url", "chromium_path", "disable_progress_bars",
]

APP_NAME = "syriamap"
GAZETTEER_ENV = "SYRIAMAP_GAZETTEER"
CACHE_DIR_ENV = "SYRIAMAP_CACHE_DIR"
CONFIG_DIR_ENV = "SYRIAMAP_CONFIG_DIR"
DATA_DIR_ENV = "SYRIAMAP_DATA_DIR"
GEONAMES_URL_ENV = "SYRIAMAP_GEONAMES_URL"
CHROMIUM_ENV = "SYRIAMAP_CHROMIUM"
#: The system Chromium used when ``SYRIAMAP_CHROMIUM`` is unset (Debian's package).
SYSTEM_CHROMIUM = Path("/usr/bin/chromium")

#: File in the config folder naming the user's default gazetteer file.
DEFAULT_CHOICE_FILE = "default-gazetteer.txt"
#: Name of the gazetteer file imports create in the data folder when no file is chosen.
USER_GAZETTEER_FILE = "gazetteer.sqlite"
#: GeoNames' dump folder, where ``gazetteer fetch`` downloads from by default.
DEFAULT_GEONAMES_URL = "https://download.geonames.org/export/dump/"


def _env(name: str) -> str | None:
    """The variable's value, or None when it is unset or empty."""
    return os.environ.get(name) or None


def _platform_dir(kind: str) -> Path:
    """The platform's user ``cache``, ``config`` or ``data`` folder for syriamap."""
    import platformdirs

    return Path(getattr(platformdirs, f"user_{kind}_dir")(APP_NAME))


def cache_dir() -> Path:
    """Where built and downloaded things live: ``$SYRIAMAP_CACHE_DIR`` or the platform cache folder."""
    env = _env(CACHE_DIR_ENV)
    return Path(env) if env else _platform_dir("cache")


def config_dir() -> Path:
    """The user's settings folder: ``$SYRIAMAP_CONFIG_DIR`` or the platform config folder."""
    env = _env(CONFIG_DIR_ENV)
    return Path(env) if env else _platform_dir("config")


def data_dir() -> Path:
    """The user's data folder: ``$SYRIAMAP_DATA_DIR`` or the platform data folder."""
    env = _env(DATA_DIR_ENV)
    return Path(env) if env else _platform_dir("data")


def gazetteer_from_env() -> Path | None:
    """``$SYRIAMAP_GAZETTEER`` as a path, if set."""
    env = _env(GAZETTEER_ENV)
    return Path(env) if env else None


def choice_file() -> Path:
    """The file recording the user's default gazetteer (``syriamap gazetteer use``)."""
    return config_dir() / DEFAULT_CHOICE_FILE


def chosen_default() -> Path | None:
    """The gazetteer file the user made their default (``syriamap gazetteer use``), if any."""
    choice = choice_file()
    if not choice.is_file():
        return None
    text = choice.read_text(encoding="utf-8").strip()
    return Path(text) if text else None


def user_gazetteer() -> Path:
    """The user's gazetteer file: what imports write by default, and lookups read once it exists.

    ``$SYRIAMAP_GAZETTEER``, else the chosen default, else ``gazetteer.sqlite``
    in :func:`data_dir`.  The file need not exist yet.
    """
    return gazetteer_from_env() or chosen_default() or data_dir() / USER_GAZETTEER_FILE


def existing_user_gazetteer() -> Path | None:
    """The file lookups open instead of the embedded default, or None to use the embedded one.

    ``$SYRIAMAP_GAZETTEER`` or the chosen default (returned even if missing, so the
    caller can warn), else the data folder's ``gazetteer.sqlite`` if an import has
    created it.
    """
    named = gazetteer_from_env() or chosen_default()
    if named is not None:
        return named
    created = data_dir() / USER_GAZETTEER_FILE
    return created if created.is_file() else None


def geonames_url(override: str | None = None) -> str:
    """The GeoNames dump folder to download from, ending in ``/``: ``override``, the variable, or GeoNames'."""
    url = override or _env(GEONAMES_URL_ENV) or DEFAULT_GEONAMES_URL
    return url if url.endswith("/") else url + "/"


def disable_progress_bars() -> None:
    """Turn off, for this process and its children, the tqdm bars whose caller leaves ``disable`` alone.

    tqdm reads ``TQDM_DISABLE`` when it is first imported, so call this before any
    bar is made (``syriamap --quiet`` does, before running the command).
    """
    os.environ["TQDM_DISABLE"] = "1"


def chromium_path() -> Path | None:
    """The Chromium to drive for PNG images: ``$SYRIAMAP_CHROMIUM``, else the system's,
    else None (Playwright's own browser, if the user installed one)."""
    env = _env(CHROMIUM_ENV)
    if env:
        return Path(env).expanduser()
    return SYSTEM_CHROMIUM if SYSTEM_CHROMIUM.exists() else None
