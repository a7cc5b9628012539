"""Reading and writing event tables: ACLED, UCDP GED, GDELT 2.0, GeoJSON, Parquet and CSV.

Every reader returns a DataFrame in the schema of :mod:`syriamap.schema` (source
columns without a schema column kept after it, prefixed by the dataset name);
every writer takes one.  :func:`read_events` picks the reader from the file's
extension and first line; :func:`write_events` the writer from the extension.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .acled import looks_like_acled, read_acled, write_acled
from .errors import EventFileError
from .gdelt import looks_like_gdelt, read_gdelt
from .geojson import read_geojson, to_geojson_dict, write_geojson
from .native import read_csv, read_parquet, write_csv, write_parquet
from .limits import DEFAULT_LIMITS, Limits
from .source import ensure_not_input, load_source
from .ucdp import looks_like_ucdp, read_ucdp

#: Format names accepted by ``format=`` / ``--from`` / ``--to``.
READERS = {
    "acled": read_acled,
    "ucdp": read_ucdp,
    "gdelt": read_gdelt,
    "geojson": read_geojson,
    "parquet": read_parquet,
    "csv": read_csv,
}
WRITERS = {
    "acled": write_acled,
    "geojson": write_geojson,
    "parquet": write_parquet,
    "csv": write_csv,
}


def sniff_format(path: str | Path) -> str:
    """The format of an event file, from its extension and first line.

    ``.parquet``/``.pq`` -> parquet; ``.geojson``/``.json`` -> geojson; a 61-field
    tab-separated record -> gdelt; a header with UCDP's or ACLED's columns ->
    ucdp/acled; any other text -> csv (our schema).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".geojson", ".json"):
        return "geojson"
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        raise EventFileError(path, None, None, f"cannot open the file: {exc.strerror or exc}") from None
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\x1f\x8b"):  # gzip data: sniff what it holds
        head = load_source(path).head(1 << 16)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    if text.lstrip().startswith("{"):
        return "geojson"
    first = text.splitlines()[0] if text else ""
    if looks_like_gdelt(first) or suffix == ".tsv" and "\t" in first and not first.split("\t")[0].isalpha():
        return "gdelt"
    header = [h.strip().strip('"') for h in first.replace(";", ",").replace("\t", ",").split(",")]
    if looks_like_ucdp(header):
        return "ucdp"
    if looks_like_acled(header):
        return "acled"
    return "csv"


def read_events(path: str | Path, format: str | None = None, **options) -> pd.DataFrame:
    """Read an event file of any supported format (sniffed when ``format`` is None)."""
    name = (format or sniff_format(path)).lower()
    if name not in READERS:
        raise EventFileError(path, None, None, f"unknown format {name!r}; expected one of {', '.join(READERS)}")
    return READERS[name](path, **options)


def format_for_output(path: str | Path) -> str:
    """The writer for an output path's extension (``.csv`` -> csv, ``.acled.csv`` -> acled)."""
    name = Path(path).name.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith((".geojson", ".json")):
        return "geojson"
    if name.endswith(".acled.csv"):
        return "acled"
    if name.endswith(".csv"):
        return "csv"
    raise EventFileError(
        path, None, None,
        "cannot tell the output format from the file name: use .csv, .acled.csv, .parquet or .geojson,"
        " or name the format (format=..., or --to on the command line)",
    )


def write_events(df: pd.DataFrame, path: str | Path, format: str | None = None, **options) -> Path:
    """Write events in ``format`` (chosen from the extension when None).

    ``options`` go to the writer (``escape_formulas=False`` for the CSV writers).
    """
    name = (format or format_for_output(path)).lower()
    if name not in WRITERS:
        raise EventFileError(path, None, None, f"cannot write format {name!r}; expected one of {', '.join(WRITERS)}")
    return WRITERS[name](df, path, **options)


__all__ = [
    "EventFileError", "read_events", "write_events", "sniff_format", "format_for_output",
    "read_acled", "write_acled", "read_ucdp", "read_gdelt", "read_geojson", "write_geojson",
    "to_geojson_dict", "read_csv", "write_csv", "read_parquet", "write_parquet", "READERS", "WRITERS",
    "Limits", "DEFAULT_LIMITS", "ensure_not_input",
]
