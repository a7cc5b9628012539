"""The gazetteer's command-line subcommands.

``syriamap resolve`` and ``locate`` look names up, ``reverse`` finds places near
points, ``evaluate gazetteer`` measures a gazetteer against gold coordinates,
``gazetteer build`` prebuilds the embedded default (or writes the compressed copy
the package ships), ``gazetteer fetch`` downloads GeoNames country dumps into the
user's gazetteer, ``gazetteer use`` chooses the default file, and ``online-cache``
manages the cache of the optional online fallback.  Handlers print tables to stdout and
return an exit code: 0 when everything was found, 1 when something was not.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from syriamap.gazetteer.geocoder import OfflineGazetteer
from syriamap.gazetteer.online import GeocodeCache


def add_cli(subparsers: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """Register the gazetteer's subcommands; return the ``gazetteer ACTION`` subparsers.

    ``resolve``, ``evaluate gazetteer``, ``gazetteer build``, ``locate``, ``reverse``
    and ``online-cache``.  The importers add their actions to the returned
    ``gazetteer`` subparsers.
    """
    sub = subparsers
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
    g.add_argument("--prebuilt", type=Path, metavar="DIR",
                   help="also write it xz-compressed into DIR as the prebuilt default the package ships"
                        " (in a checkout: gazetteer/)")
    g.set_defaults(func=_cmd_gazetteer_build)
    g = gsub.add_parser("fetch", help="download GeoNames country dumps (every village, quarter and site) and"
                        " make them your default gazetteer")
    g.add_argument("countries", nargs="+", metavar="CC", help="ISO 3166 two-letter codes, e.g. SY LB IQ")
    g.add_argument("--into", type=Path, help="gazetteer file to write (default: $SYRIAMAP_GAZETTEER,"
                   " else gazetteer.sqlite in the user data folder)")
    g.add_argument("--url", help="GeoNames dump folder (default: $SYRIAMAP_GEONAMES_URL, else GeoNames' own)")
    g.add_argument("--no-alternate-names", action="store_true", help="skip the alternate-names files")
    g.add_argument("--cache", type=Path, metavar="DIR",
                   help="download folder (default: geonames/ in the syriamap cache folder)")
    g.add_argument("--refresh", action="store_true", help="download again even what is in the cache")
    g.add_argument("--no-default", action="store_true", help="do not make the file your default gazetteer")
    g.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the server (default 30)")
    g.set_defaults(func=_cmd_gazetteer_fetch)
    g = gsub.add_parser("use", help="make a gazetteer file your default (or go back to the embedded one)")
    target = g.add_mutually_exclusive_group(required=True)
    target.add_argument("path", nargs="?", type=Path, metavar="FILE", help="gazetteer file")
    target.add_argument("--embedded", action="store_true", help="go back to the embedded default")
    g.set_defaults(func=_cmd_gazetteer_use)

    _add_geocoder_commands(sub)
    _add_cache_commands(sub)
    return gsub


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
    from syriamap.gazetteer.build import ensure_embedded, write_prebuilt

    path = ensure_embedded()
    print(f"embedded gazetteer ready: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    if args.prebuilt is not None:
        if not args.prebuilt.is_dir():
            print(f"syriamap: {args.prebuilt} is not a folder", file=sys.stderr)
            return 2
        shipped = write_prebuilt(args.prebuilt)
        print(f"prebuilt default written: {shipped} ({shipped.stat().st_size / 1e6:.1f} MB)")
    return 0


def _cmd_gazetteer_fetch(args: argparse.Namespace) -> int:
    from syriamap.gazetteer.fetch import FetchError, fetch_geonames
    from syriamap.gazetteer.importers import GazetteerImportError
    from syriamap.gazetteer.store import GazetteerFileError

    try:
        report = fetch_geonames(
            args.countries, args.into, url=args.url, cache=args.cache, alternate_names=not args.no_alternate_names,
            refresh=args.refresh, make_default=not args.no_default, timeout=args.timeout,
        )
    except (FetchError, GazetteerImportError, GazetteerFileError, ValueError) as exc:
        print(f"syriamap: fetch failed, gazetteer file unchanged: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0


def _cmd_gazetteer_use(args: argparse.Namespace) -> int:
    from syriamap.gazetteer.build import DEFAULT_CHOICE_FILE, config_dir, set_default
    from syriamap.gazetteer.store import GazetteerFileError

    try:
        chosen = set_default(None if args.embedded else args.path)
    except GazetteerFileError as exc:
        print(f"syriamap: {exc}", file=sys.stderr)
        return 2
    print(f"default gazetteer: {chosen or 'the embedded default'} (recorded in {config_dir() / DEFAULT_CHOICE_FILE})")
    return 0


def _add_geocoder_commands(subparsers: argparse._SubParsersAction) -> None:
    """``locate`` (names, optionally with the online fallback) and ``reverse`` (points)."""
    p = subparsers.add_parser(
        "locate", help="geocode names offline, asking Nominatim (cached) for unknown ones with --online"
    )
    p.add_argument("names", nargs="+", help="place names")
    p.add_argument("--country", help="ISO2 code or name of the country the places are in")
    p.add_argument("--kind", help="only places of this kind")
    p.add_argument("--online", action="store_true",
                   help="ask Nominatim for names the gazetteer does not know (off by default; answers are cached)")
    p.add_argument("--min-score", type=float, default=0.0, help="offline answers below this score count as unknown")
    p.add_argument("--user-agent", help="User-Agent sent to Nominatim (its usage policy asks for one naming your app)")
    p.add_argument("--domain", help="Nominatim server, host[:port] (default: geopy's, the public OSM one)")
    p.add_argument("--scheme", choices=("https", "http"), default="https", help="scheme of that server")
    p.add_argument("--cache", type=Path, help="cache file (default: the user cache directory)")
    p.add_argument("--min-delay", type=float, default=1.0, help="seconds between online requests (default 1)")
    p.add_argument("--gazetteer", type=Path, help="gazetteer file (default: the embedded default)")
    p.set_defaults(func=_cmd_locate)

    p = subparsers.add_parser("reverse", help="nearest places to points given as LAT,LON")
    p.add_argument("points", nargs="+", help="points as LAT,LON (e.g. 34.73,36.71)")
    p.add_argument("--kind", action="append", help="kind(s) of place to look for (default: settlements, quarters)")
    p.add_argument("--max-km", type=float, help="ignore places farther than this")
    p.add_argument("--limit", type=int, default=1, help="places per point (default 1)")
    p.add_argument("--gazetteer", type=Path, help="gazetteer file (default: the embedded default)")
    p.set_defaults(func=_cmd_reverse)


def _print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    import pandas as pd

    print(pd.DataFrame(rows, columns=columns).to_string(index=False, na_rep=""))


def _cmd_locate(args: argparse.Namespace) -> int:
    fallback_options = {"scheme": args.scheme, **({"domain": args.domain} if args.domain else {})}
    geocoder = OfflineGazetteer(
        args.gazetteer, min_score=args.min_score, fallback="nominatim" if args.online else None,
        fallback_options=fallback_options, cache_path=args.cache, min_delay_seconds=args.min_delay,
        user_agent=args.user_agent,
    )
    rows = []
    for name in args.names:
        loc = geocoder.geocode(name, country=args.country, kind=args.kind)
        if loc is None:
            rows.append({"name": name, "source": "not found"})
            continue
        rows.append({"name": name, "address": loc.address, "kind": loc.raw.get("kind"),
                     "latitude": loc.latitude, "longitude": loc.longitude,
                     "score": loc.raw.get("score"), "source": loc.raw.get("source")})
    _print_table(rows, ["name", "address", "kind", "latitude", "longitude", "score", "source"])
    return 0 if all(r["source"] != "not found" for r in rows) else 1


def _cmd_reverse(args: argparse.Namespace) -> int:
    geocoder = OfflineGazetteer(args.gazetteer)
    rows = []
    for text in args.points:
        found = geocoder.reverse(text, exactly_one=False, limit=args.limit, kind=args.kind, max_km=args.max_km)
        if not found:
            rows.append({"point": text, "address": "nothing found"})
        for loc in found or []:
            rows.append({"point": text, "address": loc.address, "kind": loc.raw["kind"],
                         "latitude": loc.latitude, "longitude": loc.longitude, "km": loc.raw["distance_km"]})
    _print_table(rows, ["point", "address", "kind", "latitude", "longitude", "km"])
    return 0 if all(r["address"] != "nothing found" for r in rows) else 1


def _add_cache_commands(subparsers: argparse._SubParsersAction) -> None:
    """``online-cache {info,purge,clear}`` for the online geocoding cache."""
    p = subparsers.add_parser("online-cache", help="inspect or empty the cache of online geocoding answers")
    p.add_argument("action", choices=("info", "purge", "clear"),
                   help="info: counts; purge: delete expired answers; clear: delete all answers")
    p.add_argument("--cache", type=Path, help="cache file (default: the user cache directory)")
    p.set_defaults(func=_cmd_cache)


def _cmd_cache(args: argparse.Namespace) -> int:
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
