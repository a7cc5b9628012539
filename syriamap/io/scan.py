"""Quick passes over a delimited file's bytes that decide whether the fast parser can be trusted.

pyarrow's CSV reader is fast but, given an unterminated quote, it silently joins
the following lines into one field.  :func:`count_lines` counts, at C speed,
the file's line feeds and bare carriage returns and checks the quotes of its
last line.  pyarrow (told that values hold no newlines) makes at most one row
of each line, and only a bare CR could split one line in two; so when there is
no bare CR, the last line's quotes balance and pyarrow returns exactly one row
per line, no record swallowed another.  Otherwise the careful line-by-line
parser (:mod:`syriamap.io.records`) is used, after
:func:`check_line_lengths` has enforced :attr:`Limits.max_line_bytes` with numpy.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from .errors import EventFileError

_CHUNK = 1 << 24


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
        cr = chunk.count(b"\r")
        if cr or previous == b"\r":
            crs += cr
            crlfs += chunk.count(b"\r\n") + (previous == b"\r" and chunk[:1] == b"\n")
        previous = chunk[-1:]
        cut = chunk.rfind(b"\n", 0, len(chunk) - 1) if chunk.endswith(b"\n") else chunk.rfind(b"\n")
        last = chunk[cut + 1:] if cut >= 0 else last + chunk
    lines = newlines + (0 if previous in (b"", b"\n") else 1)
    return LineCount(lines, crs - crlfs, last.count(b'"') % 2 == 1)


def check_line_lengths(fh: BinaryIO, path: str, max_line_bytes: int) -> None:
    """Raise :class:`EventFileError` naming the first line longer than ``max_line_bytes`` (bounded memory)."""
    done = 0          # lines finished so far
    carry = 0         # bytes of the unfinished line
    while chunk := fh.read(_CHUNK):
        arr = np.frombuffer(chunk, dtype=np.uint8)
        nl = np.flatnonzero(arr == 10)
        if nl.size:
            lengths = np.diff(nl, prepend=-1)
            lengths[0] += carry
            over = np.flatnonzero(lengths - 1 > max_line_bytes)
            if over.size:
                line = done + int(over[0]) + 1
                raise EventFileError(path, line, None, f"a line of {int(lengths[over[0]]) - 1:,} bytes, more than the "
                                                       f"limit of {max_line_bytes:,} (Limits.max_line_bytes)")
            done += nl.size
            carry = arr.size - int(nl[-1]) - 1
        else:
            carry += arr.size
        if carry > max_line_bytes:
            raise EventFileError(path, done + 1, None,
                                 f"a line of more than {max_line_bytes:,} bytes (Limits.max_line_bytes)")


__all__ = ["LineCount", "count_lines", "check_line_lengths"]
