"""Looking names up in a gazetteer file.

:class:`Gazetteer` checks a lookup's hints, asks
:class:`~syriamap.gazetteer.candidates.CandidateFinder` for the places the name
may mean (exact, normalised, phonetic, fuzzy; inside the caller's constraint
too) and ranks them with the priors of :mod:`syriamap.gazetteer.ranking`, each
of which writes its contribution into the candidate's ``reasons``.  A
:class:`~syriamap.gazetteer.model.Context` (focus, the document's other places,
a containing place) changes the ranking without changing the code.
"""
from __future__ import annotations

import dataclasses
import logging
import math
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from syriamap.gazetteer import store
from syriamap.gazetteer.candidates import COUNTRY_ALSO, CandidateFinder, in_country
from syriamap.gazetteer.model import KINDS, Alias, Candidate, Context, Place
from syriamap.gazetteer.query import ParsedQuery, parse_query
from syriamap.gazetteer.ranking import DEFAULT_PRIORS, Prior, Request, rank
from syriamap.normalize import MAX_NAME_LENGTH, normalize_name, parse_descriptor

if TYPE_CHECKING:  # pandas is imported only by the batch API, to keep the cold start fast
    import pandas as pd

logger = logging.getLogger(__name__)

#: Syria first, then its neighbours: the default focus of the priors.
DEFAULT_FOCUS: tuple[str, ...] = ("SY", "TR", "IQ", "LB", "JO", "IL", "PS")
#: Places kept built between lookups (about 300 bytes each).
_PLACE_CACHE_SIZE = 100_000


#: Strings that stand for a missing value in tables and templates, never for a place.
PLACEHOLDERS = frozenset({
    "none", "null", "nil", "nan", "n/a", "n.a.", "na", "#n/a", "tbd", "tba", "tbc", "unknown", "unk", "undefined",
    "not available", "not applicable", "not known", "various", "multiple", "unspecified", "missing", "-", "--", "?",
    "??", "???", "xxx", "...", "%s", "%d", "%r", "{}", "{0}", "(null)", "<null>", "<none>", "[none]",
})
_TEMPLATE_RE = re.compile(r"^(?:\{\{.*\}\}|\$\{.*\}|\{[\w.]*\}|%\(\w+\)[sdr]|<%.*%>)$", re.DOTALL)
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def bad_name_reason(name: object) -> str | None:
    """Why ``name`` cannot be looked up, or ``None`` if it can.

    Besides non-strings, empty, overlong and binary input, placeholders that
    tables and templates use for a missing value ("N/A", "TBD", "NULL", "%s",
    "{name}") are not place names.
    """
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
    if not name.isprintable() and (
        "\x00" in name or sum(not ch.isprintable() and not _is_surrogate(ch) for ch in name) > len(name) // 4
    ):
        return "not text (control or binary characters)"
    stripped = name.strip()
    if stripped.casefold() in PLACEHOLDERS or _TEMPLATE_RE.match(stripped):
        return f"a placeholder for a missing value ({stripped!r}), not a place name"
    if not normalize_name(clean_name(name)):
        return "no letters or digits"
    return None


def _is_surrogate(ch: str) -> bool:
    return "\ud800" <= ch <= "\udfff"


def clean_name(name: str) -> str:
    """``name`` with unpaired UTF-16 surrogates (broken text, unencodable) replaced by U+FFFD."""
    return _SURROGATE_RE.sub("\ufffd", name) if _SURROGATE_RE.search(name) else name


#: Columns of :meth:`Gazetteer.resolve_many`, in order.
RESOLVE_COLUMNS = ("name", "place_id", "place", "kind", "admin1", "country", "latitude", "longitude",
                   "geo_precision", "score", "match", "confidence", "caveats", "reason")


