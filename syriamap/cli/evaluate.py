"""``syriamap evaluate gazetteer|events|mentions``: accuracy against gold data."""
from __future__ import annotations

import argparse
from pathlib import Path

from syriamap.cli.options import (
    add_columns_option, add_gazetteer_options, add_parser, check_input_file, gazetteer_or_none, open_gazetteer,
    parse_columns,
)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``evaluate`` and its three kinds of gold data."""
    p = add_parser(sub, "evaluate", help="measure accuracy against gold data (gazetteer, events, mentions)",
                   example="syriamap evaluate events ged-syria.csv --limit 500")
    esub = p.add_subparsers(dest="what", metavar="WHAT", required=True)

    e = add_parser(esub, "gazetteer", help="resolve the names of a gold CSV and compare with its coordinates",
                   example="syriamap evaluate gazetteer ged-syria.csv --columns where_coordinates=name,adm_1=admin1"
                           " --where 'where_prec == 1'")
    e.add_argument("gold", type=Path, help="CSV with name, latitude, longitude [, admin1, country, weight]")
    add_columns_option(e)
    e.add_argument("--where", help="pandas query on the file's own columns first, e.g. 'where_prec == 1'")
    e.add_argument("--no-hints", action="store_true", help="ignore the admin1/country columns")
    e.add_argument("--worst", type=int, default=15, help="list the N worst misses (default 15)")
    add_gazetteer_options(e)
    e.set_defaults(func=cmd_gazetteer)

    e = add_parser(esub, "events", help="extract events from the texts of a gold ACLED/UCDP file and score them",
                   example="syriamap evaluate events ../shared/data/ucdp/ucdp-ged-syria-2016.csv --limit 500")
    e.add_argument("gold", type=Path, help="ACLED export (text in notes) or UCDP GED export (text in source_headline)")
    add_columns_option(e)
    e.add_argument("--layout", choices=("acled", "ucdp"), help="gold layout (default: from its columns)")
    e.add_argument("--limit", type=int, help="score only the first N rows")
    e.add_argument("--worst", type=int, default=10, help="list the N worst rows (default 10)")
    add_gazetteer_options(e)
    e.set_defaults(func=cmd_events)

    m = add_parser(esub, "mentions", help="span precision/recall of place mentions (geoparsing corpus or"
                   " event-location sentences)",
                   example="syriamap evaluate mentions ../shared/data/geoparsing/tr-news-geovirus.jsonl")
    m.add_argument("gold", type=Path, help="JSON lines: toponyms with start/end/lat/lon, or spans labelled LOCATION")
    m.add_argument("--limit", type=int, help="score only the first N lines")
    add_gazetteer_options(m)
    m.set_defaults(func=cmd_mentions)


def _isna(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def cmd_gazetteer(args: argparse.Namespace) -> int:
    """Resolve a gold table's names and print the accuracy summary and the worst misses."""
    import sys

    from syriamap.gazetteer.evaluate import evaluate_gazetteer, read_gold

    # --columns is OLD=NEW (the file's name -> ours); read_gold takes ours -> the file's
    ours = {new: old for old, new in parse_columns(args.columns).items()}
    gold = read_gold(check_input_file(args.gold), ours, args.where)
    result = evaluate_gazetteer(gold, open_gazetteer(args), use_hints=not args.no_hints,
                                progress=sys.stderr.isatty())
    print(result.summary())
    if args.worst:
        print(f"\nworst {args.worst}:")
        for rec in result.worst(args.worst).itertuples(index=False):
            err = "unresolved" if _isna(rec.error_km) else f"{rec.error_km:8.1f} km"
            got = rec.reason if _isna(rec.error_km) else f"{rec.place} ({rec.kind})"
            print(f"  {err:>12}  {rec.name!s:40.40}  -> {got}")
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    """Extract and score the events of a gold ACLED/UCDP table."""
    import pandas as pd

    from syriamap.errors import DataError
    from syriamap.evaluation.events import evaluate_events

    from syriamap.io.source import describe_binary

    path = check_input_file(args.gold)
    with path.open("rb") as fh:
        what = describe_binary(fh.read(64))
    if what:
        raise DataError(f"{path}: this is {what}, not a CSV file")
    mapping = parse_columns(args.columns)
    try:
        gold = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a readable UTF-8 CSV file ({' '.join(str(exc).split())})") from None
    unknown = [old for old in mapping if old not in gold.columns]
    if unknown:
        raise DataError(f"{path}: cannot rename column(s) {', '.join(map(repr, unknown))}: not in the header"
                        f" (the file has: {', '.join(map(str, gold.columns))})")
    gold = gold.rename(columns=mapping)
    try:
        result = evaluate_events(gold, layout=args.layout, gazetteer=gazetteer_or_none(args), limit=args.limit)
    except ValueError as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"{path}: {exc}") from None
    print(result.table())
    if args.worst:
        print()
        with pd.option_context("display.width", 200, "display.max_colwidth", 40):
            print(result.worst(args.worst).to_string(index=False))
    return 0


def cmd_mentions(args: argparse.Namespace) -> int:
    """Score place-mention spans of a JSON-lines gold file."""
    from syriamap.errors import DataError
    from syriamap.evaluation.mentions import evaluate_event_locations, evaluate_mentions, read_jsonl

    path = check_input_file(args.gold)
    first = next(read_jsonl(path), {})
    gazetteer = gazetteer_or_none(args)
    if "toponyms" in first:
        result = evaluate_mentions(path, gazetteer=gazetteer, limit=args.limit)
    elif "spans" in first:
        result = evaluate_event_locations(path, gazetteer=gazetteer, limit=args.limit)
    else:
        raise DataError(f"{path}: expected JSON lines with 'toponyms' or 'spans'")
    print(result.table())
    return 0
