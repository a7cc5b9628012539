"""Command-line hooks of the importers and of gazetteer-file management.

``add_cli(subparsers)`` registers::

    syriamap import geonames FILE... [--into PATH] [--layer NAME] [--countries SY,TR] [--allow-empty]
    syriamap import open-syria DIR [--into PATH] [--layer NAME] [--allow-empty]
    syriamap import events FILE [--into PATH] [--format acled|ucdp|auto] [--layer NAME] [--allow-empty]
    syriamap gazetteer layers [PATH]
    syriamap gazetteer remove-layer NAME [--into PATH]

Each handler prints a one-line summary (or its error, on stderr) and returns an
exit code: 0 done, 1 a data problem (a malformed or empty input file), 2 a
usage problem (a bad option, a target that is not a gazetteer file).  On any
failure the gazetteer file is unchanged.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from syriamap.gazetteer import store
from syriamap.gazetteer.importers.common import GazetteerImportError, ImportReport, user_gazetteer_path

_INTO_HELP = "gazetteer file to write (default: $SYRIAMAP_GAZETTEER, else gazetteer.sqlite in the user data folder)"
_EMPTY_HELP = "write the layer even if the input gives no place (by default that is refused, keeping any earlier layer)"


def add_cli(subparsers: argparse._SubParsersAction, gazetteer_actions: argparse._SubParsersAction | None = None) -> None:
    """Register ``import ...`` and the ``gazetteer layers``/``remove-layer`` actions.

    ``gazetteer_actions`` is the sub-action set of an existing ``gazetteer``
    command, if the caller already has one; otherwise the command is created.
    """
    imp = subparsers.add_parser("import", help="add a layer to your gazetteer file from downloaded data")
    isub = imp.add_subparsers(dest="source", metavar="SOURCE", required=True)

    p = isub.add_parser("geonames", help="GeoNames dump files (SY.txt, cities500.txt, admin1CodesASCII.txt,"
                        " admin2Codes.txt, alternateNamesV2.txt, or their .zip)")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--layer", default="geonames", help="layer name (default: geonames)")
    p.add_argument("--countries", help="keep only places of these ISO2 codes, e.g. SY,TR,IQ")
    p.add_argument("--into", type=Path, help=_INTO_HELP)
    p.add_argument("--allow-empty", action="store_true", help=_EMPTY_HELP)
    p.set_defaults(func=_cmd_import_geonames)

    p = isub.add_parser("open-syria", help="the Open-Syria geography folder (governorates, districts,"
                        " subdistricts JSON)")
    p.add_argument("directory", type=Path, metavar="DIR")
    p.add_argument("--layer", default="open-syria", help="layer name (default: open-syria)")
    p.add_argument("--into", type=Path, help=_INTO_HELP)
    p.add_argument("--allow-empty", action="store_true", help=_EMPTY_HELP)
    p.set_defaults(func=_cmd_import_open_syria)

    p = isub.add_parser("events", help="an ACLED or UCDP GED export: one place per location at its events' median point")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--format", choices=("auto", "acled", "ucdp"), default="auto",
                   help="table format (default: detected from the header)")
    p.add_argument("--layer", help="layer name (default: the format, acled or ucdp)")
    p.add_argument("--into", type=Path, help=_INTO_HELP)
    p.add_argument("--allow-empty", action="store_true", help=_EMPTY_HELP)
    p.set_defaults(func=_cmd_import_events)

    if gazetteer_actions is None:
        gaz = subparsers.add_parser("gazetteer", help="manage gazetteer files")
        gazetteer_actions = gaz.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = gazetteer_actions.add_parser("layers", help="list the layers of a gazetteer file")
    p.add_argument("path", nargs="?", type=Path, metavar="PATH",
                   help="gazetteer file (default: $SYRIAMAP_GAZETTEER, else your gazetteer file)")
    p.set_defaults(func=_cmd_layers)
    p = gazetteer_actions.add_parser("remove-layer", help="remove a layer from a gazetteer file")
    p.add_argument("layer", metavar="NAME")
    p.add_argument("--into", type=Path, help="gazetteer file (default: $SYRIAMAP_GAZETTEER, else your gazetteer file)")
    p.set_defaults(func=_cmd_remove_layer)


def _run(action: Callable[[], ImportReport]) -> int:
    """Run an import; print its summary, or its error on stderr."""
    try:
        report = action()
    except GazetteerImportError as exc:
        print(f"syriamap: import failed, gazetteer file unchanged: {exc}", file=sys.stderr)
        return 1
    except (store.GazetteerFileError, ValueError) as exc:
        print(f"syriamap: import failed, gazetteer file unchanged: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    if os.environ.get("SYRIAMAP_GAZETTEER") != str(report.path):
        print(f"use it with --gazetteer {report.path}, or export SYRIAMAP_GAZETTEER={report.path}")
    return 0


def _cmd_import_geonames(args: argparse.Namespace) -> int:
    from syriamap.gazetteer.importers.geonames import import_geonames

    countries = args.countries.split(",") if args.countries else None
    return _run(lambda: import_geonames(
        args.files, args.into, layer=args.layer, countries=countries, allow_empty=args.allow_empty
    ))


def _cmd_import_open_syria(args: argparse.Namespace) -> int:
    from syriamap.gazetteer.importers.opensyria import import_open_syria

    return _run(lambda: import_open_syria(args.directory, args.into, layer=args.layer, allow_empty=args.allow_empty))


def _cmd_import_events(args: argparse.Namespace) -> int:
    from syriamap.gazetteer.importers.events import import_events

    return _run(lambda: import_events(
        args.file, args.into, format=args.format, layer=args.layer, allow_empty=args.allow_empty
    ))


def _cmd_layers(args: argparse.Namespace) -> int:
    path = args.path or user_gazetteer_path()
    if args.path is None and not path.exists():
        from syriamap.gazetteer.build import ensure_default

        path = ensure_default()  # nothing imported yet: show what lookups use, the embedded default
    try:
        conn = store.connect(path)
    except store.GazetteerFileError as exc:
        print(f"syriamap: {exc}", file=sys.stderr)
        return 2
    try:
        rows = store.layers(conn)
    finally:
        conn.close()
    print(f"{path}: {len(rows)} layer(s), {sum(int(r['places']) for r in rows):,} places")
    for row in rows:
        print(f"  {row['name']:<16} {int(row['places']):>9,} places  priority {row['priority']}  {row['source']}")
    return 0


def _cmd_remove_layer(args: argparse.Namespace) -> int:
    path = args.into or user_gazetteer_path()
    try:
        store.remove_layer(path, args.layer)
    except store.GazetteerFileError as exc:
        print(f"syriamap: {exc}", file=sys.stderr)
        return 2
    print(f"removed layer {args.layer!r} from {path}")
    return 0
