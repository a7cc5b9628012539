"""Bounds on the work a reader does for one file, so hostile input fails fast and clearly.

Every limit is generous for real event files (an ACLED export has 31 columns, a
UCDP GED file 49, GDELT 61; a news headline is a few hundred characters) and
small enough that a crafted file cannot take gigabytes of memory or minutes of
time.  Going past a limit raises :class:`~syriamap.io.errors.EventFileError`
naming the file (and the line where there is one); a reader never silently cuts
data to fit.  Pass ``limits=Limits(...)`` to a reader to raise one.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """The bounds a reader enforces (see the module docstring)."""

    #: Longest physical line, in bytes (a whole record on one line).
    max_line_bytes: int = 16 << 20
    #: Largest field, in characters (a quoted field may span lines).
    max_field_chars: int = 16 << 20
    #: Most columns in a header (or record of a headerless file).
    max_columns: int = 4096
    #: Largest decompressed size of a gzip file read in place of a CSV, in bytes.
    max_decompressed_bytes: int = 256 << 20
    #: Deepest nesting of JSON arrays and objects in a GeoJSON file.
    max_json_depth: int = 64


DEFAULT_LIMITS = Limits()

__all__ = ["Limits", "DEFAULT_LIMITS"]
