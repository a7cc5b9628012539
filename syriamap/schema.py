"""The event table's schema: its columns, their dtypes and meaning, and ACLED's taxonomy.

Every part of syriamap that makes or reads events (the file readers, the text
pipeline, geocoding, merging, the maps) shares one pandas DataFrame layout, and
this module is the only place that defines it.  :data:`COLUMNS` documents each
column once; :func:`columns_markdown` renders that documentation as the Markdown
table copied into the README.

Conventions
-----------
* ``event_id`` is namespaced ``<dataset>:<source id>`` (``ucdp:214797``,
  ``acled:SYR1234``, ``gdelt:1052871234``) so ids from several sources never clash.
* Columns a reader found in its source but that have no schema column are kept
  *after* the schema columns, prefixed with the dataset's name (``ucdp_low``,
  ``acled_inter1``, ``gdelt_EventCode``): nothing in a source file is thrown away.
* Event types follow ACLED's taxonomy.  Labels outside it are not turned into
  missing values: :func:`conform` keeps them as extra categories, and
  :func:`syriamap.validate.validate` reports them.
* ``time_precision`` uses ACLED's codes (1 day, 2 week, 3 month); a missing
  value means the precision is unknown.  ``geo_precision`` uses ACLED's codes
  (1 the exact place, 2 near it or a part of a district/region, 3 a province or
  larger).

Precision across sources
------------------------
Each reader maps its source's codes onto ACLED's, the same way for all, and
flags what is coarser than any ACLED code says (:data:`GEO_COARSE_FLAG`,
:data:`DATE_COARSE_FLAG`), so that maps and summaries can keep those rows apart:

==============  ================================  ===============================  ==========================
geo_precision   UCDP GED ``where_prec``           GDELT ``ActionGeo_Type``         gazetteer (geocoding)
==============  ================================  ===============================  ==========================
1               1 exact place, 2 within ~25 km    3 US city, 4 world city          town, quarter, site
2               3 district (second level)         --                               district, region, river
3               4 governorate, 5 larger region    2 US state, 5 world province     governorate
3 + geo_coarse  6 country, 7 international waters 1 country                        country
==============  ================================  ===============================  ==========================

ACLED files carry geo_precision 1-3 as is; a row with geo_precision 3 and no
admin1 is placed at country level and flagged ``geo_coarse``.  Dates: UCDP
``date_prec`` 1 -> time_precision 1; 2-3 -> 2; 4 -> 3; 5 (the year) -> 3 +
``date_coarse``.  ACLED's time_precision is kept; GDELT dates are days (1).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

#: ACLED's event types and, for each, its sub-event types.
TAXONOMY: dict[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": (
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ),
    "Protests": (
        "Excessive force against protesters",
        "Protest with intervention",
        "Peaceful protest",
    ),
    "Riots": (
        "Violent demonstration",
        "Mob violence",
    ),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}

EVENT_TYPES: tuple[str, ...] = tuple(TAXONOMY)
SUB_EVENT_TYPES: tuple[str, ...] = tuple(s for subs in TAXONOMY.values() for s in subs)
#: The event type each sub-event type belongs to.
PARENT_TYPE: dict[str, str] = {s: t for t, subs in TAXONOMY.items() for s in subs}

EVENT_TYPE_DTYPE = pd.CategoricalDtype(EVENT_TYPES)
SUB_EVENT_TYPE_DTYPE = pd.CategoricalDtype(SUB_EVENT_TYPES)

#: Spellings met in older ACLED releases and elsewhere, mapped to today's labels
#: (keys are lower-cased, with spaces around slashes removed).
TYPE_ALIASES: dict[str, str] = {
    "remote violence": "Explosions/Remote violence",
    "explosions/remote violence": "Explosions/Remote violence",
    "battle-no change of territory": "Battles",
    "battle-government regains territory": "Battles",
    "battle-non-state actor overtakes territory": "Battles",
    "riots/protests": "Riots",
    "violence against civilians": "Violence against civilians",
    "strategic development": "Strategic developments",
    "protest": "Protests",
    "riot": "Riots",
    "battle": "Battles",
}

#: ACLED's time_precision codes.  A missing value means "unknown".
TIME_PRECISION: dict[int, str] = {
    1: "the day is known",
    2: "the week is known (date within a few days)",
    3: "only the month (or a coarser period) is known",
}

#: ACLED's geo_precision codes.
GEO_PRECISION: dict[int, str] = {
    1: "the exact place (town, village, site or neighbourhood)",
    2: "near the place, or a part of a district or region",
    3: "a province (governorate) or larger area",
}

#: Flag of a row whose place is known only at country level or coarser (UCDP where_prec 6-7,
#: ACLED/GDELT country-level rows): its point is a stand-in (often the country's centroid).
GEO_COARSE_FLAG = "geo_coarse"
#: Flag of a row whose date is known only to the year or a longer period (UCDP date_prec 5):
#: its event_date is the first possible day, not the day of the event.
DATE_COARSE_FLAG = "date_coarse"
#: Reader flags meaning a row's text was repaired: validation counts them as errors.
REPAIR_FLAGS: tuple[str, ...] = ("malformed_row", "invalid_utf8", "bad_feature")
#: Flag of a row with a number that could not be read or is out of range (left missing).
BAD_NUMBER_FLAG = "bad_number"

#: Region checked by validation when a row names no country we know the extent of:
#: Syria and its neighbours, (min_lat, max_lat, min_lon, max_lon).
REGION_BOUNDS: tuple[float, float, float, float] = (27.0, 43.0, 25.0, 49.0)


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of the event table: its name, pandas dtype and meaning."""

    name: str
    dtype: object
    description: str
    required: bool = False

    @property
    def dtype_name(self) -> str:
        """A short name of the dtype for documentation."""
        if isinstance(self.dtype, pd.CategoricalDtype):
            return "category"
        return str(self.dtype)


