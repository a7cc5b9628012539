"""Validation of event tables: find problems, name their rows, never drop a row.

:func:`validate` checks a table in the schema and returns a
:class:`ValidationReport`: one line per (row, column, problem) with a detail
that says what was found, and counts per problem.  ``report.flag(df)`` returns a
copy of the table with the problem codes added to its ``flags`` column.

Problems (severity ``error`` unless said otherwise):

==========================  ===========================================================
code                        meaning
==========================  ===========================================================
missing_event_id            no event_id
duplicate_event_id          the event_id is used by several rows (each is reported)
missing_event_date          no (readable) event_date
date_before_1900            event_date before 1900-01-01
date_in_future              event_date after today
unknown_event_type          event_type outside ACLED's taxonomy
unknown_sub_event_type      sub_event_type outside ACLED's taxonomy
sub_event_type_mismatch     sub_event_type belongs to another event_type
missing_event_type          no event_type (warning)
coordinates_out_of_range    latitude outside [-90, 90] or longitude outside [-180, 180]
swapped_coordinates         the point is outside its country (or the region), the point
                            with latitude and longitude swapped is inside
outside_country             the point lies outside its country's bounding box (warning)
missing_coordinates         no latitude/longitude (warning; see geocode_events)
negative_fatalities         fatalities below zero
invalid_time_precision      time_precision not 1, 2 or 3
invalid_geo_precision       geo_precision not 1, 2 or 3
confidence_out_of_range     confidence outside [0, 1]
malformed_row, invalid_utf8 a reader repaired the row (bad quoting, wrong number of
                            fields, bytes that are not UTF-8): an error, since its text
                            may not be what the source meant
geo_coarse                  the place is known only at country level or coarser; the
                            point is a stand-in (warning)
date_coarse                 the date is known only to the year; event_date is the first
                            possible day (warning)
<reader flag>               any other flag a reader set (decimal_comma, bad_date,
                            bad_number, ...), reported as a warning
==========================  ===========================================================
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from .schema import (
    DATE_COARSE_FLAG, EVENT_TYPES, GEO_COARSE_FLAG, PARENT_TYPE, REGION_BOUNDS, REPAIR_FLAGS, SUB_EVENT_TYPES,
    add_flag, conform,
)

#: What each reader flag means, for the report's detail column.
READER_FLAG_DETAILS: dict[str, str] = {
    "malformed_row": "repaired by the reader (bad quoting or wrong number of fields); see the log for its line",
    "invalid_utf8": "bytes that are not valid UTF-8 were replaced by U+FFFD",
    GEO_COARSE_FLAG: "placed only at country level (or coarser): the point is a stand-in, not where it happened",
    DATE_COARSE_FLAG: "dated only to the year: event_date is the first possible day",
    "bad_number": "a number that could not be read or was out of range was left empty",
    "bad_date": "a date that could not be read was left empty",
    "bad_coordinate": "a coordinate that could not be read was left empty",
    "decimal_comma": "coordinates written with a decimal comma (read correctly)",
}

#: Bounding boxes (min_lat, max_lat, min_lon, max_lon) of Syria and its neighbours,
#: padded by about 20 km, used for the swapped/outside-country checks.
COUNTRY_BOUNDS: dict[str, tuple[float, float, float, float]] = {
    "SYR": (32.1, 37.6, 35.5, 42.6),
    "IRQ": (28.9, 37.6, 38.6, 48.8),
    "TUR": (35.6, 42.3, 25.5, 45.0),
    "LBN": (32.9, 34.9, 34.9, 36.8),
    "JOR": (28.9, 33.6, 34.8, 39.5),
    "ISR": (29.3, 33.5, 34.1, 36.0),
    "PSE": (31.0, 32.7, 34.0, 35.8),
}

PROBLEM_COLUMNS = ("row", "event_id", "column", "problem", "severity", "detail")


@dataclass
class ValidationReport:
    """What :func:`validate` found.

    ``problems`` has one line per finding: ``row`` (0-based position in the
    table), ``event_id``, ``column``, ``problem`` (a code), ``severity``
    (``error``/``warning``) and ``detail``.  ``ok`` is true when there is no error.
    """

    problems: pd.DataFrame
    n_rows: int

    @property
    def counts(self) -> pd.Series:
        """Number of findings per problem code, most frequent first."""
        return self.problems["problem"].value_counts()

    @property
    def errors(self) -> pd.DataFrame:
        return self.problems[self.problems["severity"] == "error"]

    @property
    def ok(self) -> bool:
        return self.errors.empty

    @property
    def rows_with_problems(self) -> int:
        return int(self.problems["row"].nunique())

    def flag(self, df: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``df`` with every problem code added to its ``flags`` column."""
        out = conform(df)
        flags = out["flags"]
        positions = self.problems.groupby("problem")["row"].unique()
        for code, rows in positions.items():
            mask = np.zeros(len(out), dtype=bool)
            mask[rows.astype(int)] = True
            flags = add_flag(flags, mask, str(code))
        out["flags"] = flags
        return out

    def __str__(self) -> str:
        n_err = int((self.problems["severity"] == "error").sum())
        head = (
            f"{self.n_rows} rows: {'OK' if self.ok else 'NOT OK'}, {n_err} error(s) and "
            f"{len(self.problems) - n_err} warning(s) in {self.rows_with_problems} row(s)"
        )
        lines = [head] + [f"  {code}: {count}" for code, count in self.counts.items()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<ValidationReport {str(self).splitlines()[0]}>"

    def _repr_html_(self) -> str:
        counts = self.counts.rename_axis("problem").reset_index(name="count")
        return (
            f"<p><b>{html.escape(str(self).splitlines()[0])}</b></p>"
            + counts.to_html(index=False)
            + (self.problems.head(20).to_html(index=False) if len(self.problems) else "")
        )


def _finding(
    events: pd.DataFrame,
    mask: np.ndarray,
    column: str,
    problem: str,
    detail: pd.Series | str | Callable[[np.ndarray], object],
    severity: str = "error",
) -> pd.DataFrame | None:
    rows = np.flatnonzero(mask)
    if rows.size == 0:
        return None
    if callable(detail):
        detail = detail(rows)
    elif isinstance(detail, pd.Series):
        detail = detail.iloc[rows].astype("str").to_numpy()
    return pd.DataFrame(
        {
            "row": rows,
            "event_id": events["event_id"].iloc[rows].to_numpy(),
            "column": column,
            "problem": problem,
            "severity": severity,
            "detail": detail,
        }
    )


def _bounds_arrays(iso3: pd.Series) -> tuple[np.ndarray, ...]:
    """Per row: the bounds of its country if known, else of the region; and whether known."""
    codes, uniques = pd.factorize(iso3)
    per_unique = [COUNTRY_BOUNDS.get(str(u)) for u in uniques] + [None]
    known_unique = np.array([b is not None for b in per_unique])
    boxes = np.array([b or REGION_BOUNDS for b in per_unique], dtype=float)
    box = boxes[codes]
    return box[:, 0], box[:, 1], box[:, 2], box[:, 3], known_unique[codes]


def validate(df: pd.DataFrame, *, today: pd.Timestamp | None = None) -> ValidationReport:
    """Check an event table and report every problem with its row (see the module docstring).

    The table is not modified; rows are never dropped.
    """
    events = conform(df)
    found: list[pd.DataFrame | None] = []
    add = found.append

    ids = events["event_id"]
    add(_finding(events, ids.isna().to_numpy(), "event_id", "missing_event_id", "no event_id"))
    dup = ids.duplicated(keep=False).to_numpy() & ids.notna().to_numpy()
    if dup.any():
        counts = ids[dup].map(ids[dup].value_counts())
        detail = pd.Series("", index=ids.index)
        detail[dup] = "used by " + counts.astype("str") + " rows"
        add(_finding(events, dup, "event_id", "duplicate_event_id", detail))

    date = events["event_date"]
    today = (today or pd.Timestamp.now()).normalize()
    add(_finding(events, date.isna().to_numpy(), "event_date", "missing_event_date", "no readable event_date"))
    def dates(rows: np.ndarray) -> list[str]:
        return [str(d.date()) for d in date.iloc[rows]]

    add(_finding(events, (date < pd.Timestamp("1900-01-01")).to_numpy(), "event_date", "date_before_1900", dates))
    add(_finding(events, (date > today + pd.Timedelta(days=1)).to_numpy(), "event_date", "date_in_future", dates))

    etype = events["event_type"]
    stype = events["sub_event_type"]
    add(_finding(events, (etype.notna() & ~etype.isin(EVENT_TYPES)).to_numpy(), "event_type", "unknown_event_type", etype))
    add(_finding(events, etype.isna().to_numpy(), "event_type", "missing_event_type", "no event_type", "warning"))
    add(_finding(events, (stype.notna() & ~stype.isin(SUB_EVENT_TYPES)).to_numpy(), "sub_event_type", "unknown_sub_event_type", stype))
    # compare category codes: the parent type's code in event_type's categories for each sub-type
    etype_position = {label: i for i, label in enumerate(etype.cat.categories)}
    parent_codes = np.array([etype_position.get(PARENT_TYPE.get(s), -2) for s in stype.cat.categories] + [-2])
    parent = parent_codes[stype.cat.codes.to_numpy()]
    known_type = etype.cat.codes.to_numpy() < len(EVENT_TYPES)
    mismatch = (parent >= 0) & (etype.cat.codes.to_numpy() >= 0) & known_type & (parent != etype.cat.codes.to_numpy())
    add(_finding(events, mismatch, "sub_event_type", "sub_event_type_mismatch",
                 lambda rows: [f"{stype.iloc[r]} is a sub-type of {PARENT_TYPE[stype.iloc[r]]}" for r in rows]))

    lat = events["latitude"].to_numpy()
    lon = events["longitude"].to_numpy()
    has = ~(np.isnan(lat) | np.isnan(lon))
    add(_finding(events, ~has, "latitude", "missing_coordinates", "no latitude/longitude", "warning"))
    bad_range = has & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
    def where(prefix: str = "") -> Callable[[np.ndarray], list[str]]:
        return lambda rows: [f"{prefix}latitude={lat[r]:g}, longitude={lon[r]:g}" for r in rows]

    add(_finding(events, bad_range, "latitude", "coordinates_out_of_range", where()))
    lo_lat, hi_lat, lo_lon, hi_lon, known = _bounds_arrays(events["iso3"])
    with np.errstate(invalid="ignore"):
        inside = (lat >= lo_lat) & (lat <= hi_lat) & (lon >= lo_lon) & (lon <= hi_lon)
        swapped_inside = (lon >= lo_lat) & (lon <= hi_lat) & (lat >= lo_lon) & (lat <= hi_lon)
    swapped = has & ~bad_range & ~inside & swapped_inside
    add(_finding(events, swapped, "latitude", "swapped_coordinates", where("swapped? ")))
    outside = has & ~bad_range & ~inside & ~swapped & known
    iso3 = events["iso3"].to_numpy()
    add(_finding(events, outside, "latitude", "outside_country",
                 lambda rows: [f"outside {iso3[r]}: latitude={lat[r]:g}, longitude={lon[r]:g}" for r in rows], "warning"))

    fat = events["fatalities"]
    add(_finding(events, (fat < 0).fillna(False).to_numpy(dtype=bool), "fatalities", "negative_fatalities", fat))
    for column in ("time_precision", "geo_precision"):
        values = events[column]
        bad = (values.notna() & ~values.isin([1, 2, 3])).to_numpy(dtype=bool)
        add(_finding(events, bad, column, f"invalid_{column}", values))
    conf = events["confidence"]
    add(_finding(events, ((conf < 0) | (conf > 1)).to_numpy(), "confidence", "confidence_out_of_range", conf))

    flags = events["flags"]
    if flags.notna().any():
        codes = flags.str.split(";").explode().dropna()
        validation_codes = {"missing_event_id", "duplicate_event_id", "missing_event_date", "date_before_1900",
                            "date_in_future", "unknown_event_type", "missing_event_type", "unknown_sub_event_type",
                            "sub_event_type_mismatch", "missing_coordinates", "coordinates_out_of_range",
                            "swapped_coordinates", "outside_country", "negative_fatalities",
                            "invalid_time_precision", "invalid_geo_precision", "confidence_out_of_range"}
        codes = codes[~codes.isin(validation_codes) & (codes != "")]
        for code, positions in codes.groupby(codes).groups.items():
            mask = np.zeros(len(events), dtype=bool)
            mask[np.asarray(positions, dtype=int)] = True
            severity = "error" if code in REPAIR_FLAGS else "warning"
            add(_finding(events, mask, "flags", str(code), READER_FLAG_DETAILS.get(str(code), "flagged by the reader"), severity))

    frames = [f for f in found if f is not None]
    if frames:
        problems = pd.concat(frames, ignore_index=True).sort_values(["row", "problem"], kind="stable").reset_index(drop=True)
    else:
        problems = pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "str") for c in PROBLEM_COLUMNS})
    return ValidationReport(problems, len(events))

