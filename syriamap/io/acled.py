"""ACLED CSV exports: reader and ACLED-layout writer.

The export has 31 columns (:data:`ACLED_COLUMNS`).  They map onto the schema
as follows; every other ACLED column (``year``, ``disorder_type``,
``assoc_actor_1``, ``inter1``, ``interaction``, ``civilian_targeting``,
``region``, ``admin3``, ``source_scale``, ``tags``, ``timestamp`` ...) is kept
with an ``acled_`` prefix.

=====================  ==============================================================
schema column          ACLED
=====================  ==============================================================
event_id               ``acled:<event_id_cnty>`` (an id already namespaced ``x:y`` is kept)
event_date             ``event_date``, written '14 March 2017', '2017-03-14' or '14-Mar-17'
                       (also '14 Mar 2017', '14/03/2017')
time_precision,        ``time_precision``, ``event_type``, ``sub_event_type``,
event_type ...         ``actor1``, ``actor2``, ``country``, ``admin1``, ``admin2``,
                       ``location``, ``latitude``, ``longitude``, ``geo_precision``,
                       ``source``, ``notes``, ``fatalities`` (same names, same meaning)
iso3                   ``iso`` (ISO 3166 numeric, 760) converted; older exports' ``iso3`` as is
admin1, admin2         the gazetteer's names of the divisions ('Idleb' -> 'Idlib'); as
                       written in ``admin1_source``/``admin2_source``
                       (:mod:`syriamap.io.admin`; ``canonical_admin=False`` to keep them)
flags                  ``geo_coarse`` where ``geo_precision`` is 3 and ``admin1`` is empty
                       (a location known only at country level), for ACLED's own
                       rows (ids not namespaced by another dataset).  ACLED has no
                       year-only dates (time_precision 3 is the month), so no
                       ``date_coarse``.
=====================  ==============================================================

:func:`write_acled` writes the 31 columns in ACLED's order (ACLED's own rows
with ACLED's spelling of admin1/admin2, other rows with the canonical names), filling ACLED-only
columns from their ``acled_`` pass-through columns (or deriving ``year``,
``iso`` and ``disorder_type``), then every other column of the table, so that
:func:`read_acled` gets back all that was written.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..schema import COLUMNS, GEO_COARSE_FLAG, add_flag, conform, extra_columns
from .. import countries
from .formulas import escape_frame
from .limits import DEFAULT_LIMITS, Limits
from .csvfile import assemble, finish, parse_coordinates, parse_dates, passthrough, read_delimited, require_columns

logger = logging.getLogger(__name__)

#: The 31 columns of an ACLED export, in order.
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("event_id_cnty", "event_date", "event_type", "location", "latitude", "longitude")
DATE_FORMATS: tuple[str, ...] = ("%d %B %Y", "%Y-%m-%d", "%d-%b-%y", "%d %b %Y", "%d/%m/%Y", "%d-%B-%Y")

#: Columns with the same name and meaning in ACLED and in the schema.
_SAME = (
    "time_precision", "event_type", "sub_event_type", "actor1", "actor2", "country", "admin1",
    "admin2", "location", "geo_precision", "source", "notes", "fatalities",
)
#: ACLED's disorder_type of each event type (used when the table has none).
DISORDER_TYPES: dict[str, str] = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
_TEXT_COLUMNS = ("event_id_cnty", "actor1", "actor2", "assoc_actor_1", "assoc_actor_2", "admin1", "admin2", "admin3",
                 "location", "source", "notes", "tags", "iso3", "event_date")


def read_acled(
    path: str | Path, *, sep: str | None = None, encoding: str | None = None, limits: Limits = DEFAULT_LIMITS,
    canonical_admin: bool = True, columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read an ACLED CSV export into the event schema (see the module docstring).

    Text cells written escaped by :func:`write_acled` (:mod:`syriamap.io.formulas`) are restored.
    ``columns`` renames the file's columns (old -> new) before they are read.
    """
    schema_text = [c.name for c in COLUMNS if c.dtype == "str"]
    table = read_delimited(path, sep=sep, encoding=encoding, limits=limits, unescape_formulas=True,
                           string_columns=list(dict.fromkeys(_TEXT_COLUMNS + tuple(schema_text))), columns=columns)
    require_columns(table, REQUIRED_COLUMNS, "ACLED")
    src = table.frame
    flags = table.flags
    lat, flags = parse_coordinates(table, "latitude", flags)
    lon, flags = parse_coordinates(table, "longitude", flags)
    date, flags = parse_dates(table, "event_date", flags, DATE_FORMATS)

    ids = src["event_id_cnty"].astype("str")
    namespaced = ids.str.contains(":", regex=False).fillna(False)
    events = pd.DataFrame({"event_id": ids.where(namespaced, "acled:" + ids), "event_date": date})
    for name in _SAME:
        if name in src:
            events[name] = src[name]
    events["latitude"] = lat
    events["longitude"] = lon
    consumed = {"event_id_cnty", "event_date", "latitude", "longitude", *_SAME}
    if "iso3" in src:
        events["iso3"] = src["iso3"]
        consumed.add("iso3")
    elif "iso" in src:
        numeric = pd.to_numeric(src["iso"], errors="coerce")
        table_ = {int(v): countries.iso3_of(countries.iso2_from_numeric(int(v))) for v in pd.unique(numeric.dropna())}
        iso3 = numeric.map(table_)
        unknown = (iso3.isna() & src["iso"].notna()).to_numpy()
        if unknown.any():
            logger.warning("%s, column 'iso': %d row(s) with an unknown ISO numeric code (e.g. %r); flagged",
                           table.path, int(unknown.sum()), src["iso"][unknown].iloc[0])
            flags = add_flag(flags, unknown, "unknown_country_code")
            events["acled_iso"] = src["iso"].where(unknown)
        events["iso3"] = iso3
        consumed.add("iso")
    precision = pd.to_numeric(src["geo_precision"], errors="coerce") if "geo_precision" in src else None
    if precision is not None:
        no_province = src["admin1"].isna() if "admin1" in src else pd.Series(True, index=src.index)
        # only ACLED's own rows: rows of other datasets written in ACLED layout carry their flags
        coarse = ((precision == 3) & no_province & ~namespaced).to_numpy(dtype=bool)
        if coarse.any():
            # coarse precision is a property of the data, not a fault of the file: flagged, logged as info
            logger.info("%s: %d row(s) with geo_precision 3 and no admin1 (placed at country level); flagged %r",
                           table.path, int(coarse.sum()), GEO_COARSE_FLAG)
            flags = add_flag(flags, coarse, GEO_COARSE_FLAG)
    events["flags"] = flags
    out = finish(assemble(events, passthrough(src, consumed, "acled")), table, canonical_admin=canonical_admin)
    logger.info("%s: read %d ACLED events", table.path, len(out))
    return out


