"""Candidate places for a name: exact, normalised, phonetic and fuzzy matches.

A search runs in widening steps, stopping at the first that finds places:

1. **exact / normalised**: the name's normalised form (see
   :mod:`syriamap.normalize`) against the indexed aliases;
2. **phonetic**: the transliteration skeleton, confirmed by a rapidfuzz
   similarity of at least :data:`PHONETIC_MIN_SIMILARITY`;
3. **fuzzy**: rapidfuzz over the names that share the query's first two letters,
   among the places of the focus region and every non-settlement feature.

When the caller constrains the answer (a country, a first-level division), the
same steps are also run *inside* the constraint whenever the worldwide search
found nothing there: an exact homonym elsewhere must not hide a near-identical
spelling of the right place.  Inside a constraint the fuzzy step compares the
query with every name of that country or division (no first-letter blocking).

This module only proposes places; :mod:`syriamap.gazetteer.ranking` scores them.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz, process

from syriamap.gazetteer.model import Alias, Place
from syriamap.geo import haversine_km
from syriamap.normalize import normalize_name, parse_descriptor, phonetic_key

#: Shorter names (UK, DRC, T4) are matched exactly or not at all: their
#: skeletons and near-spellings collide with too many unrelated places.
MIN_APPROXIMATE_LENGTH = 4
PHONETIC_MIN_SIMILARITY = 70.0
FUZZY_MIN_SIMILARITY = 84.0
#: Inside a constraint the pool is small, so a looser fuzzy cutoff is safe.
CONSTRAINED_FUZZY_MIN_SIMILARITY = 80.0
#: The kinds whose own admin1 is never compared with an admin1 hint.
AREA_KINDS = ("country", "admin1")

#: A quarter of a "City-Quarter" name lies this close to the city's point.
QUARTER_MAX_KM = 25.0
_EXACT = ("exact", "normalized")
#: Places of another country that a country constraint includes: (country, admin1).
#: GeoNames files Jerusalem under Israel; reports on Palestine name it.
COUNTRY_ALSO: dict[str, tuple[tuple[str, str], ...]] = {"PS": (("IL", "Jerusalem"),)}
#: Arabic qualifiers that mark one of a pair or group of places (normalised, article dropped).
_QUALIFIERS = frozenset({
    "tahtani", "tahtaniyah", "tahtaniya", "tahtan", "fawqani", "fawqaniyah", "fawqaniya", "foqani", "fouqani",
    "sharqi", "sharqiyah", "sharqiya", "gharbi", "gharbiyah", "gharbiya", "shamali", "shamaliyah", "janubi",
    "janubiyah", "qibli", "kabir", "kabirah", "kabira", "kebir", "saghir", "saghirah", "saghira", "sghir",
    "wusta", "awsat", "jadid", "jadidah", "jadida", "qadim", "qadimah",
})
_DIRECTION_WORDS = frozenset({
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "upper", "lower",
})
#: The Arabic article as Latin transliterations write it.
_ARTICLES = frozenset({
    "al", "el", "il", "ul", "ar", "er", "ad", "ed", "as", "es", "ash", "esh", "at", "et", "az", "ez", "an", "en",
    "ath", "adh",
})
#: Words that never end a city's name: a hyphen after them joins the next word.
_ARTICLE_WORDS = _ARTICLES | frozenset({
    "ibn", "bin", "bani", "beni", "abu", "umm", "bir", "tal", "tell", "kafr", "deir", "dayr", "ain",
    "ayn", "ras", "jisr", "bab", "khan", "beit", "bayt", "mazraat", "qasr", "sheikh", "shaykh", "wadi", "jabal",
})
_COUNTRYSIDE_WORDS = frozenset({"countryside", "countryside of", "rural", "ريف"})
_HYPHEN_RE = re.compile(r"(?<=\w)-(?=[A-Z\u0600-\u06ff])")
#: Event-dataset formats rewritten to the descriptor words the gazetteer knows.
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), repl)
    for pattern, repl in (
        (r"\s+military\s+(air\s*base|airbase|airport|heliport|base)\s*$", " airbase"),
        (r"\s+heliport\s*$", " airbase"),
        (r"\s+(idp|displacement|displaced people'?s?|refugees?'?)\s+camps?\s*$", " camp"),
        (r"\s+(central|military|civil)\s+prison\s*$", " prison"),
    )
)

_REWRITE_WORDS = ("military", "heliport", "camp", "prison")

#: One alias row: (match, similarity 0-1, alias, row of ``aliases``+``places`` columns).
Row = tuple[str, float, Alias, tuple]


@dataclass(frozen=True, slots=True)
class Hit:
    """A place proposed for a name, before scoring.

    ``hints`` are the kinds the name's descriptor words point to ("town",
    "district"); ``whole_name`` says the name matched with its descriptor words
    ("Tishrin Dam"); ``part_only`` that another place has the whole name and
    this one only its core; ``constrained`` that the hit was found by the
    search inside the caller's country or division.  ``derived`` names how a
    format of the name was read ("quarter", "city-part", "qualifier",
    "countryside") and ``note`` says it in words.
    """

    place: Place
    match: str
    similarity: float
    alias: Alias
    hints: tuple[str, ...] = ()
    whole_name: bool = False
    part_only: bool = False
    constrained: bool = False
    derived: str = ""
    note: str = ""


class CandidateFinder:
    """Finds alias rows in a gazetteer connection (see :func:`syriamap.gazetteer.store.connect`)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        place_columns: str,
        layer_filter: str,
        focus: Sequence[str],
        make_place: Callable[[Sequence[object]], Place],
    ) -> None:
        self._conn = conn
        self._layer_filter = layer_filter
        self._focus = tuple(focus)
        self._make_place = make_place
        select = (
            "SELECT a.name, a.valid_from, a.valid_to, a.norm, "
            + ", ".join(f"p.{c.strip()}" for c in place_columns.split(","))
            + " FROM aliases a JOIN places p ON p.rowid = a.place WHERE a.{col} = ?"
            + layer_filter
        )
        self._by_norm = select.format(col="norm") + " LIMIT 2000"
        self._by_phon = select.format(col="phon") + " LIMIT 2000"
        self._by_norm_in_country = select.format(col="norm") + " AND p.country_code = ? LIMIT 2000"
        self._by_phon_in_country = select.format(col="phon") + " AND p.country_code = ? LIMIT 2000"
        self._fuzzy_blocks: dict[str, list[str]] | None = None
        self._country_names: dict[str, list[str]] = {}

    # -- the widening search ------------------------------------------------

    def find(self, core: str) -> list[Row]:
        """Alias rows matching ``core`` anywhere: exact/normalised, else phonetic, else fuzzy."""
        norm = normalize_name(core)
        if not norm:
            return []
        rows = self._conn.execute(self._by_norm, (norm,)).fetchall()
        if rows:
            folded = core.casefold()
            return [("exact" if r[0].casefold() == folded else "normalized", 1.0, _alias(r), r) for r in rows]
        found = self._phonetic(core, norm, self._by_phon, ())
        if found:
            return found
        for other, sim in self._fuzzy(norm):
            found.extend(("fuzzy", sim / 100, _alias(r), r) for r in self._conn.execute(self._by_norm, (other,)))
        return found

    def find_in_country(self, core: str, country: str) -> list[Row]:
        """Phonetic, else fuzzy, alias rows for ``core`` among the places of ``country``.

        Run when the worldwide search found nothing usable inside the country;
        the fuzzy step compares ``core`` with every name of the country.
        """
        norm = normalize_name(core)
        if len(norm) < MIN_APPROXIMATE_LENGTH:
            return []
        found = self._phonetic(core, norm, self._by_phon_in_country, (country,))
        if found:
            return found
        names = self._names_in_country(country)
        hits = process.extract(norm, names, scorer=fuzz.ratio, score_cutoff=CONSTRAINED_FUZZY_MIN_SIMILARITY, limit=8)
        for other, sim, _ in hits:
            found.extend(
                ("fuzzy", sim / 100, _alias(r), r)
                for r in self._conn.execute(self._by_norm_in_country, (other, country))
            )
        return found

    def _phonetic(self, core: str, norm: str, sql: str, extra: tuple) -> list[Row]:
        phon = phonetic_key(core)
        found: list[Row] = []
        if len(norm) >= MIN_APPROXIMATE_LENGTH and len(phon) >= 2:
            folded = vowel_fold(norm)
            for r in self._conn.execute(sql, (phon, *extra)).fetchall():
                plain = fuzz.ratio(norm, r[3])
                best = max(plain, fuzz.ratio(folded, vowel_fold(r[3])))
                # Accepted on the folded spelling, scored halfway: letters that differ still count.
                sim = (plain + best) / 2
                if best >= PHONETIC_MIN_SIMILARITY:
                    found.append(("phonetic", sim / 100, _alias(r), r))
        return found

    def _fuzzy(self, norm: str) -> list[tuple[str, float]]:
        if len(norm) < MIN_APPROXIMATE_LENGTH:
            return []
        if self._fuzzy_blocks is None:
            self._fuzzy_blocks = self._build_fuzzy_blocks()
        block = self._fuzzy_blocks.get(norm[:2], [])
        hits = process.extract(norm, block, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_SIMILARITY, limit=5)
        return [(choice, score) for choice, score, _ in hits]

    def _build_fuzzy_blocks(self) -> dict[str, list[str]]:
        """Distinct normalised names of focus-region places and all non-settlements, by first two letters."""
        marks = ",".join("?" * len(self._focus)) or "''"
        rows = self._conn.execute(
            "SELECT DISTINCT a.norm FROM aliases a JOIN places p ON p.rowid = a.place"
            f" WHERE (p.country_code IN ({marks}) OR p.kind != 'populated_place' OR p.population >= 500000)"
            + self._layer_filter,
            self._focus,
        )
        blocks: dict[str, list[str]] = {}
        for (norm,) in rows:
            if len(norm) >= 3:
                blocks.setdefault(norm[:2], []).append(norm)
        for block in blocks.values():
            block.sort()
        return blocks

    def _names_in_country(self, country: str) -> list[str]:
        names = self._country_names.get(country)
        if names is None:
            rows = self._conn.execute(
                "SELECT DISTINCT a.norm FROM aliases a JOIN places p ON p.rowid = a.place WHERE p.country_code = ?"
                + self._layer_filter + " ORDER BY a.norm",
                (country,),
            )
            names = self._country_names[country] = [n for (n,) in rows if len(n) >= 3]
        return names

    # -- from a query string to hits ---------------------------------------

    def hits(
        self,
        name: str,
        *,
        kinds: tuple[str, ...] = (),
        country: str | None = None,
        admin1_names: frozenset[str] | None = None,
        scope: tuple[str, ...] = (),
    ) -> list[Hit]:
        """Every place proposed for ``name`` that the hard constraints allow.

        ``kinds`` and ``country`` are constraints.  With ``country`` or
        ``admin1_names`` given and no exact or normalised match inside them, the
        phonetic and fuzzy steps are run again inside each country of ``scope``
        (the country, or the countries of the named division; see the module
        docstring).  An approximate match in another division than
        ``admin1_names`` is dropped: it is a different place.

        Formats of event datasets are read too: "X Military Airbase", "X IDP
        camp", "X Central Prison"; ACLED's "City-Quarter"; a pair qualifier
        ("al-Tahtani") the gazetteer lacks; "X countryside" for a city.
        """
        args = (kinds, country, admin1_names, scope)
        hits: list[Hit] = []
        for alt in alternatives(name):
            alt_hits = self._alt_hits(alt, *args)
            for form in _rewrites(alt):
                alt_hits += self._alt_hits(form, *args)
            if not any(h.match in _EXACT for h in alt_hits):
                alt_hits += self._city_quarter(alt, *args) or self._qualified(alt, *args)
            hits += alt_hits
        return hits + self._countryside(name, hits)

    def _alt_hits(
        self, alt: str, kinds: tuple[str, ...], country: str | None, admin1_names: frozenset[str] | None,
        scope: tuple[str, ...],
    ) -> list[Hit]:
        desc = parse_descriptor(alt.strip())
        core = desc.core or alt.strip()
        found = self.find(core)
        whole = normalize_name(alt) if desc.words else None
        whole_found = False
        if whole:
            # The descriptor may be part of the name: "Tishrin Dam", "Eastern Ghouta".
            whole_hits = [row for row in self.find(alt.strip()) if row[0] in _EXACT]
            whole_found = bool(whole_hits)
            found += whole_hits
        hits = self._keep(found, desc.kinds, kinds, country, admin1_names, whole, whole_found)
        if (country or admin1_names) and not any(
            h.match in _EXACT and _inside(h.place, country, admin1_names) for h in hits
        ):
            inside = [row for code in scope for row in self.find_in_country(core, code)]
            if inside:
                seen = {(h.place.id, h.alias.name) for h in hits}
                hits += [
                    h for h in self._keep(inside, desc.kinds, kinds, country, admin1_names, whole, whole_found,
                                          constrained=True)
                    if (h.place.id, h.alias.name) not in seen
                ]
        dropped = [w for w in desc.words if w in _DIRECTION_WORDS]
        if dropped and not whole_found:
            # "Western Ghariyah" without a place of that name: the place called "Ghariyah".
            note = f"no place called {alt.strip()!r}: answered with {core!r} ({' '.join(dropped)} dropped)"
            hits = [replace(h, derived="qualifier", note=note) if h.match in _EXACT else h for h in hits]
        return hits

    def _city_quarter(
        self, alt: str, kinds: tuple[str, ...], country: str | None, admin1_names: frozenset[str] | None,
        scope: tuple[str, ...],
    ) -> list[Hit]:
        """ACLED's "City-Quarter" ("Beirut-Hamra"): the quarter when known, else the city at geo_precision 2."""
        for m in _HYPHEN_RE.finditer(alt):
            left, right = alt[: m.start()].strip(), alt[m.end():].strip()
            if len(normalize_name(left)) < 3 or len(normalize_name(right)) < 3:
                continue
            if left.split()[-1].casefold() in _ARTICLE_WORDS:
                continue  # "Tell al-Tahtani": the article of the next word, not a city's end
            cities = [
                self._make_place(row[4:]) for match, _s, _a, row in self.find(left) if match in _EXACT
            ]
            cities = [c for c in cities if c.kind == "populated_place" and (not country or in_country(c, country))]
            if not cities:
                continue
            city = max(cities, key=lambda c: (c.population or 0, c.id))
            quarters = []
            for hit in self._alt_hits(right, (), None, None, ()):
                if hit.place.kind in ("neighbourhood", "populated_place", "site") and hit.place.id != city.id and (
                    haversine_km(hit.place.point, city.point) <= QUARTER_MAX_KM
                ) and (not kinds or hit.place.kind in kinds):
                    quarters.append(replace(hit, derived="quarter", note=f"a quarter of {city.name}"))
            if quarters:
                return quarters
            if kinds and "populated_place" not in kinds:
                return []
            part = replace(city, id=f"{city.id}~{normalize_name(right).replace(' ', '-')}",
                           name=f"{city.name} ({right})", parent_id=city.id, population=None, aliases=(),
                           precision=2)
            note = f"quarter {right!r} of {city.name} not in the gazetteer: the city's point, approximately"
            return [Hit(place=part, match="exact", similarity=1.0, alias=Alias(left), derived="city-part", note=note)]
        return []

    def _qualified(
        self, alt: str, kinds: tuple[str, ...], country: str | None, admin1_names: frozenset[str] | None,
        scope: tuple[str, ...],
    ) -> list[Hit]:
        """"X al-Tahtani" the gazetteer lacks: the place called X, with a caveat."""
        desc = parse_descriptor(alt.strip())
        words = (desc.core or alt).strip().replace("-", " ").split()
        suffix = [w for w in desc.words if w not in _DIRECTION_WORDS][:1]  # "village" goes back after the base
        for base, qualifier in ((words[:-1], words[-1:]), (words[1:], words[:1])):
            if not base or not qualifier or normalize_name(qualifier[0]) not in _QUALIFIERS:
                continue
            while base and base[-1].casefold() in _ARTICLES:
                base = base[:-1]  # "X al-Tahtani": the article went with the qualifier
            base_name = " ".join(base + suffix)
            note = f"no place called {alt.strip()!r}: answered with {base_name!r}, one of a pair or group"
            return [
                replace(h, derived="qualifier", note=note)
                for h in self._alt_hits(base_name, kinds, country, admin1_names, scope) if h.match in _EXACT
            ]
        return []

    def _countryside(self, name: str, hits: list[Hit]) -> list[Hit]:
        """"X countryside", "rural X": a point at the city X, at geo_precision 2."""
        if not any(w in _COUNTRYSIDE_WORDS for alt in alternatives(name) for w in parse_descriptor(alt.strip()).words):
            return []
        out = []
        for hit in hits:
            city = hit.place
            if hit.match in _EXACT and city.kind == "populated_place" and not hit.derived:
                region = replace(city, id=f"{city.id}~countryside", name=f"{city.name} countryside", kind="region",
                                 feature="countryside", parent_id=city.id, population=None, aliases=(), precision=2)
                out.append(replace(hit, place=region, derived="countryside",
                                   note=f"the countryside of {city.name}: the city's point"))
        return out

    def _keep(
        self,
        found: list[Row],
        hints: tuple[str, ...],
        kinds: tuple[str, ...],
        country: str | None,
        admin1_names: frozenset[str] | None,
        whole: str | None,
        whole_found: bool,
        *,
        constrained: bool = False,
    ) -> list[Hit]:
        # A name some source dates (Nur-Sultan, 2019-2022) is judged by its dates,
        # even where another source lists the same spelling undated.
        dated = {(row[5], row[3]) for _m, _s, alias, row in found if alias.valid_from or alias.valid_to}
        out = []
        for match, sim, alias, row in found:
            if not (alias.valid_from or alias.valid_to) and (row[5], row[3]) in dated:
                continue
            place = self._make_place(row[4:])
            if kinds and place.kind not in kinds:
                continue
            if country and not in_country(place, country):
                continue  # an explicit country is a constraint, not a preference
            if match in ("phonetic", "fuzzy") and hints and place.kind not in hints:
                continue  # an approximate name of another kind of place ("Taksim Square" is no town)
            if (
                admin1_names is not None
                and match in ("phonetic", "fuzzy")
                and place.admin1
                and place.kind not in AREA_KINDS
                and normalize_name(place.admin1) not in admin1_names
            ):
                continue  # an approximate name in another governorate is a different place
            out.append(Hit(
                place=place, match=match, similarity=sim, alias=alias, hints=hints,
                whole_name=whole is not None and row[3] == whole,
                part_only=whole_found and row[3] != whole,
                constrained=constrained,
            ))
        return out


