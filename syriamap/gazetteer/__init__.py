"""The offline gazetteer: place names of Syria and its region to coordinates.

>>> from syriamap.gazetteer import resolve
>>> resolve("Dayr az Zawr").place.name        # doctest: +SKIP
'Deir ez-Zor'

Nothing to install or download: the embedded default is built once, on first
use, from GeoNames data shipped by package dependencies and from our curated
tables, into a SQLite file in the user's cache directory.  Importers add layers
(GeoNames dumps, Open-Syria, ACLED/UCDP exports) to a gazetteer file of your own.
"""
from __future__ import annotations

from syriamap import config
import threading

from syriamap.gazetteer.gazetteer import Gazetteer, bad_name_reason
from syriamap.geo import haversine_km
from syriamap.gazetteer.model import GEO_PRECISION, KINDS, Alias, Candidate, Context, Place
from syriamap.gazetteer.ranking import DEFAULT_MIN_CONFIDENCE
from syriamap.gazetteer.store import GazetteerFileError

__all__ = [
    "Alias",
    "CachedGeocoder",
    "OfflineGazetteer",
    "Candidate",
    "Context",
    "DEFAULT_MIN_CONFIDENCE",
    "GEO_PRECISION",
    "Gazetteer",
    "GazetteerFileError",
    "KINDS",
    "Place",
    "bad_name_reason",
    "default_gazetteer",
    "haversine_km",
    "lookup",
    "resolve",
]

_default: Gazetteer | None = None


def __getattr__(name: str) -> object:
    # The geopy adapters import geopy and scipy: load them only when asked for.
    if name == "OfflineGazetteer":
        from syriamap.gazetteer.geocoder import OfflineGazetteer

        return OfflineGazetteer
    if name == "CachedGeocoder":
        from syriamap.gazetteer.online import CachedGeocoder

        return CachedGeocoder
    raise AttributeError(f"module 'syriamap.gazetteer' has no attribute {name!r}")
_default_lock = threading.Lock()


def default_gazetteer() -> Gazetteer:
    """The gazetteer used when none is given, opened once per process.

    The file named by ``$SYRIAMAP_GAZETTEER`` (a user's gazetteer with imported
    layers) if set, else the embedded default (built on first use).
    """
    global _default
    with _default_lock:
        if _default is None:
            _default = Gazetteer(config.gazetteer_from_env())
        return _default


def lookup(name: str, **kwargs: object) -> list[Candidate]:
    """:meth:`Gazetteer.lookup` on the embedded default."""
    return default_gazetteer().lookup(name, **kwargs)  # type: ignore[arg-type]


def resolve(name: str, **kwargs: object) -> Candidate | None:
    """:meth:`Gazetteer.resolve` on the embedded default."""
    return default_gazetteer().resolve(name, **kwargs)
