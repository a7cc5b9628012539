"""Where an event happened: one place among those a clause names, and how precisely.

A clause names places for many reasons: where something happened ("a bomb went
off in Homs"), where someone came from ("a delegation from Damascus"), whose
government acted ("the Syrian army"), what an event is called ("Saturday's
Damascus bombings").  :func:`locate` picks the place of the happening from the
words around each mention, and keeps the reasons:

* prepositions of place before a mention (in, at, near, outside, on, across,
  "the city of") make it the likely location; "from", "to" and a following
  "delegation"/"government" make it unlikely;
* a place name written as a modifier of the event word ("Damascus bombings")
  is the location;
* "..., where battles intensified" takes the place the relative clause refers to;
* spatial phrases ("20 km east of Raqqa", "near Homs", "the outskirts of",
  "the countryside of") give ACLED geo_precision 2 with the anchor place, and
  the point is moved in the stated direction (by the stated distance, else
  :data:`DEFAULT_OFFSET_KM`) so it is not drawn on the anchor town itself;
* a country, governorate, region or river is a coarser answer (geo_precision
  3), taken only when no finer place is named.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from syriamap.gazetteer import Place
from syriamap.text.resolve import Resolved

__all__ = ["EventLocation", "locate", "DEFAULT_OFFSET_KM"]

#: How far a point is moved for "east of X" when no distance is stated.
DEFAULT_OFFSET_KM = 10.0
#: Farthest a stated distance may move a point ("300 km east of" is not a location).
MAX_OFFSET_KM = 100.0
_KM_PER_MILE = 1.609344

_BEARINGS = {
    "north": 0.0, "northeast": 45.0, "north-east": 45.0, "east": 90.0, "southeast": 135.0,
    "south-east": 135.0, "south": 180.0, "southwest": 225.0, "south-west": 225.0, "west": 270.0,
    "northwest": 315.0, "north-west": 315.0,
}
_DIRECTION = r"(north-?east|north-?west|south-?east|south-?west|north|south|east|west)"
#: "20 km east of the Isis stronghold of Raqqa": direction, optional distance, words up to the name.
_DIRECTION_RE = re.compile(
    r"(?:(\d+(?:\.\d+)?)\s*(km|kilometres|kilometers|miles|mi)\s+)?" + _DIRECTION
    + r"\s+of\s+(?:the\s+)?(?:[\w'’-]+\s+){0,4}?(?:of\s+)?(?:the\s+)?$",
    re.IGNORECASE,
)
_NEAR_RE = re.compile(
    r"\b(near|nearby|close to|outside|on the outskirts of|the outskirts of|outskirts of|around|"
    r"the countryside of|countryside of|the suburbs of|suburbs of|the vicinity of|vicinity of|"
    r"(?:the )?(?:northern|southern|eastern|western) (?:outskirts|countryside|suburbs) of)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_AFTER_AREA_RE = re.compile(r"^\s*(countryside|outskirts|suburbs|area|surroundings|environs)\b", re.IGNORECASE)
_IN_RE = re.compile(
    r"\b(in|at|on|inside|into|across|over|within|throughout|near|in and around|hit|struck|targeted|"
    r"targeting|shelled|bombed|stormed|captured|seized|besieged|"
    r"(?:city|town|village|district|neighbourhood|neighborhood|suburb|area|province|governorate|region|"
    r"camp|base|airport|port|quarter) of)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}?$",
    re.IGNORECASE,
)
_FROM_RE = re.compile(r"\b(from|to|towards|toward|for)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,2}?$", re.IGNORECASE)
_NOT_HERE_AFTER_RE = re.compile(
    r"^\s*(?:'s\s+|’s\s+)?(?:delegation|government|regime|authorities|officials?|ambassador|envoy|"
    r"negotiators?|representatives?|spokesm[ae]n|ministry|minister|president|embassy|talks)\b",
    re.IGNORECASE,
)
#: A country is where an event happened only when introduced so: "in Syria", "across northern
#: Iraq", "in war-torn Yemen"; not "in heavy U.S. raids", "an attack on Syria's wedding", "Syria said".
_COUNTRY_IN_RE = re.compile(
    r"\b(?:in|inside|across|throughout|into|within)\s+(?:the\s+)?"
    r"(?:(?:north|south|east|west|central|north-?east|north-?west|south-?east|south-?west)(?:ern)?\s+|"
    r"war-torn\s+|neighbou?ring\s+|rural\s+)?$",
    re.IGNORECASE,
)
_WHERE_RE = re.compile(r"^\W*(?:where|in which|there)\b", re.IGNORECASE)

_COARSE_KINDS = ("country", "admin1", "region", "river")
#: Most mentions weighed for one event.
_MAX_POOL = 40


@dataclass(frozen=True)
class EventLocation:
    """The place of an event: a point, its ACLED geo_precision and why it was chosen."""

    name: str
    place: Place
    latitude: float
    longitude: float
    geo_precision: int
    start: int
    end: int
    confidence: float
    reasons: tuple[str, ...]


def _offset(lat: float, lon: float, bearing_deg: float, km: float) -> tuple[float, float]:
    """The point ``km`` from (lat, lon) along ``bearing_deg`` (a flat-Earth step, fine for < 100 km)."""
    b = math.radians(bearing_deg)
    dlat = km * math.cos(b) / 111.32
    dlon = km * math.sin(b) / (111.32 * max(math.cos(math.radians(lat)), 0.01))
    return round(lat + dlat, 5), round(lon + dlon, 5)


def _score(text: str, res: Resolved, trigger: tuple[int, int], clause_start: int) -> tuple[float | None, list[str]]:
    """How likely ``res`` is the place where the clause's event happened, with reasons.

    None when the words around it rule it out ("the Damascus delegation", a
    country not introduced as a place).
    """
    m, place = res.mention, res.place
    assert place is not None
    before = text[max(clause_start, m.start - 60):m.start]
    after = text[m.end:m.end + 30]
    score, why = res.confidence, []
    if _NOT_HERE_AFTER_RE.match(after):
        return None, [f"names who acted, not where: {text[m.start:m.end + 12].strip()!r}"]
    if place.kind == "country" and (m.role == "modifier" or not _COUNTRY_IN_RE.search(before)):
        return None, [f"'{m.surface}' is named ('U.S. raids', 'Syria said'), not introduced as where it happened"]
    if m.role == "modifier":
        if 0 <= trigger[0] - m.end <= 3 or (trigger[0] <= m.start and m.end <= trigger[1]):
            score += 0.6
            why.append("names the event itself ('X bombings')")
        else:
            score -= 0.4
            why.append("used as a modifier")
    if _IN_RE.search(before) or _NEAR_RE.search(before) or _DIRECTION_RE.search(before):
        score += 0.5
        why.append("introduced as a place ('in', 'at', 'near', 'city of'...)")
    elif _FROM_RE.search(before):
        score -= 0.5
        why.append("introduced by 'from'/'to': an origin or destination")
    distance = abs(((m.start + m.end) - (trigger[0] + trigger[1])) / 2)
    score -= min(distance, 200) / 400
    if place.kind in _COARSE_KINDS:
        score -= 0.35
        why.append(f"a {place.kind}: coarse")
    return score, why


def _spatial(text: str, res: Resolved, clause_start: int) -> tuple[float | None, float, str] | None:
    """(bearing, km, phrase) of a spatial phrase anchored on ``res``, or None."""
    m = res.mention
    before = text[max(clause_start, m.start - 60):m.start]
    found = _DIRECTION_RE.search(before)
    if found:
        km = DEFAULT_OFFSET_KM
        if found.group(1):
            km = float(found.group(1)) * (_KM_PER_MILE if found.group(2).lower().startswith("mi") else 1.0)
        direction = found.group(3).lower().replace("-", "")
        return _BEARINGS[direction], min(km, MAX_OFFSET_KM), found.group(0).strip()
    near = _NEAR_RE.search(before)
    if near:
        return None, 0.0, near.group(1).strip()
    area = _AFTER_AREA_RE.match(text[m.end:m.end + 20])
    if area:
        return None, 0.0, area.group(1)
    return None


def locate(
    text: str,
    clause: tuple[int, int],
    sentence: tuple[int, int],
    resolved: Sequence[Resolved],
    trigger: tuple[int, int],
) -> EventLocation | None:
    """The location of the event whose trigger is at ``trigger`` in ``clause``, or None.

    ``resolved`` is every resolved mention of the document; only those with a
    place are considered.  Mentions inside the clause come first; a relative
    clause ("..., where battles raged") takes the last place before it in the
    sentence; otherwise the other places of the sentence are considered, with
    lower confidence.
    """
    # A demonym says whose forces or government acted ("Pakistani authorities"), not where.
    placed = [r for r in resolved if r.place is not None and r.mention.role != "demonym"]
    in_clause = [r for r in placed if clause[0] <= r.mention.start < clause[1]]
    reasons: list[str] = []
    pool = in_clause
    penalty = 0.0
    if not pool and _WHERE_RE.match(text[clause[0]:clause[1]]):
        before = [r for r in placed if sentence[0] <= r.mention.start < clause[0] and r.mention.role != "demonym"]
        if before:
            pool = [before[-1]]
            reasons.append("the relative clause ('where ...') refers to the place before it")
    if not pool:
        pool = [r for r in placed if sentence[0] <= r.mention.start < sentence[1]]
        penalty = 0.2
        if pool:
            reasons.append("no place in the clause itself; taken from its sentence")
    if not pool:
        return None
    if len(pool) > _MAX_POOL:  # a list of hundreds of names: the nearest to the event word will do
        middle = (trigger[0] + trigger[1]) / 2
        pool = sorted(pool, key=lambda r: abs(r.mention.start - middle))[:_MAX_POOL]
    clause_ids = {id(r) for r in in_clause}
    window = {id(r): clause[0] if id(r) in clause_ids else sentence[0] for r in pool}
    scored = []
    for r in pool:
        s, why = _score(text, r, trigger, window[id(r)])
        if s is not None:
            scored.append((s - penalty, r.mention.start, r, why))
    if not scored:
        return None  # every place named is ruled out
    scored.sort(key=lambda t: (-t[0], t[1]))
    score, _, best, why = scored[0]
    place = best.place
    assert place is not None
    # A coarse area with a finer place anchored to it by a spatial phrase ("on the
    # Euphrates east of Raqqa") is located by the anchor.
    spatial = _spatial(text, best, window[id(best)])
    if place.kind in ("river", "region"):
        for _other_score, _, other, _w in scored[1:]:
            if other.place is not None and other.place.kind not in _COARSE_KINDS:
                sp = _spatial(text, other, window[id(other)])
                if sp is not None:
                    reasons.append(f"{place.name} placed by its anchor {other.place.name}")
                    best, spatial = other, sp
                    break
    place = best.place
    assert place is not None
    lat, lon = place.latitude, place.longitude
    precision = place.geo_precision
    name = place.name
    if spatial is not None:
        bearing, km, phrase = spatial
        precision = max(precision, 2)
        if bearing is not None:
            lat, lon = _offset(lat, lon, bearing, km)
            reasons.append(f"'{phrase}': moved {km:.0f} km from {place.name}")
        else:
            reasons.append(f"'{phrase}' {place.name}: near the place, not at it")
        name = f"{phrase} {place.name}" if bearing is not None else f"near {place.name}"
        if best is not scored[0][2]:
            name = f"{scored[0][2].place.name} {phrase} {place.name}"  # type: ignore[union-attr]
    confidence = max(0.05, min(1.0, best.confidence * (1.0 if score >= best.confidence else 0.85)))
    if penalty:
        confidence *= 0.8
    return EventLocation(
        name=name, place=place, latitude=lat, longitude=lon, geo_precision=precision,
        start=best.mention.start, end=best.mention.end, confidence=round(confidence, 4),
        reasons=(*reasons, *why, f"place: {place.name} ({place.kind}, {place.country_code})"),
    )
