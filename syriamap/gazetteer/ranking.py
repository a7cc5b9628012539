"""Scoring candidate places: priors as data.

A candidate's score is the sum of small, independent **priors**, each a function
``prior(hit, request) -> (delta, reason) | None``: how well the name matched,
the kind of place, its population, the country and governorate asked for,
proximity to a point, the years a name was in use, the document's other places
and a containing place.  :data:`DEFAULT_PRIORS` lists them in order; a caller
can rank with another list (add a prior, drop one) without touching the others.
Every contribution is written into the candidate's ``reasons``; the ones that
speak against an answer also become its ``caveats``.

The raw sum is halved and clipped to [0, 1]: that is the candidate's score,
which orders the candidates of one name.

A candidate's **confidence** says how likely it is right, comparably across
names: a base for how the name matched (exact and normalised high, phonetic by
similarity, fuzzy low) minus the **doubts** that apply, each a function like a
prior returning ``(penalty, caveat)``: a homonym in another governorate than the
one given, a descriptor naming another kind of place, only part of the name
matched, a name not in use that year, outside the containing place; and, across
candidates, a homonym elsewhere scoring nearly as well or a matched alias that is
another place's own name.  Each caveat is kept on the candidate, so a
low-confidence answer says why.  :data:`DEFAULT_MIN_CONFIDENCE` is the threshold
below which callers that must not mislead abstain.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from syriamap.gazetteer.candidates import AREA_KINDS, Hit, in_country
from syriamap.gazetteer.model import Candidate, Place
from syriamap.geo import haversine_km
from syriamap.normalize import normalize_name

_MATCH_BASE = {"exact": 1.0, "normalized": 0.98}
#: Kind priors where no descriptor says what is meant.  Countries and governorates
#: outrank same-named villages; a town outranks the district named after it
#: (reports mean the town); rivers and regions sit between.
KIND_PRIOR = {"country": 0.3, "admin1": 0.16, "region": 0.06, "river": 0.05, "site": 0.04,
              "populated_place": 0.02, "admin2": 0.0, "neighbourhood": 0.0, "admin3": -0.02}
#: Population prior of a settlement whose population is unknown: that of 1,000 people.
UNKNOWN_POPULATION_PRIOR = 0.25 * 3 / 7.0
#: Cities this large get a further prior.
MAJOR_CITY = 2_000_000
MAJOR_CITY_PRIOR = 0.1
#: Bonus for imported layers over the embedded default (an analyst's own table
#: knows their places best); scaled by the layer's priority.
LAYER_BONUS = 0.04
#: Given admin1: bonus inside it, penalty outside.  The penalty is as large as
#: the bonus so that a homonym in another governorate does not beat an
#: approximate spelling inside the right one.
ADMIN1_BONUS = 0.3
ADMIN1_PENALTY = -0.3
#: Document context: the largest bonus for closeness to the other places, and
#: the distance (km) over which it decays.
DOCUMENT_BONUS = 0.3
DOCUMENT_SCALE_KM = 60.0
MAJORITY_ADMIN1_BONUS = 0.1
WITHIN_BONUS = 0.35
WITHIN_PENALTY = -0.3
#: A place within this distance of a containing settlement is in it.
WITHIN_SETTLEMENT_KM = 25.0


@dataclass(frozen=True, slots=True)
class Request:
    """The checked hints of one lookup, as the priors read them.

    ``admin1_names`` holds the normalised names (and aliases) of the admin1
    area(s) asked for; ``within_names`` those of a containing admin1 place;
    ``places`` the document's other places with their weights.
    """

    country: str | None = None
    admin1: str | None = None
    admin1_names: frozenset[str] | None = None
    near: tuple[float, float] | None = None
    year: int | None = None
    focus: tuple[str, ...] = ()
    places: tuple[tuple[Place, float], ...] = ()
    within: Place | None = None
    within_names: frozenset[str] = frozenset()
    layer_priority: Mapping[str, int] = field(default_factory=dict)
    #: What the lookup could not use (parts of a typed query it did not understand).
    notes: tuple[str, ...] = ()


Prior = Callable[[Hit, Request], "tuple[float, str] | None"]
Doubt = Prior


# -- the name itself -----------------------------------------------------------

def match_prior(hit: Hit, req: Request) -> tuple[float, str]:
    """How the name matched: exact 1.0, normalised 0.98, phonetic 0.55-0.9, fuzzy up to 0.8."""
    if hit.match in _MATCH_BASE:
        return _MATCH_BASE[hit.match], f"{hit.match} match on {hit.alias.name!r}"
    if hit.match == "phonetic":
        return 0.55 + 0.35 * hit.similarity, f"phonetic match on {hit.alias.name!r} (similarity {hit.similarity:.2f})"
    return 0.8 * hit.similarity, f"fuzzy match on {hit.alias.name!r} (similarity {hit.similarity:.2f})"


def whole_name_prior(hit: Hit, req: Request) -> tuple[float, str] | None:
    """The whole name, descriptor words included, beats a match on its core alone."""
    if hit.whole_name:
        return 0.15, "the whole name matched, descriptor words included"
    if hit.part_only:
        # "South America" names a place of its own: "America" alone is another place.
        return -0.3, "only part of the name matched; another place has the whole name"
    return None


def descriptor_prior(hit: Hit, req: Request) -> tuple[float, str] | None:
    """Descriptor words ("town", "district", "airbase") say what kind of place is meant."""
    if not hit.hints:
        return None
    kind = hit.place.kind
    if kind == hit.hints[0]:
        return 0.35, f"descriptor says {hit.hints[0]}"
    if kind in hit.hints:
        return 0.25, f"descriptor allows {kind}"
    return -0.3, f"descriptor points to {'/'.join(hit.hints)}, not {kind}"


# -- the place -----------------------------------------------------------------

def kind_prior(hit: Hit, req: Request) -> tuple[float, str] | None:
    """Without a descriptor: countries and governorates over villages of their name."""
    prior = KIND_PRIOR.get(hit.place.kind, 0.0)
    if prior and not hit.hints:
        return prior, f"{hit.place.kind} prior {prior:+.2f}"
    return None


def population_prior(hit: Hit, req: Request) -> tuple[float, str] | None:
    """Bigger places are named more often; unknown is taken as a village, not as zero."""
    place = hit.place
    if place.population:
        prior = 0.25 * min(math.log10(place.population + 1) / 7.0, 1.0)
        return prior, f"population {place.population:,} +{prior:.2f}"
    if place.kind == "populated_place":
        # GeoNames leaves many Syrian towns without a figure.
        return UNKNOWN_POPULATION_PRIOR, f"population unknown, taken as a village +{UNKNOWN_POPULATION_PRIOR:.2f}"
    return None


def metropolis_prior(hit: Hit, req: Request) -> tuple[float, str] | None:
    """A capital or metropolis outranks a village of the region named like it (Kabul)."""
    place = hit.place
    if place.population and place.population >= MAJOR_CITY and place.kind == "populated_place":
        return MAJOR_CITY_PRIOR, f"a metropolis of two million or more +{MAJOR_CITY_PRIOR:.2f}"
    return None


def layer_prior(hit: Hit, req: Request) -> tuple[float, str] | None:
    """An analyst's imported layer knows their places best."""
    priority = req.layer_priority.get(hit.place.layer, 0)
    if priority > 0:
        return LAYER_BONUS * priority, f"from imported layer {hit.place.layer!r}"
    return None


