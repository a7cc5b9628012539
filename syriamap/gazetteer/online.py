"""The optional online fallback: a geopy geocoder, rate limited, behind a persistent SQLite cache.

Off by default: nothing here runs unless a user hands :class:`OfflineGazetteer
<syriamap.gazetteer.geocoder.OfflineGazetteer>` a ``fallback`` geocoder (usually
geopy's ``Nominatim``) for the names the offline gazetteer cannot place.

Why a cache: public geocoding services allow about one request a second and
expect clients not to ask the same question twice.  :class:`GeocodeCache` keeps
every answer, negative ones ("no such place") included, in a SQLite file keyed
by (service, normalised query, parameters), with the time it was stored and
when it expires.  Failures (timeouts, HTTP 429, 5xx) are never cached: the next
run asks again.  The file is shared safely by threads and processes (SQLite in
WAL mode with a busy timeout).

Why geopy's ``RateLimiter``: it already spaces calls ``min_delay_seconds``
apart and retries :class:`geopy.exc.GeocoderServiceError` (timeouts, 429, 5xx)
``max_retries`` times ``error_wait_seconds`` apart; :class:`CachedGeocoder` only
adds the cache in front and turns a persistent failure into ``None`` and a
logged warning.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import platformdirs
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import DEFAULT_SENTINEL
from geopy.location import Location
from geopy.point import Point

from syriamap.gazetteer.model import GEO_PRECISION

logger = logging.getLogger(__name__)

CACHE_FILE_NAME = "online-geocode.sqlite"
CACHE_SCHEMA_VERSION = 1
DEFAULT_TTL_DAYS = 90.0
_SECONDS_PER_DAY = 86_400.0
#: Longest query sent to an online service; longer text is not a place name.
MAX_QUERY_LENGTH = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
    service    TEXT NOT NULL,   -- e.g. 'nominatim@nominatim.example.org'
    method     TEXT NOT NULL,   -- 'geocode' or 'reverse'
    query      TEXT NOT NULL,   -- normalised query ('lat,lon' for reverse)
    params     TEXT NOT NULL,   -- the other parameters, canonical JSON
    found      INTEGER NOT NULL,-- 0 for a negative answer (no result)
    answer     TEXT NOT NULL,   -- JSON list of {address, latitude, longitude, altitude, raw}
    created_at REAL NOT NULL,   -- unix time the answer was stored
    expires_at REAL NOT NULL,   -- unix time after which it is asked again
    PRIMARY KEY (service, method, query, params)
);
"""


class GeocodeCacheError(RuntimeError):
    """The cache file cannot be used (not a SQLite file, another schema, unwritable)."""


def default_cache_path() -> Path:
    """``<user cache dir>/syriamap/online-geocode.sqlite``."""
    return Path(platformdirs.user_cache_dir("syriamap")) / CACHE_FILE_NAME


def normalize_query(query: str) -> str:
    """The cache key form of a query: NFKC, case-folded, whitespace collapsed.

    Deliberately lighter than :func:`syriamap.normalize.normalize_name`: an online
    service may answer "al-Bab" and "Bab" differently, so only spellings that no
    service tells apart are merged.
    """
    return " ".join(unicodedata.normalize("NFKC", query).casefold().split())


