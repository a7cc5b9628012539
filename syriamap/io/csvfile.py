"""Reading delimited event files robustly: fast when the file is sound, explicit when not.

:func:`read_delimited` parses with pyarrow's multithreaded CSV reader.  Before
that it checks the start of the file for a byte-order mark and for a delimiter
other than the expected one; if pyarrow then finds invalid UTF-8 or rows with the
wrong number of fields, the file is diagnosed (first bad line and column named in
a logged warning) and read again: non-UTF-8 text as cp1256 (Arabic Windows) or
cp1252, short rows padded and long rows' surplus fields kept in an
``extra_fields`` column, each such row flagged ``malformed_row``.

:func:`parse_coordinates` and :func:`parse_dates` turn text columns into numbers
and dates, accepting decimal commas and several date formats, and report the
values they could not read (their rows are kept and flagged, never dropped).
"""
from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..schema import SPECS, add_flag
from .errors import EventFileError

logger = logging.getLogger(__name__)

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
_DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_HEAD_BYTES = 1 << 16
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


@dataclass
class RawTable:
    """A parsed delimited file: its columns as read, and the flags of repaired rows."""

    frame: pd.DataFrame
    flags: pd.Series
    path: str
    encoding: str
    delimiter: str
    header: bool
    notes: list[str] = field(default_factory=list)

    def line_of(self, row: int) -> int:
        """The 1-based line of data row ``row`` (one line per record assumed)."""
        return row + (2 if self.header else 1)


def _detect_encoding(head: bytes, path: str, encoding: str | None) -> str:
    if encoding:
        return encoding
    if head.startswith(codecs.BOM_UTF8):
        logger.warning("%s: starts with a UTF-8 byte-order mark; it is ignored", path)
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        logger.warning("%s: starts with a UTF-16 byte-order mark; reading it as UTF-16", path)
        return "utf-16"
    return "utf-8"


def _first_line(head: bytes, encoding: str) -> str:
    text = head.decode(encoding, errors="replace")
    return text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""


def _field_count(line: str, delimiter: str, quoting: bool) -> int:
    if not quoting:
        return len(line.split(delimiter))
    return len(next(csv.reader([line], delimiter=delimiter), []))


def _choose_delimiter(
    line: str, path: str, delimiter: str, explicit: bool, quoting: bool, expected_fields: int | None
) -> str:
    counts = {d: _field_count(line, d, quoting) for d in DELIMITERS}
    if expected_fields is not None and counts.get(delimiter, 0) == expected_fields:
        return delimiter
    best = max(DELIMITERS, key=lambda d: (counts[d] == expected_fields, counts[d]))
    if best == delimiter or counts[best] <= max(counts.get(delimiter, 1), 1):
        return delimiter
    message = (
        f"expected {_DELIM_NAMES.get(delimiter, repr(delimiter))}-separated fields, but the first line "
        f"has {counts[delimiter]} field(s) that way and {counts[best]} "
        f"{_DELIM_NAMES[best]}-separated ones"
    )
    if explicit:
        raise EventFileError(path, 1, None, message + f"; pass sep={best!r}")
    logger.warning("%s, line 1: %s; reading it as %s-separated", path, message, _DELIM_NAMES[best])
    return best


def _first_bad_utf8(path: str) -> tuple[int, int]:
    """Line and 1-based byte column of the first byte sequence that is not UTF-8."""
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return number, exc.start + 1
    return 0, 0


def _fallback_encoding(path: str) -> str:
    """cp1256 when the bytes read that way give Arabic letters, else cp1252 (or latin-1)."""
    with open(path, "rb") as fh:
        sample = fh.read(1 << 20)
    high = bytes(b for b in sample if b >= 0x80)
    try:
        arabic = sum(1 for ch in high.decode("cp1256") if "\u0600" <= ch <= "\u06ff")
    except UnicodeDecodeError:
        arabic = 0
    if arabic >= max(1, len(high) // 2):
        return "cp1256"
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _arrow_read(
    source: str | io.BytesIO,
    *,
    encoding: str,
    delimiter: str,
    names: list[str] | None,
    quoting: bool,
    string_columns: list[str],
) -> pa.Table:
    read_options = pacsv.ReadOptions(
        encoding=encoding if encoding not in ("utf-8", "utf-8-sig") else "utf8",
        column_names=names,
        block_size=1 << 24,
    )
    parse_options = pacsv.ParseOptions(
        delimiter=delimiter, quote_char='"' if quoting else False, double_quote=quoting, newlines_in_values=False
    )
    convert_options = pacsv.ConvertOptions(
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        column_types={c: pa.string() for c in string_columns},
        timestamp_parsers=[],
    )
    return pacsv.read_csv(source, read_options=read_options, parse_options=parse_options, convert_options=convert_options)


def _repair_rows(
    path: str, encoding: str, delimiter: str, names: list[str] | None, quoting: bool
) -> tuple[bytes, list[tuple[int, str]], list[str]]:
    """Re-serialise the file with every record padded or cut to the header's width.

    Returns the repaired CSV bytes (comma-separated, with a header), the
    ``(data row, message)`` of each repaired record and the column names.
    """
    with open(path, encoding=encoding, newline="") as fh:
        text = fh.read()
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE)
    header = names if names is not None else next(reader)
    width = len(header)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    repaired: list[tuple[int, str]] = []
    rows: list[list[str]] = []
    extras: dict[int, str] = {}
    line = reader.line_num
    for row in reader:
        start, line = line + 1, reader.line_num
        if not row:
            continue
        index = len(rows)
        if len(row) != width:
            repaired.append((index, f"line {start}: {len(row)} fields where the header has {width}"))
            if len(row) > width:
                extras[index] = delimiter.join(row[width:])
                row = row[:width]
            else:
                row = row + [""] * (width - len(row))
        rows.append(row)
    columns = list(header) + (["extra_fields"] if extras else [])
    writer.writerow(columns)
    for index, row in enumerate(rows):
        writer.writerow(row + ([extras.get(index, "")] if extras else []))
    return out.getvalue().encode("utf-8"), repaired, columns


