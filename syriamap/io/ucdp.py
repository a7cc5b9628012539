"""Reader for the UCDP Georeferenced Event Dataset (GED) CSV.

Mapping of UCDP GED columns onto the event schema
--------------------------------------------------
=====================  ==========================================================
schema column          UCDP GED
=====================  ==========================================================
event_id               ``ucdp:<id>``
event_date             ``date_start`` (the first possible day)
time_precision         ``date_prec``: 1 (exact day) -> 1; 2 (within 2-6 days) and
                       3 (week known) -> 2; 4 (month known / 8-30 days) and
                       5 (year known / 31-365 days) -> 3 (ACLED has nothing
                       coarser than a month; ``ucdp_date_prec`` keeps the code);
                       5 is also flagged ``date_coarse``: event_date is then the
                       first possible day of the year, not the event's day
event_type,            ``type_of_violence``: 1 state-based and 2 non-state conflict
sub_event_type         -> Battles / Armed clash; 3 one-sided violence ->
                       Violence against civilians / Attack
actor1, actor2         ``side_a``, ``side_b``
location               ``where_coordinates`` ("Khan Shaykhun town")
admin1, admin2         ``adm_1``, ``adm_2`` under the gazetteer's name of the division
                       ("Idlib Governorate" -> "Idlib"); as written in
                       ``admin1_source``/``admin2_source`` (:mod:`syriamap.io.admin`;
                       ``canonical_admin=False`` keeps them as written)
country, iso3          ``country``; its ISO alpha-3 code
latitude, longitude    ``latitude``, ``longitude``
geo_precision          ``where_prec``: 1 (exact place) and 2 (within ~25 km) -> 1;
                       3 (district) -> 2; 4 (governorate), 5 (larger region or
                       linear feature), 6 (country) and 7 (waters) -> 3.  ACLED
                       codes a governorate-only location 3, hence 4 -> 3.
                       6 and 7 are also flagged ``geo_coarse``: the point is a
                       stand-in (often the country's centroid), not a place.
fatalities             ``best`` (``low`` and ``high`` kept as ``ucdp_low``/``ucdp_high``)
notes                  ``source_headline``
source                 ``source_office``
published              the first date of ``source_date`` (all kept in ``ucdp_source_date``)
=====================  ==========================================================

Every other UCDP column (``where_prec``, ``date_prec``, ``date_end``,
``type_of_violence``, ``low``, ``high``, ``dyad_name``, ``source_article`` ...)
is kept after the schema columns with a ``ucdp_`` prefix.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..schema import DATE_COARSE_FLAG, EVENT_TYPE_DTYPE, GEO_COARSE_FLAG, SUB_EVENT_TYPE_DTYPE, add_flag
from .. import countries
from .limits import DEFAULT_LIMITS, Limits
from .csvfile import assemble, finish, parse_coordinates, parse_dates, passthrough, read_delimited, require_columns

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS: tuple[str, ...] = (
    "id", "type_of_violence", "side_a", "side_b", "where_coordinates", "where_prec",
    "latitude", "longitude", "date_prec", "date_start", "best",
)

#: type_of_violence -> (event_type, sub_event_type)
VIOLENCE_TYPES: dict[int, tuple[str, str]] = {
    1: ("Battles", "Armed clash"),
    2: ("Battles", "Armed clash"),
    3: ("Violence against civilians", "Attack"),
}
#: where_prec -> geo_precision
WHERE_PREC: dict[int, int] = {1: 1, 2: 1, 3: 2, 4: 3, 5: 3, 6: 3, 7: 3}
#: date_prec -> time_precision
DATE_PREC: dict[int, int] = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}
#: where_prec codes flagged geo_coarse (country, international waters): the point is a stand-in.
COARSE_WHERE_PREC: frozenset[int] = frozenset({6, 7})
#: date_prec codes flagged date_coarse (the year, or a period of up to a year).
COARSE_DATE_PREC: frozenset[int] = frozenset({5})

_CONSUMED = {
    "id", "side_a", "side_b", "where_coordinates", "adm_1", "adm_2", "latitude", "longitude",
    "country", "date_start", "best", "source_headline", "source_office",
}
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%m/%d/%Y")


def _lookup(values: pd.Series, table: dict[int, int]) -> np.ndarray:
    """``table[value]`` for each integer value, -1 where the value is missing or unknown (vectorised)."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    lut = np.full(max(table) + 1, -1, dtype="int64")
    for key, code in table.items():
        lut[key] = code
    ok = np.isfinite(numbers) & (numbers >= 0) & (numbers <= max(table)) & (numbers == np.floor(numbers))
    out = np.full(numbers.shape, -1, dtype="int64")
    out[ok] = lut[numbers[ok].astype("int64")]
    return out


def _codes(values: pd.Series, table: dict[int, int]) -> pd.Series:
    found = _lookup(values, table)
    return pd.Series(pd.array(np.where(found >= 0, found, 0), dtype="Int8")).mask(found < 0)


