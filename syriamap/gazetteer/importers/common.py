"""What every importer shares: its error, its report, the target file and line reading.

An import reads files a user downloaded (GeoNames dumps, the Open-Syria JSON, an
ACLED or UCDP export) and writes them as one *layer* of the user's gazetteer file.
A malformed input stops the import with a :class:`GazetteerImportError` naming the
file, line and column; the gazetteer file is then left exactly as it was, because
every write goes through :func:`syriamap.gazetteer.store.transaction`.
"""
from __future__ import annotations

import io
import itertools
import re
import sqlite3
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from syriamap import config
from syriamap.errors import DataError
from syriamap.gazetteer import store
from syriamap.gazetteer.build import DEFAULT_LAYER, ensure_embedded
from syriamap.gazetteer.model import Place

#: Layer names: a letter or digit, then letters, digits, ``_``, ``.`` or ``-``.
_LAYER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: Longest line an importer reads (bytes).  GeoNames' longest rows are tens of
#: kilobytes; a longer "line" is a file that is not a table (a 1.5 GB dump with no
#: line breaks), refused before it fills memory.
MAX_LINE_BYTES = 1 << 20
#: Files GeoNames packs beside the data file in its zip archives.
_ZIP_EXTRAS = ("readme.txt", "iso-languagecodes.txt")


class GazetteerImportError(DataError, ValueError):
    """A file that cannot be imported, with where and why.

    ``str()`` reads like a compiler message: ``SY.txt:17: expected 19
    tab-separated columns, found 12`` or ``events.csv:9: column 'latitude':
    'n/a' is not a number``.
    """

    def __init__(self, path: str | Path, line: int | None, message: str, *, column: str | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.column = column
        self.message = message
        where = self.path.name if line is None else f"{self.path.name}:{line}"
        what = message if column is None else f"column {column!r}: {message}"
        super().__init__(f"{where}: {what}")

    def __reduce__(self):  # pickle with the constructor's arguments, not the message
        return (_rebuild_import_error, (self.path, self.line, self.message, self.column))


def _rebuild_import_error(path: Path, line: int | None, message: str, column: str | None) -> GazetteerImportError:
    return GazetteerImportError(path, line, message, column=column)


@dataclass
class ImportReport:
    """What an import did: the layer written and how every input row was used.

    ``rows`` counts the data rows read; each was either ``used`` or counted under
    one reason in ``skipped``, so ``rows == used + sum(skipped.values())``.
    ``notes`` holds other counts worth knowing (aliases attached, warnings).
    """

    layer: str
    path: Path | None = None  # the gazetteer file written (None before writing)
    places: int = 0
    aliases: int = 0
    rows: int = 0
    used: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    notes: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the command line and the log."""
        where = f" in {self.path}" if self.path is not None else ""
        line = (
            f"layer {self.layer!r}{where}: {self.places:,} places, {self.aliases:,} aliases"
            f" from {self.rows:,} rows ({self.used:,} used"
        )
        if self.skipped:
            line += "; skipped: " + ", ".join(f"{n:,} {why}" for why, n in sorted(self.skipped.items()))
        return line + ")"


def user_gazetteer_path() -> Path:
    """Where imports go by default: :func:`syriamap.config.user_gazetteer`.

    That is also the file lookups read once it exists, so an import is used at once.
    """
    return config.user_gazetteer()


def check_layer_name(layer: str) -> str:
    """Return ``layer`` if it is a valid name for an imported layer, else raise ValueError."""
    if not isinstance(layer, str) or not _LAYER_RE.match(layer):
        raise ValueError(
            f"bad layer name {layer!r}: use letters, digits, '_', '.' or '-' (at most 64 characters)"
        )
    if layer == DEFAULT_LAYER:
        raise ValueError(f"layer {DEFAULT_LAYER!r} is the embedded default; import into another layer name")
    return layer


def write_import_layer(
    conn: sqlite3.Connection,
    report: ImportReport,
    places: Iterable[Place],
    *,
    file: Path,
    allow_empty: bool,
    source: str,
    description: str,
) -> int:
    """Write ``places`` as ``report.layer`` (priority 1); refuse an empty layer unless ``allow_empty``.

    An import that yields no place (a header-only file, or every row skipped)
    is almost always the wrong file; it would silently replace a good layer
    with nothing, so it raises :class:`GazetteerImportError` naming ``file``
    and why, and the transaction leaves the gazetteer file as it was.
    """
    try:
        return store.write_layer(
            conn, report.layer, places, source=source, description=description, priority=1, allow_empty=allow_empty
        )
    except store.EmptyLayerError as exc:
        if report.rows == 0:
            why = "the file has no data rows"
        else:
            why = f"none of its {report.rows:,} data rows gave a place"
            if report.skipped:
                why += " (skipped: " + ", ".join(f"{n:,} {r}" for r, n in sorted(report.skipped.items())) + ")"
        raise GazetteerImportError(
            file, None, f"{why}; {exc}. Pass allow_empty=True (--allow-empty) to write an empty layer anyway"
        ) from None


@contextmanager
def target(into: str | Path | None) -> Iterator[tuple[Path, sqlite3.Connection]]:
    """Open the gazetteer file ``into`` (default :func:`user_gazetteer_path`) for one import.

    A file that does not exist yet starts as a copy of the embedded default, so
    the user's file holds the default and their layers.  The changes are swapped
    in only if the block completes.
    """
    path = Path(into) if into is not None else user_gazetteer_path()
    base = None if path.exists() else ensure_embedded()
    with store.transaction(path, base=base) as conn:
        yield path, conn


def text_lines(
    path: Path, *, keep_ends: bool = False, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for each line of a UTF-8 text file, streaming.

    A ``.zip`` (as GeoNames serves its dumps) is read from the member named like
    the archive (``SY.zip`` -> ``SY.txt``) or its only data file.  A tqdm bar
    shows the bytes read (on a terminal).  Binary content, bad UTF-8 and a line
    longer than ``max_line_bytes`` raise :class:`GazetteerImportError` with the
    line number; memory stays within one line of that size.
    """
    if not path.is_file():
        raise GazetteerImportError(path, None, "no such file")
    with _open_binary(path) as (handle, size):
        with tqdm(total=size, unit="B", unit_scale=True, desc=path.name, disable=None, leave=False) as bar:
            for lineno in itertools.count(1):
                raw = handle.readline(max_line_bytes + 1)
                if not raw:
                    break
                bar.update(len(raw))
                if len(raw) > max_line_bytes:
                    raise GazetteerImportError(
                        path, lineno, f"line longer than {max_line_bytes:,} bytes: not a text table"
                        " (a file with no line breaks, or binary data)"
                    )
                if b"\x00" in raw:
                    raise GazetteerImportError(path, lineno, "binary data (NUL bytes), not a text table")
                try:
                    text = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    raise GazetteerImportError(path, lineno, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
                yield lineno, text if keep_ends else text.rstrip("\r\n")


@contextmanager
def _open_binary(path: Path) -> Iterator[tuple[io.BufferedIOBase, int]]:
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            yield handle, path.stat().st_size
        return
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        chosen = [m for m in members if Path(m.filename).stem == path.stem]
        if len(chosen) != 1:
            chosen = [m for m in members if Path(m.filename).name.lower() not in _ZIP_EXTRAS]
        if len(chosen) != 1:
            names = ", ".join(m.filename for m in members) or "nothing"
            raise GazetteerImportError(path, None, f"cannot tell which file of the archive to read (it holds {names})")
        with archive.open(chosen[0]) as handle:
            yield handle, chosen[0].file_size
