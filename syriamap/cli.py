"""The ``syriamap`` command line.

Each subcommand is registered by the module that owns its work (an ``add_cli``
function), so this file only assembles them, sets up logging and turns the
package's own errors into one-line messages with exit code 2 instead of
tracebacks.
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from syriamap.gazetteer.online import GeocodeCacheError
from syriamap.gazetteer.store import GazetteerFileError

logger = logging.getLogger("syriamap")


def _gazetteer_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gazetteer", type=Path, default=None,
        help="gazetteer file (default: $SYRIAMAP_GAZETTEER, else the embedded default)",
    )
    parser.add_argument("--layers", default=None, help="comma-separated layers of that file to use (default: all)")


def _open_gazetteer(args: argparse.Namespace):  # -> Gazetteer
    import os

    from syriamap.gazetteer import Gazetteer

    path = args.gazetteer or os.environ.get("SYRIAMAP_GAZETTEER") or None
    layers = [x.strip() for x in args.layers.split(",") if x.strip()] if args.layers else None
    return Gazetteer(path, layers=layers)


def _cmd_resolve(args: argparse.Namespace) -> int:
    """Resolve names given on the command line and print a table."""
    gz = _open_gazetteer(args)
    names = list(args.names) or [line.strip() for line in sys.stdin if line.strip()]
    hints = {k: v for k, v in (("country", args.country), ("kind", args.kind), ("admin1", args.admin1),
                                ("year", args.year)) if v is not None}
    table = gz.resolve_many(names, **hints)
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False)
        return 0 if table["reason"].isna().all() else 1
    cols = ["name", "place", "kind", "admin1", "country", "latitude", "longitude", "score", "reason"]
    rows = [[("" if _isna(v) else f"{v:.4f}" if isinstance(v, float) else str(v)) for v in rec]
            for rec in table[cols].itertuples(index=False)]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(cols)]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    if args.why:
        for name in names:
            for cand in gz.lookup(name, limit=args.why, **hints):
                print(f"\n{name!r} -> {cand.place.name} ({cand.place.kind}, {cand.place.country_code}) score {cand.score}")
                for reason in cand.reasons:
                    print(f"    {reason}")
    return 0 if table["reason"].isna().all() else 1


def _isna(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _cmd_evaluate_gazetteer(args: argparse.Namespace) -> int:
    from syriamap.gazetteer.evaluate import evaluate_gazetteer, read_gold

    columns = {}
    for item in filter(None, (args.columns or "").split(",")):
        ours, _, theirs = item.partition("=")
        if not theirs:
            raise SystemExit(f"syriamap: --columns takes ours=theirs pairs, got {item!r}")
        columns[ours.strip()] = theirs.strip()
    gold = read_gold(args.gold, columns, args.where)
    result = evaluate_gazetteer(gold, _open_gazetteer(args), use_hints=not args.no_hints,
                                progress=sys.stderr.isatty())
    print(result.summary())
    if args.worst:
        print(f"\nworst {args.worst}:")
        worst = result.worst(args.worst)
        for rec in worst.itertuples(index=False):
            err = "unresolved" if _isna(rec.error_km) else f"{rec.error_km:8.1f} km"
            got = rec.reason if _isna(rec.error_km) else f"{rec.place} ({rec.kind})"
            print(f"  {err:>12}  {rec.name!s:40.40}  -> {got}")
    return 0


def _cmd_gazetteer_build(args: argparse.Namespace) -> int:
    from syriamap.gazetteer.build import ensure_default

    path = ensure_default()
    print(f"embedded gazetteer ready: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every module's subcommands."""
    from syriamap import __version__

    parser = argparse.ArgumentParser(
        prog="syriamap",
        description="Turn news about the war in Syria and its region into mapped, analysable events.",
    )
    parser.add_argument("--version", action="version", version=f"syriamap {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("resolve", help="resolve place names with the gazetteer and print a table")
    p.add_argument("names", nargs="*", help="place names (default: one per line on stdin)")
    p.add_argument("--country", help="ISO2 code or name of the country the places are in")
    p.add_argument("--admin1", help="governorate/province the places are in")
    p.add_argument("--kind", help="only places of this kind (country, admin1, admin2, populated_place, ...)")
    p.add_argument("--year", type=int, help="year of the report (for renamed places)")
    p.add_argument("--format", choices=("table", "csv"), default="table")
    p.add_argument("--why", type=int, nargs="?", const=3, default=0, metavar="N",
                   help="also print the top N candidates of each name with the reasons for their scores")
    _gazetteer_arg(p)
    p.set_defaults(func=_cmd_resolve)

    p = sub.add_parser("evaluate", help="measure accuracy against gold data")
    esub = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    e = esub.add_parser("gazetteer", help="resolve the names of a gold CSV and compare with its coordinates")
    e.add_argument("gold", type=Path, help="CSV with name, latitude, longitude [, admin1, country, weight]")
    e.add_argument("--columns", help="map our columns to the file's, e.g. name=where_coordinates,admin1=adm_1")
    e.add_argument("--where", help="pandas query on the file's columns first, e.g. 'where_prec == 1'")
    e.add_argument("--no-hints", action="store_true", help="ignore the admin1/country columns")
    e.add_argument("--worst", type=int, default=15, help="list the N worst misses (default 15)")
    _gazetteer_arg(e)
    e.set_defaults(func=_cmd_evaluate_gazetteer)

    p = sub.add_parser("gazetteer", help="manage gazetteer files")
    gsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    g = gsub.add_parser("build", help="build the embedded default now (otherwise done on first use)")
    g.set_defaults(func=_cmd_gazetteer_build)

    from syriamap.gazetteer.importers.cli import add_cli as add_import_cli

    add_import_cli(sub, gazetteer_actions=gsub)

    from syriamap.gazetteer import geocoder, online
    from syriamap.io import cli as io_cli
    from syriamap.maps import cli as map_cli

    geocoder.add_cli(sub)
    online.add_cli(sub)
    io_cli.add_cli(sub)
    map_cli.add_cli(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``syriamap`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (GazetteerFileError, GeocodeCacheError, ValueError, OSError) as exc:
        print(f"syriamap: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