class Gazetteer:
    """A gazetteer file opened for lookups.

    ``Gazetteer()`` opens the embedded default (building it on first use);
    ``Gazetteer(path)`` opens a file made by :meth:`from_places` or by the
    importers.  ``layers`` restricts lookups to some of the file's layers (all by
    default).  ``focus`` lists the country codes that the priors favour when no
    ``country`` is given (Syria and its neighbours by default).  ``priors`` are
    the scoring functions summed for each candidate (see
    :mod:`syriamap.gazetteer.ranking`).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        layers: Sequence[str] | None = None,
        focus: Sequence[str] = DEFAULT_FOCUS,
        priors: Sequence[Prior] = DEFAULT_PRIORS,
    ) -> None:
        if path is None:
            from syriamap.gazetteer.build import ensure_default

            path = ensure_default()
        self.path = Path(path)
        self.focus = tuple(focus)
        self._layer_names = None if layers is None else tuple(layers)
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
        self.priors = tuple(priors)
        self._finder = CandidateFinder(self._conn, store.PLACE_COLUMNS, self._layer_filter, self.focus, self._place)
        self._place_cache: dict[object, Place] = {}
        self._admin1_cache: frozenset[str] | None = None
        self._cached_lookup = lru_cache(maxsize=50_000)(self._lookup_uncached)
        self._admin1_names = lru_cache(maxsize=4096)(self._admin1_names_uncached)  # type: ignore[method-assign]
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

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Pickle by path, layers, focus and priors; the receiving process reopens the file.

        A SQLite connection does not pickle, and a worker process should not
        share one anyway.  The file must exist at the same path where it is
        unpickled.  Each process reopens a given gazetteer once (see :func:`_reopen`).
        """
        return _reopen, (str(self.path), self._layer_names, self.focus, self.priors)

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
        context: Context | None = None,
        limit: int = 5,
    ) -> list[Candidate]:
        """Candidate places for ``name``, best first (an empty list if none or bad input).

        ``country`` (code or name) keeps only places inside it; ``admin1`` (a
        governorate's name) favours places inside it; ``kind`` (one kind or
        several) keeps only those kinds; ``near`` favours places close to
        ``(lat, lon)``; ``year`` favours names in use that year.  ``context``
        (a :class:`Context`) gives the same hints plus the document's other
        places and a containing place; a keyword given here overrides its field.
        Descriptor words in the name itself ("town", "district", "countryside",
        "airbase") are soft kind hints.  A hint of the wrong type or value
        raises ``ValueError``.
        """
        if context is not None and not isinstance(context, Context):
            raise ValueError(f"context must be a syriamap Context, not {type(context).__name__}")
        if context is not None:
            country = context.country if country is None else country
            kind = context.kind if kind is None else kind
            near = context.near if near is None else near
            year = context.year if year is None else year
            admin1 = context.admin1 if admin1 is None else admin1
            _check_context(context)
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise ValueError(f"limit must be a whole number, not {limit!r}")
        kinds = _check_kinds(kind)
        code = None
        if country is not None:
            if not isinstance(country, str):
                raise ValueError(f"country must be a code or a name (a string), not {type(country).__name__}")
            code = self.country_code(country)
            if code is None:
                raise ValueError(f"unknown country {country!r}: give an ISO 3166 code (SY, SYR) or a country name")
        point = _check_near(near)
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise ValueError(f"year must be a whole number such as 2016, not {year!r}")
        if admin1 is not None and not isinstance(admin1, str):
            raise ValueError(f"admin1 must be a name (a string), not {type(admin1).__name__}")
        if bad_name_reason(name) is not None:
            return []
        name = clean_name(name)
        admin1 = clean_name(admin1).strip() or None if admin1 else None
        notes: tuple[str, ...] = ()
        if "," in name or name.rstrip().endswith(")"):
            # "Aleppo, Syria", "Douma, Rif Dimashq", "Homs (Syria)": the parts after the name are hints.
            parsed = self._parse_query(name, code)
            if parsed.has_hints and bad_name_reason(parsed.name) is None:
                name = parsed.name
                code = code or parsed.country
                admin1 = admin1 or parsed.admin1
                if parsed.within and (context is None or context.within is None):
                    outer = self.resolve(parsed.within, country=code, kind="populated_place")
                    if outer is not None:
                        context = dataclasses.replace(context or Context(), within=outer.place)
                notes = tuple(f"query part {part!r} is no country, division or town known here: ignored"
                              for part in parsed.unknown)
        cands = self._cached_lookup(name, code, kinds, point, year, admin1, _lean(context), notes)
        return list(cands[: max(limit, 0)])

    def parse_query(self, query: str) -> ParsedQuery:
        """``query`` split into a name and the hints typed after it (see :mod:`syriamap.gazetteer.query`)."""
        return self._parse_query(clean_name(query), None)

    def _parse_query(self, query: str, country: str | None) -> ParsedQuery:
        def is_admin1(text: str, cc: str | None) -> bool:
            names, _countries = self._admin1_names(text, cc or country)
            return names is not None and bool(_countries)

        def is_settlement(text: str, cc: str | None) -> bool:
            return any(
                c.match in ("exact", "normalized") and c.place.kind == "populated_place"
                for c in self.lookup(text, country=cc or country, limit=3)
            )

        return parse_query(query, country_code=self.country_code, is_admin1=is_admin1, is_settlement=is_settlement)

    def resolve(self, name: str, *, min_confidence: float | None = None, **hints: object) -> Candidate | None:
        """The best candidate for ``name`` (see :meth:`lookup` for the hints), or ``None``.

        With ``min_confidence`` (e.g. :data:`~syriamap.gazetteer.ranking.DEFAULT_MIN_CONFIDENCE`)
        a best candidate less confident than that is no answer: abstain rather than mislead.
        """
        threshold = _check_threshold(min_confidence)
        found = self.lookup(name, limit=1, **hints)  # type: ignore[arg-type]
        if not found or (threshold is not None and found[0].confidence < threshold):
            return None
        return found[0]

    def resolve_many(
        self, names: Iterable[object], *, min_confidence: float | None = None, **kwargs: object
    ) -> pd.DataFrame:
        """Resolve each name; one row per input, in order, with a ``reason`` for misses.

        Accepts any iterable, a pandas Series included (None and NaN become rows
        with a reason, never errors).  Unpaired surrogates in a name (text broken
        by a bad decode) are replaced by U+FFFD in the ``name`` column, which
        must stay encodable.  ``confidence`` and ``caveats`` say how likely each
        answer is right and why it may be wrong; with ``min_confidence`` a less
        confident answer becomes a miss whose reason says so.
        """
        import pandas as pd

        return pd.DataFrame(self.resolve_records(names, min_confidence=min_confidence, **kwargs),
                            columns=list(RESOLVE_COLUMNS))

    def resolve_records(
        self, names: Iterable[object], *, min_confidence: float | None = None, **kwargs: object
    ) -> list[dict[str, object]]:
        """The rows of :meth:`resolve_many` as dicts (keys from :data:`RESOLVE_COLUMNS`), without pandas.

        The command line prints these, so that a lookup does not pay for importing pandas.
        """
        threshold = _check_threshold(min_confidence)
        rows: list[dict[str, object]] = []
        total = len(names) if hasattr(names, "__len__") else None  # type: ignore[arg-type]
        if (total or 0) > 1000:
            from tqdm.auto import tqdm

            names = tqdm(names, total=total, desc="resolving", unit="name", disable=None)
        for value in names:
            reason = bad_name_reason(value)
            best = None if reason else self.resolve(value, **kwargs)  # type: ignore[arg-type]
            shown = clean_name(value) if isinstance(value, str) else value
            if best is not None and threshold is not None and best.confidence < threshold:
                reason = (f"best match {best.place.name!r} ({best.place.id}) has confidence {best.confidence:.2f}"
                          f" < {threshold}: " + ("; ".join(best.caveats) or "weak match"))
                best = None
            if best is None:
                rows.append({"name": shown, "reason": reason or "no match"})
                continue
            p = best.place
            rows.append({
                "name": shown, "place_id": p.id, "place": p.name, "kind": p.kind, "admin1": p.admin1,
                "country": p.country_code, "latitude": p.latitude, "longitude": p.longitude,
                "geo_precision": p.geo_precision, "score": best.score, "match": best.match, "confidence": best.confidence,
                "caveats": "; ".join(best.caveats) or None, "reason": None,
            })
        return rows

    # -- internals ----------------------------------------------------------

    def _lookup_uncached(
        self,
        name: str,
        country: str | None,
        kinds: tuple[str, ...],
        near: tuple[float, float] | None,
        year: int | None,
        admin1: str | None,
        context: Context | None,
        notes: tuple[str, ...] = (),
    ) -> tuple[Candidate, ...]:
        admin1_names, admin1_countries = self._admin1_names(admin1, country) if admin1 else (None, ())
        focus = context.focus if context is not None and context.focus else self.focus
        within = context.within if context is not None else None
        request = Request(
            country=country, admin1=admin1, admin1_names=admin1_names, near=near, year=year, focus=focus,
            places=context.weighted_places() if context is not None else (),
            within=within,
            within_names=(self._admin1_names(within.name, within.country_code)[0] or frozenset())
            if within is not None and within.kind == "admin1" else frozenset(),
            layer_priority=self._priority,
            notes=notes,
        )
        scope = (country, *(cc for cc, _a1 in COUNTRY_ALSO.get(country, ()))) if country else admin1_countries
        hits = self._finder.hits(name, kinds=kinds, country=country, admin1_names=admin1_names, scope=scope)
        return rank(hits, request, self.priors)

    def _admin1_names_uncached(self, admin1: str, country: str | None) -> tuple[frozenset[str] | None, tuple[str, ...]]:
        """Normalised names (and aliases) of the division(s) called ``admin1``, and their countries.

        The whole hint is tried first ("Rural Damascus" is Rif Dimashq, "West Bank"
        a region), then without descriptor words ("Aleppo Governorate"), each
        exactly, then by spelling ("Idleb").  ``(None, ())`` if no first-level
        division or region has that name: the hint is then reported, not used.
        """
        whole, core = admin1.strip(), parse_descriptor(admin1).core or admin1
        for text, exact_only in ((whole, True), (core, False)):
            names: set[str] = set()
            countries: dict[str, None] = {}
            for match, _sim, _alias, row in self._finder.find(text):
                if exact_only and match not in ("exact", "normalized"):
                    continue
                place = self._place(row[4:])
                if place.kind in ("admin1", "region") and (country is None or in_country(place, country)):
                    names.add(normalize_name(place.name))
                    names.update(normalize_name(a.name) for a in self._aliases(row[4]))
                    if place.admin1:
                        names.add(normalize_name(place.admin1))
                    countries[place.country_code] = None
            if names:
                return frozenset(names - {""}), tuple(countries)
        # A file without division places may still file its places under that name.
        for text in (whole, core):
            norm = normalize_name(text)
            if norm in self._admin1_values():
                return frozenset({norm}), ()
        return None, ()

    def _admin1_values(self) -> frozenset[str]:
        """Normalised admin1 names the places are filed under (read once)."""
        if self._admin1_cache is None:
            rows = self._conn.execute(f"SELECT DISTINCT p.admin1 FROM places p WHERE p.admin1 IS NOT NULL{self._layer_filter}")
            self._admin1_cache = frozenset(normalize_name(a) for (a,) in rows) - {""}
        return self._admin1_cache

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


