"""Reading delimited event files: fast when the file is sound, careful and explicit when not.

:func:`read_delimited` first makes a quick pass over the bytes
(:mod:`syriamap.io.scan`): when every line has balanced double quotes, each
record is one line and pyarrow's multithreaded CSV reader is used, its row count
checked against the line count.  Otherwise (a quoted field spanning lines, a
stray quote, blank lines, bytes that are not UTF-8, rows with the wrong number
of fields) the file is parsed line by line (:mod:`syriamap.io.records`): each
record remembers its line, a stray byte is replaced and its row flagged
``invalid_utf8``, malformed quoting never merges rows, short rows are padded
and long rows' surplus fields kept in an ``extra_fields`` column, and every
repaired row is flagged ``malformed_row`` with its line in a logged warning.

Every record of the file becomes one row; :class:`ReadReport` (also in
``DataFrame.attrs["syriamap_read"]`` of what the readers return) accounts for
every line: header, blank lines and the lines of each record.  Work is bounded
by :class:`~syriamap.io.limits.Limits`.

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
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..schema import SPECS, add_flag, conform_flagged
from .errors import EventFileError
from .formulas import unescape_arrow, unescape_name
from .limits import DEFAULT_LIMITS, Limits
from .records import decode_lines, parse_records
from .scan import check_line_lengths, count_lines
from .source import Source, load_source

logger = logging.getLogger(__name__)

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
_DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_HEAD_BYTES = 1 << 16
_BLOCK = 1 << 24  # pyarrow's block: no row may be longer
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


@dataclass
class ReadReport:
    """How a file's lines became rows: nothing is dropped, every repair is counted.

    ``lines`` = ``header_lines`` + ``blank_lines`` + the lines of the records, and
    ``rows`` = ``records``.  ``flagged`` counts rows per reader flag.
    """

    path: str
    lines: int
    header_lines: int
    blank_lines: int
    records: int
    rows: int
    repaired: int
    flagged: dict[str, int] = field(default_factory=dict)
    dropped_on_request: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        """Records that did not become rows (always 0: kept for callers that check)."""
        return self.records - self.rows - self.dropped_on_request

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        text = (f"{self.path}: {self.lines} line(s) -> {self.records} record(s) -> {self.rows} row(s), "
                f"{self.repaired} repaired")
        if self.flagged:
            text += " (" + ", ".join(f"{k}: {v}" for k, v in sorted(self.flagged.items())) + ")"
        return text


@dataclass
class RawTable:
    """A parsed delimited file: its columns as read, the flags of repaired rows, and each row's line."""

    frame: pd.DataFrame
    flags: pd.Series
    path: str
    encoding: str
    delimiter: str
    header: bool
    notes: list[str] = field(default_factory=list)
    row_lines: np.ndarray | None = None
    report: ReadReport | None = None

    def lines(self) -> np.ndarray:
        """The 1-based line on which each data row starts."""
        if self.row_lines is not None:
            return self.row_lines
        return np.arange(len(self.frame), dtype=np.int64) + (2 if self.header else 1)

    def line_of(self, row: int) -> int:
        """The 1-based line on which data row ``row`` starts."""
        if self.row_lines is not None:
            return int(self.row_lines[row])
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
    try:
        return len(next(csv.reader([line], delimiter=delimiter), []))
    except csv.Error:
        return len(line.split(delimiter))


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


def rename_columns(names: list[str], rename: Mapping[str, str] | None, path: str | Path) -> list[str]:
    """``names`` with ``rename``'s old names replaced by the new ones (a user's ``--columns``).

    An old name the header lacks, or a rename that would give two columns one
    name, is an :class:`EventFileError` naming the columns the file has.
    """
    if not rename:
        return list(names)
    missing = [old for old in rename if old not in names]
    if missing:
        raise EventFileError(path, 1, None, f"cannot rename column(s) {', '.join(map(repr, missing))}: not in the"
                             f" header (the file has: {', '.join(names)})")
    out = [rename.get(name, name) for name in names]
    clashes = sorted({name for name in out if out.count(name) > 1})
    if clashes:
        raise EventFileError(path, 1, None, f"renaming columns would give two columns the name(s)"
                             f" {', '.join(map(repr, clashes))} (the file has: {', '.join(names)})")
    return out


