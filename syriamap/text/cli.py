"""``syriamap extract``: news reports to an event file.

Input: a text or HTML file, a CSV or JSON-lines file of articles (one article a
row, its text in ``--text-column``), or ``-`` for one report on stdin.  Output:
CSV, Parquet or GeoJSON by extension, or CSV on stdout with ``-o -``.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

logger = logging.getLogger(__name__)

_ARTICLE_TABLES = (".csv", ".jsonl", ".ndjson")


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register ``extract``."""
    p = subparsers.add_parser(
        "extract",
        help="extract the events of news reports (text, HTML, or a CSV/JSONL of articles) to an event file",
        description="Extract events from news text: where, what, when, who, how many killed.",
        epilog="example: syriamap extract report.html --published 2017-03-15 -o events.geojson",
    )
    p.add_argument("input", help="a .txt/.html file, a .csv/.jsonl of articles, or - for stdin")
    p.add_argument("-o", "--output", default="-", help="output file (.csv, .parquet, .geojson) or - for CSV on stdout")
    p.add_argument("--published", help="publication date of the report (YYYY-MM-DD); for tables, a column name")
    p.add_argument("--source", help="source name (for tables, a column name)")
    p.add_argument("--url", help="address of the report (for tables, a column name)")
    p.add_argument("--text-column", default="text", help="column holding the article text in tables (default: text)")
    p.add_argument("--id-column", help="column holding the article id in tables (default: row number)")
    p.add_argument("--gazetteer", help="gazetteer file (default: the embedded one)")
    p.set_defaults(func=_cmd_extract)


def _read_input(path: str) -> str | bytes:
    if path == "-":
        return sys.stdin.read()
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    return file.read_bytes()


def _cmd_extract(args: argparse.Namespace) -> int:
    import pandas as pd

    from syriamap.gazetteer import Gazetteer
    from syriamap.io import write_events
    from syriamap.text.pipeline import extract_events, extract_events_many

    if args.output != "-" and args.input != "-" and Path(args.output).resolve() == Path(args.input).resolve():
        raise ValueError(f"the output {args.output} is the input: choose another file")
    gazetteer = Gazetteer(args.gazetteer) if args.gazetteer else None
    suffix = Path(args.input).suffix.lower()
    if args.input != "-" and suffix in _ARTICLE_TABLES:
        if suffix == ".csv":
            articles = pd.read_csv(args.input, dtype=str, keep_default_na=False, na_values=[""])
        else:
            articles = pd.read_json(args.input, lines=True, dtype=False)
        events = extract_events_many(
            articles, text=args.text_column, published=args.published, source=args.source, url=args.url,
            id_column=args.id_column, gazetteer=gazetteer,
        )
    else:
        events = extract_events(_read_input(args.input), published=args.published, source=args.source,
                                url=args.url, gazetteer=gazetteer)
    if args.output == "-":
        events.to_csv(sys.stdout, index=False)
    else:
        write_events(events, args.output)
        located = int(events["latitude"].notna().sum())
        logger.warning("%d events (%d located) written to %s", len(events), located, args.output)
    return 0