#: Bonus of a place read from a name's format: "Homs countryside" (the city's
#: point, over the governorate), a quarter of "City-Quarter".
DERIVED_BONUS = {"countryside": 0.2, "quarter": 0.1}


def derived_prior(hit: Hit, req: Request) -> tuple[float, str] | None:
    """How the name's format was read ("X countryside", "City-Quarter", a qualifier dropped)."""
    if not hit.derived:
        return None
    return DERIVED_BONUS.get(hit.derived, 0.0), hit.note


# -- the caller's hints -------------------------------------------------------------

def country_prior(hit: Hit, req: Request) -> tuple[float, str] | None:
    """In the country asked for; else in the focus countries (Syria first)."""
    code = hit.place.country_code
    if req.country:
        if in_country(hit.place, req.country):
            return 0.3, f"in {req.country} as asked"
        return -0.4, f"not in {req.country}"
    if code in req.focus:
        bonus = 0.25 if code == req.focus[0] else 0.1
        return bonus, f"in focus country {code} {bonus:+.2f}"
    return None


def admin1_prior(hit: Hit, req: Request) -> tuple[float, str] | None:
    """In the first-level division asked for."""
    place = hit.place
    if req.admin1_names is None or place.kind == "country":
        return None
    if place.kind == "admin1":
        if normalize_name(place.name) in req.admin1_names:
            return ADMIN1_BONUS, f"is the admin1 {place.name} given"
        return None
    if not place.admin1:
        return None
    if normalize_name(place.admin1) in req.admin1_names:
        return ADMIN1_BONUS, f"in admin1 {place.admin1} as given"
    return ADMIN1_PENALTY, f"homonym in another governorate: admin1 {place.admin1}, not {req.admin1}"