def clean_header(names: list[str], path: str, unescape: bool = False,
                 rename: Mapping[str, str] | None = None) -> list[str]:
    """Column names stripped, with empty ones named ``column_<n>`` and repeated ones ``<name>_<n>``.

    ``n`` is the 1-based field number; each change is logged, so no column is lost
    or silently shadowed by another of the same name.  ``rename`` (old -> new) is
    applied last (:func:`rename_columns`).
    """
    out: list[str] = []
    seen: set[str] = set()
    empty: list[int] = []
    repeated: list[str] = []
    for number, raw in enumerate(names, start=1):
        name = str(raw).strip().lstrip("\ufeff").strip()
        if unescape:
            name = unescape_name(name)
        if not name:
            empty.append(number)
            name = f"column_{number}"
        elif name in seen:
            repeated.append(name)
            name = f"{name}_{number}"
        while name in seen:
            name += "_"
        seen.add(name)
        out.append(name)
    if empty:
        logger.warning("%s, line 1: %d empty column name(s) (field(s) %s); named column_<field>",
                       path, len(empty), ", ".join(map(str, empty[:10])) + (" ..." if len(empty) > 10 else ""))
    if repeated:
        logger.warning("%s, line 1: repeated column name(s) %s; the later ones are named <name>_<field>",
                       path, ", ".join(repr(r) for r in dict.fromkeys(repeated)))
    return rename_columns(out, rename, path)


def _check_width(width: int, path: str, limits: Limits, at_least: bool = False) -> None:
    if width > limits.max_columns:
        count = f"at least {width:,}" if at_least else f"{width:,}"
        raise EventFileError(path, 1, None, f"{count} columns in the header, more than the limit of "
                                            f"{limits.max_columns:,} (Limits.max_columns); is this an event file?")


def _arrow_read(
    source,
    *,
    encoding: str,
    delimiter: str,
    names: list[str] | None,
    quoting: bool,
    string_columns: list[str],
    skip_rows: int = 0,
    newlines_in_values: bool = False,
    block_size: int = 1 << 24,
) -> pa.Table:
    """pyarrow's CSV reading with our options (text columns, no type guessing of dates)."""
    read_options = pacsv.ReadOptions(
        encoding=encoding if encoding not in ("utf-8", "utf-8-sig") else "utf8",
        column_names=names,
        skip_rows=skip_rows,
        block_size=block_size,
    )
    parse_options = pacsv.ParseOptions(
        delimiter=delimiter, quote_char='"' if quoting else False, double_quote=quoting,
        newlines_in_values=newlines_in_values,
    )
    convert_options = pacsv.ConvertOptions(
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        column_types={c: pa.string() for c in string_columns if names is None or c in names},
        timestamp_parsers=[],
    )
    return pacsv.read_csv(source, read_options=read_options, parse_options=parse_options, convert_options=convert_options)


