"""``syriamap evaluate events`` and ``syriamap evaluate mentions``."""
from __future__ import annotations

import argparse
from pathlib import Path


def add_cli(evaluate_subparsers: argparse._SubParsersAction) -> None:
    """Register ``events`` and ``mentions`` under ``syriamap evaluate``."""
    e = evaluate_subparsers.add_parser(
        "events", help="extract events from the texts of a gold ACLED/UCDP file and score them",
        epilog="example: syriamap evaluate events ../shared/data/ucdp/ucdp-ged-syria-2016.csv --limit 500",
    )
    e.add_argument("gold", type=Path, help="ACLED export (text in notes) or UCDP GED export (text in source_headline)")
    e.add_argument("--layout", choices=("acled", "ucdp"), help="gold layout (default: from its columns)")
    e.add_argument("--limit", type=int, help="score only the first N rows")
    e.add_argument("--worst", type=int, default=10, help="list the N worst rows (default 10)")
    e.add_argument("--gazetteer", help="gazetteer file (default: the embedded one)")
    e.set_defaults(func=_cmd_events)

    m = evaluate_subparsers.add_parser(
        "mentions", help="span precision/recall of place mentions (geoparsing corpus or event-location sentences)",
        epilog="example: syriamap evaluate mentions ../shared/data/geoparsing/tr-news-geovirus.jsonl",
    )
    m.add_argument("gold", type=Path, help="JSON lines: toponyms with start/end/lat/lon, or spans labelled LOCATION")
    m.add_argument("--limit", type=int, help="score only the first N lines")
    m.add_argument("--gazetteer", help="gazetteer file (default: the embedded one)")
    m.set_defaults(func=_cmd_mentions)


def _gazetteer(args: argparse.Namespace) -> object | None:
    from syriamap.gazetteer import Gazetteer

    return Gazetteer(args.gazetteer) if args.gazetteer else None


def _cmd_events(args: argparse.Namespace) -> int:
    import pandas as pd

    from syriamap.evaluation.events import evaluate_events

    result = evaluate_events(args.gold, layout=args.layout, gazetteer=_gazetteer(args), limit=args.limit)
    print(result.table())
    if args.worst:
        print()
        with pd.option_context("display.width", 200, "display.max_colwidth", 40):
            print(result.worst(args.worst).to_string(index=False))
    return 0


def _cmd_mentions(args: argparse.Namespace) -> int:
    from syriamap.evaluation.mentions import evaluate_event_locations, evaluate_mentions, read_jsonl

    first = next(read_jsonl(args.gold), {})
    if "toponyms" in first:
        result = evaluate_mentions(args.gold, gazetteer=_gazetteer(args), limit=args.limit)
    elif "spans" in first:
        result = evaluate_event_locations(args.gold, gazetteer=_gazetteer(args), limit=args.limit)
    else:
        raise ValueError(f"{args.gold}: expected JSON lines with 'toponyms' or 'spans'")
    print(result.table())
    return 0
