"""``syriamap gazetteer ...`` and ``syriamap import ...``: the gazetteer files.

``gazetteer build`` prebuilds the embedded default (or writes the compressed copy
the package ships); ``fetch`` downloads GeoNames country dumps into the user's
gazetteer; ``info`` describes a file; ``search`` lists the candidates of a name
with the reasons for their scores; ``layers`` lists a file's layers; ``use``
chooses the default file; ``remove-layer`` drops a layer.  ``import geonames|
open-syria|events`` adds a layer from downloaded data.  By default an import
writes the file later lookups read (:func:`syriamap.config.user_gazetteer`).
On any failure the gazetteer file is left unchanged.
"""
from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from syriamap.cli.options import (
    add_columns_option, add_format_option, add_gazetteer_options, add_parser, open_gazetteer, parse_columns,
    print_rows,
)

_INTO_HELP = ("gazetteer file to write (default: $SYRIAMAP_GAZETTEER, else your chosen default, else"
              " gazetteer.sqlite in the user data folder; lookups then read it)")
_EMPTY_HELP = "write the layer even if the input gives no place (by default that is refused, keeping any earlier layer)"


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``gazetteer ACTION`` and ``import SOURCE``."""
    p = add_parser(sub, "gazetteer", help="manage gazetteer files: build, fetch, info, search, layers, use, remove-layer",
                   example="syriamap gazetteer info")
    gsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    g = add_parser(gsub, "build", help="build the embedded default now (otherwise done on first use)",
                   example="syriamap gazetteer build")
    g.add_argument("--prebuilt", type=Path, metavar="DIR",
                   help="also write it xz-compressed into DIR as the prebuilt default the package ships"
                        " (in a checkout: gazetteer/)")
    g.set_defaults(func=cmd_build)

    g = add_parser(gsub, "fetch", help="download GeoNames country dumps (every village, quarter and site) and"
                   " make them your default gazetteer", example="syriamap gazetteer fetch SY LB")
    g.add_argument("countries", nargs="+", metavar="CC", help="ISO 3166 two-letter codes, e.g. SY LB IQ")
    g.add_argument("--into", type=Path, help=_INTO_HELP)
    g.add_argument("--url", help="GeoNames dump folder (default: $SYRIAMAP_GEONAMES_URL, else GeoNames' own)")
    g.add_argument("--no-alternate-names", action="store_true", help="skip the alternate-names files")
    g.add_argument("--cache", type=Path, metavar="DIR",
                   help="download folder (default: geonames/ in the syriamap cache folder)")
    g.add_argument("--refresh", action="store_true", help="download again even what is in the cache")
    g.add_argument("--no-default", action="store_true", help="do not make the file your default gazetteer")
    g.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the server (default 30)")
    g.set_defaults(func=cmd_fetch)

    g = add_parser(gsub, "info", help="describe a gazetteer file: size, fingerprint, layers, places by kind and country",
                   example="syriamap gazetteer info --gazetteer ~/my-gazetteer.sqlite")
    add_gazetteer_options(g, layers=False)
    g.add_argument("--top", type=int, default=10, help="countries to list (default 10)")
    g.set_defaults(func=cmd_info)

    g = add_parser(gsub, "search", help="the candidate places of a name, with their scores and the reasons",
                   example="syriamap gazetteer search 'Tel Abyad' --limit 5 --country SY")
    g.add_argument("name", help="a place name, as written in a report")
    g.add_argument("--limit", type=int, default=5, help="candidates to list (default 5)")
    g.add_argument("--country", help="ISO2 code or name of the country the place is in")
    g.add_argument("--admin1", help="governorate/province the place is in")
    g.add_argument("--kind", help="only places of this kind")
    g.add_argument("--year", type=int, help="year of the report (for renamed places)")
    add_format_option(g)
    add_gazetteer_options(g)
    g.set_defaults(func=cmd_search)

    g = add_parser(gsub, "layers", help="list the layers of a gazetteer file", example="syriamap gazetteer layers")
    g.add_argument("path", nargs="?", type=Path, metavar="FILE",
                   help="gazetteer file (default: the file lookups read)")
    add_format_option(g)
    g.set_defaults(func=cmd_layers)

    g = add_parser(gsub, "use", help="make a gazetteer file your default (or go back to the embedded one)",
                   example="syriamap gazetteer use ~/my-gazetteer.sqlite\n  syriamap gazetteer use --embedded")
    target = g.add_mutually_exclusive_group(required=True)
    target.add_argument("path", nargs="?", type=Path, metavar="FILE", help="gazetteer file")
    target.add_argument("--embedded", action="store_true", help="go back to the embedded default")
    g.set_defaults(func=cmd_use)

    g = add_parser(gsub, "remove-layer", help="remove a layer from a gazetteer file",
                   example="syriamap gazetteer remove-layer acled")
    g.add_argument("layer", metavar="NAME")
    g.add_argument("--into", type=Path, help="gazetteer file (default: the file imports write)")
    g.set_defaults(func=cmd_remove_layer)

    imp = add_parser(sub, "import", help="add a layer to your gazetteer file from downloaded data",
                     example="syriamap import events acled-syria.csv --layer acled")
    isub = imp.add_subparsers(dest="source", metavar="SOURCE", required=True)

    p = add_parser(isub, "geonames", help="GeoNames dump files (SY.txt, cities500.txt, admin1CodesASCII.txt,"
                   " admin2Codes.txt, alternateNamesV2.txt, or their .zip)",
                   example="syriamap import geonames SY.zip alternateNames-SY.zip --countries SY")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--layer", default="geonames", help="layer name (default: geonames)")
    p.add_argument("--countries", help="keep only places of these ISO2 codes, e.g. SY,TR,IQ")
    p.add_argument("--into", type=Path, help=_INTO_HELP)
    p.add_argument("--allow-empty", action="store_true", help=_EMPTY_HELP)
    p.set_defaults(func=cmd_import_geonames)

    p = add_parser(isub, "open-syria", help="the Open-Syria geography folder (governorates, districts,"
                   " subdistricts JSON)", example="syriamap import open-syria open-syria/geography/")
    p.add_argument("directory", type=Path, metavar="DIR")
    p.add_argument("--layer", default="open-syria", help="layer name (default: open-syria)")
    p.add_argument("--into", type=Path, help=_INTO_HELP)
    p.add_argument("--allow-empty", action="store_true", help=_EMPTY_HELP)
    p.set_defaults(func=cmd_import_open_syria)

    p = add_parser(isub, "events", help="an ACLED or UCDP GED export: one place per location at its events' median point",
                   example="syriamap import events ged-syria.csv --format ucdp --columns adm_1=admin1")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--format", choices=("auto", "acled", "ucdp"), default="auto",
                   help="table format (default: detected from the header)")
    p.add_argument("--layer", help="layer name (default: the format, acled or ucdp)")
    p.add_argument("--into", type=Path, help=_INTO_HELP)
    p.add_argument("--allow-empty", action="store_true", help=_EMPTY_HELP)
    add_columns_option(p)
    p.set_defaults(func=cmd_import_events)


# --------------------------------------------------------------------------- gazetteer ACTION


def cmd_build(args: argparse.Namespace) -> int:
    """Build (or unpack) the embedded default; with ``--prebuilt``, write the shipped copy too."""
    from syriamap.errors import UsageError
    from syriamap.gazetteer.build import ensure_embedded, write_prebuilt

    if args.prebuilt is not None and not args.prebuilt.is_dir():
        raise UsageError(f"--prebuilt: {args.prebuilt} is not a folder")
    path = ensure_embedded()
    print(f"embedded gazetteer ready: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    if args.prebuilt is not None:
        shipped = write_prebuilt(args.prebuilt)
        print(f"prebuilt default written: {shipped} ({shipped.stat().st_size / 1e6:.1f} MB)")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    """Download GeoNames dumps and import them (the file is unchanged on failure)."""
    from syriamap.gazetteer.fetch import fetch_geonames

    with _unchanged("fetch"):
        report = fetch_geonames(
            args.countries, args.into, url=args.url, cache=args.cache, alternate_names=not args.no_alternate_names,
            refresh=args.refresh, make_default=not args.no_default, timeout=args.timeout,
        )
    print(report.summary())
    return 0


def _file_to_read(path: Path | None) -> Path:
    """``path`` if given (it must exist), else the file lookups read."""
    from syriamap.errors import DataError
    from syriamap.gazetteer.build import ensure_default

    if path is None:
        return ensure_default()
    if not path.is_file():
        raise DataError(f"{path}: gazetteer file not found")
    return path


def cmd_info(args: argparse.Namespace) -> int:
    """File, size, fingerprint, layers, and places by kind and country."""
    from syriamap.gazetteer import store
    from syriamap.gazetteer.build import fingerprint

    path = _file_to_read(args.gazetteer)
    conn = store.connect(path)
    try:
        meta, layers, counts = store.read_meta(conn), store.layers(conn), store.counts(conn)
    finally:
        conn.close()
    current = fingerprint()
    built_from = meta.get("fingerprint", "")
    state = "current" if built_from == current else f"the installed sources are {current}"
    print(f"file         {path.resolve()}")
    print(f"size         {path.stat().st_size / 1e6:.1f} MB")
    print(f"fingerprint  {built_from or '(none)'} ({state})")
    print(f"places       {counts['places']:,} ({counts['aliases']:,} names)")
    print(f"\nlayers ({len(layers)}, highest priority first):")
    for row in layers:
        print(f"  {row['name']:<16} {int(row['places']):>9,} places  priority {row['priority']}  {row['source']}")
    print("\nplaces by kind:")
    for kind, n in counts["kinds"].items():
        print(f"  {kind:<20} {n:>9,}")
    countries = list(counts["countries"].items())
    print(f"\nplaces by country ({len(countries)} in all; top {min(args.top, len(countries))}):")
    for cc, n in countries[:args.top]:
        print(f"  {cc:<20} {n:>9,}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """The top candidates of a name with their scores and reasons; exit 1 when there is none."""
    gz = open_gazetteer(args)
    hints = {k: v for k, v in (("country", args.country), ("kind", args.kind), ("admin1", args.admin1),
                                ("year", args.year)) if v is not None}
    candidates = gz.lookup(args.name, limit=args.limit, **hints)
    rows = [{"rank": rank, "place": c.place.name, "id": c.place.id, "kind": c.place.kind, "admin1": c.place.admin1,
             "country": c.place.country_code, "latitude": c.place.latitude, "longitude": c.place.longitude,
             "layer": c.place.layer, "match": c.match, "alias": c.matched_alias, "score": c.score,
             "confidence": c.confidence, "reasons": "; ".join(c.reasons), "caveats": "; ".join(c.caveats)}
            for rank, c in enumerate(candidates, start=1)]
    if args.format != "table":
        print_rows(rows, tuple(rows[0]) if rows else ("rank", "place", "id"), args.format)
    elif not rows:
        print(f"no candidate for {args.name!r}")
    else:
        print_rows(rows, ("rank", "place", "kind", "admin1", "country", "latitude", "longitude", "match", "score",
                          "confidence", "layer"))
        for row, cand in zip(rows, candidates):
            print(f"\n#{row['rank']} {cand.place.name} ({cand.place.id}) via {cand.match} {cand.matched_alias!r}")
            for reason in cand.reasons:
                print(f"    {reason}")
            for caveat in cand.caveats:
                print(f"    caveat: {caveat}")
    return 0 if rows else 1


def cmd_layers(args: argparse.Namespace) -> int:
    """The layers of a file, highest priority first."""
    from syriamap.gazetteer import store

    path = _file_to_read(args.path)
    conn = store.connect(path)
    try:
        rows = store.layers(conn)
    finally:
        conn.close()
    if args.format != "table":
        print_rows(rows, ("name", "places", "priority", "source", "description"), args.format)
        return 0
    print(f"{path}: {len(rows)} layer(s), {sum(int(r['places']) for r in rows):,} places")
    for row in rows:
        print(f"  {row['name']:<16} {int(row['places']):>9,} places  priority {row['priority']}  {row['source']}")
    return 0


def cmd_use(args: argparse.Namespace) -> int:
    """Record the user's default gazetteer file."""
    from syriamap import config
    from syriamap.gazetteer.build import set_default

    chosen = set_default(None if args.embedded else args.path)
    print(f"default gazetteer: {chosen or 'the embedded default'} (recorded in {config.choice_file()})")
    if config.gazetteer_from_env() is not None:
        print(f"note: $SYRIAMAP_GAZETTEER ({config.gazetteer_from_env()}) is set and comes first")
    return 0


