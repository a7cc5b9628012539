"""The error raised for event files that cannot be read, naming file, line and column.

Problems a reader can work around (a byte-order mark, a non-UTF-8 encoding, a
delimiter other than the expected one, decimal commas, unparseable dates) are
logged as warnings and the affected rows are flagged; problems it cannot work
around (a missing required column, an empty file, an unknown format) raise
:class:`EventFileError`.
"""
from __future__ import annotations

from pathlib import Path

from syriamap.errors import DataError


class EventFileError(DataError, ValueError):
    """An event file that cannot be read as asked.

    ``line`` is 1-based (the header is line 1) and ``column`` is a column name
    (or a 1-based field number for files without a header); either may be None.
    """

    def __init__(self, path: str | Path, line: int | None, column: str | int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column!r}" if isinstance(self.column, str) else f", field {self.column}"
        return f"{where}: {self.message}"

    def __reduce__(self):  # keep pickling (multiprocessing, dask) working
        return (type(self), (self.path, self.line, self.column, self.message))
