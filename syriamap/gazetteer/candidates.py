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
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from syriamap.gazetteer.model import Alias, Place
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

#: One alias row: (match, similarity 0-1, alias, row of ``aliases``+``places`` columns).
Row = tuple[str, float, Alias, tuple]


@dataclass(frozen=True, slots=True)
class Hit:
    """A place proposed for a name, before scoring.

    ``hints`` are the kinds the name's descriptor words point to ("town",
    "district"); ``whole_name`` says the name matched with its descriptor words
    ("Tishrin Dam"); ``part_only`` that another place has the whole name and
    this one only its core; ``constrained`` that the hit was found by the
    search inside the caller's country or division.
    """

    place: Place
    match: str
    similarity: float
    alias: Alias
    hints: tuple[str, ...] = ()
    whole_name: bool = False
    part_only: bool = False
    constrained: bool = False


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
            for r in self._conn.execute(sql, (phon, *extra)).fetchall():
                sim = fuzz.ratio(norm, r[3])
                if sim >= PHONETIC_MIN_SIMILARITY:
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
        """
        hits: list[Hit] = []
        for alt in alternatives(name):
            desc = parse_descriptor(alt.strip())
            core = desc.core or alt.strip()
            found = self.find(core)
            whole = normalize_name(alt) if desc.words else None
            whole_found = False
            if whole:
                # The descriptor may be part of the name: "Tishrin Dam", "Eastern Ghouta".
                whole_hits = [row for row in self.find(alt.strip()) if row[0] in ("exact", "normalized")]
                whole_found = bool(whole_hits)
                found += whole_hits
            alt_hits = self._keep(found, desc.kinds, kinds, country, admin1_names, whole, whole_found)
            if (country or admin1_names) and not any(
                h.match in ("exact", "normalized") and _inside(h.place, country, admin1_names) for h in alt_hits
            ):
                inside = [row for code in scope for row in self.find_in_country(core, code)]
                if inside:
                    seen = {(h.place.id, h.alias.name) for h in alt_hits}
                    extra = [
                        h for h in self._keep(inside, desc.kinds, kinds, country, admin1_names, whole, whole_found,
                                              constrained=True)
                        if (h.place.id, h.alias.name) not in seen
                    ]
                    alt_hits += extra
            hits += alt_hits
        return hits

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
            if country and place.country_code != country:
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


def _alias(r: Sequence) -> Alias:
    return Alias(r[0], valid_from=r[1], valid_to=r[2])


def _inside(place: Place, country: str | None, admin1_names: frozenset[str] | None) -> bool:
    if country and place.country_code != country:
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
