"""Quick passes over a delimited file's bytes that decide whether the fast parser can be trusted.

pyarrow's CSV reader is fast but, given an unterminated quote, it silently joins
the following lines into one field.  :func:`count_lines` counts, at C speed,
the file's line feeds and bare carriage returns and checks the quotes of its
last line.  pyarrow (told that values hold no newlines) makes at most one row
of each line, and only a bare CR could split one line in two; so when there is
no bare CR, the last line's quotes balance and pyarrow returns exactly one row
per line, no record swallowed another.  Otherwise the careful line-by-line
parser (:mod:`syriamap.io.records`) is used, after :func:`scan_lines`, which
counts lines per kind with numpy and enforces :attr:`Limits.max_line_bytes`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from .errors import EventFileError

_CHUNK = 1 << 24


@dataclass
class LineScan:
    """What :func:`scan_lines` found."""

    lines: int = 0
    blank: int = 0
    odd_quotes: int = 0
    bare_cr: int = 0
    longest: int = 0

    @property
    def one_record_per_line(self) -> bool:
        """Whether every record is exactly one non-blank line (the fast reader's assumption)."""
        return self.odd_quotes == 0 and self.blank == 0 and self.bare_cr == 0


@dataclass
class LineCount:
    """What :func:`count_lines` found."""

    lines: int
    bare_cr: int
    last_line_odd_quotes: bool


def count_lines(fh: BinaryIO) -> LineCount:
    """Line feeds, bare CRs, and whether the last line has an odd number of quotes (see above)."""
    newlines = crs = crlfs = 0
    previous = b""
    last = b""
    while chunk := fh.read(_CHUNK):
        newlines += chunk.count(b"\n")
        crs += chunk.count(b"\r")
        crlfs += chunk.count(b"\r\n") + (previous == b"\r" and chunk[:1] == b"\n")
        previous = chunk[-1:]
        cut = chunk.rfind(b"\n", 0, len(chunk) - 1) if chunk.endswith(b"\n") else chunk.rfind(b"\n")
        last = chunk[cut + 1:] if cut >= 0 else last + chunk
    lines = newlines + (0 if previous in (b"", b"\n") else 1)
    return LineCount(lines, crs - crlfs, last.count(b'"') % 2 == 1)


def scan_lines(fh: BinaryIO, path: str, *, quoting: bool, max_line_bytes: int) -> LineScan:
    """Scan a binary stream (see the module docstring); raise past ``max_line_bytes``."""
    scan = LineScan()
    carry_len = 0        # bytes of the unfinished line from the previous chunk
    carry_quotes = 0     # its double quotes
    carry_content = False  # whether it has a byte other than CR
    pending_cr = False   # previous chunk ended with CR
    while chunk := fh.read(_CHUNK):
        arr = np.frombuffer(chunk, dtype=np.uint8)
        if pending_cr and arr[0] != 10:
            scan.bare_cr += 1
        nl = np.flatnonzero(arr == 10)
        cr = np.flatnonzero(arr == 13)
        if cr.size:
            follows = cr + 1
            inside = follows < arr.size
            scan.bare_cr += int(np.count_nonzero(arr[follows[inside]] != 10))
            pending_cr = bool(cr[-1] == arr.size - 1)
        else:
            pending_cr = False
        starts = np.concatenate(([0], nl + 1))
        ends = np.concatenate((nl, [arr.size]))  # the last segment is unfinished
        lengths = ends - starts
        lengths[0] += carry_len
        if quoting:
            quotes = np.flatnonzero(arr == 34)
            per_line = np.bincount(np.searchsorted(nl, quotes), minlength=nl.size + 1)
            per_line[0] += carry_quotes
        else:
            per_line = np.zeros(nl.size + 1, dtype=np.int64)
        finished = nl.size
        if finished:
            done_len = lengths[:finished]
            longest = int(done_len.max())
            if longest > max_line_bytes:
                index = int(np.argmax(done_len > max_line_bytes))
                raise EventFileError(path, scan.lines + index + 1, None,
                                     f"a line of {int(done_len[index]):,} bytes, more than the limit of "
                                     f"{max_line_bytes:,} (Limits.max_line_bytes)")
            scan.longest = max(scan.longest, longest)
            # a line is blank when it holds nothing but an optional CR
            blank = done_len <= 1
            if blank.any():
                first_bytes = arr[starts[:finished][blank].clip(max=arr.size - 1)]
                short = done_len[blank]
                really = (short == 0) | (first_bytes == 13)
                scan.blank += int(np.count_nonzero(really))
            scan.odd_quotes += int(np.count_nonzero(per_line[:finished] % 2))
            scan.lines += finished
            tail_start = int(nl[-1]) + 1
            carry_len = arr.size - tail_start
            carry_quotes = int(per_line[finished])
            carry_content = bool(np.count_nonzero(arr[tail_start:] != 13))
        else:
            carry_len = int(lengths[0])
            carry_quotes = int(per_line[0])
            carry_content = carry_content or bool(np.count_nonzero(arr != 13))
        if carry_len > max_line_bytes:
            raise EventFileError(path, scan.lines + 1, None,
                                 f"a line of more than {max_line_bytes:,} bytes (Limits.max_line_bytes)")
    if carry_len:
        scan.lines += 1
        scan.longest = max(scan.longest, carry_len)
        scan.odd_quotes += carry_quotes % 2
        if not carry_content:
            scan.blank += 1
    return scan


__all__ = ["LineScan", "scan_lines", "LineCount", "count_lines"]