def _categories(values: pd.Series, table: dict[int, str], dtype: pd.CategoricalDtype) -> pd.Categorical:
    position = {label: i for i, label in enumerate(dtype.categories)}
    return pd.Categorical.from_codes(_lookup(values, {k: position[v] for k, v in table.items()}), dtype=dtype)


def map_distinct(values: pd.Series, func) -> pd.Series:
    """``func`` applied once per distinct value (fast on long columns with few distinct values)."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([func(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index)


def read_ucdp(
    path: str | Path, *, sep: str | None = None, encoding: str | None = None, limits: Limits = DEFAULT_LIMITS,
    canonical_admin: bool = True, columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a UCDP GED CSV file into the event schema (see the module docstring).

    ``columns`` renames the file's columns (old -> new) before they are read.
    """
    table = read_delimited(path, sep=sep, encoding=encoding, limits=limits,
                           string_columns=("side_a", "side_b", "source_date"), columns=columns)
    require_columns(table, REQUIRED_COLUMNS, "UCDP GED")
    src = table.frame
    flags = table.flags
    lat, flags = parse_coordinates(table, "latitude", flags)
    lon, flags = parse_coordinates(table, "longitude", flags)
    date, flags = parse_dates(table, "date_start", flags, _DATE_FORMATS)

    geo_coarse = _lookup(src["where_prec"], {k: 1 for k in COARSE_WHERE_PREC}) > 0
    date_coarse = _lookup(src["date_prec"], {k: 1 for k in COARSE_DATE_PREC}) > 0
    for mask, code, what in ((geo_coarse, GEO_COARSE_FLAG, "placed only at country level or coarser (where_prec 6-7)"),
                             (date_coarse, DATE_COARSE_FLAG, "dated only to the year (date_prec 5)")):
        if mask.any():
            # coarse precision is a property of the data, not a fault of the file: flagged, logged as info
            logger.info("%s: %d row(s) %s; flagged %r", table.path, int(mask.sum()), what, code)
            flags = add_flag(flags, mask, code)

    unknown = _lookup(src["type_of_violence"], {k: 1 for k in VIOLENCE_TYPES}) < 0
    if unknown.any():
        logger.warning("%s: %d row(s) with an unknown type_of_violence; left without event type and flagged", table.path, int(unknown.sum()))
        flags = add_flag(flags, unknown, "unknown_type_of_violence")

    ids = pd.to_numeric(src["id"], errors="coerce")
    id_text = ids.astype("Int64").astype("str").where(ids.notna() & (ids == ids.round()), src["id"].astype("str"))
    country = src["country"].astype("str") if "country" in src else pd.Series(pd.NA, index=src.index, dtype="str")
    published = None
    if "source_date" in src:  # "2016-01-30;2016-02-08": the first date
        first = map_distinct(src["source_date"], lambda d: str(d).split(";")[0].strip())
        published = pd.to_datetime(first, format="%Y-%m-%d", errors="coerce", utc=True)

    def column(name: str) -> pd.Series | None:
        return src[name] if name in src else None

    events = pd.DataFrame(
        {
            "event_id": "ucdp:" + id_text,
            "event_date": date,
            "time_precision": _codes(src["date_prec"], DATE_PREC),
            "event_type": _categories(src["type_of_violence"], {k: v[0] for k, v in VIOLENCE_TYPES.items()}, EVENT_TYPE_DTYPE),
            "sub_event_type": _categories(
                src["type_of_violence"], {k: v[1] for k, v in VIOLENCE_TYPES.items()}, SUB_EVENT_TYPE_DTYPE
            ),
            "actor1": src["side_a"],
            "actor2": src["side_b"],
            "location": src["where_coordinates"],
            "admin1": column("adm_1"),
            "admin2": column("adm_2"),
            "country": country,
            "iso3": map_distinct(country, lambda n: countries.iso3_of(countries.iso2_from_name(n))),
            "latitude": lat,
            "longitude": lon,
            "geo_precision": _codes(src["where_prec"], WHERE_PREC),
            "fatalities": src["best"],
            "notes": column("source_headline"),
            "source": column("source_office"),
            "published": published,
            "flags": flags,
        }
    )
    extra = passthrough(src, _CONSUMED, "ucdp")
    out = finish(assemble(events, extra), table, canonical_admin=canonical_admin)
    logger.info("%s: read %d UCDP GED events", table.path, len(out))
    return out


def looks_like_ucdp(columns: list[str] | tuple[str, ...]) -> bool:
    """Whether a header is UCDP GED's."""
    return {"type_of_violence", "where_prec", "date_start"}.issubset(columns)


__all__ = ["read_ucdp", "looks_like_ucdp", "VIOLENCE_TYPES", "WHERE_PREC", "DATE_PREC", "REQUIRED_COLUMNS",
           "COARSE_WHERE_PREC", "COARSE_DATE_PREC"]