def near_prior(hit: Hit, req: Request) -> tuple[float, str] | None:
    """Close to the point given."""
    if req.near is None:
        return None
    km = haversine_km(req.near, hit.place.point)
    bonus = 0.4 * math.exp(-km / 50.0)
    return bonus, f"{km:.0f} km from the given point +{bonus:.2f}"


def year_prior(hit: Hit, req: Request) -> tuple[float, str] | None:
    """A name in use in the year asked for (Nur-Sultan, 2019-2022)."""
    alias = hit.alias
    if req.year is None:
        return None
    if not alias.valid_in(req.year):
        return -0.4, f"name {alias.name!r} not in use in {req.year}"
    if alias.valid_from or alias.valid_to:
        return 0.1, f"name {alias.name!r} in use in {req.year}"
    return None


# -- the document --------------------------------------------------------------

def document_places_prior(hit: Hit, req: Request) -> tuple[float, str] | None:
    """Close to the document's other places: of two homonyms, the one near the others."""
    others = [(p, w) for p, w in req.places if p.id != hit.place.id and w > 0]
    total = sum(w for _p, w in others)
    if not total or hit.place.kind in AREA_KINDS:
        return None
    closeness = sum(w * math.exp(-haversine_km(p.point, hit.place.point) / DOCUMENT_SCALE_KM) for p, w in others)
    bonus = DOCUMENT_BONUS * closeness / total
    if bonus < 0.01:
        return None
    nearest = min(haversine_km(p.point, hit.place.point) for p, _w in others)
    return bonus, f"near the document's other places (nearest {nearest:.0f} km) +{bonus:.2f}"


def majority_admin1_prior(hit: Hit, req: Request) -> tuple[float, str] | None:
    """In the governorate most of the document's other places are in."""
    if hit.place.kind in AREA_KINDS or not hit.place.admin1 or not req.places:
        return None
    counts: Counter[str] = Counter()
    for place, weight in req.places:
        if place.admin1 and place.kind not in AREA_KINDS and place.id != hit.place.id:
            counts[normalize_name(place.admin1)] += weight
    if not counts:
        return None
    top, weight = counts.most_common(1)[0]
    if weight * 2 > sum(counts.values()) and normalize_name(hit.place.admin1) == top:
        return MAJORITY_ADMIN1_BONUS, f"in {hit.place.admin1}, like most of the document's places"
    return None


