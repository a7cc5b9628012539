"""The gazetteer's data model: places, their aliases, and ranked lookup candidates.

A :class:`Place` is one feature of the world (a country, a governorate, a town, a
river...).  An :class:`Alias` is one way of writing its name, with its language,
script and, for renamed places, the years it was in use.  A :class:`Candidate` is a
place proposed for a queried name, with the score and the reasons behind it, so a
user can see *why* "Homs" became the city and not the governorate.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Kinds of place, from the largest to the smallest.  ``site`` covers point
#: features that are not settlements (airbases, border crossings, dams, camps,
#: prisons); its ``feature`` says which.
KINDS: tuple[str, ...] = (
    "country",
    "admin1",
    "admin2",
    "admin3",
    "region",
    "river",
    "populated_place",
    "neighbourhood",
    "site",
)

#: ACLED's geo_precision for each kind: 1 = the exact place, 2 = a nearby or
#: containing area (district, region, river), 3 = a province-level area or larger.
GEO_PRECISION: dict[str, int] = {
    "populated_place": 1,
    "neighbourhood": 1,
    "site": 1,
    "admin3": 2,
    "admin2": 2,
    "region": 2,
    "river": 2,
    "admin1": 3,
    "country": 3,
}


@dataclass(frozen=True, slots=True)
class Alias:
    """One spelling of a place's name.

    ``valid_from``/``valid_to`` are inclusive years for names that were only used
    for a time (Nur-Sultan for Astana, 2019-2022); ``None`` means open-ended.
    """

    name: str
    lang: str = ""
    script: str = ""
    valid_from: int | None = None
    valid_to: int | None = None

    def valid_in(self, year: int | None) -> bool:
        """Whether this name was in use in ``year`` (always true without a year)."""
        if year is None:
            return True
        if self.valid_from is not None and year < self.valid_from:
            return False
        if self.valid_to is not None and year > self.valid_to:
            return False
        return True


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry.

    ``id`` is stable across rebuilds: ``gn:<geonameid>`` for GeoNames places,
    ``sm:<slug>`` for places we curate, ``<layer>:<key>`` for imported layers.
    ``geometry`` optionally holds a GeoJSON geometry string (a river's course).
    """

    id: str
    name: str
    kind: str
    latitude: float
    longitude: float
    country_code: str = ""
    admin1: str | None = None
    admin2: str | None = None
    parent_id: str | None = None
    population: int | None = None
    feature: str | None = None
    source: str = ""
    layer: str = "default"
    aliases: tuple[Alias, ...] = ()
    geometry: str | None = None

    @property
    def geo_precision(self) -> int:
        """ACLED-style geo_precision (1 exact, 2 near/area, 3 province or larger)."""
        return GEO_PRECISION.get(self.kind, 3)

    @property
    def point(self) -> tuple[float, float]:
        """``(latitude, longitude)``."""
        return (self.latitude, self.longitude)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place proposed for a name, with its score in [0, 1] and why.

    ``match`` is how the name met the place: ``exact`` (the alias as written),
    ``normalized`` (after name normalisation), ``phonetic`` (transliteration
    skeleton) or ``fuzzy`` (rapidfuzz similarity).  ``reasons`` lists each
    contribution to the score in words, e.g. ``"kind hint 'district' matches admin2"``.
    """

    place: Place
    score: float
    match: str
    matched_alias: str
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def latitude(self) -> float:
        return self.place.latitude

    @property
    def longitude(self) -> float:
        return self.place.longitude
