"""``syriamap demo``: our example dispatches, through extraction, to an offline HTML map (see :mod:`syriamap.demo`)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from syriamap.cli.options import add_parser

#: Where the map goes unless told otherwise (kept equal to syriamap.demo.DEFAULT_OUTPUT; a test checks).
DEFAULT_OUTPUT = "syriamap-demo.html"


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``demo``."""
    p = add_parser(
        sub, "demo",
        help="extract the events of our example dispatches and draw them as an offline HTML map",
        description="Run the example news dispatches shipped with syriamap through the text pipeline "
                    "and save the events as a self-contained HTML map; prints the map's path.",
        example="syriamap demo -o /tmp/demo.html && xdg-open /tmp/demo.html",
    )
    p.add_argument("-o", "--output", default=DEFAULT_OUTPUT,
                   help=f"HTML file to write (default: {DEFAULT_OUTPUT} in the current folder)")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    """Write the demo map and print its path (the event counts go to stderr)."""
    from syriamap.demo import run_demo
    from syriamap.errors import UsageError

    output = Path(args.output)
    if output.is_dir():
        raise UsageError(f"{output} is a folder: give the HTML file to write, e.g. {output / DEFAULT_OUTPUT}")
    if not output.parent.is_dir():  # say so before the extraction, not after
        raise FileNotFoundError(2, f"cannot save the map: folder {output.parent} does not exist", str(output.parent))
    path, events = run_demo(output)
    located = int(events["latitude"].notna().sum())
    print(f"{len(events)} events ({located} located) extracted from our example dispatches", file=sys.stderr)
    print(path.resolve())
    return 0