_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"([a-z])\1+", r"\1"),            # doubled consonants: Saydnaya/Sednaya, Maarrat/Maarat
        (r"(?<=[a-z])(ah|eh|a|e|h)\b", "a"),  # final -eh/-a/-ah: Mhardeh/Muhradah
        (r"q", "k"),                         # Qwaris/Kuweires
        (r"\bkw", "ku"),
        (r"ou|oo|o", "u"),
        (r"ey|ei|ay|ai|ee|e|y", "i"),        # ay/i, e/i: Sheikh/Shaykh, Hreitan/Haritan
        (r"([a-z])\1+", r"\1"),
    )
)


@lru_cache(maxsize=100_000)
def vowel_fold(norm: str) -> str:
    """A normalised Latin name with its vowels and the usual transliteration swaps folded,
    to confirm phonetic matches whose letters differ more than their sound."""
    for pattern, repl in _FOLDS:
        norm = pattern.sub(repl, norm)
    return norm


def _rewrites(alt: str) -> list[str]:
    """Other forms of ``alt`` in the gazetteer's descriptor words ("X Military Airbase" -> "X airbase")."""
    folded = alt.casefold()
    if not any(word in folded for word in _REWRITE_WORDS):
        return []
    out = []
    for pattern, repl in _REWRITES:
        form = pattern.sub(repl, alt)
        if form != alt and form.strip():
            out.append(form)
    return out


def in_country(place: Place, country: str) -> bool:
    """Whether ``place`` counts as inside ``country`` (see :data:`COUNTRY_ALSO`)."""
    if place.country_code == country:
        return True
    return any(place.country_code == cc and place.admin1 == a1 for cc, a1 in COUNTRY_ALSO.get(country, ()))


def _alias(r: Sequence) -> Alias:
    return Alias(r[0], valid_from=r[1], valid_to=r[2])


def _inside(place: Place, country: str | None, admin1_names: frozenset[str] | None) -> bool:
    if country and not in_country(place, country):
        return False
    if admin1_names is not None and place.kind not in AREA_KINDS:
        return bool(place.admin1) and normalize_name(place.admin1) in admin1_names
    return True


def alternatives(name: str) -> list[str]:
    """The names a location string offers: "Tadmur/Palmyra", "Al-Rai town (Choban Bey)"."""
    alts = [m.strip() for m in _PAREN_RE.findall(name) if m.strip()]
    outer = _PAREN_RE.sub(" ", name)
    alts[:0] = [part for part in outer.split("/") if part.strip()]
    return alts or [name]


_PAREN_RE = re.compile(r"\(([^)]*)\)")