def _acled_column(events: pd.DataFrame, name: str) -> pd.Series:
    n = len(events)
    if name == "iso":
        codes = {c: countries.numeric_of(countries.iso2_from_iso3(c)) for c in pd.unique(events["iso3"].dropna())}
        derived = events["iso3"].map(codes).astype("Int64")
        if "acled_iso" in events:  # codes the reader could not convert
            derived = derived.fillna(pd.to_numeric(events["acled_iso"], errors="coerce").astype("Int64"))
        return derived
    if f"acled_{name}" in events:
        return events[f"acled_{name}"]
    if name == "event_id_cnty":
        ids = events["event_id"].astype("str")
        return ids.str.removeprefix("acled:")
    if name == "event_date":
        return events["event_date"].dt.strftime("%Y-%m-%d")
    if name == "year":
        return events["event_date"].dt.year.astype("Int64")
    if name == "disorder_type":
        return events["event_type"].astype("str").map(DISORDER_TYPES)
    if name in ("admin1", "admin2") and f"{name}_source" in events:
        # ACLED's own rows keep ACLED's spelling, so an export read and written again is the same file
        own = events["event_id"].astype("str").str.startswith("acled:").fillna(False) & events[f"{name}_source"].notna()
        return events[name].astype("str").where(~own, events[f"{name}_source"].astype("str"))
    if name in events:
        return events[name]
    return pd.Series([pd.NA] * n, index=events.index, dtype="str")


def write_acled(df: pd.DataFrame, path: str | Path, *, escape_formulas: bool = True) -> Path:
    """Write events as an ACLED-layout CSV: the 31 ACLED columns, then all others.

    Formula-like text cells are escaped (:mod:`syriamap.io.formulas`) unless
    ``escape_formulas=False``; :func:`read_acled` restores them.
    """
    path = Path(path)
    events = conform(df)
    out = pd.DataFrame({name: _acled_column(events, name) for name in ACLED_COLUMNS}, index=events.index)
    used = {f"acled_{c}" for c in ACLED_COLUMNS} | set(ACLED_COLUMNS) | {"event_id"}
    rest = [c.name for c in COLUMNS if c.name not in used] + [c for c in extra_columns(events) if c not in used]
    out = pd.concat([out, events[rest]], axis=1)
    # CRLF line ends (RFC 4180): the csv module then quotes every field holding a CR or LF
    (escape_frame(out) if escape_formulas else out).to_csv(path, index=False, lineterminator="\r\n")
    logger.info("%s: wrote %d events in ACLED layout", path, len(out))
    return path


def looks_like_acled(columns: list[str] | tuple[str, ...]) -> bool:
    """Whether a header is an ACLED export's."""
    return {"event_id_cnty", "event_type", "event_date"}.issubset(columns)


__all__ = ["read_acled", "write_acled", "looks_like_acled", "ACLED_COLUMNS", "DATE_FORMATS", "DISORDER_TYPES"]
