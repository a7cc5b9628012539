"""Corpus scale: one process, all cores of one machine, and a 2-worker Dask cluster, in one run.

Run: ``python benchmarks/bench_scale.py [N] [--runs R]``.  Reads the FA-KES dev
articles (``../shared/data/fakes/fa-kes-dev.csv``), replicated to N articles
(10,000 by default), and prints for each way of running
:func:`syriamap.extract_events_many`:

* articles/s and MB/s (medians of R runs, 1 by default), and the ratio to one process;
* peak resident memory per worker process (sampled with psutil every 0.2 s;
  RSS counts pages a forked worker shares with its parent, so it is an upper bound).

Ways: one process (``workers=1``, the baseline); all cores of this machine
(``workers=-1``, a process pool, timed with its start-up); a
``distributed.LocalCluster`` of 2 worker processes of one thread each (workers
warmed first: the gazetteer's automaton is built once per worker, timed apart).
Targets (issue 12): 2 Dask workers >= 1.7x one process (on a machine with 2
free cores); < 1 GB per worker.
"""
from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd
import psutil

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fakes" / "fa-kes-dev.csv"


class PeakMemory:
    """Peak RSS of each process whose pid ``pids()`` returns, sampled in a thread while in the block."""

    def __init__(self, pids: Callable[[], Iterable[int]], every: float = 0.2) -> None:
        self._pids, self._every = pids, every
        self.peak: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            for pid in list(self._pids()):
                try:
                    rss = psutil.Process(pid).memory_info().rss
                except psutil.Error:
                    continue
                self.peak[pid] = max(self.peak.get(pid, 0), rss)
            self._stop.wait(self._every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def max_mb(self) -> float:
        return max(self.peak.values(), default=0) / 1e6


def corpus(n: int) -> pd.DataFrame:
    fakes = pd.read_csv(SHARED)
    reps = -(-n // len(fakes))
    frame = pd.concat([fakes] * reps, ignore_index=True).head(n)
    return pd.DataFrame({
        "id": [f"{u}-{k}" for k, u in enumerate(frame["unit_id"])],
        "text": frame["article_content"].astype(object),
        "published": frame["date_iso"].astype(object),
    })


def timed(run: Callable[[], pd.DataFrame], runs: int, memory: Callable[[], Iterable[int]]) -> tuple[float, float, int]:
    """(median seconds, peak MB per process, rows)."""
    times, peaks, rows = [], [], 0
    for _ in range(runs):
        with PeakMemory(memory) as mem:
            start = time.perf_counter()
            rows = len(run())
            times.append(time.perf_counter() - start)
        peaks.append(mem.max_mb())
    return statistics.median(times), max(peaks), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000, help="articles (FA-KES dev replicated)")
    parser.add_argument("--runs", type=int, default=1, help="runs per way; the median is reported")
    args = parser.parse_args()

    import dask
    import dask.dataframe as dd
    import distributed

    import syriamap.dask as sdask
    from syriamap.gazetteer import Gazetteer
    from syriamap.text.parallel import available_cores
    from syriamap.text.pipeline import _finder, extract_events_many

    articles = corpus(args.n)
    size_mb = sum(len(str(t).encode("utf-8")) for t in articles["text"]) / 1e6
    gazetteer = Gazetteer()
    start = time.perf_counter()
    _finder(gazetteer).build_seconds  # noqa: B018 - warm: the automaton, built once in this process
    print(f"{len(articles):,} articles, {size_mb:.1f} MB; automaton built in {time.perf_counter() - start:.1f} s; "
          f"{available_cores()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    kwargs = dict(text="text", published="published", id_column="id", gazetteer=gazetteer, progress=False)
    me = os.getpid()
    results: list[tuple[str, float, float, int]] = []

    t, mb, rows = timed(lambda: extract_events_many(articles, workers=1, **kwargs), args.runs, lambda: [me])
    results.append(("one process", t, mb, rows))
    print(f"one process done in {t:.1f} s", flush=True)

    def children() -> list[int]:
        return [p.pid for p in psutil.Process(me).children(recursive=True)]

    t, mb, rows = timed(lambda: extract_events_many(articles, workers=-1, **kwargs), args.runs, children)
    results.append((f"process pool, {available_cores()} processes", t, mb, rows))
    print(f"process pool done in {t:.1f} s", flush=True)

    with dask.config.set({"dataframe.convert-string": False}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        start = time.perf_counter()
        client.run(lambda path: _finder(sdask.worker_gazetteer(path)).build_seconds, str(gazetteer.path))
        warm = time.perf_counter() - start
        pids = list(client.run(os.getpid).values())
        ddf = dd.from_pandas(articles, npartitions=16)
        client_ddf = client.persist(ddf)
        distributed.wait(client_ddf)
        lazy = sdask.extract_events(client_ddf, text="text", published="published", id_column="id",
                                    gazetteer=gazetteer.path)
        t, mb, rows = timed(lambda: client.compute(lazy).result(), args.runs, lambda: pids)
        results.append((f"Dask LocalCluster, 2 workers (warm-up {warm:.0f} s apart)", t, mb, rows))

    base = results[0][1]
    print(f"\n{'way':<56} {'articles/s':>10} {'MB/s':>7} {'x one':>6} {'peak MB/worker':>15} {'rows':>7}")
    for name, t, mb, rows in results:
        print(f"{name:<56} {len(articles) / t:>10.1f} {size_mb / t:>7.3f} {base / t:>6.2f} {mb:>15.0f} {rows:>7,}")
    if len({r[3] for r in results}) != 1:
        print("ROW COUNTS DIFFER between the ways: a bug")


if __name__ == "__main__":
    main()