@lru_cache(maxsize=8)
def _reopen(path: str, layers: tuple[str, ...] | None, focus: tuple[str, ...], priors: tuple[Prior, ...]) -> Gazetteer:
    """The unpickled :class:`Gazetteer`: opened once per process and set of arguments, then shared (it is read-only)."""
    return Gazetteer(path, layers=layers, focus=focus, priors=priors)


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


def _check_threshold(value: object) -> float | None:
    """A confidence threshold in [0, 1], or a clear error."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"min_confidence must be a number in [0, 1], not {value!r}")
    return float(value)


def _check_kinds(kind: object) -> tuple[str, ...]:
    """``kind`` (None, one kind, or several) as a tuple of known kinds, or a clear error."""
    if kind is None:
        return ()
    if isinstance(kind, str):
        kinds: tuple[object, ...] = (kind,)
    elif isinstance(kind, (list, tuple, set, frozenset)):
        kinds = tuple(kind)
    else:
        raise ValueError(f"kind must be a kind or a list of kinds, not {type(kind).__name__}")
    unknown = [k for k in kinds if not isinstance(k, str) or k not in KINDS]
    if unknown:
        raise ValueError(f"unknown kind(s) {unknown}; expected some of {KINDS}")
    return tuple(sorted(kinds, key=KINDS.index)) if isinstance(kind, (set, frozenset)) else kinds  # type: ignore[arg-type]


def _check_context(context: Context) -> None:
    """A clear error for a Context whose document fields have the wrong types."""
    if not isinstance(context.focus, tuple) or not all(isinstance(c, str) for c in context.focus):
        raise ValueError(f"Context.focus must be a tuple of country codes, not {context.focus!r}")
    if not isinstance(context.places, tuple):
        raise ValueError(f"Context.places must be a tuple of Places, not {type(context.places).__name__}")
    context.weighted_places()
    if context.within is not None and not isinstance(context.within, Place):
        raise ValueError(f"Context.within must be a Place, not {type(context.within).__name__}")


def _lean(context: Context | None) -> Context | None:
    """The part of ``context`` the lookup cache keys on: the fields the keywords do not carry."""
    if context is None or not (context.focus or context.places or context.within):
        return None
    return Context(focus=context.focus, places=context.places, within=context.within)