def _fast_read(
    source: Source, head: bytes, enc: str, delimiter: str, names: list[str] | None, quoting: bool,
    strings: list[str], limits: Limits, unescape: bool, rename: Mapping[str, str] | None = None,
) -> tuple[pa.Table, list[str], int] | None:
    """pyarrow's reading when the scan shows one record per line and it agrees; else None."""
    if limits.max_line_bytes < _BLOCK:  # pyarrow refuses rows longer than a block; shorter limits are checked here
        with source.open() as fh:
            check_line_lengths(fh, source.path, limits.max_line_bytes)
    with source.open() as fh:
        scan = count_lines(fh)
    if scan.bare_cr or (quoting and scan.last_line_odd_quotes):
        logger.debug("%s: %d bare CR, odd quotes on the last line: %s; careful parsing",
                     source.path, scan.bare_cr, scan.last_line_odd_quotes)
        return None
    header_lines = 0
    columns = names
    if names is None:
        header_lines = 1
        line = head.decode(enc, errors="replace").lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
        parsed = next(csv.reader([line], delimiter=delimiter, quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE), [])
        _check_width(len(parsed), source.path, limits)
        columns = clean_header(parsed, source.path, unescape, rename)
    try:
        with source.open() as fh:
            table = _arrow_read(fh, encoding=enc, delimiter=delimiter, names=columns, quoting=quoting,
                                string_columns=strings, skip_rows=header_lines)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        logger.debug("%s: fast reading failed (%s); careful parsing", source.path, exc)
        return None
    if any(pa.types.is_binary(f.type) for f in table.schema):  # pyarrow's reading of non-UTF-8 text
        return None
    if table.num_rows != scan.lines - header_lines:
        logger.debug("%s: %d rows for %d lines; careful parsing", source.path, table.num_rows, scan.lines)
        return None
    return table, list(columns), header_lines


def _careful_read(
    source: Source, enc: str, explicit_encoding: str | None, delimiter: str, names: list[str] | None,
    quoting: bool, strings: list[str], limits: Limits, unescape: bool, rename: Mapping[str, str] | None = None,
) -> tuple[pa.Table, np.ndarray, dict[str, list[int]], dict[int, str], ReadReport]:
    """Line-by-line parsing (see the module docstring)."""
    path = source.path
    with source.open() as fh:
        data = fh.read()
    with io.BytesIO(data) as fh:
        check_line_lengths(fh, path, limits.max_line_bytes)
    decoded = decode_lines(data, explicit_encoding or (enc if enc.startswith("utf-16") else None))
    del data
    notes: list[str] = []
    if decoded.note:
        logger.warning("%s, %s", path, decoded.note)
        notes.append(decoded.note)
    invalid = set(decoded.invalid)
    records = parse_records(decoded.lines, delimiter=delimiter, quoting=quoting,
                            width=len(names) if names else None, field_limit=limits.max_field_chars)
    header_lines = 0
    if names is None:
        first = next(records, None)
        if first is None:
            raise EventFileError(path, None, None, "the file has no header line")
        _check_width(len(first.fields), path, limits)
        columns = clean_header(first.fields, path, unescape, rename)
        header_lines = first.span + first.line
        records = parse_records(decoded.lines[header_lines:], delimiter=delimiter, quoting=quoting,
                                width=len(columns), field_limit=limits.max_field_chars)
    else:
        columns = list(names)
    width = len(columns)
    extra_name = "extra_fields"
    while extra_name in columns:  # a file that already has one (written by us after a repair)
        extra_name += "_"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # CRLF: fields holding a CR are quoted too
    writer.writerow(columns + [extra_name])
    row_lines: list[int] = []
    problems: dict[str, list[int]] = {"malformed_row": [], "invalid_utf8": []}
    messages: dict[int, str] = {}
    has_extra = False
    spanned = 0
    widest = 0
    for record in records:
        index = len(row_lines)
        line = record.line + header_lines
        row_lines.append(line + 1)
        spanned += record.span
        fields = record.fields
        message = record.problem
        if len(fields) != width:
            detail = f"{len(fields)} fields where the header has {width}"
            message = f"{message}; {detail}" if message else detail
        extra = ""
        if len(fields) > width:
            extra = delimiter.join(fields[width:])
            fields = fields[:width]
            has_extra = True
        elif len(fields) < width:
            fields = fields + [""] * (width - len(fields))
        if message:
            problems["malformed_row"].append(index)
            messages[index] = f"line {line + 1}: {message}"
        if invalid and any(line + k in invalid for k in range(record.span)):
            problems["invalid_utf8"].append(index)
        widest = max(widest, sum(map(len, fields)) + len(extra))
        writer.writerow(fields + [extra])
    blank = len(decoded.lines) - header_lines - spanned
    lines_total = len(decoded.lines)
    del decoded
    block = max(_BLOCK, 8 * widest + 4 * width + 1024)  # a re-serialised row fits: UTF-8, doubled quotes
    buffer = io.BytesIO(out.getvalue().encode("utf-8"))
    out.close()
    table = _arrow_read(buffer, encoding="utf-8", delimiter=",", names=None, quoting=True,
                        string_columns=strings + [extra_name], newlines_in_values=True, block_size=block)
    if not has_extra:
        table = table.drop_columns([extra_name])
    report = ReadReport(path, lines_total, header_lines, blank, len(row_lines), table.num_rows,
                        len(set(problems["malformed_row"]) | set(problems["invalid_utf8"])), notes=notes)
    return table, np.asarray(row_lines, dtype=np.int64), problems, messages, report


