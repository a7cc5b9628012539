"""``syriamap convert`` and ``syriamap validate``: the event-table commands.

:func:`add_cli` registers both on an argparse sub-parser set; each command's
handler returns the process exit code.
"""
from __future__ import annotations

import argparse
import logging
import sys

from . import READERS, WRITERS, read_events, write_events
from .errors import EventFileError
from .source import ensure_not_input

logger = logging.getLogger(__name__)


def _read_report(events) -> dict | None:
    return events.attrs.get("syriamap_read")


def _describe_read(read: dict) -> str:
    text = (f"{read['path']}: {read['lines']} line(s) -> {read['records']} record(s) -> {read['rows']} row(s); "
            f"{read['repaired']} repaired, {read['records'] - read['rows'] - read.get('dropped_on_request', 0)} lost")
    return text


def _convert(args: argparse.Namespace) -> int:
    ensure_not_input(args.output, args.input)
    events = read_events(args.input, format=args.from_format)
    read = _read_report(events)
    if read and read["repaired"]:
        print(_describe_read(read), file=sys.stderr)
    if args.geocode:
        from ..geocode import geocode_events

        gazetteer = None
        if args.gazetteer:
            from ..gazetteer import Gazetteer

            gazetteer = Gazetteer(args.gazetteer)
        result = geocode_events(events, gazetteer)
        print(result, file=sys.stderr)
        events = result.events
    if args.merge_duplicates:
        from ..dedupe import merge_duplicates

        before = len(events)
        events = merge_duplicates(events, days=args.days, km=args.km, within_dataset=args.within_dataset)
        print(f"merged duplicates: {before} -> {len(events)} events", file=sys.stderr)
    write_events(events, args.output, format=args.to_format)
    print(f"{args.output}: {len(events)} events", file=sys.stderr)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from ..validate import validate

    if args.problems:
        ensure_not_input(args.problems, args.file, what="--problems")
    events = read_events(args.file, format=args.from_format)
    read = _read_report(events)
    report = validate(events)
    if read:
        print(_describe_read(read))
    print(report)
    if args.problems:
        report.problems.to_csv(args.problems, index=False)
        print(f"problems written to {args.problems}")
    elif len(report.problems):
        print(report.problems.head(args.show).to_string(index=False))
    damaged = bool(read) and (read["repaired"] > 0 or read["records"] - read["rows"] - read.get("dropped_on_request", 0) > 0)
    return 0 if report.ok and not damaged else 1


def _guarded(handler):
    """Run a command: our errors become one line and exit code 2, never a traceback.

    Anything else that escapes (a bug) is reported in one line too, with the
    traceback logged at debug level (``-vv``).
    """
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except EventFileError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except (RecursionError, MemoryError) as exc:
            print(f"error: the input is too large or too deeply nested to process ({type(exc).__name__})", file=sys.stderr)
            return 2
        except Exception as exc:  # noqa: BLE001 - last resort: a message, not a traceback
            logger.debug("unexpected error", exc_info=True)
            print(f"error: unexpected {type(exc).__name__}: {exc} (run with -vv for details; please report it)",
                  file=sys.stderr)
            return 2

    return run


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register ``convert`` and ``validate``; each sets ``func`` to its handler (returns an exit code)."""
    convert = subparsers.add_parser("convert", help="convert an event file (ACLED, UCDP, GDELT, GeoJSON, Parquet, CSV)")
    convert.add_argument("input")
    convert.add_argument("output")
    convert.add_argument("--from", dest="from_format", choices=sorted(READERS), help="input format (default: sniffed)")
    convert.add_argument("--to", dest="to_format", choices=sorted(WRITERS), help="output format (default: from the extension)")
    convert.add_argument("--geocode", action="store_true", help="fill missing coordinates from the gazetteer")
    convert.add_argument("--gazetteer", help="gazetteer file for --geocode (default: the embedded one)")
    convert.add_argument("--merge-duplicates", action="store_true",
                         help="merge reports of one event from different datasets or sources")
    convert.add_argument("--within-dataset", action="store_true",
                         help="merge: also merge rows of one dataset that carry different ids (off by default)")
    convert.add_argument("--days", type=float, default=1.0, help="merge: most days apart (default 1)")
    convert.add_argument("--km", type=float, default=5.0, help="merge: most km apart (default 5)")
    convert.set_defaults(func=_guarded(_convert))

    check = subparsers.add_parser("validate", help="check an event file and list its problems")
    check.add_argument("file")
    check.add_argument("--from", dest="from_format", choices=sorted(READERS), help="input format (default: sniffed)")
    check.add_argument("--problems", help="write every problem to this CSV file")
    check.add_argument("--show", type=int, default=20, help="problems to print (default 20)")
    check.set_defaults(func=_guarded(_validate))
