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

Why bounds: the service is outside our control and may be broken or hostile.
Every call has an overall deadline (``deadline_seconds``) that nothing extends:
the rate limiter's waits, retries and a ``Retry-After`` longer than the time
left all give up instead of sleeping past it, and a geopy geocoder's HTTP
transport is replaced by :class:`~syriamap.gazetteer.online_http.BoundedAdapter`
(deadline watchdog, ``max_response_bytes``, redirects only within the configured
host).  Every answer is validated before it is cached: finite coordinates in
range and an address for each location; a negative answer only when the
service really said "nothing" (an empty JSON list, or Nominatim's reverse
"Unable to geocode"), never for an error object, a bare number or junk.  A
refused answer gives ``None`` and a logged warning with the reason, and is not
cached.
"""
from __future__ import annotations

import copy
import json
import logging
import math
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from geopy.adapters import BaseAsyncAdapter, BaseSyncAdapter
from geopy.exc import GeocoderRateLimited, GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import DEFAULT_SENTINEL
from geopy.location import Location
from geopy.point import Point

from syriamap.errors import DataError
from syriamap.gazetteer import online_http
from syriamap.gazetteer.model import GEO_PRECISION
from syriamap.gazetteer.online_http import (
    MAX_RESPONSE_BYTES,
    BoundedAdapter,
    OnlineAnswerError,
    OnlineDeadlineError,
)

logger = logging.getLogger(__name__)

CACHE_FILE_NAME = "online-geocode.sqlite"
CACHE_SCHEMA_VERSION = 1
DEFAULT_TTL_DAYS = 90.0
#: Longest a geocode/reverse call may take in all (waits, retries and reads included).
DEFAULT_DEADLINE_SECONDS = 30.0
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


class GeocodeCacheError(DataError, RuntimeError):
    """The cache file cannot be used (not a SQLite file, another schema, unwritable)."""


def default_cache_path() -> Path:
    """``online-geocode.sqlite`` in syriamap's cache directory (``$SYRIAMAP_CACHE_DIR`` if set)."""
    from syriamap.gazetteer.build import cache_dir

    return cache_dir() / CACHE_FILE_NAME


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


class _DeadlineRateLimiter(RateLimiter):
    """geopy's ``RateLimiter`` whose waits (spacing and error waits) never run past the call's deadline."""

    def _sleep(self, seconds: float) -> None:
        left = online_http.remaining()
        if seconds >= left:
            raise OnlineDeadlineError(f"a wait of {seconds:.1f} s would pass the deadline ({max(left, 0):.1f} s left)")
        time.sleep(seconds)


