"""Opening an event file's bytes: compressed or misnamed files, and outputs that would clobber inputs.

:func:`load_source` looks at a file's first bytes.  gzip data (whatever the file
is called) is decompressed, up to :attr:`Limits.max_decompressed_bytes`, and read
as the text it holds, with a logged note; other archive or binary formats (zip,
bzip2, xz, 7z, Parquet, SQLite, PDF, Excel) are named in a clear error rather
than parsed as text.  :func:`ensure_not_input` refuses an output path that is
one of the inputs (``validate X --problems X``, ``convert X X``).
"""
from __future__ import annotations

import gzip
import logging
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from .errors import EventFileError
from .limits import DEFAULT_LIMITS, Limits

logger = logging.getLogger(__name__)

#: Leading bytes of formats that are not delimited text, and their names.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive (or an Excel .xlsx workbook)"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"(\xb5/\xfd", "zstd-compressed data"),
    (b"PAR1", "a Parquet file (name it .parquet, or pass --from parquet)"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)
_GZIP = b"\x1f\x8b"


@dataclass
class Source:
    """A file to parse: its path, and its bytes when they had to be decompressed first."""

    path: str
    data: bytes | None = None

    def head(self, size: int) -> bytes:
        """The first ``size`` bytes of the (decompressed) content."""
        if self.data is not None:
            return self.data[:size]
        with open(self.path, "rb") as fh:
            return fh.read(size)

    def open(self):
        """A binary file object over the (decompressed) content."""
        if self.data is not None:
            import io

            return io.BytesIO(self.data)
        return open(self.path, "rb")


def describe_binary(head: bytes) -> str | None:
    """What a file is, when its first bytes show it is not text (None for text or gzip)."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def _gunzip(path: str, limit: int) -> bytes:
    """The decompressed content of a gzip file, refused past ``limit`` bytes."""
    out = bytearray()
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                out += decompressor.decompress(chunk, max(limit + 1 - len(out), 1))
                while decompressor.unconsumed_tail and len(out) <= limit:
                    out += decompressor.decompress(decompressor.unconsumed_tail, max(limit + 1 - len(out), 1))
                if len(out) > limit:
                    raise EventFileError(
                        path, None, None,
                        f"gzip-compressed data that decompresses to more than {limit:,} bytes; refused"
                        " (decompress it yourself, or raise Limits.max_decompressed_bytes)",
                    )
                if decompressor.eof:
                    break
    except (zlib.error, gzip.BadGzipFile, EOFError) as exc:
        raise EventFileError(path, None, None, f"gzip-compressed data that cannot be decompressed: {exc}") from None
    return bytes(out)


def load_source(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Source:
    """The file to parse, decompressed if it is gzip data; a clear error for other binary formats."""
    path = str(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise EventFileError(path, None, None, f"cannot open the file: {exc.strerror or exc}") from None
    if head.startswith(_GZIP):
        data = _gunzip(path, limits.max_decompressed_bytes)
        logger.warning("%s: gzip-compressed data (%d bytes decompressed); read as the text it holds", path, len(data))
        inner = describe_binary(data[:64])
        if inner:
            raise EventFileError(path, None, None, f"gzip-compressed {inner}, not a delimited text file")
        return Source(path, data)
    what = describe_binary(head)
    if what:
        raise EventFileError(path, None, None, f"this is {what}, not a delimited text file")
    return Source(path)


def ensure_not_input(output: str | Path, *inputs: str | Path, what: str = "output") -> None:
    """Raise :class:`EventFileError` when ``output`` is (or links to) one of ``inputs``."""
    out = Path(output)
    for given in inputs:
        source = Path(given)
        same = out.resolve() == source.resolve()
        if not same and out.exists() and source.exists():
            try:
                same = os.path.samefile(out, source)
            except OSError:
                same = False
        if same:
            raise EventFileError(output, None, None, f"the {what} file is the input file; choose another name so the input is not overwritten")


__all__ = ["Source", "load_source", "describe_binary", "ensure_not_input"]