def read_delimited(
    path: str | Path,
    *,
    sep: str | None = None,
    default_sep: str = ",",
    names: list[str] | None = None,
    quoting: bool = True,
    string_columns: list[str] | tuple[str, ...] = (),
    encoding: str | None = None,
) -> RawTable:
    """Read a delimited text file into a :class:`RawTable`.

    ``names`` gives the column names of a file without a header.  ``sep`` forces
    the delimiter (a mismatch with the file is then an error); without it
    ``default_sep`` is expected and another delimiter is accepted with a warning.
    ``string_columns`` are read as text (codes with leading zeros).
    """
    path = str(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError as exc:
        raise EventFileError(path, None, None, f"cannot open the file: {exc.strerror or exc}") from None
    if not head.strip():
        raise EventFileError(path, None, None, "the file is empty")
    enc = _detect_encoding(head, path, encoding)
    line = _first_line(head, enc if enc != "utf-8" else "utf-8")
    delimiter = _choose_delimiter(
        line, path, sep or default_sep, sep is not None, quoting, len(names) if names else None
    )
    strings = list(string_columns)
    notes: list[str] = []
    try:
        table = _arrow_read(path, encoding=enc, delimiter=delimiter, names=names, quoting=quoting, string_columns=strings)
        if any(pa.types.is_binary(f.type) for f in table.schema):  # pyarrow's reading of non-UTF-8 text
            raise pa.ArrowInvalid("invalid UTF8 data in a column")
        frame = table.to_pandas(date_as_object=False, split_blocks=True, self_destruct=True)
        repaired: list[tuple[int, str]] = []
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        message = str(exc)
        if isinstance(exc, UnicodeDecodeError) or "utf8" in message.lower() or "utf-8" in message.lower():
            if encoding:
                raise EventFileError(path, None, None, f"not valid {encoding}: {message}") from None
            bad_line, bad_col = _first_bad_utf8(path)
            enc = _fallback_encoding(path)
            note = f"line {bad_line}, byte {bad_col}: not valid UTF-8; the file is read as {enc}"
            logger.warning("%s, %s", path, note)
            notes.append(note)
            return _finish(read_delimited(path, sep=delimiter, names=names, quoting=quoting, string_columns=strings, encoding=enc), notes)
        if "columns" not in message:
            raise EventFileError(path, None, None, f"cannot be parsed: {message}") from None
        data, repaired, columns = _repair_rows(path, enc, delimiter, names, quoting)
        for _, msg in repaired[:5]:
            logger.warning("%s, %s; the row is kept and flagged 'malformed_row'", path, msg)
        if len(repaired) > 5:
            logger.warning("%s: %d malformed rows in all", path, len(repaired))
        table = _arrow_read(io.BytesIO(data), encoding="utf-8", delimiter=",", names=None, quoting=True, string_columns=strings + ["extra_fields"])
        notes.append(f"{len(repaired)} malformed row(s) repaired")
        frame = table.to_pandas(date_as_object=False, split_blocks=True, self_destruct=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    flags = pd.Series(pd.NA, index=frame.index, dtype="str")
    if repaired:
        mask = np.zeros(len(frame), dtype=bool)
        mask[[i for i, _ in repaired]] = True
        flags = add_flag(flags, mask, "malformed_row")
    return RawTable(frame, flags, path, enc, delimiter, names is None, notes)


def _finish(table: RawTable, notes: list[str]) -> RawTable:
    table.notes[:0] = notes
    return table


def require_columns(table: RawTable, required: tuple[str, ...] | list[str], layout: str) -> None:
    """Raise :class:`EventFileError` naming the required columns the file lacks."""
    missing = [c for c in required if c not in table.frame.columns]
    if missing:
        found = ", ".join(table.frame.columns[:12]) + (" ..." if len(table.frame.columns) > 12 else "")
        raise EventFileError(
            table.path,
            1,
            missing[0],
            f"not a {layout} file: missing required column(s) {', '.join(repr(m) for m in missing)} (header has: {found})",
        )


def _describe_rows(table: RawTable, mask: np.ndarray, limit: int = 5) -> str:
    rows = np.flatnonzero(mask)[:limit]
    lines = ", ".join(str(table.line_of(int(r))) for r in rows)
    more = f" and {int(mask.sum()) - len(rows)} more" if mask.sum() > len(rows) else ""
    return f"line(s) {lines}{more}"


def parse_coordinates(table: RawTable, column: str, flags: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Read a latitude/longitude column as float64, accepting decimal commas.

    Returns the values and the updated flags: ``decimal_comma`` on rows written
    with a decimal comma (read correctly, with a warning), ``bad_coordinate`` on
    values that are not numbers (left missing).
    """
    values = table.frame[column]
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64"), flags
    text = values.astype("str")
    numbers = pd.to_numeric(text, errors="coerce")
    failed = (numbers.isna() & text.notna()).to_numpy()
    if failed.any():
        comma = failed & text.str.match(_DECIMAL_COMMA).fillna(False).to_numpy(dtype=bool)
        if comma.any():
            fixed = pd.to_numeric(text[comma].str.replace(",", ".", regex=False).str.strip(), errors="coerce")
            numbers[comma] = fixed
            logger.warning(
                "%s, column %r, %s: decimal commas in coordinates; read as decimal points",
                table.path, column, _describe_rows(table, comma),
            )
            flags = add_flag(flags, comma, "decimal_comma")
        bad = failed & ~comma
        if bad.any():
            logger.warning(
                "%s, column %r, %s: coordinates that are not numbers (e.g. %r); left empty and flagged",
                table.path, column, _describe_rows(table, bad), text[bad].iloc[0],
            )
            flags = add_flag(flags, bad, "bad_coordinate")
    return numbers.astype("float64"), flags


def parse_dates(
    table: RawTable, column: str, flags: pd.Series, formats: tuple[str, ...], *, code: str = "bad_date"
) -> tuple[pd.Series, pd.Series]:
    """Read a date column trying each of ``formats`` in turn (vectorised).

    Values no format reads are left missing, logged with their lines and flagged ``code``.
    """
    values = table.frame[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        return values, flags
    text = values.astype("str").str.strip()
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    todo = text.notna().to_numpy().copy()
    for fmt in formats:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        ok = parsed.notna()
        if ok.any():
            idx = ok.index[ok.to_numpy()]
            result.loc[idx] = parsed[ok].astype("datetime64[s]")
            todo[text.index.get_indexer(idx)] = False
    if todo.any():
        logger.warning(
            "%s, column %r, %s: dates that cannot be read (e.g. %r); the rows are kept with no date and flagged %r",
            table.path, column, _describe_rows(table, todo), text[todo].iloc[0], code,
        )
        flags = add_flag(flags, todo, code)
    return result, flags


#: Prefixes of pass-through columns; columns that already carry one keep their name.
DATASET_PREFIXES: tuple[str, ...] = ("ucdp_", "acled_", "gdelt_")


def passthrough(frame: pd.DataFrame, consumed: set[str], prefix: str) -> pd.DataFrame:
    """The source columns not consumed by the mapping, renamed ``<prefix>_<name>``.

    Schema columns, ``extra_fields`` and columns already prefixed by a dataset
    (``ucdp_low`` in a file written by syriamap) keep their names.
    """
    def rename(c: str) -> str:
        if c == "extra_fields" or c in SPECS or c.startswith(DATASET_PREFIXES):
            return c
        return f"{prefix}_{c}"

    kept = [c for c in frame.columns if c not in consumed]
    return frame[kept].rename(columns=rename)


def assemble(events: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """Join mapped columns and pass-through columns side by side.

    Where a file carried a schema column the mapping also fills (``flags``, say),
    the file's non-missing values win and flags are merged.
    """
    events = events.reset_index(drop=True)
    extra = extra.reset_index(drop=True)
    for name in [c for c in extra.columns if c in events.columns]:
        if name == "flags":
            merged = events[name].astype("str")
            for codes in pd.unique(extra[name].dropna().astype("str").str.split(";").explode().dropna()):
                merged = add_flag(merged, extra[name].astype("str").str.split(";").map(lambda cs, c=codes: c in cs).fillna(False), codes)
            events[name] = merged
        else:
            events[name] = extra[name].where(extra[name].notna(), events[name])
        extra = extra.drop(columns=name)
    return pd.concat([events, extra], axis=1)
