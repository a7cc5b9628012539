"""``syriamap extract``: news reports to an event file.

Input: a text or HTML file, a CSV or JSON-lines file of articles (one article a
row, its text in ``--text-column``), or ``-`` for one report on stdin.  Output:
CSV, Parquet or GeoJSON by extension, or CSV on stdout with ``-o -`` (the default).
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from syriamap.cli.options import STDIO, add_gazetteer_options, add_parser, check_input_file, gazetteer_or_none

logger = logging.getLogger(__name__)

_ARTICLE_TABLES = (".csv", ".jsonl", ".ndjson")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``extract``."""
    p = add_parser(
        sub, "extract",
        help="extract the events of news reports (text, HTML, or a CSV/JSONL of articles) to an event file",
        description="Extract events from news text: where, what, when, who, how many killed.",
        example="syriamap extract report.html --published 2017-03-15 -o events.geojson\n"
                "  curl -s https://example.org/report | syriamap extract - --published 2017-03-15 > events.csv",
    )
    p.add_argument("input", help="a .txt/.html file, a .csv/.jsonl of articles, or - for stdin")
    p.add_argument("-o", "--output", default=STDIO, help="output file (.csv, .parquet, .geojson) or - for CSV on stdout")
    p.add_argument("--published", help="publication date of the report (YYYY-MM-DD); for tables, a column name")
    p.add_argument("--source", help="source name (for tables, a column name)")
    p.add_argument("--url", help="address of the report (for tables, a column name)")
    p.add_argument("--text-column", default="text", help="column holding the article text in tables (default: text)")
    p.add_argument("--id-column", help="column holding the article id in tables (default: row number)")
    add_gazetteer_options(p)
    p.set_defaults(func=cmd_extract)


def _read_articles(path: Path):  # -> pd.DataFrame
    """A CSV or JSON-lines table of articles, every cell as text."""
    import pandas as pd

    from syriamap.errors import DataError

    try:
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        return pd.read_json(path, lines=True, dtype=False)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"{path}: cannot be read as a table of articles ({' '.join(str(exc).split())})") from None


def cmd_extract(args: argparse.Namespace) -> int:
    """Extract the events of one report or a table of articles and write them."""
    from syriamap.errors import DataError, UsageError
    from syriamap.io import format_for_output, write_events
    from syriamap.text.pipeline import extract_events, extract_events_many

    if args.output != STDIO:
        if args.input != STDIO and Path(args.output).resolve() == Path(args.input).resolve():
            raise UsageError(f"the output {args.output} is the input: choose another file")
        format_for_output(args.output)  # an unknown extension fails before the extraction
    gazetteer = gazetteer_or_none(args)
    if args.input == STDIO:
        report: str | bytes = sys.stdin.buffer.read() if sys.stdin is not None else b""
        if not report.strip():
            raise DataError("stdin: no text to extract events from")
        events = extract_events(report, published=args.published, source=args.source, url=args.url,
                                gazetteer=gazetteer)
    else:
        path = check_input_file(args.input)
        if path.suffix.lower() in _ARTICLE_TABLES:
            articles = _read_articles(path)
            if args.text_column not in articles.columns:
                raise DataError(f"{path}: no column {args.text_column!r} holding the articles' text (the file has:"
                                f" {', '.join(map(str, articles.columns))}); name it with --text-column")
            events = extract_events_many(
                articles, text=args.text_column, published=args.published, source=args.source, url=args.url,
                id_column=args.id_column, gazetteer=gazetteer,
            )
        else:
            events = extract_events(path.read_bytes(), published=args.published, source=args.source,
                                    url=args.url, gazetteer=gazetteer)
    if args.output == STDIO:
        events.to_csv(sys.stdout, index=False)
    else:
        write_events(events, args.output)
        located = int(events["latitude"].notna().sum())
        logger.warning("%d events (%d located) written to %s", len(events), located, args.output)
    return 0
