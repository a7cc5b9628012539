"""``syriamap convert`` and ``syriamap validate``: the event-table commands.

Both read any supported event file (ACLED, UCDP, GDELT, GeoJSON, Parquet or our
CSV), ``-`` meaning stdin, with ``--columns old=new`` renaming a user's own
headers first.  ``convert`` writes by the output's extension (``-``: CSV on
stdout); ``validate`` prints its report and exits 1 when any row has a problem or
was repaired or lost in reading (``--problems -`` writes the problem list to
stdout and the report to stderr).
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from syriamap.cli.options import STDIO, add_columns_option, add_parser, read_event_file, stdin_to_file

logger = logging.getLogger(__name__)

#: Reader and writer names (kept here, not imported from syriamap.io, so that --help stays light;
#: a test checks they match syriamap.io.READERS and WRITERS).
READ_FORMATS = ("acled", "csv", "gdelt", "geojson", "parquet", "ucdp")
WRITE_FORMATS = ("acled", "csv", "geojson", "parquet")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``convert`` and ``validate``."""
    p = add_parser(sub, "convert", help="convert an event file (ACLED, UCDP, GDELT, GeoJSON, Parquet, CSV)",
                   example="syriamap convert ged-syria.csv events.geojson\n"
                           "  syriamap convert mine.csv events.parquet --columns id=event_id,date=event_date,type=event_type\n"
                           "  cat events.csv | syriamap convert - - --geocode > located.csv")
    p.add_argument("input", help="event file, or - for stdin")
    p.add_argument("output", help="file to write (format from the extension, or --to), or - for CSV on stdout")
    p.add_argument("--from", dest="from_format", choices=READ_FORMATS, help="input format (default: sniffed)")
    p.add_argument("--to", dest="to_format", choices=WRITE_FORMATS, help="output format (default: from the extension)")
    add_columns_option(p)
    p.add_argument("--geocode", action="store_true", help="fill missing coordinates from the gazetteer")
    p.add_argument("--gazetteer", type=Path, metavar="FILE", help="gazetteer file for --geocode (default: the default one)")
    p.add_argument("--merge-duplicates", action="store_true",
                   help="merge reports of one event from different datasets or sources")
    p.add_argument("--within-dataset", action="store_true",
                   help="merge: also merge rows of one dataset that carry different ids (off by default)")
    p.add_argument("--days", type=float, default=1.0, help="merge: most days apart (default 1)")
    p.add_argument("--km", type=float, default=5.0, help="merge: most km apart (default 5)")
    p.set_defaults(func=cmd_convert)

    p = add_parser(sub, "validate", help="check an event file and list its problems",
                   example="syriamap validate events.csv --problems problems.csv\n"
                           "  syriamap validate mine.csv --columns lat=latitude,lon=longitude --problems - | head")
    p.add_argument("file", help="event file, or - for stdin")
    p.add_argument("--from", dest="from_format", choices=READ_FORMATS, help="input format (default: sniffed)")
    add_columns_option(p)
    p.add_argument("--problems", help="write every problem to this CSV file (- for stdout; the report then goes to stderr)")
    p.add_argument("--show", type=int, default=20, help="problems to print (default 20)")
    p.set_defaults(func=cmd_validate)


@contextmanager
def _readable(path: str) -> Iterator[Path]:
    """The input as a file: ``path`` itself, or stdin copied into a temporary file for ``-``."""
    import tempfile

    if path != STDIO:
        yield Path(path)
        return
    with tempfile.TemporaryDirectory(prefix="syriamap-") as tmp:
        yield stdin_to_file(Path(tmp))


def _not_input(output: str, source: str, what: str = "output") -> None:
    """Refuse, as a usage error, an output that would overwrite the input."""
    from syriamap.cli.app import describe_error
    from syriamap.errors import UsageError
    from syriamap.io import EventFileError, ensure_not_input

    try:
        ensure_not_input(output, source, what=what)
    except EventFileError as exc:
        raise UsageError(describe_error(exc)) from None


def _describe_read(read: dict) -> str:
    lost = read["records"] - read["rows"] - read.get("dropped_on_request", 0)
    return (f"{read['path']}: {read['lines']} line(s) -> {read['records']} record(s) -> {read['rows']} row(s); "
            f"{read['repaired']} repaired, {lost} lost")


def _write(events, output: str, to_format: str | None) -> None:
    """Write with the real writers; ``-`` writes to a temporary file streamed to stdout."""
    import shutil
    import tempfile

    from syriamap.io import write_events

    if output != STDIO:
        write_events(events, output, format=to_format)
        return
    with tempfile.TemporaryDirectory(prefix="syriamap-") as tmp:
        out = Path(tmp) / f"stdout.{'csv' if to_format in (None, 'acled') else to_format}"
        write_events(events, out, format=to_format or "csv")
        sys.stdout.flush()
        with out.open("rb") as fh:
            shutil.copyfileobj(fh, sys.stdout.buffer)
        sys.stdout.buffer.flush()


def cmd_convert(args: argparse.Namespace) -> int:
    """Read, optionally geocode and merge, write."""
    from syriamap.io import format_for_output

    if args.output != STDIO:
        if args.input != STDIO:
            _not_input(args.output, args.input)
        if args.to_format is None:
            format_for_output(args.output)  # an unknown extension fails before the reading
    with _readable(args.input) as source:
        events = read_event_file(source, format=args.from_format, columns=args.columns)
    read = events.attrs.get("syriamap_read")
    if read and read["repaired"]:
        print(_describe_read(read), file=sys.stderr)
    if args.geocode:
        from syriamap.cli.options import gazetteer_or_none
        from syriamap.geocode import geocode_events

        result = geocode_events(events, gazetteer_or_none(args))
        print(result, file=sys.stderr)
        events = result.events
    if args.merge_duplicates:
        from syriamap.dedupe import merge_duplicates

        before = len(events)
        events = merge_duplicates(events, days=args.days, km=args.km, within_dataset=args.within_dataset)
        print(f"merged duplicates: {before} -> {len(events)} events", file=sys.stderr)
    _write(events, args.output, args.to_format)
    print(f"{'stdout' if args.output == STDIO else args.output}: {len(events)} events", file=sys.stderr)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Print the validation report; exit 1 when there is a problem or a damaged row."""
    from syriamap.validate import validate

    if args.problems not in (None, STDIO) and args.file != STDIO:
        _not_input(args.problems, args.file, what="--problems")
    with _readable(args.file) as source:
        events = read_event_file(source, format=args.from_format, columns=args.columns)
    read = events.attrs.get("syriamap_read")
    report = validate(events)
    out = sys.stderr if args.problems == STDIO else sys.stdout
    if read:
        print(_describe_read(read), file=out)
    print(report, file=out)
    if args.problems == STDIO:
        report.problems.to_csv(sys.stdout, index=False)
    elif args.problems:
        report.problems.to_csv(args.problems, index=False)
        print(f"problems written to {args.problems}", file=out)
    elif len(report.problems):
        print(report.problems.head(args.show).to_string(index=False), file=out)
    damaged = bool(read) and (read["repaired"] > 0 or read["records"] - read["rows"] - read.get("dropped_on_request", 0) > 0)
    return 0 if report.ok and not damaged else 1