def cmd_remove_layer(args: argparse.Namespace) -> int:
    """Drop one layer of a file."""
    from syriamap.gazetteer import store
    from syriamap.gazetteer.importers.common import user_gazetteer_path

    path = args.into or user_gazetteer_path()
    store.remove_layer(path, args.layer)
    print(f"removed layer {args.layer!r} from {path}")
    return 0


# --------------------------------------------------------------------------- import SOURCE


@contextmanager
def _unchanged(what: str) -> Iterator[None]:
    """Say, in the one-line error, that a failed import or fetch left the gazetteer file as it was."""
    from syriamap.cli.app import describe_error
    from syriamap.errors import DataError, UsageError

    try:
        yield
    except UsageError:
        raise
    except (DataError, ValueError, OSError) as exc:
        raise DataError(f"{what} failed, gazetteer file unchanged: {describe_error(exc)}") from exc


def _report(report) -> int:  # ImportReport
    """Print an import's summary, and how to use the file when lookups do not read it by default."""
    from syriamap import config

    print(report.summary())
    default = config.existing_user_gazetteer()
    if default is None or Path(default).resolve() != Path(report.path).resolve():
        print(f"use it with --gazetteer {report.path}, or export SYRIAMAP_GAZETTEER={report.path}")
    return 0


def _check_layer(layer: str | None) -> None:
    """A bad layer name is the option's fault: a usage error, before any work."""
    from syriamap.errors import UsageError
    from syriamap.gazetteer.importers.common import check_layer_name

    if layer is not None:
        try:
            check_layer_name(layer)
        except ValueError as exc:
            raise UsageError(f"--layer: {exc}") from None


