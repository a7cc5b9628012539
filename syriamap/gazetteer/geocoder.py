"""The offline gazetteer as a geopy ``Geocoder``.

>>> from syriamap.gazetteer.geocoder import OfflineGazetteer
>>> geocoder = OfflineGazetteer()
>>> geocoder.geocode("Dayr az Zawr").point          # doctest: +SKIP
Point(35.33588, 40.14084, 0.0)

Code written for geopy (``RateLimiter(geocoder.geocode)``, ``df["name"].apply(
geocoder.geocode)``, anything that reads ``Location.address``/``.point``/``.raw``)
works unchanged with the offline gazetteer, without a network, a key or a rate
limit.  ``reverse`` finds the nearest places to a point with a KD-tree of unit
vectors built on first use.

An online geocoder can be added as a fallback for the names the gazetteer does
not know (see :mod:`syriamap.gazetteer.online`); it is off by default, and
``OfflineGazetteer()`` never touches the network: its geopy HTTP adapter refuses
every request.
"""
from __future__ import annotations

import inspect
import logging
import math
import threading
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from geopy.adapters import BaseSyncAdapter
from geopy.exc import GeocoderUnavailable
from geopy.geocoders import get_geocoder_for_service
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location
from geopy.point import Point

from syriamap.gazetteer.gazetteer import Gazetteer, bad_name_reason
from syriamap.gazetteer.model import KINDS, Candidate, Place
from syriamap.gazetteer.ranking import DEFAULT_MIN_CONFIDENCE
from syriamap.geo import chord_for_km, km_for_chord, unit_vectors
from syriamap.gazetteer.online import DEFAULT_TTL_DAYS, CachedGeocoder

logger = logging.getLogger(__name__)

#: What ``reverse`` looks for unless told otherwise: places a point is "in".
DEFAULT_REVERSE_KINDS: tuple[str, ...] = ("populated_place", "neighbourhood")
#: How many locations ``exactly_one=False`` returns unless ``limit`` says.
DEFAULT_LIMIT = 5
#: ``reverse`` answers no settlement, quarter or site farther than this (km) unless told.
DEFAULT_REVERSE_MAX_KM = 25.0
_POINT_KINDS = frozenset({"populated_place", "neighbourhood", "site"})
#: Nominatim's ``featuretype`` values and the kinds of place they mean.
FEATURETYPE_KINDS: dict[str, tuple[str, ...]] = {
    "country": ("country",),
    "state": ("admin1",),
    "city": ("populated_place",),
    "settlement": ("populated_place", "neighbourhood"),
}


class _NoNetworkAdapter(BaseSyncAdapter):
    """geopy HTTP adapter of the offline geocoder: refuses every request.

    geopy's ``Geocoder`` base class wants an adapter; this one guarantees that
    the offline gazetteer never reaches the network, even by mistake.
    """

    def get_json(self, url: str, *, timeout: Any, headers: Any) -> Any:
        raise GeocoderUnavailable(f"OfflineGazetteer makes no HTTP requests (asked for {url})")

    def get_text(self, url: str, *, timeout: Any, headers: Any) -> Any:
        raise GeocoderUnavailable(f"OfflineGazetteer makes no HTTP requests (asked for {url})")


class _PointIndex:
    """Unit vectors of some places' coordinates in a KD-tree, for nearest-place queries.

    On the sphere, nearer means a shorter chord between unit vectors, so scipy's
    ``cKDTree`` over an ``(n, 3)`` float64 array (about 1 MB for 40,000 places)
    answers exactly, with no special case at the antimeridian or the poles.
    """

    def __init__(self, ids: list[str], lats: np.ndarray, lons: np.ndarray) -> None:
        from scipy.spatial import cKDTree

        self.ids = ids
        self.tree = cKDTree(unit_vectors(lats, lons)) if ids else None

    def nearest(self, lat: float, lon: float, k: int, max_km: float | None = None) -> list[tuple[str, float]]:
        """Up to ``k`` nearest ids within ``max_km``, with their great-circle distance in km, nearest first."""
        if self.tree is None:
            return []
        bound = np.inf if max_km is None else chord_for_km(max_km) + 1e-12
        chords, found = self.tree.query(unit_vectors(np.array([lat]), np.array([lon]))[0], k=k,
                                        distance_upper_bound=bound)
        chords, found = np.atleast_1d(chords), np.atleast_1d(found)
        keep = found < len(self.ids)  # cKDTree marks "no neighbour" with n
        km = km_for_chord(chords[keep])
        return [(self.ids[i], float(d)) for i, d in zip(found[keep], km)]