class CachedGeocoder:
    """A geopy geocoder behind geopy's ``RateLimiter`` and a :class:`GeocodeCache`.

    ``geocode``/``reverse`` follow geopy's conventions (``exactly_one``,
    ``timeout``, extra keyword arguments passed to the wrapped geocoder) and
    return geopy ``Location`` objects whose ``raw`` is the service's answer plus
    ``source`` (``"online:<service>"``), ``kind`` and ``geo_precision`` where the
    answer says what the place is.  They never raise for a service failure:
    after the retries they log a warning and return ``None`` (not cached).

    Each call ends within ``deadline_seconds`` (plus scheduling slack), whatever
    the service does; ``timeout`` bounds each request within that.  A geopy
    geocoder is used through a copy whose HTTP transport is a
    :class:`~syriamap.gazetteer.online_http.BoundedAdapter` reading at most
    ``max_response_bytes`` per answer and following redirects only within its
    host.  Answers are validated before they are cached (see the module).
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
        deadline_seconds: float = DEFAULT_DEADLINE_SECONDS,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        if cache_ttl_days <= 0:
            raise ValueError(f"cache_ttl_days must be positive, not {cache_ttl_days!r}")
        if not deadline_seconds > 0 or math.isinf(deadline_seconds):
            raise ValueError(f"deadline_seconds must be a positive number of seconds, not {deadline_seconds!r}")
        self.geocoder = _bounded(geocoder, max_response_bytes)
        self.service = service or type(geocoder).__name__.lower()
        domain = getattr(geocoder, "domain", None)
        #: Cache key of the service: two servers of the same software may answer differently.
        self.service_key = f"{self.service}@{domain}" if domain else self.service
        self.cache = GeocodeCache(cache_path)
        self.cache_ttl_days = cache_ttl_days
        self.deadline_seconds = float(deadline_seconds)
        self.max_retries = max_retries
        self._limited = _DeadlineRateLimiter(
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
        locations = self._stored(method, key, params_key)
        if locations is None:
            try:
                with online_http.deadline(self.deadline_seconds):
                    answer = self._limited(method, query, timeout, params)
                    stored = _checked_answer(method, answer, online_http.last_json(), self.service == "nominatim")
            except GeopyError as exc:
                logger.warning(
                    "%s %s of %.80r failed (%s: %s); not cached, will ask again next time",
                    self.service, method, query, type(exc).__name__, exc,
                )
                return None
            try:
                self.cache.put(self.service_key, method, key, params_key, stored, self.cache_ttl_days)
            except sqlite3.Error as exc:
                logger.warning("cannot store in the online geocoding cache %s (%s)", self.cache.path, exc)
            logger.debug("%s %s of %r: %d result(s)", self.service, method, query, len(stored))
            locations = [self._location(item) for item in stored]
        if not locations:
            return None
        return locations[0] if exactly_one else locations

    def _stored(self, method: str, key: str, params_key: str) -> list[Location] | None:
        """The cached answer as locations, or ``None`` to ask the service (nothing stored, or unreadable)."""
        try:
            stored = self.cache.get(self.service_key, method, key, params_key)
            return None if stored is None else [self._location(item) for item in stored]
        except (sqlite3.Error, ValueError, TypeError, KeyError, AttributeError) as exc:
            logger.warning("cannot use the online geocoding cache %s for %r (%s: %s); asking %s",
                           self.cache.path, key, type(exc).__name__, exc, self.service)
            return None

    def _ask(self, method: str, query: Any, timeout: Any, params: dict[str, Any]) -> Any:
        """One call to the wrapped geocoder, always for the full list (the cache keeps it all).

        A parsing failure inside the geocoder (a bare number, a field of the
        wrong type, coordinates off the Earth) becomes :class:`OnlineAnswerError`;
        a ``Retry-After`` beyond the deadline ends the call at once.
        """
        online_http._check_deadline("before asking")
        try:
            return getattr(self.geocoder, method)(query, exactly_one=False, timeout=timeout, **params)
        except GeocoderRateLimited as exc:
            if exc.retry_after is not None and exc.retry_after >= online_http.remaining():
                raise OnlineDeadlineError(
                    f"the service asks to retry after {exc.retry_after} s, past the deadline"
                ) from None
            raise
        except GeopyError:
            raise
        except (AttributeError, TypeError, ValueError, KeyError, IndexError, OverflowError, RecursionError) as exc:
            raise OnlineAnswerError(f"malformed answer ({type(exc).__name__}: {str(exc)[:200]})") from None

    def _location(self, item: Mapping[str, Any]) -> Location:
        raw = dict(item["raw"]) if isinstance(item.get("raw"), Mapping) else {"value": item.get("raw")}
        kind = nominatim_kind(raw) if self.service == "nominatim" else None
        raw["source"] = f"online:{self.service}"
        raw["kind"] = kind
        raw["geo_precision"] = GEO_PRECISION.get(kind) if kind else None
        _check_point(item["latitude"], item["longitude"])
        return Location(item["address"], (item["latitude"], item["longitude"], item.get("altitude") or 0.0), raw)


def _bounded(geocoder: Any, max_bytes: int) -> Any:
    """A copy of a geopy geocoder whose HTTP transport is a :class:`BoundedAdapter`.

    Anything else (a geocoder not built on geopy's adapters) is used as it is;
    the deadline then bounds the waits between its calls, not its requests.
    """
    adapter = getattr(geocoder, "adapter", None)
    if isinstance(adapter, BaseAsyncAdapter):
        raise ValueError("an async geopy geocoder cannot be a fallback; build it with a sync adapter")
    if not isinstance(adapter, BaseSyncAdapter):
        return geocoder
    if getattr(geocoder, "proxies", None):
        logger.warning("the online fallback connects directly; the proxies of %r are not used", geocoder)
    bounded = copy.copy(geocoder)
    bounded.adapter = BoundedAdapter(ssl_context=getattr(geocoder, "ssl_context", None), max_bytes=max_bytes)
    return bounded


def _check_point(latitude: Any, longitude: Any) -> None:
    """Raise ValueError unless ``(latitude, longitude)`` are finite numbers on the Earth."""
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (latitude, longitude)):
        raise ValueError(f"coordinates are not numbers: ({latitude!r:.40}, {longitude!r:.40})")
    if not (math.isfinite(latitude) and math.isfinite(longitude)
            and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError(f"coordinates off the Earth: ({latitude}, {longitude})")


def _check_raw_point(location: Location, nominatim: bool) -> None:
    """Raise ValueError unless the raw answer's ``lat``/``lon`` (if any) are the location's coordinates."""
    raw = location.raw
    if not isinstance(raw, Mapping) or not (nominatim or "lat" in raw or "lon" in raw):
        return
    try:
        lat, lon = float(raw["lat"]), float(raw["lon"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"lat/lon missing or not numbers: ({raw.get('lat')!r:.40}, {raw.get('lon')!r:.40})") from None
    _check_point(lat, lon)
    if not (math.isclose(lat, location.latitude, abs_tol=1e-9) and math.isclose(lon, location.longitude, abs_tol=1e-9)):
        raise ValueError(f"lat/lon ({lat}, {lon}) differ from the parsed point {location.point}")


def _checked_answer(method: str, answer: Any, json_answer: Any, nominatim: bool) -> list[dict[str, Any]]:
    """The answer as cache entries, or :class:`OnlineAnswerError` if it cannot be trusted.

    A location needs an address and finite coordinates in range; where its raw
    answer has ``lat``/``lon`` (always, for Nominatim) they must be those
    coordinates, because geopy turns a missing latitude into 0 and wraps a
    longitude of -999 onto the globe, which would be silently wrong places.  "No result"
    is accepted only where the service's JSON (when a :class:`BoundedAdapter`
    read it) says so: an empty list, an object that is a (non-empty) answer, or
    for ``reverse`` Nominatim's ``{"error": "Unable to geocode"}``; an error
    object, ``null``, a number or a string is an error, never "no such place".
    """
    if answer is None:
        found: list[Any] = []
    elif isinstance(answer, Location):
        found = [answer]
    elif isinstance(answer, Sequence) and not isinstance(answer, (str, bytes)):
        found = list(answer)
    else:
        raise OnlineAnswerError(f"the geocoder returned {type(answer).__name__}, not locations")
    if not found and json_answer is not online_http.NO_ANSWER:
        nothing_found = (
            json_answer == []
            or (isinstance(json_answer, Mapping) and json_answer and "error" not in json_answer)
            or (method == "reverse" and json_answer == {"error": "Unable to geocode"})
        )
        if not nothing_found:
            raise OnlineAnswerError(f"not an answer: {json.dumps(json_answer, default=str)[:200]}")
    entries = []
    for location in found:
        if not isinstance(location, Location):
            raise OnlineAnswerError(f"the geocoder returned a {type(location).__name__}, not a Location")
        if not isinstance(location.address, str) or not location.address.strip():
            raise OnlineAnswerError(f"a result without an address: {str(location.raw)[:200]}")
        try:
            _check_point(location.latitude, location.longitude)
            _check_raw_point(location, nominatim)
            entry = _location_to_json(location)
            json.dumps(entry, allow_nan=False)
        except (ValueError, TypeError) as exc:
            raise OnlineAnswerError(f"result {location.address[:80]!r}: {exc}") from None
        entries.append(entry)
    return entries


def _location_to_json(location: Location) -> dict[str, Any]:
    return {
        "address": location.address,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "altitude": location.altitude,
        "raw": location.raw,
    }
