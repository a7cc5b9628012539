"""``syriamap resolve``, ``locate`` and ``reverse``: names to places, and points to places.

``resolve`` prints the best place of each name (``--why N`` adds the top
candidates with the reasons for their scores); ``locate`` is the geopy-style
geocoder, with the optional online fallback; ``reverse`` finds the places nearest
to points.  Each exits 0 when everything was found and 1 when something was not.
Names and points come from the command line, or from stdin (one a line) when
none or ``-`` is given.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from syriamap.cli.options import (
    add_format_option, add_gazetteer_options, add_parser, input_lines, open_gazetteer, print_rows,
)

RESOLVE_TABLE = ("name", "place", "kind", "admin1", "country", "latitude", "longitude", "score", "reason")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``resolve``, ``locate`` and ``reverse``."""
    p = add_parser(sub, "resolve", help="resolve place names with the offline gazetteer and print a table",
                   example="syriamap resolve Homs 'Deir ez-Zor' --why 3\n  cut -f1 names.tsv | syriamap resolve - --format csv")
    p.add_argument("names", nargs="*", metavar="NAME", help="place names (none or '-': one per line on stdin)")
    p.add_argument("--country", help="ISO2 code or name of the country the places are in")
    p.add_argument("--admin1", help="governorate/province the places are in")
    p.add_argument("--kind", help="only places of this kind (country, admin1, admin2, populated_place, ...)")
    p.add_argument("--year", type=int, help="year of the report (for renamed places)")
    p.add_argument("--why", type=int, nargs="?", const=3, default=0, metavar="N",
                   help="also print the top N candidates of each name with the reasons for their scores")
    add_format_option(p)
    add_gazetteer_options(p)
    p.set_defaults(func=cmd_resolve)

    p = add_parser(sub, "locate", help="geocode names offline, asking Nominatim (cached) for unknown ones with --online",
                   example="syriamap locate Aleppo 'Tell Rifaat' --online --user-agent 'my-study (me@example.org)'")
    p.add_argument("names", nargs="*", metavar="NAME", help="place names (none or '-': one per line on stdin)")
    p.add_argument("--country", help="ISO2 code or name of the country the places are in")
    p.add_argument("--kind", help="only places of this kind")
    p.add_argument("--online", action="store_true",
                   help="ask Nominatim for names the gazetteer does not know (off by default; answers are cached)")
    p.add_argument("--min-score", type=float, default=0.0, help="offline answers below this score count as unknown")
    p.add_argument("--user-agent", help="User-Agent sent to Nominatim (its usage policy asks for one naming your app)")
    p.add_argument("--domain", help="Nominatim server, host[:port] (default: geopy's, the public OSM one)")
    p.add_argument("--scheme", choices=("https", "http"), default="https", help="scheme of that server")
    p.add_argument("--cache", type=Path, help="cache file of online answers (default: in the syriamap cache folder)")
    p.add_argument("--min-delay", type=float, default=1.0, help="seconds between online requests (default 1)")
    add_format_option(p)
    add_gazetteer_options(p, layers=False)
    p.set_defaults(func=cmd_locate)

    p = add_parser(sub, "reverse", help="the places nearest to points given as LAT,LON",
                   example="syriamap reverse 34.73,36.71 36.2,37.16 --limit 3 --max-km 20")
    p.add_argument("points", nargs="*", metavar="LAT,LON", help="points, e.g. 34.73,36.71 (none or '-': stdin)")
    p.add_argument("--kind", action="append", help="kind(s) of place to look for (default: settlements, quarters)")
    p.add_argument("--max-km", type=float, help="ignore places farther than this")
    p.add_argument("--limit", type=int, default=1, help="places per point (default 1)")
    add_format_option(p)
    add_gazetteer_options(p, layers=False)
    p.set_defaults(func=cmd_reverse)


def cmd_resolve(args: argparse.Namespace) -> int:
    """Resolve names and print a table; with ``--why``, the candidates and their reasons."""
    names = input_lines(args.names, "names")
    gz = open_gazetteer(args)
    hints = {k: v for k, v in (("country", args.country), ("kind", args.kind), ("admin1", args.admin1),
                                ("year", args.year)) if v is not None}
    from syriamap.gazetteer.gazetteer import RESOLVE_COLUMNS

    rows = gz.resolve_records(names, **hints)
    print_rows(rows, RESOLVE_TABLE if args.format == "table" else RESOLVE_COLUMNS, args.format)
    if args.why:
        for name in names:
            for cand in gz.lookup(name, limit=args.why, **hints):
                print(f"\n{name!r} -> {cand.place.name} ({cand.place.kind}, {cand.place.country_code}) score {cand.score}")
                for reason in cand.reasons:
                    print(f"    {reason}")
    return 0 if all(row.get("reason") is None for row in rows) else 1


def cmd_locate(args: argparse.Namespace) -> int:
    """Geocode names (offline first, then online with ``--online``)."""
    from syriamap.gazetteer.geocoder import OfflineGazetteer

    names = input_lines(args.names, "names")
    fallback_options = {"scheme": args.scheme, **({"domain": args.domain} if args.domain else {})}
    geocoder = OfflineGazetteer(
        open_gazetteer(args), min_score=args.min_score, fallback="nominatim" if args.online else None,
        fallback_options=fallback_options, cache_path=args.cache, min_delay_seconds=args.min_delay,
        user_agent=args.user_agent,
    )
    rows = []
    for name in names:
        loc = geocoder.geocode(name, country=args.country, kind=args.kind)
        if loc is None:
            rows.append({"name": name, "source": "not found"})
            continue
        rows.append({"name": name, "address": loc.address, "kind": loc.raw.get("kind"),
                     "latitude": loc.latitude, "longitude": loc.longitude,
                     "score": loc.raw.get("score"), "source": loc.raw.get("source")})
    print_rows(rows, ("name", "address", "kind", "latitude", "longitude", "score", "source"), args.format)
    return 0 if all(r["source"] != "not found" for r in rows) else 1


def _is_point(text: str) -> bool:
    """Whether ``text`` reads as ``LAT,LON`` with both in range."""
    parts = text.replace(";", ",").split(",")
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        return False
    return -90 <= lat <= 90 and -180 <= lon <= 180


def cmd_reverse(args: argparse.Namespace) -> int:
    """The nearest places to each point."""
    from syriamap.gazetteer.geocoder import OfflineGazetteer

    from syriamap.errors import DataError, UsageError

    points = input_lines(args.points, "points")
    from_arguments = bool(args.points) and args.points != ["-"]
    for text in points:
        if not _is_point(text):
            error = UsageError if from_arguments else DataError
            raise error(f"{text!r} is not a point: give LAT,LON in degrees, e.g. 34.73,36.71")
    geocoder = OfflineGazetteer(open_gazetteer(args))
    rows = []
    for text in points:
        found = geocoder.reverse(text, exactly_one=False, limit=args.limit, kind=args.kind, max_km=args.max_km)
        if not found:
            rows.append({"point": text, "address": "nothing found"})
        for loc in found or []:
            rows.append({"point": text, "address": loc.address, "kind": loc.raw["kind"],
                         "latitude": loc.latitude, "longitude": loc.longitude, "km": loc.raw["distance_km"]})
    print_rows(rows, ("point", "address", "kind", "latitude", "longitude", "km"), args.format)
    return 0 if all(r["address"] != "nothing found" for r in rows) else 1
