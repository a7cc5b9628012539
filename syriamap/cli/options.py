"""Options shared by several commands, and the one table printer.

Building the parser must stay cheap (``syriamap --help`` starts in well under a
second), so this module imports only the standard library; the helpers that
need pandas or the gazetteer import them when a command runs.

- ``--gazetteer FILE`` / ``--layers a,b``: which gazetteer file and layers a
  command looks names up in (:func:`add_gazetteer_options`, :func:`open_gazetteer`);
- ``--format table|csv|jsonl``: how a lookup command prints its rows (:func:`print_rows`);
- ``--columns old=new[,old=new]``: renames the columns of a user's event file right
  after reading, so a spreadsheet with its own headers works (:func:`add_columns_option`,
  :func:`read_event_file`);
- ``-`` as stdin (:func:`input_lines`) or stdout.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from syriamap.errors import DataError, UsageError

if TYPE_CHECKING:
    import pandas as pd

    from syriamap.gazetteer import Gazetteer

#: The value meaning stdin (for inputs) or stdout (for outputs).
STDIO = "-"

OUTPUT_FORMATS = ("table", "csv", "jsonl")


# --------------------------------------------------------------------------- parser helpers


def add_parser(subparsers: argparse._SubParsersAction, name: str, *, help: str, example: str,
               description: str | None = None) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` ends with an example (every command has one).

    ``example`` is one command line, or several separated by ``"\n  "``.
    """
    epilog = f"examples:\n  {example}" if "\n" in example else f"example: {example}"
    return subparsers.add_parser(
        name, help=help, description=description or help[:1].upper() + help[1:] + ".",
        epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def add_gazetteer_options(parser: argparse.ArgumentParser, *, layers: bool = True) -> None:
    """``--gazetteer FILE`` and (optionally) ``--layers a,b``."""
    parser.add_argument(
        "--gazetteer", type=Path, default=None, metavar="FILE",
        help="gazetteer file (default: $SYRIAMAP_GAZETTEER, else your chosen or imported file, else the embedded one)",
    )
    if layers:
        parser.add_argument("--layers", default=None, metavar="A,B",
                            help="comma-separated layers of that file to use (default: all)")


def add_format_option(parser: argparse.ArgumentParser) -> None:
    """``--format table|csv|jsonl`` for commands that print rows."""
    parser.add_argument("--format", choices=OUTPUT_FORMATS, default="table",
                        help="how to print the rows: an aligned table (default), CSV, or JSON lines")


def add_columns_option(parser: argparse.ArgumentParser) -> None:
    """``--columns old=new[,old=new]``, repeatable."""
    parser.add_argument(
        "--columns", action="append", default=[], metavar="OLD=NEW[,OLD=NEW]",
        help="rename the file's columns right after reading, e.g. --columns lat=latitude,lon=longitude"
             " (repeatable); an unknown OLD name is an error listing the file's columns",
    )


# --------------------------------------------------------------------------- option values


def parse_columns(values: Sequence[str] | None) -> dict[str, str]:
    """``["a=b,c=d", "e=f"]`` -> ``{"a": "b", "c": "d", "e": "f"}``; bad syntax is a :class:`UsageError`."""
    mapping: dict[str, str] = {}
    for value in values or ():
        for item in value.split(","):
            if not item.strip():
                continue
            old, sep, new = item.partition("=")
            old, new = old.strip(), new.strip()
            if not sep or not old or not new:
                raise UsageError(f"--columns takes OLD=NEW pairs separated by commas, got {item.strip()!r}")
            if old in mapping and mapping[old] != new:
                raise UsageError(f"--columns renames {old!r} twice ({mapping[old]!r} and {new!r})")
            mapping[old] = new
    return mapping


def parse_layers(value: str | None) -> list[str] | None:
    """``"a, b"`` -> ``["a", "b"]``; None or empty -> None (all layers)."""
    layers = [x.strip() for x in (value or "").split(",") if x.strip()]
    return layers or None


def open_gazetteer(args: argparse.Namespace) -> Gazetteer:
    """The gazetteer named by ``--gazetteer``/``--layers`` (the default file when not given)."""
    from syriamap.gazetteer import Gazetteer

    path = getattr(args, "gazetteer", None)
    if path is not None and not Path(path).is_file():
        raise DataError(f"{path}: no such gazetteer file")
    layers = parse_layers(getattr(args, "layers", None))
    if layers is None:
        return Gazetteer(path)
    try:
        return Gazetteer(path, layers=layers)
    except ValueError as exc:  # an unknown layer name is the option's fault
        if isinstance(exc, DataError):
            raise
        raise UsageError(f"--layers: {exc}") from None


def gazetteer_or_none(args: argparse.Namespace) -> Gazetteer | None:
    """:func:`open_gazetteer` when ``--gazetteer`` was given, else None (the library's per-process default)."""
    if getattr(args, "gazetteer", None) is None and not getattr(args, "layers", None):
        return None
    return open_gazetteer(args)


# --------------------------------------------------------------------------- inputs


def input_lines(values: Sequence[str], what: str) -> list[str]:
    """The command-line values, or one per non-blank line of stdin when none (or ``-``) is given."""
    if values and list(values) != [STDIO]:
        if STDIO in values:
            raise UsageError(f"'-' (read {what} from stdin) cannot be mixed with {what} on the command line")
        return list(values)
    if sys.stdin is None or (sys.stdin.isatty() and not values):
        raise UsageError(f"give {what} on the command line, or '-' to read them from stdin, one a line")
    return [line.strip() for line in sys.stdin if line.strip()]


def check_input_file(path: str | Path) -> Path:
    """``path`` as a Path if it is a readable file; a :class:`DataError` naming it otherwise."""
    file = Path(path)
    if not file.exists():
        raise DataError(f"{file}: no such file")
    if file.is_dir():
        raise DataError(f"{file}: is a folder, not a file")
    return file


def read_event_file(path: str | Path, *, format: str | None = None, columns: Sequence[str] = ()) -> pd.DataFrame:
    """Read an event file (any supported format), renaming its columns first as ``--columns`` asks."""
    from syriamap.io import read_events

    mapping = parse_columns(columns)
    file = check_input_file(path)
    options: dict[str, Any] = {"columns": mapping} if mapping else {}
    return read_events(file, format=format, **options)


def stdin_to_file(tmp_dir: Path, suffix: str = "") -> Path:
    """Copy stdin (bytes) into a file in ``tmp_dir`` (readers that sniff and seek need a file)."""
    target = tmp_dir / f"stdin{suffix}"
    data = sys.stdin.buffer.read() if sys.stdin is not None else b""
    target.write_bytes(data)
    return target


# --------------------------------------------------------------------------- output


def _cell(value: object) -> str:
    """A value as printed in a table: floats to 4 decimals, missing as empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def print_rows(rows: Iterable[Mapping[str, object]], columns: Sequence[str], fmt: str = "table",
               file: IO[str] | None = None) -> None:
    """Print ``rows`` (dicts; missing keys are empty) as an aligned table, CSV or JSON lines.

    The one table printer of the command line: lookups, layers and candidates all
    print through it, so every command's ``--format csv`` reads back the same way.
    """
    out = file or sys.stdout
    rows = list(rows)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
        return
    if fmt == "jsonl":
        for row in rows:
            record = {c: None if _cell(row.get(c)) == "" else row.get(c) for c in columns}
            out.write(json.dumps(record, ensure_ascii=False, default=str, allow_nan=False) + "\n")
        return
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip() + "\n")
    for r in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() + "\n")
