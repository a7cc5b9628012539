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
    A lookup may return a place derived from a stored one for what a name
    describes ("Homs countryside": the city's point at geo_precision 2); its id
    is the stored place's id with a ``~`` suffix and ``parent_id`` the stored id.
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
    #: geo_precision of a place made for one lookup ("Homs countryside", a quarter
    #: the gazetteer lacks given as its city); ``None`` means by kind.
    precision: int | None = None

    @property
    def geo_precision(self) -> int:
        """ACLED-style geo_precision (1 exact, 2 near/area, 3 province or larger)."""
        return self.precision or GEO_PRECISION.get(self.kind, 3)

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
    #: How likely the answer is right, in [0, 1] (see :mod:`syriamap.gazetteer.ranking`):
    #: unlike ``score``, which orders the candidates of one name, it is comparable
    #: across names, so a threshold on it abstains from doubtful answers.
    confidence: float = 0.0
    #: Why this answer may be wrong (alias of another place, a homonym in another
    #: governorate, an approximate spelling...); empty when nothing speaks against it.
    caveats: tuple[str, ...] = field(default_factory=tuple)

    @property
    def latitude(self) -> float:
        return self.place.latitude

    @property
    def longitude(self) -> float:
        return self.place.longitude


@dataclass(frozen=True, slots=True)
class Context:
    """What is known around a name, for ranking its candidates.

    Every field is optional.  ``country`` (code or name) is a constraint;
    ``admin1`` (a first-level division's name), ``near`` (``(lat, lon)``) and
    ``year`` are priors, as in :meth:`~syriamap.gazetteer.Gazetteer.lookup`.
    ``focus`` replaces the gazetteer's focus countries when not empty.
    ``places`` are the document's other resolved places, each a :class:`Place`
    or a ``(Place, weight)`` pair: a homonym close to them wins, and one in the
    governorate most of them are in gets a bonus.  ``within`` is a containing
    place the text names ("X in Y province" gives Y).  ``kind`` keeps only
    places of that kind (or kinds).
    """

    country: str | None = None
    admin1: str | None = None
    near: tuple[float, float] | None = None
    year: int | None = None
    focus: tuple[str, ...] = ()
    places: tuple[Place | tuple[Place, float], ...] = ()
    within: Place | None = None
    kind: str | tuple[str, ...] | None = None

    def weighted_places(self) -> tuple[tuple[Place, float], ...]:
        """``places`` as ``(Place, weight)`` pairs (weight 1 where none is given)."""
        out = []
        for item in self.places:
            if isinstance(item, Place):
                out.append((item, 1.0))
            elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], Place):
                weight = item[1]
                if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not weight >= 0:
                    raise ValueError(f"a context place's weight must be a number >= 0, not {weight!r}")
                out.append((item[0], float(weight)))
            else:
                raise ValueError(f"Context.places holds Places or (Place, weight) pairs, not {item!r}")
        return tuple(out)