def _user_agent() -> str:
    try:
        return f"syriamap/{metadata.version('syriamap')}"
    except metadata.PackageNotFoundError:
        return "syriamap"


class OfflineGazetteer(Geocoder):
    """A geopy geocoder answering from a syriamap gazetteer, with no network.

    ``gazetteer`` is a :class:`~syriamap.gazetteer.Gazetteer`, the path of a
    gazetteer file, or ``None`` for the embedded default.  ``min_score`` drops
    offline candidates scoring below it; ``min_confidence`` (by default
    :data:`~syriamap.gazetteer.ranking.DEFAULT_MIN_CONFIDENCE`) drops answers
    less likely to be right than that, so the geocoder abstains rather than
    misleads (``None`` keeps every answer).

    ``fallback`` (off by default) is an online geopy geocoder (e.g.
    ``Nominatim(user_agent=...)``), a geopy service name such as
    ``"nominatim"`` (built with ``user_agent``, ``timeout`` and
    ``fallback_options``) or a ready :class:`CachedGeocoder`.  It is asked only
    when the offline lookup finds nothing at or above ``min_score``, through
    geopy's ``RateLimiter`` (``min_delay_seconds``, ``max_retries``,
    ``error_wait_seconds``) and a SQLite cache at ``cache_path`` (default: the
    user cache directory) whose answers expire after ``cache_ttl_days``.
    """

    def __init__(
        self,
        gazetteer: Gazetteer | str | Path | None = None,
        *,
        min_score: float = 0.0,
        min_confidence: float | None = DEFAULT_MIN_CONFIDENCE,
        fallback: Any = None,
        fallback_options: dict[str, Any] | None = None,
        cache_path: str | Path | None = None,
        min_delay_seconds: float = 1.0,
        max_retries: int = 2,
        error_wait_seconds: float = 5.0,
        cache_ttl_days: float = DEFAULT_TTL_DAYS,
        timeout: Any = DEFAULT_SENTINEL,
        user_agent: str | None = None,
    ) -> None:
        super().__init__(timeout=timeout, user_agent=user_agent or _user_agent(), adapter_factory=_NoNetworkAdapter)
        self._gazetteer = gazetteer if isinstance(gazetteer, Gazetteer) else None
        self._gazetteer_path = None if isinstance(gazetteer, Gazetteer) or gazetteer is None else Path(gazetteer)
        self._open_lock = threading.Lock()
        self.min_score = min_score
        if min_confidence is not None and (
            isinstance(min_confidence, bool) or not isinstance(min_confidence, (int, float))
            or not 0 <= min_confidence <= 1
        ):
            raise ValueError(f"min_confidence must be a number in [0, 1] or None, not {min_confidence!r}")
        self.min_confidence = min_confidence
        self._indexes: dict[tuple[str, ...], _PointIndex] = {}
        self._index_lock = threading.Lock()
        #: Places found by reverse, by id: nearby points share their nearest places.
        self._place = lru_cache(maxsize=8192)(self._get_place)
        self.online: CachedGeocoder | None = None
        self._online_takes_country = False
        if fallback is not None:
            if isinstance(fallback, str):
                fallback = get_geocoder_for_service(fallback)(
                    user_agent=self.headers["User-Agent"], timeout=self.timeout, **(fallback_options or {})
                )
            self.online = fallback if isinstance(fallback, CachedGeocoder) else CachedGeocoder(
                fallback, cache_path, min_delay_seconds=min_delay_seconds, max_retries=max_retries,
                error_wait_seconds=error_wait_seconds, cache_ttl_days=cache_ttl_days,
            )
            self._online_takes_country = "country_codes" in inspect.signature(self.online.geocoder.geocode).parameters

    def __repr__(self) -> str:
        where = self._gazetteer.path if self._gazetteer else (self._gazetteer_path or "embedded default")
        return f"OfflineGazetteer({str(where)!r}, fallback={self.online!r})"

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer answering (opened, and the default built, on first use)."""
        with self._open_lock:
            if self._gazetteer is None:
                if self._gazetteer_path is None:
                    from syriamap.gazetteer import default_gazetteer

                    self._gazetteer = default_gazetteer()
                else:
                    self._gazetteer = Gazetteer(self._gazetteer_path)
            return self._gazetteer

    # -- geocode ------------------------------------------------------------

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        timeout: Any = DEFAULT_SENTINEL,
        limit: int | None = None,
        country: str | None = None,
        kind: str | Sequence[str] | None = None,
        near: Any = None,
        year: int | None = None,
        admin1: str | None = None,
        country_codes: str | Sequence[str] | None = None,
        featuretype: str | None = None,
        viewbox: Any = None,
        bounded: bool = False,
        addressdetails: bool = False,
        language: Any = None,
        namedetails: bool = False,
        extratags: bool = False,
        geometry: str | None = None,
    ) -> Location | list[Location] | None:
        """The place(s) called ``query``: a ``Location``, a list of them, or ``None``.

        ``country``, ``kind``, ``near`` (anything geopy's ``Point`` accepts),
        ``year`` and ``admin1`` are the priors of :meth:`Gazetteer.lookup`; a
        query typed as "Name, Country", "Name, Province" or "Name (Country)"
        gives the same hints.  ``limit`` caps the list when ``exactly_one=False``
        (5 by default).  Answers less confident than ``min_confidence`` (see the
        class) are no answer.  ``timeout`` only matters to the online fallback.

        Nominatim's keyword arguments are accepted, so code written for
        ``Nominatim.geocode`` runs unchanged:

        * ``country_codes`` (one code or several) keeps places in those countries;
        * ``featuretype`` (``country``, ``state``, ``city``, ``settlement``) keeps
          those kinds of place;
        * ``viewbox`` (two points) with ``bounded=True`` keeps places inside the
          box; with ``bounded=False`` it favours places near its centre;
        * ``addressdetails=True`` adds ``raw["address"]`` (country_code, state,
          county, and city or suburb) from the place's admin names;
        * ``namedetails=True`` adds ``raw["namedetails"]``, the place's spellings;
        * ``language``, ``extratags`` and ``geometry`` are ignored: names are
          returned as the gazetteer holds them (with all spellings by
          ``namedetails``), it holds no OSM tags, and only rivers carry a
          geometry (in ``raw`` through :meth:`Gazetteer.get`).

        A query that is not a usable name (None, NaN, empty, too long, binary, a
        placeholder) gives ``None`` and an INFO log line saying why.
        """
        reason = bad_name_reason(query)
        if reason is not None:
            logger.info("geocode(%.60r) gives None: %s", query, reason)
            return None
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise ValueError(f"limit must be a whole number of at least 1, not {limit!r}")
        count = 1 if exactly_one else int(limit or DEFAULT_LIMIT)
        near_point = _point_or_error("near", near) if near is not None else None
        codes = _country_codes(country_codes, self.gazetteer)
        if codes and len(codes) == 1 and country is None:
            country = codes[0]
        kind = _featuretype_kinds(featuretype) if featuretype is not None and kind is None else kind
        box = _viewbox(viewbox) if viewbox is not None else None
        if box is not None and not bounded and near_point is None:
            near_point = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        filtering = bool(codes and len(codes) > 1) or (box is not None and bounded)
        found = self.gazetteer.lookup(
            query, country=country, kind=kind, near=near_point, year=year, admin1=admin1,
            limit=max(count, 50) if filtering else count,
        )
        candidates = [
            c for c in found
            if c.score >= self.min_score
            and (self.min_confidence is None or c.confidence >= self.min_confidence)
            and (not codes or c.place.country_code in codes)
            and (box is None or not bounded or _in_box(c.place, box))
        ][:count]
        if candidates:
            locations = [_location(c.place, candidate=c, address=addressdetails,
                                   names=self.gazetteer.get(c.place.id) if namedetails else None)
                         for c in candidates]
            return locations[0] if exactly_one else locations
        if found and not candidates:
            best = found[0]
            logger.info("geocode(%.60r) gives None: best match %s (confidence %.2f) is below the threshold"
                        " or outside the filters: %s", query, best.place.name, best.confidence,
                        "; ".join(best.caveats) or "weak match")
        if self.online is not None:
            return self._geocode_online(query, exactly_one, timeout, count, country, kind)
        logger.debug("geocode(%r): no place of that name", query)
        return None

    def _geocode_online(
        self, query: str, exactly_one: bool, timeout: Any, count: int, country: str | None,
        kind: str | Sequence[str] | None,
    ) -> Location | list[Location] | None:
        assert self.online is not None
        params: dict[str, Any] = {}
        code = self.gazetteer.country_code(country) if country else None
        if code and self._online_takes_country:
            params["country_codes"] = code.lower()
        found = self.online.geocode(query, exactly_one=False, timeout=timeout, **params)
        locations = list(found or [])
        if kind is not None:
            kinds = {kind} if isinstance(kind, str) else set(kind)
            locations = [loc for loc in locations if loc.raw.get("kind") in kinds]
        if not locations:
            return None
        return locations[0] if exactly_one else locations[:count]

    # -- reverse ------------------------------------------------------------

    def reverse(
        self,
        query: Any,
        *,
        exactly_one: bool = True,
        timeout: Any = DEFAULT_SENTINEL,
        limit: int | None = None,
        kind: str | Sequence[str] | None = None,
        max_km: float | None = None,
        language: Any = None,
        addressdetails: bool = False,
        zoom: int | None = None,
    ) -> Location | list[Location] | None:
        """The nearest place(s) to the point ``query``, nearest first, or ``None``.

        ``query`` is anything geopy's ``Point`` accepts (``"34.73, 36.71"``,
        ``(lat, lon)``, a ``Point``).  ``kind`` (one or several) says what to
        look for: populated places and neighbourhoods by default.  Places farther
        than ``max_km`` are no answer: by default :data:`DEFAULT_REVERSE_MAX_KM`
        (25 km) for settlements, quarters and sites, and no limit when only
        areas (countries, divisions, regions, rivers) are asked for, whose
        centre points can be far from any point inside them; ``math.inf`` lifts
        the limit.  If nothing is left, the online fallback (when configured) is
        asked.  ``raw["distance_km"]`` is the distance.  Nominatim's
        ``addressdetails`` is honoured; ``language`` and ``zoom`` are accepted
        and ignored (one name per place; ``kind`` says what to look for).
        """
        if query is None:
            logger.info("reverse(None) gives None: no point")
            return None
        try:
            point = Point(query)
        except (ValueError, TypeError) as exc:
            logger.info("reverse(%.60r) gives None: %s", query, exc)
            return None
        kinds = (kind,) if isinstance(kind, str) else tuple(kind or DEFAULT_REVERSE_KINDS)
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown kind(s) {unknown}; expected some of {KINDS}")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise ValueError(f"limit must be a whole number of at least 1, not {limit!r}")
        if max_km is None:
            max_km = DEFAULT_REVERSE_MAX_KM if set(kinds) & _POINT_KINDS else math.inf
        elif isinstance(max_km, bool) or not isinstance(max_km, (int, float)) or not max_km > 0:
            raise ValueError(f"max_km must be a positive number of kilometres, not {max_km!r}")
        count = 1 if exactly_one else int(limit or DEFAULT_LIMIT)
        bound = None if math.isinf(max_km) else float(max_km)
        nearest = self._index(kinds).nearest(point.latitude, point.longitude, count, bound)
        locations = []
        for pid, km in nearest:
            place = self._place(pid)
            if place is not None:
                locations.append(_location(place, distance_km=km, address=addressdetails))
        if not locations and self.online is not None:
            return self.online.reverse(point, exactly_one=exactly_one, timeout=timeout)
        if not locations:
            logger.info("reverse(%s) gives None: no %s within %s km", point, "/".join(kinds), max_km)
            return None
        return locations[0] if exactly_one else locations

    def _get_place(self, place_id: str) -> Place | None:
        return self.gazetteer.get(place_id)

    def _index(self, kinds: tuple[str, ...]) -> _PointIndex:
        key = tuple(sorted(set(kinds)))
        with self._index_lock:
            index = self._indexes.get(key)
            if index is None:
                ids: list[str] = []
                lats: list[float] = []
                lons: list[float] = []
                for k in key:
                    for place in self.gazetteer.places(kind=k):
                        if math.isfinite(place.latitude) and math.isfinite(place.longitude):
                            ids.append(place.id)
                            lats.append(place.latitude)
                            lons.append(place.longitude)
                index = _PointIndex(ids, np.array(lats), np.array(lons))
                self._indexes[key] = index
                logger.debug("reverse index for %s: %d places", "/".join(key), len(ids))
            return index


def _address(place: Place) -> str:
    """``"Name, admin1, CC"``, leaving out the parts a place does not have."""
    parts = [place.name]
    if place.admin1 and place.kind not in ("country", "admin1"):
        parts.append(place.admin1)
    if place.country_code:
        parts.append(place.country_code)
    return ", ".join(parts)


def _location(
    place: Place, *, candidate: Candidate | None = None, distance_km: float | None = None, address: bool = False,
    names: Place | None = None,
) -> Location:
    """A geopy ``Location`` whose ``raw`` holds the place and how it was found.

    ``address`` adds Nominatim's ``raw["address"]``; ``names`` (the place read
    with its aliases) adds ``raw["namedetails"]``.
    """
    raw: dict[str, Any] = {
        "id": place.id,
        "name": place.name,
        "kind": place.kind,
        "feature": place.feature,
        "admin1": place.admin1,
        "admin2": place.admin2,
        "country_code": place.country_code,
        "population": place.population,
        "parent_id": place.parent_id,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "geo_precision": place.geo_precision,
        "layer": place.layer,
        "source": f"offline:{place.source or place.layer}",
    }
    if candidate is not None:
        raw.update(score=candidate.score, match=candidate.match, matched_alias=candidate.matched_alias,
                   reasons=list(candidate.reasons), confidence=candidate.confidence, caveats=list(candidate.caveats))
    else:
        raw.update(score=None, match="reverse", matched_alias=None,
                   reasons=[f"nearest {place.kind} to the point, {distance_km:.2f} km away"],
                   distance_km=round(distance_km or 0.0, 3))
    if address:
        details: dict[str, Any] = {"country_code": place.country_code.lower()}
        if place.admin1 and place.kind != "country":
            details["state"] = place.admin1
        if place.admin2 and place.kind not in ("country", "admin1"):
            details["county"] = place.admin2
        key = {"populated_place": "city", "neighbourhood": "suburb", "site": "amenity"}.get(place.kind)
        if key:
            details[key] = place.name
        raw["address"] = details
    if names is not None:
        raw["namedetails"] = {"name": place.name, **{
            f"name:{a.lang}" if a.lang else f"alt_name:{i}": a.name for i, a in enumerate(names.aliases)
        }}
    return Location(_address(place), (place.latitude, place.longitude), raw)


def _point_or_error(what: str, value: Any) -> tuple[float, float]:
    try:
        point = Point(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{what} must be a point (lat, lon) or 'lat, lon', not {value!r}: {exc}") from None
    return (point.latitude, point.longitude)


def _country_codes(value: Any, gazetteer: Gazetteer) -> list[str]:
    """Nominatim's ``country_codes`` (one code or several) as ISO2 codes, or a clear error."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple, set, frozenset)):
        raise ValueError(f"country_codes must be a code or a list of codes, not {type(value).__name__}")
    codes = []
    for item in items:
        code = gazetteer.country_code(item) if isinstance(item, str) else None
        if code is None:
            raise ValueError(f"unknown country code {item!r} in country_codes")
        codes.append(code)
    return codes


def _featuretype_kinds(featuretype: Any) -> tuple[str, ...]:
    kinds = FEATURETYPE_KINDS.get(featuretype) if isinstance(featuretype, str) else None
    if kinds is None:
        raise ValueError(f"featuretype must be one of {sorted(FEATURETYPE_KINDS)}, not {featuretype!r}")
    return kinds


def _viewbox(value: Any) -> tuple[float, float, float, float]:
    """Nominatim's ``viewbox`` (two points) as (south, west, north, east)."""
    try:
        first, second = value
    except (TypeError, ValueError):
        raise ValueError(f"viewbox must be two points [(lat, lon), (lat, lon)], not {value!r}") from None
    (lat1, lon1), (lat2, lon2) = _point_or_error("viewbox", first), _point_or_error("viewbox", second)
    return (min(lat1, lat2), min(lon1, lon2), max(lat1, lat2), max(lon1, lon2))


def _in_box(place: Place, box: tuple[float, float, float, float]) -> bool:
    south, west, north, east = box
    return south <= place.latitude <= north and west <= place.longitude <= east