def _spec(name: str, dtype: object, description: str, required: bool = False) -> ColumnSpec:
    return ColumnSpec(name, dtype, description, required)


#: The schema: every column, in order, documented once.
COLUMNS: tuple[ColumnSpec, ...] = (
    _spec("event_id", "str", "Unique id, namespaced `<dataset>:<source id>` (`ucdp:214797`, `acled:SYR1234`).", True),
    _spec("event_date", "datetime64[s]", "Day the event happened (its first possible day when the date is imprecise).", True),
    _spec("time_precision", "Int8", "ACLED code: 1 day known, 2 week known, 3 month (or coarser) known; missing = unknown."),
    _spec("event_type", EVENT_TYPE_DTYPE, "ACLED event type (Battles, Explosions/Remote violence, Violence against civilians, Protests, Riots, Strategic developments).", True),
    _spec("sub_event_type", SUB_EVENT_TYPE_DTYPE, "ACLED sub-event type, one of those of `event_type`."),
    _spec("actor1", "str", "Main actor (the one acting; UCDP side_a)."),
    _spec("actor2", "str", "Other actor (the one acted upon; UCDP side_b)."),
    _spec("location", "str", "Place as named by the source (town, village, district...)."),
    _spec("admin1", "str", "First-level division (Syrian governorate)."),
    _spec("admin2", "str", "Second-level division (Syrian district)."),
    _spec("country", "str", "Country name."),
    _spec("iso3", "str", "ISO 3166-1 alpha-3 country code."),
    _spec("latitude", "float64", "WGS84 latitude in decimal degrees."),
    _spec("longitude", "float64", "WGS84 longitude in decimal degrees."),
    _spec("geo_precision", "Int8", "ACLED code: 1 exact place, 2 near it / part of a district or region, 3 province or larger."),
    _spec("fatalities", "Int64", "Reported deaths (UCDP `best`); missing = not reported."),
    _spec("notes", "str", "Free-text description of the event (UCDP: the source headline)."),
    _spec("source", "str", "Reporting source(s), `; `-separated (news outlet, NGO, dataset)."),
    _spec("url", "str", "Address of the source report."),
    _spec("published", "datetime64[s, UTC]", "When the source report was published or added."),
    _spec("place_id", "str", "Id of the gazetteer place the coordinates come from (`gn:<geonameid>`, `sm:<slug>`)."),
    _spec("confidence", "float64", "Confidence in [0, 1] of the geocoding or extraction that produced the row."),
    _spec("source_sentence", "str", "Sentence of the source text the event was extracted from (text pipeline)."),
    _spec("char_start", "Int64", "Offset of the event's place mention in the source text (first character)."),
    _spec("char_end", "Int64", "Offset just past the event's place mention in the source text."),
    _spec("merged_ids", "str", "Ids of the rows merged into this one by `merge_duplicates`, `; `-separated."),
    _spec("flags", "str", "Problems found by readers and `validate`, `;`-separated codes; missing = none."),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
SPECS: dict[str, ColumnSpec] = {c.name: c for c in COLUMNS}
REQUIRED: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)

