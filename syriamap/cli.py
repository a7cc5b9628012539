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

from syriamap.gazetteer.online import GeocodeCacheError
from syriamap.gazetteer.store import GazetteerFileError

logger = logging.getLogger("syriamap")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every module's subcommands."""
    from syriamap import __version__
    from syriamap import demo

    parser = argparse.ArgumentParser(
        prog="syriamap",
        description="Turn news about the war in Syria and its region into mapped, analysable events.",
    )
    parser.add_argument("--version", action="version", version=f"syriamap {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    from syriamap.evaluation import cli as evaluation_cli
    from syriamap.gazetteer import cli as gazetteer_cli
    from syriamap.gazetteer.importers import cli as import_cli
    from syriamap.io import cli as io_cli
    from syriamap.maps import cli as map_cli
    from syriamap.text import cli as text_cli

    gazetteer_actions = gazetteer_cli.add_cli(sub)
    import_cli.add_cli(sub, gazetteer_actions=gazetteer_actions)
    # `evaluate gazetteer` is the gazetteer's; `evaluate events|mentions` join it.
    evaluate = sub.choices["evaluate"]
    evaluation_cli.add_cli(next(a for a in evaluate._actions if isinstance(a, argparse._SubParsersAction)))
    text_cli.add_cli(sub)
    io_cli.add_cli(sub)
    map_cli.add_cli(sub)
    demo.add_cli(sub)
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
    except (GazetteerFileError, GeocodeCacheError, ValueError, OSError, ImportError) as exc:
        print(f"syriamap: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
