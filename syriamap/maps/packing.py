"""Binary columnar packing of the events payload: typed arrays in one gzip+base64 blob.

Why: a page with 100k events carried its columns as JSON arrays of decimal
numbers, which were slow to write (``json.dumps`` of ~700k numbers), large
after gzip, and slow to read in the browser (``JSON.parse`` of megabytes, then
a copy into typed arrays).  Here every numeric column is a little-endian typed
array whose bytes are stored plane by plane (all low bytes, then the next...;
the high planes of small numbers are runs of zeros that gzip removes), and the
browser reads each one into a typed array with one loop.  Free text is one
UTF-8 block plus lengths, decoded per event only when its popup opens.

The payload is two blobs, each gzip-compressed and base64-encoded, joined by a
``.``: first what the first frame needs (positions, layer, time step, heat
weights), then the popup columns, which the page unpacks after drawing.  The
first blob is ``MAGIC``, the header length (uint32 LE), the header (UTF-8 JSON:
scalars, dictionaries, and for each array its *segment* ``{"t": type, "n":
count, "o": offset}``), then its segments; the second is ``COLUMNS_MAGIC`` then
the columns' segments.  Offsets count from the end of the header (first blob)
or of the magic (second).  ``SyriaMap.unpackEvents`` in ``templates/runtime.js``
reads them; :func:`unpack` here is its Python twin, for tests and debugging.
"""
from __future__ import annotations

import base64
import gzip
import json
import struct
from typing import Any

import numpy as np

MAGIC = b"SME2"
"""First bytes of a packed events blob (the JSON payloads of other elements start with ``{``)."""
COLUMNS_MAGIC = b"SMC2"
"""First bytes of the popup columns' blob."""

INT_NA = -(2**31)
"""Missing value of ``int`` and ``day`` columns (int32)."""

_TYPES = {"u8": "<u1", "u16": "<u2", "i16": "<i2", "i32": "<i4", "f64": "<f8"}
GZIP_LEVEL = 5
"""gzip level of the blobs: on 100k events with free-text notes, level 4 is 4% larger and level 6 3%
smaller, taking almost twice the time (benchmarks/bench_maps.py)."""


class Packer:
    """Collects typed-array segments; :meth:`finish` writes the blob (with its header, if any)."""

    def __init__(self, magic: bytes = MAGIC) -> None:
        self._magic = magic
        self._parts: list[bytes] = []
        self._offset = 0

    def array(self, values: np.ndarray, kind: str) -> dict[str, Any]:
        """Add ``values`` as a segment of type ``kind`` (``u8``, ``u16``, ``i16``, ``i32``, ``f64``)."""
        arr = np.ascontiguousarray(values, dtype=_TYPES[kind])
        raw = arr.view(np.uint8).reshape(-1, arr.itemsize).T.tobytes() if arr.itemsize > 1 else arr.tobytes()
        seg = {"t": kind, "n": int(arr.size), "o": self._offset}
        self._parts.append(raw)
        self._offset += len(raw)
        return seg

    def uint(self, values: np.ndarray) -> dict[str, Any]:
        """Non-negative integers in the narrowest unsigned type that holds them (u8, u16, else i32)."""
        top = int(values.max()) if len(values) else 0
        return self.array(values, "u8" if top < 2**8 else "u16" if top < 2**16 else "i32")

    def finish(self, header: dict[str, Any] | None = None) -> str:
        """The blob, gzip-compressed and base64-encoded (inert ASCII text in the page)."""
        start = [self._magic]
        if header is not None:
            head = json.dumps(header, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
            start += [struct.pack("<I", len(head)), head]
        blob = b"".join(start + self._parts)
        return base64.b64encode(gzip.compress(blob, compresslevel=GZIP_LEVEL, mtime=0)).decode("ascii")


def int32_or_none(values: np.ndarray) -> bool:
    """Whether float values (NaN = missing) are all whole numbers that fit an int32 (missing excluded)."""
    finite = values[~np.isnan(values)]
    return bool(np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 2**31 - 1))


def unpack(encoded: str) -> tuple[dict[str, Any], Any, Any]:
    """The header and functions reading a segment of the first and of the second blob as numpy arrays."""
    first, _, second = encoded.partition(".")
    blob = gzip.decompress(base64.b64decode(first))
    if not blob.startswith(MAGIC):
        raise ValueError("not a packed events payload")
    (size,) = struct.unpack_from("<I", blob, len(MAGIC))
    start = len(MAGIC) + 4
    header = json.loads(blob[start:start + size].decode("utf-8"))
    columns = gzip.decompress(base64.b64decode(second))
    if not columns.startswith(COLUMNS_MAGIC):
        raise ValueError("the packed events payload has no popup columns")
    return header, _reader(blob, start + size), _reader(columns, len(COLUMNS_MAGIC))


def _reader(blob: bytes, base: int) -> Any:
    def read(seg: dict[str, Any]) -> np.ndarray:
        dtype = np.dtype(_TYPES[seg["t"]])
        raw = np.frombuffer(blob, dtype=np.uint8, count=seg["n"] * dtype.itemsize, offset=base + seg["o"])
        return raw.reshape(dtype.itemsize, seg["n"]).T.copy().view(dtype).reshape(-1)

    return read