def within_prior(hit: Hit, req: Request) -> tuple[float, str] | None:
    """Inside the containing place the text names ("X in Y province")."""
    outer = req.within
    if outer is None or outer.id == hit.place.id:
        return None
    place = hit.place
    if outer.kind == "country":
        inside = place.country_code == outer.country_code
    elif outer.kind == "admin1":
        if place.kind in AREA_KINDS:
            return None
        inside = place.country_code == outer.country_code and bool(place.admin1) and (
            normalize_name(place.admin1) in req.within_names
        )
    elif outer.kind == "admin2":
        inside = bool(place.admin2) and normalize_name(place.admin2) == normalize_name(outer.name)
    else:
        inside = haversine_km(outer.point, place.point) <= WITHIN_SETTLEMENT_KM
    if inside:
        return WITHIN_BONUS, f"inside {outer.name}, as the text says"
    return WITHIN_PENALTY, f"not inside {outer.name}, which the text says contains it"


#: The priors a lookup sums, in the order their reasons are listed.
DEFAULT_PRIORS: tuple[Prior, ...] = (
    match_prior,
    whole_name_prior,
    descriptor_prior,
    kind_prior,
    population_prior,
    metropolis_prior,
    country_prior,
    admin1_prior,
    near_prior,
    year_prior,
    layer_prior,
    document_places_prior,
    majority_admin1_prior,
    within_prior,
    derived_prior,
)


# -- confidence ----------------------------------------------------------------------

#: Below this confidence an answer is more likely to mislead than to help: callers
#: that must not mislead (``resolve(min_confidence=...)``, evaluation) abstain.
DEFAULT_MIN_CONFIDENCE = 0.6
#: Kinds of place that are points; the others are areas or lines.  A homonym is a
#: rival only within its family.
_POINT_KINDS = frozenset({"populated_place", "neighbourhood", "site"})
#: Candidates closer than this are one place listed twice (GeoNames and a curated table).
SAME_PLACE_KM = 10.0


def base_confidence(hit: Hit) -> float:
    """How often a match of this sort is right before any doubt: exact and normalised 0.95,
    phonetic 0.55-0.9 by similarity, fuzzy at most 0.5."""
    if hit.match in _MATCH_BASE:
        return 0.95
    if hit.match == "phonetic":
        return 0.55 + 0.35 * max(0.0, (hit.similarity - 0.7) / 0.3)
    return 0.5 * hit.similarity


def approximate_doubt(hit: Hit, req: Request) -> tuple[float, str] | None:
    """An approximate spelling is named as such (its base confidence is already lower)."""
    if hit.match in ("phonetic", "fuzzy"):
        return 0.0, f"approximate spelling: matched {hit.alias.name!r} ({hit.match}, similarity {hit.similarity:.2f})"
    return None


def other_admin1_doubt(hit: Hit, req: Request) -> tuple[float, str] | None:
    """A place outside the governorate given is a homonym, not the place meant."""
    place = hit.place
    if req.admin1_names is None or place.kind in AREA_KINDS or not place.admin1:
        return None
    if normalize_name(place.admin1) in req.admin1_names:
        return None
    return -0.45, f"homonym in another governorate: {place.admin1}, not {req.admin1}"


def descriptor_doubt(hit: Hit, req: Request) -> tuple[float, str] | None:
    """The name's descriptor word names another kind of place."""
    if hit.hints and hit.place.kind not in hit.hints:
        return -0.25, f"the name says {'/'.join(hit.hints)}, this is a {hit.place.kind}"
    return None


def part_only_doubt(hit: Hit, req: Request) -> tuple[float, str] | None:
    """Only the core of the name matched, and another place has the whole name."""
    if hit.part_only:
        return -0.3, "only part of the name matched; another place has the whole name"
    return None


def year_doubt(hit: Hit, req: Request) -> tuple[float, str] | None:
    """The name was not in use in the year given."""
    if req.year is not None and not hit.alias.valid_in(req.year):
        return -0.2, f"the name {hit.alias.name!r} was not in use in {req.year}"
    return None


def within_doubt(hit: Hit, req: Request) -> tuple[float, str] | None:
    """Outside the containing place the text names."""
    found = within_prior(hit, req)
    if found is not None and found[0] < 0:
        return -0.3, found[1]
    return None


