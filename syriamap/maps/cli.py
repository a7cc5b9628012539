"""The ``syriamap map`` subcommand: an event file as an HTML map.

``syriamap map events.csv -o events.html --offline --heat --aggregate admin1``
"""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register ``map`` on the main parser's subcommands."""
    p = subparsers.add_parser("map", help="draw an event file as a layered HTML map")
    p.add_argument("events", type=Path, help="event file (ACLED, UCDP, GDELT, GeoJSON, Parquet or our CSV)")
    p.add_argument("-o", "--output", type=Path, help="HTML file to write (default: the event file's name .html)")
    p.add_argument("--offline", action="store_true", help="inline every script, style and font (no network needed)")
    p.add_argument("--format", help="event file format (default: sniffed)")
    p.add_argument("--layer-by", default="event_type", help="column giving one layer per value")
    p.add_argument("--cluster", action=argparse.BooleanOptionalAction, default=True,
                   help="cluster the events of each layer (default; --no-cluster draws every event as a point)")
    p.add_argument("--heat", action="store_true", help="add a heat layer")
    p.add_argument("--heat-weight", help="numeric column weighting the heat layer, e.g. fatalities")
    p.add_argument("--time-step", choices=("day", "week", "month"), default="month")
    p.add_argument("--no-time-slider", dest="time_slider", action="store_false")
    p.add_argument("--aggregate", choices=("admin1", "admin2"), help="proportional circles per admin area")
    p.add_argument("--boundaries", type=Path, help="GeoJSON of admin areas: choropleth instead of circles")
    p.add_argument("--h3", type=int, metavar="RES", help="add counts per H3 hexagon at this resolution")
    p.add_argument("--title")
    p.add_argument("--tiles", default="OpenStreetMap", help="basemap; 'none' for a plain background")
    p.add_argument("--show-coarse", action="store_true",
                   help="also draw events placed only at country level (flag geo_coarse; left out by default)")
    p.set_defaults(func=run_map)


def run_map(args: argparse.Namespace) -> int:
    """Read the events, draw them, save the page; returns the exit code."""
    from syriamap.io import read_events

    from . import event_map, save_html

    output = args.output or args.events.with_suffix(".html")
    inputs = [args.events] + ([args.boundaries] if args.boundaries else [])
    for path in inputs:
        if _same_file(output, path):
            raise ValueError(f"refusing to write the map over its input {path}: choose another -o/--output")
    df = read_events(args.events, format=args.format)
    m = event_map(
        df, layer_by=args.layer_by, cluster=args.cluster, heat=args.heat or bool(args.heat_weight),
        heat_weight=args.heat_weight, time_slider=args.time_slider, time_step=args.time_step,
        aggregate=args.aggregate, boundaries=args.boundaries, h3_resolution=args.h3, title=args.title,
        tiles=None if str(args.tiles).lower() == "none" else args.tiles, show_coarse=args.show_coarse,
    )
    out = save_html(m, output, offline=args.offline)
    print(f"{len(df):,} events -> {out} ({out.stat().st_size / 1e6:.1f} MB{', offline' if args.offline else ''})")
    return 0


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (through links and relative parts); False when ``a`` does not exist yet."""
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False
