"""CSV and Parquet files in syriamap's own schema.

Parquet keeps every dtype (categories, nullable integers, time zones) exactly.
CSV writes dates as ISO 8601 and reads them back through :func:`conform`;
pass-through columns are re-typed by inference, so their values (not always their
integer width or datetime unit) survive the trip.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..schema import COLUMNS, REQUIRED, conform
from .csvfile import assemble, finish, parse_coordinates, parse_dates, read_delimited, rename_columns, require_columns
from .formulas import escape_frame
from .limits import DEFAULT_LIMITS, Limits
from .errors import EventFileError

logger = logging.getLogger(__name__)

_STRING_COLUMNS = tuple(c.name for c in COLUMNS if c.dtype == "str")
_DATE_FORMATS = ("ISO8601",)


def write_csv(df: pd.DataFrame, path: str | Path, *, escape_formulas: bool = True) -> Path:
    """Write events as a UTF-8 CSV in the schema (schema columns first).

    Formula-like text cells are escaped (:mod:`syriamap.io.formulas`) unless
    ``escape_formulas=False``; :func:`read_csv` restores them.
    """
    path = Path(path)
    events = conform(df)
    # CRLF line ends (RFC 4180): the csv module then quotes every field holding a CR or LF
    (escape_frame(events) if escape_formulas else events).to_csv(path, index=False, lineterminator="\r\n")
    logger.info("%s: wrote %d events", path, len(df))
    return path


def read_csv(
    path: str | Path, *, sep: str | None = None, encoding: str | None = None, limits: Limits = DEFAULT_LIMITS,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a CSV written in the schema (by :func:`write_csv` or by hand).

    ``event_id``, ``event_date`` and ``event_type`` are required; other schema
    columns are optional; unknown columns pass through unchanged.  ``columns``
    renames the file's columns (old -> new) first, so a spreadsheet with its own
    headers can be read.
    """
    table = read_delimited(path, sep=sep, encoding=encoding, limits=limits, unescape_formulas=True,
                           string_columns=list(_STRING_COLUMNS), columns=columns)
    require_columns(table, REQUIRED, "syriamap event")
    frame = table.frame.copy()
    flags = table.flags
    for column in ("latitude", "longitude"):
        if column in frame:
            frame[column], flags = parse_coordinates(table, column, flags)
    frame["event_date"], flags = parse_dates(table, "event_date", flags, _DATE_FORMATS)
    if "flags" in frame:
        frame = assemble(pd.DataFrame({"flags": flags}), frame)
    else:
        frame["flags"] = flags
    return finish(frame, table)


def write_parquet(df: pd.DataFrame, path: str | Path) -> Path:
    """Write events as Parquet (pyarrow), dtypes included."""
    path = Path(path)
    conform(df).to_parquet(path, index=False)
    logger.info("%s: wrote %d events", path, len(df))
    return path


def read_parquet(path: str | Path, *, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read a Parquet file of events and conform it to the schema (``columns`` renames old -> new first)."""
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise EventFileError(path, None, None, f"cannot be read as Parquet: {exc}") from None
    if columns:
        frame.columns = rename_columns([str(c) for c in frame.columns], columns, path)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise EventFileError(path, None, missing[0], f"missing required column(s) {', '.join(map(repr, missing))}")
    return conform(frame)