#: Confidence lost when a name was read loosely: a quarter the gazetteer lacks given
#: as its city, a pair qualifier ("al-Tahtani") or direction word dropped.
DERIVED_DOUBT = {"city-part": -0.2, "qualifier": -0.15}


def derived_doubt(hit: Hit, req: Request) -> tuple[float, str] | None:
    """A name answered by a place that is only near what it names."""
    penalty = DERIVED_DOUBT.get(hit.derived)
    return None if penalty is None else (penalty, hit.note)


def unknown_admin1_doubt(hit: Hit, req: Request) -> tuple[float, str] | None:
    """An admin1 hint that names no known division is reported, not silently used."""
    if req.admin1 and req.admin1_names is None:
        return 0.0, f"admin1 hint {req.admin1!r} is not a first-level division this gazetteer knows: not used"
    return None


def notes_doubt(hit: Hit, req: Request) -> tuple[float, str] | None:
    """Parts of the query that could not be used are reported with the answer."""
    return (-0.1, "; ".join(req.notes)) if req.notes else None


#: Without a country hint, a settlement smaller than this outside the focus
#: countries is more often a homonym of a local place the gazetteer lacks.
FAR_SMALL_PLACE_POPULATION = 100_000


def far_from_focus_doubt(hit: Hit, req: Request) -> tuple[float, str] | None:
    """A small place outside the focus countries, when no country was given."""
    place = hit.place
    if req.country or not req.focus or place.country_code in req.focus or place.kind in AREA_KINDS:
        return None
    if (place.population or 0) >= FAR_SMALL_PLACE_POPULATION:
        return None
    size = f"{place.population:,} people" if place.population else "population unknown"
    return -0.3, f"a small place ({size}) in {place.country_code}, outside the focus countries"


#: The doubts a candidate's confidence is lowered by, in the order their caveats are listed.
DEFAULT_DOUBTS: tuple[Doubt, ...] = (
    approximate_doubt,
    other_admin1_doubt,
    descriptor_doubt,
    part_only_doubt,
    year_doubt,
    within_doubt,
    far_from_focus_doubt,
    derived_doubt,
    unknown_admin1_doubt,
    notes_doubt,
)


def _rival_doubts(cand: Candidate, rivals: Sequence[Candidate]) -> list[tuple[float, str]]:
    """Doubts from the other candidates: a homonym elsewhere scoring nearly as well, an alias
    that is another place's own name."""
    out: list[tuple[float, str]] = []
    place = cand.place
    if place.precision is not None:
        return out  # read from the name's format ("Homs countryside"): its own doubt says how loosely
    family = place.kind in _POINT_KINDS
    alias_norm = normalize_name(cand.matched_alias)
    own_name = normalize_name(place.name) == alias_norm
    close_rival = alias_owner = None
    for other in rivals:
        if other.place.id == place.id or (other.place.kind in _POINT_KINDS) != family:
            continue  # a town and the district named after it are not homonyms
        if other.place.parent_id == place.id and other.place.precision is not None:
            continue  # "Homs countryside" read from this very place
        km = haversine_km(place.point, other.place.point)
        if km <= SAME_PLACE_KM:
            continue
        if close_rival is None and other.score >= cand.score - 0.1:
            close_rival = (other, km)
        if alias_owner is None and not own_name and other.match in _MATCH_BASE and (
            normalize_name(other.place.name) == alias_norm
        ):
            alias_owner = (other, km)
    if close_rival is not None:
        other, km = close_rival
        gap = cand.score - other.score
        where = f"{other.place.name}, {other.place.admin1 or other.place.country_code}"
        if gap < 0:
            out.append((-0.25, f"a homonym {km:.0f} km away ({where}) ranks higher"))
        else:
            out.append((-0.25 if gap <= 0.05 else -0.1,
                        f"a homonym {km:.0f} km away ({where}) scores nearly as well"))
    if alias_owner is not None:
        other, km = alias_owner
        out.append((-0.25, f"alias of another place: {cand.matched_alias!r} is the name of "
                           f"{other.place.name} ({other.place.admin1 or other.place.country_code}), {km:.0f} km away"))
    return out


