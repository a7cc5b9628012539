"""Looking names up in a gazetteer file: candidates, priors and ranking.

A lookup runs in three widening steps, stopping at the first that finds places:

1. **exact / normalised**: the name's normalised form (see
   :mod:`syriamap.normalize`) against the indexed aliases;
2. **phonetic**: the transliteration skeleton, confirmed by a rapidfuzz
   similarity of at least :data:`PHONETIC_MIN_SIMILARITY`;
3. **fuzzy**: rapidfuzz over the names that share the query's first two letters,
   among the places of the focus region and every non-settlement feature.

Each candidate is then scored: how well the name matched, plus priors on kind
(descriptor hints such as "district", or countries and governorates over
villages of the same name), population, country, admin1, proximity and the
years an alias was in use.  Every contribution is written into the candidate's
``reasons``.
"""
from __future__ import annotations

import logging
import math
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from syriamap.gazetteer import store
from syriamap.gazetteer.model import KINDS, Alias, Candidate, Place
from syriamap.geo import haversine_km
from syriamap.normalize import MAX_NAME_LENGTH, normalize_name, parse_descriptor, phonetic_key

if TYPE_CHECKING:  # pandas is imported only by the batch API, to keep the cold start fast
    import pandas as pd

logger = logging.getLogger(__name__)

#: Syria first, then its neighbours: the default focus of the priors.
DEFAULT_FOCUS: tuple[str, ...] = ("SY", "TR", "IQ", "LB", "JO", "IL", "PS")
#: Shorter names (UK, DRC, T4) are matched exactly or not at all: their
#: skeletons and near-spellings collide with too many unrelated places.
MIN_APPROXIMATE_LENGTH = 4
PHONETIC_MIN_SIMILARITY = 70.0
FUZZY_MIN_SIMILARITY = 84.0

_MATCH_BASE = {"exact": 1.0, "normalized": 0.98}
#: Kind priors where no descriptor says what is meant.  Countries and governorates
#: outrank same-named villages; a town outranks the district named after it
#: (reports mean the town); rivers and regions sit between.
_KIND_PRIOR = {"country": 0.3, "admin1": 0.16, "region": 0.06, "river": 0.05, "site": 0.04,
               "populated_place": 0.02, "admin2": 0.0, "neighbourhood": 0.0, "admin3": -0.02}
#: Population prior of a settlement whose population is unknown: that of 1,000 people.
_UNKNOWN_POPULATION_PRIOR = 0.25 * 3 / 7.0
#: Cities this large get a further prior.
_MAJOR_CITY = 2_000_000
_MAJOR_CITY_PRIOR = 0.1
#: Places kept built between lookups (about 300 bytes each).
_PLACE_CACHE_SIZE = 100_000
#: Bonus for imported layers over the embedded default (an analyst's own table
#: knows their places best); scaled by the layer's priority.
_LAYER_BONUS = 0.04


