"""A corpus of news articles to one event table, on a Dask cluster.

    python examples/dask_corpus.py articles.csv events.parquet --text article_content --published date_iso
    python examples/dask_corpus.py articles.csv events.parquet --n 10000      # replicate to 10,000 articles
    python examples/dask_corpus.py articles.csv events.parquet --scheduler tcp://scheduler:8786

Starts a local cluster of one-thread worker processes (or joins the one at
``--scheduler``), readies every worker once (syriamap.dask.prepare: gazetteer,
mention automaton, imports), and prints the dashboard address; extracts the events of every article
partition by partition with a progress bar; collects them, merges the events
several reports tell (a step over the whole table, so on the collected frame),
validates, and writes the table.  Articles that cannot be read are rows flagged
``extract_error``; the closing line counts them.
"""
from __future__ import annotations

import argparse

import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles_csv")
    parser.add_argument("out", help="the event table: .parquet or .csv")
    parser.add_argument("--text", default="article_content", help="column of the article text")
    parser.add_argument("--published", default="date_iso", help="column of the publication date")
    parser.add_argument("--id", default=None, help="column of the article id (default: the row number)")
    parser.add_argument("--n", type=int, default=None, help="replicate the articles to this many (a load test)")
    parser.add_argument("--workers", type=int, default=2, help="local worker processes")
    parser.add_argument("--partitions", type=int, default=None,
                        help="default: 32 per worker (small tasks: no worker idles while another finishes)")
    parser.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    args = parser.parse_args()

    import dask
    from distributed import Client, progress

    import syriamap
    import syriamap.dask as sdask

    articles = pd.read_csv(args.articles_csv)
    if args.n:
        articles = pd.concat([articles] * -(-args.n // len(articles)), ignore_index=True).head(args.n)
    if args.scheduler:
        client = Client(args.scheduler)
        sdask.prepare(client)  # each worker loads the gazetteer once; the cluster's settings stay as they are
    else:
        client = sdask.local_client(args.workers, dashboard_address=":0")
    with client:
        print(f"dashboard: {client.dashboard_link}", flush=True)
        workers = max(1, len(client.scheduler_info()["workers"]))
        with dask.config.set({"dataframe.convert-string": False}):
            ddf = sdask.scatter_frame(client, articles, args.partitions or 32 * workers)
            lazy = sdask.extract_events(ddf, text=args.text, published=args.published, id_column=args.id)
            lazy = sdask.validate(lazy)
            future = client.compute(lazy)
            progress(future)
            events = future.result().reset_index(drop=True)
    print()
    failed = events["flags"].fillna("").str.split(";").map(lambda f: "extract_error" in f)
    merged = syriamap.merge_duplicates(events[~failed])
    table = pd.concat([merged, events[failed]], ignore_index=True)
    if args.out.endswith(".csv"):
        table.to_csv(args.out, index=False)
    else:
        table.to_parquet(args.out, index=False)
    print(f"{len(articles):,} articles -> {int((~failed).sum()):,} events ({len(merged):,} after merging "
          f"duplicates), {int(failed.sum()):,} articles not readable; written to {args.out}")


if __name__ == "__main__":
    main()