def cmd_import_geonames(args: argparse.Namespace) -> int:
    """Import GeoNames dump files as a layer."""
    from syriamap.gazetteer.importers.geonames import import_geonames

    from syriamap.errors import UsageError

    _check_layer(args.layer)
    countries = [c.strip() for c in args.countries.split(",") if c.strip()] if args.countries else None
    bad = [c for c in countries or () if len(c) != 2 or not c.isalpha()]
    if bad:
        raise UsageError(f"--countries takes two-letter ISO codes such as SY,TR; got {', '.join(map(repr, bad))}")
    with _unchanged("import"):
        report = import_geonames(args.files, args.into, layer=args.layer, countries=countries,
                                 allow_empty=args.allow_empty)
    return _report(report)


def cmd_import_open_syria(args: argparse.Namespace) -> int:
    """Import the Open-Syria geography folder as a layer."""
    from syriamap.gazetteer.importers.opensyria import import_open_syria

    _check_layer(args.layer)
    with _unchanged("import"):
        report = import_open_syria(args.directory, args.into, layer=args.layer, allow_empty=args.allow_empty)
    return _report(report)


def cmd_import_events(args: argparse.Namespace) -> int:
    """Import an ACLED/UCDP export as a layer (one place per location)."""
    from syriamap.gazetteer.importers.events import import_events

    _check_layer(args.layer)
    mapping = parse_columns(args.columns)
    options = {"columns": mapping} if mapping else {}
    with _unchanged("import"):
        report = import_events(args.file, args.into, format=args.format, layer=args.layer,
                               allow_empty=args.allow_empty, **options)
    return _report(report)