_STRING_COLUMNS = tuple(c.name for c in COLUMNS if c.dtype == "str")
_INT_COLUMNS = tuple(c.name for c in COLUMNS if c.dtype in ("Int8", "Int64"))
_FLOAT_COLUMNS = tuple(c.name for c in COLUMNS if c.dtype == "float64")


def columns_markdown() -> str:
    """The column documentation as a Markdown table (for the README)."""
    lines = ["| column | dtype | meaning |", "| --- | --- | --- |"]
    for c in COLUMNS:
        req = " (required)" if c.required else ""
        lines.append(f"| `{c.name}` | {c.dtype_name} | {c.description}{req} |")
    return "\n".join(lines)


def empty_events() -> pd.DataFrame:
    """An event table with no rows and every schema column, correctly typed."""
    return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in COLUMNS})


def _label_key(value: str) -> str:
    return re.sub(r"\s*/\s*", "/", re.sub(r"\s+", " ", value.strip())).lower()


_CANONICAL_TYPES = {_label_key(t): t for t in EVENT_TYPES} | TYPE_ALIASES
_CANONICAL_SUBTYPES = {_label_key(s): s for s in SUB_EVENT_TYPES}


def _to_categorical(values: pd.Series, labels: tuple[str, ...], canonical: dict[str, str]) -> pd.Series:
    """Map labels (case- and spacing-insensitively) onto ``labels``.

    Unknown labels are kept as extra categories after the known ones, so no
    value is lost; :func:`syriamap.validate.validate` reports them.
    """
    if isinstance(values.dtype, pd.CategoricalDtype) and list(values.cat.categories[: len(labels)]) == list(labels):
        return values
    as_str = values.astype("str")
    uniques = pd.unique(as_str.dropna())
    mapping: dict[str, str] = {}
    extras: list[str] = []
    for u in uniques:
        stripped = u.strip()
        if not stripped:
            continue
        label = canonical.get(_label_key(stripped), stripped)
        mapping[u] = label
        if label not in labels and label not in extras:
            extras.append(label)
    mapped = as_str.map(mapping)
    return mapped.astype(pd.CategoricalDtype(list(labels) + sorted(extras)))


def _to_datetime(values: pd.Series, unit: str, utc: bool = False) -> pd.Series:
    if utc:
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            out = values.dt.tz_convert("UTC")
        else:
            out = pd.to_datetime(values, errors="coerce", utc=True, format="mixed")
        return out.astype(f"datetime64[{unit}, UTC]")
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, errors="coerce", format="mixed")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values.astype(f"datetime64[{unit}]")


#: Integers a column may hold: Int8 codes, and Int64 counts exactly representable as a float.
_INT_RANGE: dict[str, tuple[int, int]] = {"Int8": (-128, 127), "Int64": (-(2**53), 2**53)}