class GeocodeCache:
    """Answers of online geocoders, in a SQLite file, with expiry.

    ``get`` returns the stored list of locations (``[]`` for a stored negative
    answer) or ``None`` when nothing fresh is stored.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA busy_timeout=30000")
            self._conn.executescript(_SCHEMA)
            self._conn.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(CACHE_SCHEMA_VERSION),)
            )
            version = self._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
        except (sqlite3.Error, OSError) as exc:
            raise GeocodeCacheError(f"cannot use {self.path} as the online geocoding cache: {exc}") from None
        if int(version) != CACHE_SCHEMA_VERSION:
            self._conn.close()
            raise GeocodeCacheError(
                f"{self.path} is an online geocoding cache of schema {version}, this syriamap uses "
                f"{CACHE_SCHEMA_VERSION}; delete the file or choose another cache_path"
            )

    def get(self, service: str, method: str, query: str, params: str) -> list[dict[str, Any]] | None:
        """The fresh stored answer, or ``None`` if there is none (or it expired)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT answer FROM answers WHERE service=? AND method=? AND query=? AND params=? AND expires_at>?",
                (service, method, query, params, time.time()),
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def put(
        self, service: str, method: str, query: str, params: str, answer: list[dict[str, Any]], ttl_days: float
    ) -> None:
        """Store ``answer`` (``[]`` = no result) for ``ttl_days``."""
        now = time.time()
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (service, method, query, params, int(bool(answer)), json.dumps(answer, ensure_ascii=False, default=str),
                 now, now + ttl_days * _SECONDS_PER_DAY),
            )

    def purge_expired(self) -> int:
        """Delete expired answers; returns how many."""
        with self._lock:
            return self._conn.execute("DELETE FROM answers WHERE expires_at<=?", (time.time(),)).rowcount

    def clear(self) -> int:
        """Delete every answer; returns how many."""
        with self._lock:
            return self._conn.execute("DELETE FROM answers").rowcount

    def stats(self) -> dict[str, int]:
        """Counts of stored answers: total, found, negative, expired."""
        with self._lock:
            total, found, expired = self._conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(found), 0), COALESCE(SUM(expires_at<=?), 0) FROM answers",
                (time.time(),),
            ).fetchone()
        return {"answers": total, "found": found, "negative": total - found, "expired": expired}

    def close(self) -> None:
        self._conn.close()


#: Nominatim ``addresstype``/``type`` (or ``class``) to our kinds.
_NOMINATIM_KINDS: dict[str, str] = {
    "country": "country",
    "state": "admin1", "province": "admin1", "region": "admin1",
    "state_district": "admin2", "county": "admin2", "district": "admin2",
    "municipality": "admin3", "subdistrict": "admin3",
    "city": "populated_place", "town": "populated_place", "village": "populated_place",
    "hamlet": "populated_place", "locality": "populated_place", "isolated_dwelling": "populated_place",
    "suburb": "neighbourhood", "quarter": "neighbourhood", "neighbourhood": "neighbourhood",
    "city_block": "neighbourhood", "borough": "neighbourhood",
    "river": "river", "stream": "river", "canal": "river", "waterway": "river",
    "aeroway": "site", "aerodrome": "site", "military": "site", "dam": "site", "border_control": "site",
    "prison": "site", "amenity": "site", "building": "site", "tourism": "site", "historic": "site",
}


def nominatim_kind(raw: Mapping[str, Any]) -> str | None:
    """Our kind for a Nominatim result, from its ``addresstype``, ``type`` then ``class``."""
    for field in ("addresstype", "type", "class"):
        value = raw.get(field)
        if isinstance(value, str) and value in _NOMINATIM_KINDS:
            return _NOMINATIM_KINDS[value]
    return None


def _query_error(query: object) -> str | None:
    """Why ``query`` cannot be sent to a service, or ``None``."""
    if not isinstance(query, str):
        return f"not a string ({type(query).__name__})"
    if not query.strip():
        return "empty query"
    if len(query) > MAX_QUERY_LENGTH:
        return f"too long ({len(query)} characters, at most {MAX_QUERY_LENGTH})"
    if "\x00" in query or not query.isprintable():
        return "control or binary characters"
    return None


