"""Corpus scale: one process, all cores of one machine, and a 2-worker Dask cluster, in one run.

Run: ``python benchmarks/bench_scale.py [N] [--runs R]``.  Reads the FA-KES dev
articles (``../shared/data/fakes/fa-kes-dev.csv``), replicated to N articles
(10,000 by default), and prints for each way of running
:func:`syriamap.extract_events_many`:

* articles/s and MB/s (medians of R runs, 1 by default), and the ratio to one process;
* CPU seconds the workers spent (user + system, from psutil), their parallel
  efficiency (one process's CPU seconds / theirs) and the speed-up that implies
  on as many *free* cores (workers x efficiency);
* peak resident memory per worker process (sampled with psutil every 0.2 s;
  RSS counts pages a forked worker shares with its parent, so it is an upper bound).

Wall-clock ratios need free cores.  On a shared machine whose kernel groups
CPU time per session (Linux autogroup), the processes of one job share one
session's fair share, so two workers can show no wall-clock gain while doing
the same work; the CPU-second figures show what the workers cost regardless.

Ways: one process (``workers=1``, the baseline); all cores of this machine
(``workers=-1``, a process pool, timed with its start-up); a
``distributed.LocalCluster`` of 2 worker processes of one thread each (workers
warmed first: the gazetteer's automaton is built once per worker, timed apart;
their statistical profiler off, see the README).
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
    """Peak RSS and last CPU times of each process whose pid ``pids()`` returns, sampled while in the block."""

    def __init__(self, pids: Callable[[], Iterable[int]], every: float = 0.2) -> None:
        self._pids, self._every = pids, every
        self.peak: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self.start_cpu: dict[int, float] = {}
        self._before: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            for pid in list(self._pids()):
                self._read(pid)
            self._stop.wait(self._every)

    def _read(self, pid: int) -> None:
        try:
            proc = psutil.Process(pid)
            rss, times = proc.memory_info().rss, proc.cpu_times()
        except psutil.Error:
            return
        self.peak[pid] = max(self.peak.get(pid, 0), rss)
        self.cpu[pid] = times.user + times.system
        self.start_cpu.setdefault(pid, self.cpu[pid])

    def __enter__(self) -> PeakMemory:
        self._before = set(self._pids())
        for pid in self._before:
            self._read(pid)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        for pid in list(self._pids()):
            self._read(pid)

    def cpu_seconds(self) -> float:
        """CPU seconds the processes spent in the block (a forked worker's from its start)."""
        return sum(self.cpu[pid] - (self.start_cpu[pid] if pid in self._before else 0.0) for pid in self.cpu)

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


def timed(run: Callable[[], pd.DataFrame], runs: int, memory: Callable[[], Iterable[int]]) -> tuple[float, float, float, int]:
    """(median seconds, median CPU seconds of the processes, peak MB per process, rows)."""
    times, cpus, peaks, rows = [], [], [], 0
    for _ in range(runs):
        with PeakMemory(memory) as mem:
            start = time.perf_counter()
            rows = len(run())
            times.append(time.perf_counter() - start)
        cpus.append(mem.cpu_seconds())
        peaks.append(mem.max_mb())
    return statistics.median(times), statistics.median(cpus), max(peaks), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000, help="articles (FA-KES dev replicated)")
    parser.add_argument("--runs", type=int, default=1, help="runs per way; the median is reported")
    parser.add_argument("--no-profile-off", action="store_true",
                        help="keep the Dask workers' statistical profiler on (the default for Dask)")
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
    results: list[tuple[str, int, float, float, float, int]] = []

    def children() -> list[int]:
        return [p.pid for p in psutil.Process(me).children(recursive=True)]

    # The pool first: its workers are forked from this process, which must not have warmed the
    # pipeline's caches on these very articles (the one-process run would), or the pool would look cheaper.
    t, cpu, mb, rows = timed(lambda: extract_events_many(articles, workers=-1, **kwargs), args.runs, children)
    pool = (f"process pool, {available_cores()} processes", available_cores(), t, cpu, mb, rows)
    print(f"process pool done in {t:.1f} s", flush=True)

    t, cpu, mb, rows = timed(lambda: extract_events_many(articles, workers=1, **kwargs), args.runs, lambda: [me])
    results += [("one process", 1, t, cpu, mb, rows), pool]
    print(f"one process done in {t:.1f} s", flush=True)

    # The workers' statistical profiler samples the (pure-Python) task thread every 10 ms under the GIL.
    profile = {"distributed.worker.profile.enabled": not args.no_profile_off}
    with dask.config.set({"dataframe.convert-string": False, **profile}), \
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
        t, cpu, mb, rows = timed(lambda: client.compute(lazy).result(), args.runs, lambda: pids)
        results.append((f"Dask LocalCluster, 2 workers (warm-up {warm:.0f} s apart)", 2, t, cpu, mb, rows))

    base, base_cpu = results[0][2], results[0][3]
    print(f"\n{'way':<52} {'articles/s':>10} {'MB/s':>6} {'x one':>6} {'CPU s':>6} {'effic.':>6} "
          f"{'x on free cores':>15} {'peak MB/worker':>14} {'rows':>6}")
    for name, n, t, cpu, mb, rows in results:
        efficiency = base_cpu / cpu if cpu else float("nan")
        print(f"{name:<52} {len(articles) / t:>10.1f} {size_mb / t:>6.3f} {base / t:>6.2f} {cpu:>6.1f} "
              f"{efficiency:>6.2f} {n * efficiency:>15.2f} {mb:>14.0f} {rows:>6,}")
    print(f"(load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if len({r[5] for r in results}) != 1:
        print("ROW COUNTS DIFFER between the ways: a bug")


if __name__ == "__main__":
    main()