def _to_int(values: pd.Series, dtype: str) -> pd.Series:
    """Whole numbers (rounded) in ``dtype``; text that is not a number, and numbers out of
    the dtype's range or not finite ('1e400', '99999999999999999999999'), become missing
    (never a wrapped-around value)."""
    if values.dtype == dtype:
        return values
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        values = pd.to_numeric(values, errors="coerce")
    lo, hi = _INT_RANGE[dtype]
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(numbers) & (numbers >= lo) & (numbers <= hi)
    if pd.api.types.is_integer_dtype(values) and ok.all():
        return values.astype(dtype)
    whole = np.round(np.where(ok, numbers, 0))
    return pd.Series(pd.arrays.IntegerArray(whole.astype(dtype.lower()), ~ok), index=values.index)


def _to_str(values: pd.Series) -> pd.Series:
    """Text with empty strings made missing (whitespace-only ones too, for non-text input)."""
    if values.dtype == "str":
        empty = values == ""
        return values.mask(empty) if empty.any() else values
    out = values.astype("str").where(values.notna())
    empty = out.str.strip() == ""
    return out.mask(empty) if empty.any() else out


def coerce_column(name: str, values: pd.Series) -> pd.Series:
    """Coerce one column to its schema dtype; values that cannot be read become missing."""
    spec = SPECS[name]
    if name == "event_type":
        return _to_categorical(values, EVENT_TYPES, _CANONICAL_TYPES)
    if name == "sub_event_type":
        return _to_categorical(values, SUB_EVENT_TYPES, _CANONICAL_SUBTYPES)
    if name == "event_date":
        return _to_datetime(values, "s")
    if name == "published":
        return _to_datetime(values, "s", utc=True)
    if name in _INT_COLUMNS:
        return _to_int(values, str(spec.dtype))
    if name in _FLOAT_COLUMNS:
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        finite = np.isfinite(numbers.to_numpy())
        return numbers if finite.all() or name in ("latitude", "longitude") else numbers.where(finite)
    return _to_str(values)


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` in the schema: every schema column, in order, with its dtype.

    Missing schema columns are added empty; columns outside the schema are kept,
    unchanged, after the schema columns.  Rows are never dropped or reordered.
    The index is reset to a RangeIndex.
    """
    if _is_conformed(df):
        return df.copy(deep=False)
    n = len(df)
    out: dict[str, pd.Series] = {}
    for spec in COLUMNS:
        if spec.name in df.columns:
            out[spec.name] = coerce_column(spec.name, df[spec.name].reset_index(drop=True))
        else:
            out[spec.name] = pd.Series([], dtype=spec.dtype).reindex(pd.RangeIndex(n))
    for name in df.columns:
        if name not in SPECS:
            out[name] = df[name].reset_index(drop=True)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def from_records(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The event table of ``rows`` (dicts of plain Python values), in the schema.

    The result equals ``conform(pd.DataFrame(rows))``, but each column whose values
    already fit its dtype (text, whole numbers in range, finite floats, known labels)
    is built directly in that dtype.  For the few rows that one report gives, pandas'
    generic coercion of some thirty columns cost five times the extraction itself;
    a column that does not fit goes through :func:`coerce_column`, so nothing is
    read differently.
    """
    names = list(dict.fromkeys(name for row in rows for name in row))
    n = len(rows)
    out: dict[str, pd.Series] = {}
    for spec in COLUMNS:
        if spec.name not in names:
            out[spec.name] = pd.Series([], dtype=spec.dtype).reindex(pd.RangeIndex(n))
            continue
        values = [row.get(spec.name) for row in rows]
        column = _direct_column(spec, values)
        out[spec.name] = column if column is not None else coerce_column(spec.name, pd.Series(values))
    for name in names:
        if name not in SPECS:
            out[name] = pd.Series([row.get(name) for row in rows])
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def _direct_column(spec: ColumnSpec, values: list[Any]) -> pd.Series | None:
    """``values`` as a column of ``spec``'s dtype when they fit it as they are, else None."""
    present = [v for v in values if v is not None]
    if isinstance(spec.dtype, pd.CategoricalDtype):
        if all(isinstance(v, str) and v in spec.dtype.categories for v in present):
            return pd.Series(pd.Categorical(values, dtype=spec.dtype))
        return None
    if spec.dtype == "str":
        if all(isinstance(v, str) for v in present):
            return pd.Series([v if v != "" else None for v in values], dtype="str")
        return None
    if spec.name in _INT_COLUMNS:
        lo, hi = _INT_RANGE[str(spec.dtype)]
        if all(type(v) is int and lo <= v <= hi for v in present):
            return pd.Series(values, dtype=spec.dtype)
        return None
    if spec.name in _FLOAT_COLUMNS:
        finite_only = spec.name not in ("latitude", "longitude")
        if all(type(v) in (int, float) and (not finite_only or np.isfinite(v)) for v in present):
            return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
        return None
    return None


def _is_conformed(df: pd.DataFrame) -> bool:
    """Whether ``df`` already has the schema's columns, order, dtypes and a RangeIndex."""
    if list(df.columns[: len(COLUMNS)]) != list(COLUMN_NAMES) or not isinstance(df.index, pd.RangeIndex):
        return False
    if df.index.start != 0 or df.index.step != 1 or df.columns.duplicated().any():
        return False
    for spec in COLUMNS:
        dtype = df[spec.name].dtype
        if isinstance(spec.dtype, pd.CategoricalDtype):
            labels = list(spec.dtype.categories)
            if not isinstance(dtype, pd.CategoricalDtype) or list(dtype.categories[: len(labels)]) != labels:
                return False
        elif str(dtype) != str(pd.Series([], dtype=spec.dtype).dtype):
            return False
    return True


def extra_columns(df: pd.DataFrame) -> list[str]:
    """The columns of ``df`` that are not schema columns (source pass-through columns)."""
    return [c for c in df.columns if c not in SPECS]


def add_flag(flags: pd.Series, mask: pd.Series | np.ndarray, code: str) -> pd.Series:
    """Append ``code`` to the ``;``-separated ``flags`` of the rows where ``mask`` holds.

    Codes already present on a row are not repeated.
    """
    mask = pd.Series(mask, index=flags.index).fillna(False).astype(bool)
    if not mask.any():
        return flags
    flags = flags.astype("str")
    current = flags[mask]
    has = current.str.contains(rf"(?:^|;){re.escape(code)}(?:;|$)", regex=True).fillna(False).astype(bool)
    new = current.where(current.isna(), current + ";" + code).fillna(code)
    new = new.where(~has, current)
    out = flags.copy()
    out[mask] = new
    return out


def conform_flagged(df: pd.DataFrame, *, where: str = "events", lines: np.ndarray | None = None) -> pd.DataFrame:
    """:func:`conform`, flagging ``bad_number`` every row where a numeric schema column had a
    value that could not be read as a number in range (``'abc'``, ``'1e400'``) and is now missing.

    ``where`` (a file name) and ``lines`` (the line of each row) go into the logged warning.
    """
    out = conform(df)
    flags = out["flags"]
    positions = np.arange(len(out))
    for name in _INT_COLUMNS + ("confidence",):
        if name not in df.columns:
            continue
        given = df[name].reset_index(drop=True)
        before = given.notna().to_numpy().copy()
        if given.dtype == object or pd.api.types.is_string_dtype(given.dtype):
            before &= (given.astype("str").str.strip() != "").fillna(False).to_numpy(dtype=bool)
        lost = before & out[name].isna().to_numpy()
        if lost.any():
            rows = positions[lost]
            named = ", ".join(str(int(lines[r]) if lines is not None else r + 1) for r in rows[:5])
            more = f" and {rows.size - 5} more" if rows.size > 5 else ""
            logger.warning("%s, column %r, %s %s%s: values that are not numbers in range (e.g. %r); left empty and "
                           "flagged %r", where, name, "line(s)" if lines is not None else "row(s)", named, more,
                           given.iloc[rows[0]], BAD_NUMBER_FLAG)
            flags = add_flag(flags, lost, BAD_NUMBER_FLAG)
    out["flags"] = flags
    return out
