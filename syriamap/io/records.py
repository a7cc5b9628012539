"""The careful path for delimited files: every physical line accounted for, every repair flagged.

:func:`decode_lines` decodes a file line by line, so one stray byte costs one
flagged row, not the whole file (see its docstring for when a file that is not
UTF-8 at all is read in a legacy encoding instead).  :func:`parse_records`
parses the decoded lines with :mod:`csv` in strict mode, remembering which lines
each record came from.  Malformed quoting (an unterminated quote that would
swallow the following lines into one field, a quote closed in mid-field) never
merges records: the record's first line is re-read on its own, leniently, and
parsing resumes on the next line.  A record spanning several lines with the
wrong number of fields is treated the same way.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from typing import Iterator

_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
#: Encodings tried, in order, for a file that has no valid UTF-8 beyond ASCII.
LEGACY_ENCODINGS: tuple[str, ...] = ("cp1256", "cp1252")


@dataclass
class DecodedLines:
    """A file's physical lines as text, with the lines whose bytes were not valid."""

    lines: list[str]
    encoding: str
    invalid: list[int] = field(default_factory=list)  # 0-based line indices with replaced bytes
    note: str | None = None


def _split(data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    out = [line + b"\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def _letters_share(chunks: list[bytes], encoding: str) -> float:
    """Share of the non-ASCII characters of ``chunks`` that are letters when decoded in ``encoding``."""
    total = letters = 0
    for chunk in chunks:
        try:
            text = chunk.decode(encoding)
        except UnicodeDecodeError:
            return 0.0
        for ch in text:
            if ord(ch) >= 0x80:
                total += 1
                letters += ch.isalpha()
    return letters / total if total else 0.0


def _arabic_share(chunks: list[bytes]) -> float:
    text = "".join(c.decode("cp1256", errors="replace") for c in chunks)
    high = [ch for ch in text if ord(ch) >= 0x80]
    return sum("\u0600" <= ch <= "\u06ff" for ch in high) / len(high) if high else 0.0


def decode_lines(data: bytes, encoding: str | None) -> DecodedLines:
    """Decode ``data`` line by line.

    ``encoding`` given (or a UTF-16 byte-order mark): every line in it; bytes that
    are not valid are replaced by U+FFFD and their lines listed in ``invalid``.

    Otherwise UTF-8 is assumed, with the same per-line replacement, unless the
    file is not UTF-8 at all: it has no valid UTF-8 sequence beyond ASCII, and its
    other bytes read as letters in cp1256 (mostly Arabic ones) or else in cp1252.
    Only then is the whole file read in that legacy encoding, and ``note`` says so.
    A stray byte in a UTF-8 file is therefore one flagged row.
    """
    if encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        text = data.decode(encoding, errors="replace")
        return DecodedLines(_LINE.findall(text.lstrip("\ufeff")), encoding)
    raw = _split(data)
    if raw and raw[0].startswith(b"\xef\xbb\xbf"):
        raw[0] = raw[0][3:]
    enc = encoding or "utf-8"
    lines: list[str] = []
    invalid: list[int] = []
    valid_non_ascii = False
    for i, line in enumerate(raw):
        try:
            text = line.decode(enc)
        except UnicodeDecodeError:
            text = line.decode(enc, errors="replace")
            invalid.append(i)
        else:
            if not valid_non_ascii and not line.isascii():
                valid_non_ascii = True
        lines.append(text)
    if encoding or not invalid or valid_non_ascii:
        return DecodedLines(lines, enc, invalid)
    bad = [raw[i] for i in invalid[:1000]]
    for legacy in LEGACY_ENCODINGS:
        if legacy == "cp1256" and _arabic_share(bad) < 0.5:
            continue
        if _letters_share(bad, legacy) >= 0.5:
            note = (f"line {invalid[0] + 1}: not valid UTF-8, and no line is; "
                    f"the whole file is read as {legacy}")
            return DecodedLines([line.decode(legacy, errors="replace") for line in raw], legacy, [], note)
    return DecodedLines(lines, enc, invalid)


@dataclass
class Record:
    """One parsed record: its fields, first line (0-based), number of lines, and a problem if any."""

    fields: list[str]
    line: int
    span: int
    problem: str | None = None


def _lenient(line: str, delimiter: str, quoting: bool) -> list[str]:
    """One line read on its own, forgiving bad quotes (a last resort after a strict failure)."""
    text = line.rstrip("\r\n")
    if quoting:
        try:
            return next(csv.reader([text], delimiter=delimiter, strict=False), [])
        except csv.Error:
            pass
    return text.split(delimiter)


def parse_records(
    lines: list[str], *, delimiter: str, quoting: bool, width: int | None, field_limit: int
) -> Iterator[Record]:
    """Parse ``lines`` into records (blank lines skipped), see the module docstring.

    ``width`` (the header's number of fields, None while reading the header) lets
    a multi-line record with the wrong number of fields be recognised as a
    runaway quote.
    """
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(max(field_limit, 1))
    try:
        yield from _parse(lines, delimiter, quoting, width, field_limit)
    finally:
        csv.field_size_limit(previous_limit)


def _parse(lines: list[str], delimiter: str, quoting: bool, width: int | None, field_limit: int) -> Iterator[Record]:
    n = len(lines)
    state = {"pos": 0}

    def feed() -> Iterator[str]:
        while state["pos"] < n:
            line = lines[state["pos"]]
            state["pos"] += 1
            yield line

    def reader_from(position: int):
        state["pos"] = position
        return csv.reader(feed(), delimiter=delimiter, strict=True,
                          quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE)

    reader = reader_from(0)
    while True:
        start = state["pos"]
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = str(exc)
            if "field larger than field limit" in reason:
                reason = f"a field longer than {field_limit:,} characters"
            yield Record(_lenient(lines[start], delimiter, quoting), start, 1,
                         f"malformed quoting ({reason}); the line is read on its own")
            reader = reader_from(start + 1)
            continue
        span = state["pos"] - start
        if not fields:
            continue  # a blank line
        if span > 1 and width is not None and len(fields) != width:
            yield Record(_lenient(lines[start], delimiter, quoting), start, 1,
                         f"a quote opened here runs over {span} lines; the line is read on its own")
            reader = reader_from(start + 1)
            continue
        yield Record(fields, start, span)


__all__ = ["DecodedLines", "decode_lines", "Record", "parse_records", "LEGACY_ENCODINGS"]
