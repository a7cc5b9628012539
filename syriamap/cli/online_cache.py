"""``syriamap online-cache info|purge|clear``: the cache of online geocoding answers."""
from __future__ import annotations

import argparse
from pathlib import Path

from syriamap.cli.options import add_parser


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``online-cache``."""
    p = add_parser(sub, "online-cache", help="inspect or empty the cache of online geocoding answers (locate --online)",
                   example="syriamap online-cache info\n  syriamap online-cache purge")
    p.add_argument("action", choices=("info", "purge", "clear"),
                   help="info: counts; purge: delete expired answers; clear: delete all answers")
    p.add_argument("--cache", type=Path, help="cache file (default: online-geocode.sqlite in the syriamap cache folder)")
    p.set_defaults(func=cmd_online_cache)


def cmd_online_cache(args: argparse.Namespace) -> int:
    """Print the cache's counts, or delete expired or all answers."""
    from syriamap.gazetteer.online import GeocodeCache

    cache = GeocodeCache(args.cache)
    try:
        if args.action == "info":
            stats = cache.stats()
            print(f"{cache.path}: " + ", ".join(f"{value} {key}" for key, value in stats.items()))
        elif args.action == "purge":
            print(f"{cache.path}: deleted {cache.purge_expired()} expired answer(s)")
        else:
            print(f"{cache.path}: deleted {cache.clear()} answer(s)")
    finally:
        cache.close()
    return 0