def bad_name_reason(name: object) -> str | None:
    """Why ``name`` cannot be looked up, or ``None`` if it can."""
    if name is None:
        return "no name (None)"
    if isinstance(name, float) and math.isnan(name):
        return "no name (NaN)"
    if not isinstance(name, str):
        return f"not a string ({type(name).__name__})"
    if not name.strip():
        return "empty name"
    if len(name) > MAX_NAME_LENGTH:
        return f"too long for a place name ({len(name)} characters, at most {MAX_NAME_LENGTH})"
    if not name.isprintable() and ("\x00" in name or sum(not ch.isprintable() for ch in name) > len(name) // 4):
        return "not text (control or binary characters)"
    if not normalize_name(name):
        return "no letters or digits"
    return None


class Gazetteer:
    """A gazetteer file opened for lookups.

    ``Gazetteer()`` opens the embedded default (building it on first use);
    ``Gazetteer(path)`` opens a file made by :meth:`from_places` or by the
    importers.  ``layers`` restricts lookups to some of the file's layers (all by
    default).  ``focus`` lists the country codes that the priors favour when no
    ``country`` is given (Syria and its neighbours by default).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        layers: Sequence[str] | None = None,
        focus: Sequence[str] = DEFAULT_FOCUS,
    ) -> None:
        if path is None:
            from syriamap.gazetteer.build import ensure_default

            path = ensure_default()
        self.path = Path(path)
        self.focus = tuple(focus)
        self._conn = store.connect(self.path)
        self._conn.execute("PRAGMA query_only=ON")
        # A larger page cache (grown only as pages are read) keeps the alias index in memory.
        self._conn.execute("PRAGMA cache_size=-65536")
        self._layers = {str(row["name"]): row for row in store.layers(self._conn)}
        if layers is not None:
            unknown = sorted(set(layers) - set(self._layers))
            if unknown:
                raise ValueError(f"{self.path} has no layer(s) {unknown}; it has {sorted(self._layers)}")
            self._layers = {name: row for name, row in self._layers.items() if name in layers}
        self._priority = {name: int(str(row["priority"])) for name, row in self._layers.items()}
        self._layer_filter = (
            "" if layers is None else " AND p.layer IN (" + ",".join("'" + n.replace("'", "''") + "'" for n in self._layers) + ")"
        )
        select = (
            "SELECT a.name, a.valid_from, a.valid_to, a.norm, "
            + ", ".join(f"p.{c.strip()}" for c in store.PLACE_COLUMNS.split(","))
            + " FROM aliases a JOIN places p ON p.rowid = a.place WHERE a.{col} = ?"
            + self._layer_filter
            + " LIMIT 2000"
        )
        self._find_sql = (select.format(col="norm"), select.format(col="phon"))
        self._fuzzy_blocks: dict[str, list[str]] | None = None
        self._place_cache: dict[object, Place] = {}
        self._cached_lookup = lru_cache(maxsize=50_000)(self._lookup_uncached)
        self._country_codes = self._load_country_codes()
        self._known_codes = frozenset(self._country_codes.values())

    # -- construction -------------------------------------------------------

    @classmethod
    def from_places(
        cls, places: Iterable[Place], path: str | Path | None = None, *, layer: str = "custom", **kwargs: object
    ) -> Gazetteer:
        """Build a gazetteer file from ``places`` (a temporary file if no path) and open it."""
        if path is None:
            path = Path(tempfile.mkdtemp(prefix="syriamap-")) / "gazetteer.sqlite"
        path = Path(path)
        with store.transaction(path, new=True) as conn:
            store.write_layer(conn, layer, places, source="from_places")
        return cls(path, **kwargs)  # type: ignore[arg-type]

    def close(self) -> None:
        """Close the underlying SQLite connection."""
        self._conn.close()

    def __enter__(self) -> Gazetteer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Gazetteer({str(self.path)!r}, layers={list(self._layers)})"

    # -- simple access ------------------------------------------------------

    @property
    def layers(self) -> list[dict[str, object]]:
        """The file's layers (name, source, description, priority, places)."""
        return list(self._layers.values())

    def get(self, place_id: str) -> Place | None:
        """The place with this id, with its aliases, or ``None``."""
        row = self._conn.execute(f"SELECT {store.PLACE_COLUMNS} FROM places WHERE id=?", (place_id,)).fetchone()
        return None if row is None else self._place(row, with_aliases=True)

    def places(self, kind: str | None = None, country: str | None = None) -> Iterator[Place]:
        """Every place, optionally of one kind and/or one country (ISO2 code or name)."""
        sql, args = f"SELECT {store.PLACE_COLUMNS} FROM places p WHERE 1=1{self._layer_filter}", []
        if kind is not None:
            sql += " AND kind=?"
            args.append(kind)
        if country is not None:
            sql += " AND country_code=?"
            args.append(self.country_code(country) or country)
        for row in self._conn.execute(sql + " ORDER BY id", args).fetchall():
            yield self._place(row)

    def __len__(self) -> int:
        return self._conn.execute(f"SELECT COUNT(*) FROM places p WHERE 1=1{self._layer_filter}").fetchone()[0]

    def country_code(self, country: str | None) -> str | None:
        """ISO2 code for a country given as a code (``SY``, ``SYR``) or a name (``Syria``)."""
        if not country or not isinstance(country, str):
            return None
        text = country.strip()
        if len(text) == 2 and text.isalpha():
            code = text.upper()
            if code in self._known_codes:
                return code
            from syriamap import countries  # GeoNames' table, for files without country places

            return code if countries.name_of(code) else None
        code = self._country_codes.get(normalize_name(text))
        if code is None:
            from syriamap import countries

            code = countries.iso2_from_name(text) or countries.iso2_from_iso3(text)
        return code

    # -- lookup ------------------------------------------------------------

    def lookup(
        self,
        name: str,
        *,
        country: str | None = None,
        kind: str | Sequence[str] | None = None,
        near: tuple[float, float] | None = None,
        year: int | None = None,
        admin1: str | None = None,
        limit: int = 5,
    ) -> list[Candidate]:
        """Candidate places for ``name``, best first (an empty list if none or bad input).

        ``country`` (code or name) and ``admin1`` (a governorate's name) favour
        places inside them; ``kind`` (one kind or several) keeps only those kinds;
        ``near`` favours places close to ``(lat, lon)``; ``year`` favours names in
        use that year.  Descriptor words in the name itself ("town", "district",
        "countryside", "airbase") are soft kind hints.
        """
        if bad_name_reason(name) is not None:
            return []
        kinds = (kind,) if isinstance(kind, str) else tuple(kind or ())
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown kind(s) {unknown}; expected some of {KINDS}")
        code = None
        if country is not None:
            code = self.country_code(country)
            if code is None:
                raise ValueError(f"unknown country {country!r}: give an ISO 3166 code (SY, SYR) or a country name")
        point = _check_near(near)
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise ValueError(f"year must be a whole number such as 2016, not {year!r}")
        if admin1 is not None and not isinstance(admin1, str):
            raise ValueError(f"admin1 must be a name (a string), not {type(admin1).__name__}")
        cands = self._cached_lookup(name, code, kinds, point, year, admin1.strip() or None if admin1 else None)
        return list(cands[: max(limit, 0)])

    def resolve(self, name: str, **kwargs: object) -> Candidate | None:
        """The best candidate for ``name`` (see :meth:`lookup`), or ``None``."""
        found = self.lookup(name, limit=1, **kwargs)  # type: ignore[arg-type]
        return found[0] if found else None

    def resolve_many(self, names: Iterable[object], **kwargs: object) -> pd.DataFrame:
        """Resolve each name; one row per input, in order, with a ``reason`` for misses.

        Accepts any iterable, a pandas Series included (None and NaN become rows
        with a reason, never errors).
        """
        import pandas as pd
        from tqdm.auto import tqdm

        rows = []
        total = len(names) if hasattr(names, "__len__") else None  # type: ignore[arg-type]
        for value in tqdm(names, total=total, desc="resolving", unit="name", disable=None if (total or 0) > 1000 else True):
            reason = bad_name_reason(value)
            best = None if reason else self.resolve(value, **kwargs)  # type: ignore[arg-type]
            if best is None:
                rows.append({"name": value, "reason": reason or "no match"})
                continue
            p = best.place
            rows.append({
                "name": value, "place_id": p.id, "place": p.name, "kind": p.kind, "admin1": p.admin1,
                "country": p.country_code, "latitude": p.latitude, "longitude": p.longitude,
                "geo_precision": p.geo_precision, "score": best.score, "match": best.match, "reason": None,
            })
        columns = ["name", "place_id", "place", "kind", "admin1", "country", "latitude", "longitude",
                   "geo_precision", "score", "match", "reason"]
        return pd.DataFrame(rows, columns=columns)

    # -- internals ----------------------------------------------------------

    def _lookup_uncached(
        self,
        name: str,
        country: str | None,
        kinds: tuple[str, ...],
        near: tuple[float, float] | None,
        year: int | None,
        admin1: str | None,
    ) -> tuple[Candidate, ...]:
        alternatives = _alternatives(name)
        best: dict[str, Candidate] = {}
        admin1_names = self._admin1_names(admin1, country) if admin1 else None
        for alt in alternatives:
            desc = parse_descriptor(alt.strip())
            core = desc.core or alt.strip()
            found = self._find(core)
            whole = normalize_name(alt) if desc.words else None
            whole_found = False
            if whole:
                # The descriptor may be part of the name: "Tishrin Dam", "Eastern Ghouta".
                whole_hits = [hit for hit in self._find(alt.strip()) if hit[0] in _MATCH_BASE]
                whole_found = bool(whole_hits)
                found += whole_hits
            # A name some source dates (Nur-Sultan, 2019-2022) is judged by its dates,
            # even where another source lists the same spelling undated.
            dated = {(row[5], row[3]) for _m, _s, alias, row in found if alias.valid_from or alias.valid_to}
            for match, sim, alias, aliasrow in found:
                if not (alias.valid_from or alias.valid_to) and (aliasrow[5], aliasrow[3]) in dated:
                    continue
                place = self._place(aliasrow[4:])
                if kinds and place.kind not in kinds:
                    continue
                if country and place.country_code != country:
                    continue  # an explicit country is a constraint, not a preference
                if match in ("phonetic", "fuzzy") and desc.kinds and place.kind not in desc.kinds:
                    continue  # an approximate name of another kind of place ("Taksim Square" is no town)
                if (
                    admin1_names is not None
                    and match in ("phonetic", "fuzzy")
                    and place.admin1
                    and place.kind not in ("country", "admin1")
                    and normalize_name(place.admin1) not in admin1_names
                ):
                    continue  # an approximate name in another governorate is a different place
                cand = self._score(
                    place, match, sim, alias, desc.kinds, country, near, year, admin1_names,
                    whole_name=whole is not None and aliasrow[3] == whole,
                    part_only=whole_found and aliasrow[3] != whole,
                )
                old = best.get(place.id)
                if old is None or cand.score > old.score:
                    best[place.id] = cand
        return tuple(sorted(best.values(), key=lambda c: (-c.score, -(c.place.population or 0), c.place.id)))

    def _find(self, core: str) -> list[tuple[str, float, Alias, tuple]]:
        """Alias rows matching ``core``: [(match, similarity 0-1, alias, row)]."""
        norm = normalize_name(core)
        if not norm:
            return []
        by_norm, by_phon = self._find_sql
        folded = core.casefold()
        rows = self._conn.execute(by_norm, (norm,)).fetchall()
        if rows:
            return [
                ("exact" if r[0].casefold() == folded else "normalized", 1.0, Alias(r[0], valid_from=r[1], valid_to=r[2]), r)
                for r in rows
            ]
        found = []
        phon = phonetic_key(core)
        if len(norm) >= MIN_APPROXIMATE_LENGTH and len(phon) >= 2:
            for r in self._conn.execute(by_phon, (phon,)).fetchall():
                sim = fuzz.ratio(norm, r[3])
                if sim >= PHONETIC_MIN_SIMILARITY:
                    found.append(("phonetic", sim / 100, Alias(r[0], valid_from=r[1], valid_to=r[2]), r))
        if found:
            return found
        for other, sim in self._fuzzy(norm):
            for r in self._conn.execute(by_norm, (other,)).fetchall():
                found.append(("fuzzy", sim / 100, Alias(r[0], valid_from=r[1], valid_to=r[2]), r))
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
        marks = ",".join("?" * len(self.focus)) or "''"
        rows = self._conn.execute(
            "SELECT DISTINCT a.norm FROM aliases a JOIN places p ON p.rowid = a.place"
            f" WHERE (p.country_code IN ({marks}) OR p.kind != 'populated_place' OR p.population >= 500000)"
            + self._layer_filter,
            self.focus,
        )
        blocks: dict[str, list[str]] = {}
        for (norm,) in rows:
            if len(norm) >= 3:
                blocks.setdefault(norm[:2], []).append(norm)
        for block in blocks.values():
            block.sort()
        return blocks

    def _score(
        self,
        place: Place,
        match: str,
        sim: float,
        alias: Alias,
        hints: tuple[str, ...],
        country: str | None,
        near: tuple[float, float] | None,
        year: int | None,
        admin1_names: set[str] | None,
        *,
        whole_name: bool = False,
        part_only: bool = False,
    ) -> Candidate:
        reasons: list[str] = []
        if match in _MATCH_BASE:
            raw = _MATCH_BASE[match]
            reasons.append(f"{match} match on {alias.name!r}")
        elif match == "phonetic":
            raw = 0.55 + 0.35 * sim
            reasons.append(f"phonetic match on {alias.name!r} (similarity {sim:.2f})")
        else:
            raw = 0.8 * sim
            reasons.append(f"fuzzy match on {alias.name!r} (similarity {sim:.2f})")

        if whole_name:
            raw += 0.15
            reasons.append("the whole name matched, descriptor words included")
        elif part_only:
            # "South America" names a place of its own: "America" alone is another place.
            raw -= 0.3
            reasons.append("only part of the name matched; another place has the whole name")
        if hints:
            if place.kind == hints[0]:
                raw += 0.35
                reasons.append(f"descriptor says {hints[0]}")
            elif place.kind in hints:
                raw += 0.25
                reasons.append(f"descriptor allows {place.kind}")
            else:
                raw -= 0.3
                reasons.append(f"descriptor points to {'/'.join(hints)}, not {place.kind}")
        kind_prior = _KIND_PRIOR.get(place.kind, 0.0)
        if kind_prior and not hints:
            raw += kind_prior
            reasons.append(f"{place.kind} prior {kind_prior:+.2f}")
        if place.population:
            pop_prior = 0.25 * min(math.log10(place.population + 1) / 7.0, 1.0)
            raw += pop_prior
            reasons.append(f"population {place.population:,} +{pop_prior:.2f}")
            if place.population >= _MAJOR_CITY and place.kind == "populated_place":
                # A capital or metropolis outranks a village of the region named like it (Kabul).
                raw += _MAJOR_CITY_PRIOR
                reasons.append(f"a metropolis of two million or more +{_MAJOR_CITY_PRIOR:.2f}")
        elif place.kind == "populated_place":
            # Unknown is not zero: GeoNames leaves many Syrian towns without a figure.
            raw += _UNKNOWN_POPULATION_PRIOR
            reasons.append(f"population unknown, taken as a village +{_UNKNOWN_POPULATION_PRIOR:.2f}")
        if country:
            if place.country_code == country:
                raw += 0.3
                reasons.append(f"in {country} as asked")
            else:
                raw -= 0.4
                reasons.append(f"not in {country}")
        elif place.country_code in self.focus:
            bonus = 0.25 if place.country_code == self.focus[0] else 0.1
            raw += bonus
            reasons.append(f"in focus country {place.country_code} {bonus:+.2f}")
        if admin1_names is not None and place.kind not in ("country", "admin1"):
            if place.admin1 and normalize_name(place.admin1) in admin1_names:
                raw += 0.3
                reasons.append(f"in admin1 {place.admin1} as given")
            elif place.admin1:
                raw -= 0.15
                reasons.append(f"admin1 {place.admin1} differs from the one given")
        if near is not None:
            km = haversine_km(near, place.point)
            bonus = 0.4 * math.exp(-km / 50.0)
            raw += bonus
            reasons.append(f"{km:.0f} km from the given point +{bonus:.2f}")
        if year is not None and not alias.valid_in(year):
            raw -= 0.4
            reasons.append(f"name {alias.name!r} not in use in {year}")
        elif year is not None and (alias.valid_from or alias.valid_to):
            raw += 0.1
            reasons.append(f"name {alias.name!r} in use in {year}")
        priority = self._priority.get(place.layer, 0)
        if priority > 0:
            raw += _LAYER_BONUS * priority
            reasons.append(f"from imported layer {place.layer!r}")
        score = max(0.0, min(1.0, raw / 2.0))
        return Candidate(place=place, score=round(score, 4), match=match, matched_alias=alias.name,
                         reasons=tuple(reasons))

    def _admin1_names(self, admin1: str, country: str | None) -> set[str]:
        """Normalised names of the admin1 area(s) called ``admin1``."""
        core = parse_descriptor(admin1).core or admin1
        names = {normalize_name(core)}
        rows = self._find(core)
        for _match, _sim, _alias, row in rows:
            place = self._place(row[4:])
            if place.kind == "admin1" and (country is None or place.country_code == country):
                names.add(normalize_name(place.name))
                names.update(normalize_name(a.name) for a in self._aliases(row[4]))
        return names - {""}

    def _aliases(self, rowid: int) -> tuple[Alias, ...]:
        return tuple(
            Alias(name=n, lang=lang, script=script, valid_from=vf, valid_to=vt)
            for n, lang, script, vf, vt in self._conn.execute(
                "SELECT name, lang, script, valid_from, valid_to FROM aliases WHERE place=? ORDER BY rowid", (rowid,)
            )
        )

    def _place(self, row: Sequence[object], *, with_aliases: bool = False) -> Place:
        """The Place of a ``places`` row; without aliases, shared from a bounded cache (Places are immutable)."""
        if with_aliases:
            return store.place_from_row(tuple(row), self._aliases(row[0]))  # type: ignore[arg-type]
        rowid = row[0]
        place = self._place_cache.get(rowid)
        if place is None:
            if len(self._place_cache) >= _PLACE_CACHE_SIZE:
                self._place_cache.clear()
            place = self._place_cache[rowid] = store.place_from_row(tuple(row))
        return place

    def _load_country_codes(self) -> dict[str, str]:
        codes: dict[str, str] = {}
        try:
            rows = self._conn.execute(
                "SELECT a.norm, p.country_code FROM aliases a JOIN places p ON p.rowid=a.place WHERE p.kind='country'"
            ).fetchall()
        except sqlite3.DatabaseError:
            return codes
        for norm, cc in rows:
            codes.setdefault(norm, cc)
        return codes


def _check_near(near: object) -> tuple[float, float] | None:
    """``near`` as a rounded ``(lat, lon)``, or a clear error."""
    if near is None:
        return None
    try:
        lat, lon = (float(v) for v in near)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise ValueError(f"near must be a (latitude, longitude) pair of numbers, not {near!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"near=({lat}, {lon}) is not a point on Earth (latitude -90..90, longitude -180..180)")
    return (round(lat, 4), round(lon, 4))


_PAREN_RE = re.compile(r"\(([^)]*)\)")


def _alternatives(name: str) -> list[str]:
    """The names a location string offers: "Tadmur/Palmyra", "Al-Rai town (Choban Bey)"."""
    alts = [m.strip() for m in _PAREN_RE.findall(name) if m.strip()]
    outer = _PAREN_RE.sub(" ", name)
    alts[:0] = [part for part in outer.split("/") if part.strip()]
    return alts or [name]
