"""``syriamap map``: an event file as a layered HTML map."""
from __future__ import annotations

import argparse
from pathlib import Path

from syriamap.cli.options import add_columns_option, add_parser, read_event_file


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``map``."""
    p = add_parser(sub, "map", help="draw an event file as a layered HTML map",
                   example="syriamap map events.csv -o events.html --offline --heat --aggregate admin1 "
                           "--choropleth --png events.png")
    p.add_argument("events", type=Path, help="event file (ACLED, UCDP, GDELT, GeoJSON, Parquet or our CSV)")
    p.add_argument("-o", "--output", type=Path, help="HTML file to write (default: the event file's name .html)")
    p.add_argument("--offline", action="store_true", help="inline every script, style and font (no network needed)")
    p.add_argument("--format", help="event file format (default: sniffed)")
    add_columns_option(p)
    p.add_argument("--layer-by", default="event_type", help="column giving one layer per value")
    p.add_argument("--cluster", action=argparse.BooleanOptionalAction, default=True,
                   help="cluster the events of each layer (default; --no-cluster draws every event as a point)")
    p.add_argument("--heat", action="store_true", help="add a heat layer")
    p.add_argument("--heat-weight", help="numeric column weighting the heat layer, e.g. fatalities")
    p.add_argument("--time-step", choices=("day", "week", "month"), default="month")
    p.add_argument("--no-time-slider", dest="time_slider", action="store_false")
    p.add_argument("--aggregate", choices=("admin1", "admin2"), help="proportional circles per admin area")
    p.add_argument("--choropleth", action="store_true",
                   help="with --aggregate admin1: colour the shipped governorate outlines instead of circles")
    p.add_argument("--boundaries", type=Path, help="GeoJSON of admin areas: choropleth instead of circles")
    p.add_argument("--h3", type=int, metavar="RES", help="add counts per H3 hexagon at this resolution")
    p.add_argument("--title")
    p.add_argument("--tiles", default="OpenStreetMap", help="basemap; 'none' for a plain background")
    p.add_argument("--png", type=Path, metavar="FILE",
                   help="also save a PNG image of the whole map (needs the png extra and a Chromium)")
    p.add_argument("--show-coarse", action="store_true",
                   help="also draw events placed only at country level (flag geo_coarse; left out by default)")
    p.set_defaults(func=cmd_map)


def cmd_map(args: argparse.Namespace) -> int:
    """Read the events, draw them, save the page."""
    from syriamap.errors import UsageError

    output = args.output or args.events.with_suffix(".html")
    for path in [args.events] + ([args.boundaries] if args.boundaries else []):
        if _same_file(output, path):
            raise UsageError(f"refusing to write the map over its input {path}: choose another -o/--output")
        if args.png and _same_file(args.png, path):
            raise UsageError(f"refusing to write the image over its input {path}: choose another --png file")
    if output.is_dir():
        raise UsageError(f"{output} is a folder: give the HTML file to write")
    df = read_event_file(args.events, format=args.format, columns=args.columns)

    from syriamap.maps import event_map, save_html

    m = event_map(
        df, layer_by=args.layer_by, cluster=args.cluster, heat=args.heat or bool(args.heat_weight),
        heat_weight=args.heat_weight, time_slider=args.time_slider, time_step=args.time_step,
        aggregate=args.aggregate, choropleth=args.choropleth, boundaries=args.boundaries, h3_resolution=args.h3,
        title=args.title,
        tiles=None if str(args.tiles).lower() == "none" else args.tiles, show_coarse=args.show_coarse,
    )
    out = save_html(m, output, offline=args.offline)
    print(f"{len(df):,} events -> {out} ({out.stat().st_size / 1e6:.1f} MB{', offline' if args.offline else ''})")
    if args.png:
        from syriamap.maps import save_png

        print(f"image -> {save_png(m, args.png)}")
    return 0


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (through links and relative parts); False when ``a`` does not exist yet."""
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False