def read_delimited(
    path: str | Path,
    *,
    sep: str | None = None,
    default_sep: str = ",",
    names: list[str] | None = None,
    quoting: bool = True,
    string_columns: list[str] | tuple[str, ...] = (),
    encoding: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    unescape_formulas: bool = False,
    columns: Mapping[str, str] | None = None,
) -> RawTable:
    """Read a delimited text file into a :class:`RawTable` (see the module docstring).

    ``names`` gives the column names of a file without a header.  ``sep`` forces
    the delimiter (a mismatch with the file is then an error); without it
    ``default_sep`` is expected and another delimiter is accepted with a warning.
    ``string_columns`` are read as text (codes with leading zeros).
    ``unescape_formulas`` undoes the formula escaping of our CSV writers
    (:mod:`syriamap.io.formulas`).  ``columns`` renames header names (old -> new)
    before anything else looks at them (:func:`rename_columns`).
    """
    path = str(path)
    if names is not None:
        names = rename_columns(names, columns, path)
    source = load_source(path, limits)
    head = source.head(_HEAD_BYTES)
    if not head.strip():
        raise EventFileError(path, None, None, "the file is empty")
    enc = _detect_encoding(head, path, encoding)
    line = _first_line(head, enc)
    width_guess = max(line.count(d) for d in DELIMITERS) + 1
    if names is None and width_guess > limits.max_columns:
        _check_width(width_guess, path, limits, at_least=True)
    delimiter = _choose_delimiter(
        line, path, sep or default_sep, sep is not None, quoting, len(names) if names else None
    )
    strings = list(string_columns)
    fast = None
    if enc in ("utf-8", "utf-8-sig"):
        fast = _fast_read(source, head, enc, delimiter, names, quoting, strings, limits, unescape_formulas, columns)
    if fast is not None:
        table, columns, header_lines = fast
        row_lines = None
        problems: dict[str, list[int]] = {}
        messages: dict[int, str] = {}
        report = ReadReport(path, table.num_rows + header_lines, header_lines, 0, table.num_rows, table.num_rows, 0)
    else:
        table, row_lines, problems, messages, report = _careful_read(
            source, enc, encoding, delimiter, names, quoting, strings, limits, unescape_formulas, columns)
        enc = "utf-8" if enc == "utf-8-sig" else enc
    if unescape_formulas:
        table = unescape_arrow(table)
    frame = table.to_pandas(date_as_object=False, split_blocks=True, self_destruct=True)
    del table
    flags = pd.Series(pd.NA, index=frame.index, dtype="str")
    for code, rows in problems.items():
        if rows:
            mask = np.zeros(len(frame), dtype=bool)
            mask[rows] = True
            flags = add_flag(flags, mask, code)
            report.flagged[code] = len(rows)
    for index in sorted(messages)[:5]:
        logger.warning("%s, %s; the row is kept and flagged 'malformed_row'", path, messages[index])
    if len(messages) > 5:
        logger.warning("%s: %d malformed rows in all", path, len(messages))
    if problems.get("invalid_utf8"):
        rows = problems["invalid_utf8"]
        lines = ", ".join(str(int(row_lines[r])) for r in rows[:5]) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
        logger.warning("%s, line(s) %s: bytes that are not valid UTF-8, replaced by U+FFFD; the rows are flagged "
                       "'invalid_utf8'", path, lines)
    if messages:
        report.notes.append(f"{len(messages)} malformed row(s) repaired")
    return RawTable(frame, flags, path, enc, delimiter, names is None, report.notes, row_lines, report)


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
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("float64")
        infinite = np.isinf(numbers.to_numpy())
        if infinite.any():
            logger.warning("%s, column %r, %s: coordinates that are not finite; left empty and flagged",
                           table.path, column, _describe_rows(table, infinite))
            flags = add_flag(flags, infinite, "bad_coordinate")
            numbers = numbers.mask(infinite)
        return numbers, flags
    text = values.astype("str")
    numbers = pd.to_numeric(text, errors="coerce")
    numbers = numbers.mask(np.isinf(numbers.to_numpy(dtype="float64", na_value=np.nan)))
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