def _apply(checks: Sequence[Prior] | Sequence[Doubt], hit: Hit, req: Request) -> tuple[float, list[str]]:
    """The summed contributions of the checks that apply to ``hit``, and their words."""
    total, words = 0.0, []
    for check in checks:
        found = check(hit, req)
        if found is not None:
            total += found[0]
            words.append(found[1])
    return total, words


def score(
    hit: Hit, req: Request, priors: Sequence[Prior] = DEFAULT_PRIORS, doubts: Sequence[Doubt] = DEFAULT_DOUBTS,
) -> Candidate:
    """The candidate of ``hit``: its priors summed, halved and clipped to [0, 1], with the
    reasons; its confidence before the rival candidates are seen, with the caveats."""
    raw, reasons = _apply(priors, hit, req)
    lowered, caveats = _apply(doubts, hit, req)
    confidence = base_confidence(hit) + lowered
    return Candidate(place=hit.place, score=round(max(0.0, min(1.0, raw / 2.0)), 4), match=hit.match,
                     matched_alias=hit.alias.name, reasons=tuple(reasons),
                     confidence=round(max(0.0, min(1.0, confidence)), 4), caveats=tuple(caveats))


#: Rival doubts are weighed for this many leading candidates.
_ASSESSED = 10

#: Priors and doubts that can only contribute when the request carries some hint
#: (an index into :func:`_hints_given`): a lookup skips them otherwise, since most
#: lookups carry few hints and this keeps them fast.
_NEEDS: dict[Callable[[Hit, Request], object], int] = {
    admin1_prior: 0, other_admin1_doubt: 0, unknown_admin1_doubt: 1, near_prior: 2, year_prior: 3, year_doubt: 3,
    layer_prior: 4, document_places_prior: 5, majority_admin1_prior: 5, within_prior: 6, within_doubt: 6,
    notes_doubt: 7, far_from_focus_doubt: 8,
}


def _hints_given(req: Request) -> tuple[bool, ...]:
    return (
        req.admin1_names is not None, bool(req.admin1), req.near is not None, req.year is not None,
        any(v > 0 for v in req.layer_priority.values()), bool(req.places), req.within is not None, bool(req.notes),
        not req.country,
    )


@lru_cache(maxsize=1024)
def _active(functions: tuple[Prior, ...], given: tuple[bool, ...]) -> tuple[Prior, ...]:
    return tuple(f for f in functions if (need := _NEEDS.get(f)) is None or given[need])


def rank(
    hits: Sequence[Hit], req: Request, priors: Sequence[Prior] = DEFAULT_PRIORS,
    doubts: Sequence[Doubt] = DEFAULT_DOUBTS,
) -> tuple[Candidate, ...]:
    """One candidate per place (its best-scoring hit), best first; ties go to the bigger place,
    then the id.  The leading candidates' confidence also weighs their rivals."""
    best: dict[str, Candidate] = {}
    given = _hints_given(req)
    priors, doubts = _active(tuple(priors), given), _active(tuple(doubts), given)
    for hit in hits:
        cand = score(hit, req, priors, doubts)
        old = best.get(hit.place.id)
        if old is None or cand.score > old.score:
            best[hit.place.id] = cand
    ranked = sorted(best.values(), key=lambda c: (-c.score, -(c.place.population or 0), c.place.id))
    for i, cand in enumerate(ranked[:_ASSESSED]):
        found = _rival_doubts(cand, ranked[:_ASSESSED])
        if found:
            confidence = max(0.0, min(1.0, cand.confidence + sum(d for d, _ in found)))
            ranked[i] = replace(cand, confidence=round(confidence, 4),
                                caveats=cand.caveats + tuple(c for _, c in found))
    return tuple(ranked)