class CachedGeocoder:
    """A geopy geocoder behind geopy's ``RateLimiter`` and a :class:`GeocodeCache`.

    ``geocode``/``reverse`` follow geopy's conventions (``exactly_one``,
    ``timeout``, extra keyword arguments passed to the wrapped geocoder) and
    return geopy ``Location`` objects whose ``raw`` is the service's answer plus
    ``source`` (``"online:<service>"``), ``kind`` and ``geo_precision`` where the
    answer says what the place is.  They never raise for a service failure:
    after the retries they log a warning and return ``None`` (not cached).
    """

    def __init__(
        self,
        geocoder: Any,
        cache_path: str | Path | None = None,
        *,
        min_delay_seconds: float = 1.0,
        max_retries: int = 2,
        error_wait_seconds: float = 5.0,
        cache_ttl_days: float = DEFAULT_TTL_DAYS,
        service: str | None = None,
    ) -> None:
        if cache_ttl_days <= 0:
            raise ValueError(f"cache_ttl_days must be positive, not {cache_ttl_days!r}")
        self.geocoder = geocoder
        self.service = service or type(geocoder).__name__.lower()
        domain = getattr(geocoder, "domain", None)
        #: Cache key of the service: two servers of the same software may answer differently.
        self.service_key = f"{self.service}@{domain}" if domain else self.service
        self.cache = GeocodeCache(cache_path)
        self.cache_ttl_days = cache_ttl_days
        self.max_retries = max_retries
        self._limited = RateLimiter(
            self._ask,
            min_delay_seconds=min_delay_seconds,
            max_retries=max_retries,
            error_wait_seconds=max(error_wait_seconds, min_delay_seconds),
            swallow_exceptions=False,
        )

    def __repr__(self) -> str:
        return f"CachedGeocoder({self.service_key!r}, cache={str(self.cache.path)!r})"

    def close(self) -> None:
        """Close the cache file."""
        self.cache.close()

    def geocode(
        self, query: str, *, exactly_one: bool = True, timeout: Any = DEFAULT_SENTINEL, **params: Any
    ) -> Location | list[Location] | None:
        """Locations for ``query`` from the cache or, failing that, the service."""
        reason = _query_error(query)
        if reason is not None:
            logger.info("online geocode skipped for %.60r: %s", query, reason)
            return None
        return self._answer("geocode", query, normalize_query(query), exactly_one, timeout, params)

    def reverse(
        self, query: Any, *, exactly_one: bool = True, timeout: Any = DEFAULT_SENTINEL, **params: Any
    ) -> Location | list[Location] | None:
        """Places at the point ``query`` (anything geopy's ``Point`` accepts)."""
        try:
            if query is None:
                raise ValueError("no point (None)")
            point = Point(query)
        except (ValueError, TypeError) as exc:
            logger.info("online reverse skipped for %.60r: %s", query, exc)
            return None
        key = f"{point.latitude:.5f},{point.longitude:.5f}"
        return self._answer("reverse", (point.latitude, point.longitude), key, exactly_one, timeout, params)

    # -- internals ----------------------------------------------------------

    def _answer(
        self, method: str, query: Any, key: str, exactly_one: bool, timeout: Any, params: dict[str, Any]
    ) -> Location | list[Location] | None:
        params_key = json.dumps(params, sort_keys=True, default=str, ensure_ascii=False)
        try:
            stored = self.cache.get(self.service_key, method, key, params_key)
        except sqlite3.Error as exc:
            logger.warning("cannot read the online geocoding cache %s (%s); asking %s", self.cache.path, exc,
                           self.service)
            stored = None
        if stored is None:
            try:
                answer = self._limited(method, query, timeout, params)
            except GeopyError as exc:
                logger.warning(
                    "%s %s of %.80r failed after %d retries (%s: %s); not cached, will ask again next time",
                    self.service, method, query, self.max_retries, type(exc).__name__, exc,
                )
                return None
            stored = [_location_to_json(loc) for loc in _as_list(answer)]
            try:
                self.cache.put(self.service_key, method, key, params_key, stored, self.cache_ttl_days)
            except sqlite3.Error as exc:
                logger.warning("cannot store in the online geocoding cache %s (%s)", self.cache.path, exc)
            logger.debug("%s %s of %r: %d result(s)", self.service, method, query, len(stored))
        locations = [self._location(item) for item in stored]
        if not locations:
            return None
        return locations[0] if exactly_one else locations

    def _ask(self, method: str, query: Any, timeout: Any, params: dict[str, Any]) -> Any:
        """One call to the wrapped geocoder, always for the full list (the cache keeps it all)."""
        return getattr(self.geocoder, method)(query, exactly_one=False, timeout=timeout, **params)

    def _location(self, item: Mapping[str, Any]) -> Location:
        raw = dict(item["raw"]) if isinstance(item.get("raw"), Mapping) else {"value": item.get("raw")}
        kind = nominatim_kind(raw) if self.service == "nominatim" else None
        raw["source"] = f"online:{self.service}"
        raw["kind"] = kind
        raw["geo_precision"] = GEO_PRECISION.get(kind) if kind else None
        return Location(item["address"], (item["latitude"], item["longitude"], item.get("altitude") or 0.0), raw)


def _as_list(answer: Any) -> list[Location]:
    if answer is None:
        return []
    if isinstance(answer, Location):
        return [answer]
    if isinstance(answer, Sequence):
        return [loc for loc in answer if isinstance(loc, Location)]
    return []


def _location_to_json(location: Location) -> dict[str, Any]:
    return {
        "address": location.address,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "altitude": location.altitude,
        "raw": location.raw,
    }


# -- command line -----------------------------------------------------------