#: Columns of ours that keep their names when read back (see :mod:`syriamap.io.admin`).
_KEPT_NAMES = frozenset({"extra_fields", "admin1_source", "admin2_source"})


def passthrough(frame: pd.DataFrame, consumed: set[str], prefix: str) -> pd.DataFrame:
    """The source columns not consumed by the mapping, renamed ``<prefix>_<name>``.

    Schema columns, ``extra_fields`` and columns already prefixed by a dataset
    (``ucdp_low`` in a file written by syriamap) keep their names.
    """
    def rename(c: str) -> str:
        if c in _KEPT_NAMES or c in SPECS or c.startswith(DATASET_PREFIXES):
            return c
        return f"{prefix}_{c}"

    kept = [c for c in frame.columns if c not in consumed]
    return frame[kept].rename(columns=rename)


def merge_flags(first: pd.Series, second: pd.Series) -> pd.Series:
    """Row by row, the codes of ``first`` then those of ``second`` not already there (``;``-separated)."""
    a = first.astype("str").reset_index(drop=True)
    b = second.astype("str").reset_index(drop=True)
    both = (a.notna() & b.notna()).to_numpy()
    out = a.where(a.notna(), b)
    if both.any():
        def union(x: str, y: str) -> str:
            codes = [c for c in x.split(";") if c]
            codes += [c for c in y.split(";") if c and c not in codes]
            return ";".join(codes)

        out[both] = [union(x, y) for x, y in zip(a[both], b[both])]
    out.index = first.index
    return out


def assemble(events: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """Join mapped columns and pass-through columns side by side.

    Where a file carried a schema column the mapping also fills (``flags``, say),
    the file's non-missing values win and flags are merged.
    """
    events = events.reset_index(drop=True)
    extra = extra.reset_index(drop=True)
    for name in [c for c in extra.columns if c in events.columns]:
        if name == "flags":
            events[name] = merge_flags(events[name], extra[name])
        else:
            events[name] = extra[name].where(extra[name].notna(), events[name])
        extra = extra.drop(columns=name)
    return pd.concat([events, extra], axis=1)


def finish(events: pd.DataFrame, table: RawTable, *, canonical_admin: bool = False) -> pd.DataFrame:
    """The reader's table conformed to the schema (numbers checked, :func:`conform_flagged`), with
    the :class:`ReadReport` (every reader flag counted) in ``attrs["syriamap_read"]``.

    ``canonical_admin`` gives admin1/admin2 the gazetteer's names (:mod:`syriamap.io.admin`).
    """
    out = conform_flagged(events, where=table.path, lines=table.lines())
    if canonical_admin:
        from .admin import canonicalize_admin

        out = canonicalize_admin(out)
    attach_report(out, table.report)
    return out


def attach_report(events: pd.DataFrame, report: ReadReport | None) -> pd.DataFrame:
    """Store ``report`` (its rows and flag counts refreshed from ``events``) in ``events.attrs``."""
    if report is None:
        return events
    report.rows = len(events)
    codes = events["flags"].dropna().str.split(";").explode()
    report.flagged = {str(k): int(v) for k, v in codes[codes != ""].value_counts().sort_index().items()}
    events.attrs["syriamap_read"] = report.as_dict()
    return events
