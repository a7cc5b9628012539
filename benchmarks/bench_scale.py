"""Corpus scale: one process, all cores of one machine, and a 2-worker Dask cluster, in one run.

Run: ``python benchmarks/bench_scale.py [N] [--repeat R] [--partitions P]``.
Reads the FA-KES dev articles (``../shared/data/fakes/fa-kes-dev.csv``), replicated
to N articles (10,000 by default), and runs :func:`syriamap.extract_events_many`
five ways:

* **one process** (``workers=1``, the baseline), in a process forked for the run;
* **two independent processes**, each forked with half the articles and never
  returning its rows: no coordination, no collection, no imbalance.  It is the
  ceiling this machine allows at this moment for the same work on 2 cores (a
  shared machine charges for using its cores together: shared caches, a
  hypervisor, other users), so the others are also given as a share of it;
* **all cores** of this machine (``workers=-1``, a process pool, timed with its start-up);
* a **Dask** ``LocalCluster`` of 2 one-thread worker processes from
  :func:`syriamap.dask.local_client` (their set-up, timed apart, is what
  :class:`syriamap.dask.PipelinePlugin` does once per worker), over the
  articles already held by the workers (scattered, as they would be after
  reading files), P partitions per worker (32 by default: a short tail);
* the same **Dask** cluster with Dask's default worker settings (profiler on,
  event loop woken every 20 ms), to show what :data:`syriamap.dask.WORKER_CONFIG` saves.

Every way starts from the same state: this process has loaded the pipeline
(:func:`syriamap.dask.ready`) but never seen the articles, and each run gets
fresh processes, so no way reuses another's per-process caches.  The ways
take turns R times (``--repeat``), each round starting one way later (so no
way always runs last, after minutes of load); medians are reported.

For each way: articles/s and MB/s and the ratio to one process (wall clock)
and to the ceiling; CPU seconds of the worker processes (user + system,
psutil) and, for Dask, the part their event-loop thread spent (heartbeats,
monitors, results' transfer: Dask's own work, not ours); CPU seconds of the
coordinating process (this one: the pool's parent, or the Dask client with its
in-process scheduler, plus the nannies); and the speed-up those CPU seconds
imply on free cores: one process's CPU / max(the busiest worker's CPU, all CPU
/ cores).  Wall ratios need free cores: on a shared machine the kernel's
autogroup gives all processes of one session one fair share; the load average
is printed with each run.  Peak resident memory per worker is sampled with
psutil every 0.2 s (a forked worker's RSS counts the pages it shares with its
parent: an upper bound).
Targets (issue 12): 2 Dask workers >= 1.7x one process; < 1 GB per worker.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import psutil

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fakes" / "fa-kes-dev.csv"


def _cpu(times: object) -> float:
    return float(times.user + times.system)  # type: ignore[attr-defined]


class Sampler:
    """Peak RSS, CPU seconds and main-thread CPU seconds of the processes ``pids()`` names, while in the block."""

    def __init__(self, pids: Callable[[], Iterable[int]], every: float = 0.2) -> None:
        self._pids, self._every = pids, every
        self.peak: dict[int, int] = {}
        self.cpu: dict[int, tuple[float, float]] = {}   # pid -> (first seen, last seen) CPU seconds
        self.main: dict[int, tuple[float, float]] = {}  # the same for the process's main thread
        self._existing: set[int] = set()
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
            rss, cpu = proc.memory_info().rss, _cpu(proc.cpu_times())
            main = next((t.user_time + t.system_time for t in proc.threads() if t.id == pid), 0.0)
        except psutil.Error:
            return
        self.peak[pid] = max(self.peak.get(pid, 0), rss)
        first = self.cpu.get(pid, (cpu if pid in self._existing else 0.0, 0.0))[0]
        self.cpu[pid] = (first, cpu)
        first_main = self.main.get(pid, (main if pid in self._existing else 0.0, 0.0))[0]
        self.main[pid] = (first_main, main)

    def __enter__(self) -> Sampler:
        self._existing = set(self._pids())
        for pid in self._existing:
            self._read(pid)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        for pid in list(self._pids()):
            self._read(pid)

    def cpu_seconds(self) -> dict[int, float]:
        return {pid: last - first for pid, (first, last) in self.cpu.items()}

    def main_thread_seconds(self) -> float:
        return sum(last - first for first, last in self.main.values())

    def max_mb(self) -> float:
        return max(self.peak.values(), default=0) / 1e6


@dataclass
class Run:
    seconds: float
    workers_cpu: float      # all worker processes
    busiest_cpu: float      # the worker with most CPU seconds
    loop_cpu: float         # Dask workers' event-loop (main) threads; 0 for the others
    coordination_cpu: float  # this process (+ nannies): pool parent, or Dask client and scheduler
    peak_mb: float
    rows: int
    load: float


def corpus(n: int) -> pd.DataFrame:
    """The FA-KES dev articles replicated to ``n``, each copy with its own id."""
    fakes = pd.read_csv(SHARED)
    reps = -(-n // len(fakes))
    frame = pd.concat([fakes] * reps, ignore_index=True).head(n)
    return pd.DataFrame({
        "id": [f"{u}-{k}" for k, u in enumerate(frame["unit_id"])],
        "text": frame["article_content"].astype(object),
        "published": frame["date_iso"].astype(object),
    })


def _one_process(articles: pd.DataFrame, kwargs: dict, conn: object) -> None:
    """In a forked child: the single-process run; sends back its row count."""
    from syriamap.text.pipeline import extract_events_many

    conn.send(len(extract_events_many(articles, workers=1, **kwargs)))  # type: ignore[attr-defined]


def _reaped_cpu() -> float:
    """CPU seconds of this process's children that have ended (exact, unlike sampling)."""
    times = os.times()
    return times.children_user + times.children_system


def run_one(articles: pd.DataFrame, kwargs: dict) -> Run:
    """``workers=1`` in a fresh process forked from this (loaded, never-used) one."""
    context = multiprocessing.get_context("fork")
    here, there = context.Pipe()
    child = context.Process(target=_one_process, args=(articles, kwargs, there))
    before = _reaped_cpu()
    with Sampler(lambda: [child.pid] if child.pid else []) as mem:
        start = time.perf_counter()
        child.start()
        rows = here.recv()
        seconds = time.perf_counter() - start
        child.join()
    cpu = _reaped_cpu() - before
    return Run(seconds, cpu, cpu, 0.0, 0.0, mem.max_mb(), rows, os.getloadavg()[0])


def run_pool(articles: pd.DataFrame, kwargs: dict) -> Run:
    """``workers=-1``: a process pool over all cores, forked from this process."""
    from syriamap.text.pipeline import extract_events_many

    me = psutil.Process()
    before, parent_before = _reaped_cpu(), _cpu(me.cpu_times())
    with Sampler(lambda: [p.pid for p in me.children(recursive=True)]) as mem:
        start = time.perf_counter()
        rows = len(extract_events_many(articles, workers=-1, **kwargs))
        seconds = time.perf_counter() - start
    workers_cpu = _reaped_cpu() - before  # the pool has joined its workers
    busiest = max(mem.cpu_seconds().values())  # sampled: may miss a worker's last 0.2 s
    return Run(seconds, workers_cpu, busiest, 0.0, _cpu(me.cpu_times()) - parent_before,
               mem.max_mb(), rows, os.getloadavg()[0])


def run_dask(articles: pd.DataFrame, gazetteer_path: str, ours: bool, per_worker: int) -> tuple[Run, float]:
    """A fresh 2-worker ``LocalCluster`` (set up apart) over the articles scattered to its workers."""
    import dask
    import distributed

    import syriamap.dask as sdask

    start = time.perf_counter()
    if ours:
        client = sdask.local_client(2, gazetteer=gazetteer_path, dashboard_address=":0")
    else:  # for comparison: the same cluster with Dask's default worker settings
        client = distributed.Client(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
        sdask.prepare(client, gazetteer_path)
    setup = time.perf_counter() - start
    with client, dask.config.set({"dataframe.convert-string": False}):
        workers = list(client.run(os.getpid).values())
        me = psutil.Process()
        nannies = [p.pid for p in me.children() if p.pid not in workers]
        stored = sdask.scatter_frame(client, articles, per_worker * len(workers))
        lazy = sdask.extract_events(stored, text="text", published="published", id_column="id",
                                    gazetteer=gazetteer_path)
        with Sampler(lambda: workers) as mem, Sampler(lambda: [me.pid, *nannies]) as coordination:
            start = time.perf_counter()
            rows = len(client.compute(lazy).result())
            seconds = time.perf_counter() - start
    per = mem.cpu_seconds()
    run = Run(seconds, sum(per.values()), max(per.values()), mem.main_thread_seconds(),
              sum(coordination.cpu_seconds().values()), mem.max_mb(), rows, os.getloadavg()[0])
    return run, setup


def _half(articles: pd.DataFrame, kwargs: dict, conn: object) -> None:
    """In a forked child: one half of the articles in this process; sends back its row count."""
    from syriamap.text.pipeline import extract_events_many

    conn.send(len(extract_events_many(articles, workers=1, **kwargs)))  # type: ignore[attr-defined]


def run_halves(articles: pd.DataFrame, kwargs: dict, n_processes: int) -> Run:
    """The ceiling: ``n_processes`` forked processes, each with its share of the articles, nothing collected."""
    context = multiprocessing.get_context("fork")
    size = -(-len(articles) // n_processes)
    pipes = [context.Pipe() for _ in range(n_processes)]
    children = [context.Process(target=_half, args=(articles.iloc[i * size:(i + 1) * size], kwargs, there))
                for i, (_, there) in enumerate(pipes)]
    before = _reaped_cpu()
    with Sampler(lambda: [c.pid for c in children if c.pid]) as mem:
        start = time.perf_counter()
        for child in children:
            child.start()
        rows = sum(here.recv() for here, _ in pipes)
        seconds = time.perf_counter() - start
        for child in children:
            child.join()
    cpu = _reaped_cpu() - before
    busiest = max(mem.cpu_seconds().values())
    return Run(seconds, cpu, busiest, 0.0, 0.0, mem.max_mb(), rows, os.getloadavg()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000, help="articles (FA-KES dev replicated)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the five ways; medians are reported")
    parser.add_argument("--partitions", type=int, default=32,
                        help="Dask partitions per worker (default 32: a short tail when the last tasks finish)")
    args = parser.parse_args()

    import syriamap.dask as sdask
    from syriamap.text.parallel import available_cores

    articles = corpus(args.n)
    size_mb = sum(len(str(t).encode("utf-8")) for t in articles["text"]) / 1e6
    start = time.perf_counter()
    gazetteer = sdask.ready()  # what each way's processes start from; it never sees the articles
    print(f"{len(articles):,} articles, {size_mb:.1f} MB; pipeline loaded in {time.perf_counter() - start:.1f} s; "
          f"{available_cores()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    kwargs = dict(text="text", published="published", id_column="id", gazetteer=gazetteer, progress=False)
    ceiling, dask_ours = "ceiling: 2 independent processes", "Dask LocalCluster, 2 workers"
    ways = {"one process": 1, ceiling: 2, f"process pool, {available_cores()} processes": available_cores(),
            dask_ours: 2, "Dask LocalCluster, Dask's settings": 2}
    runs: dict[str, list[Run]] = {way: [] for way in ways}
    setups: list[float] = []
    order = list(ways)
    for round_ in range(args.repeat):
        for way in order[round_ % len(order):] + order[:round_ % len(order)]:  # each round starts one way later
            if way.startswith("one"):
                run = run_one(articles, kwargs)
            elif way == ceiling:
                run = run_halves(articles, kwargs, 2)
            elif way.startswith("process"):
                run = run_pool(articles, kwargs)
            else:
                run, setup = run_dask(articles, str(gazetteer.path), way == dask_ours, args.partitions)
                setups.append(setup)
            runs[way].append(run)
            print(f"round {round_ + 1}: {way}: {run.seconds:.1f} s, CPU {run.workers_cpu:.1f} s, "
                  f"load {run.load:.1f}", flush=True)

    def median(way: str, field: str) -> float:
        return statistics.median(getattr(r, field) for r in runs[way])

    base_t, base_cpu = median("one process", "seconds"), median("one process", "workers_cpu")
    print(f"\nmedians of {args.repeat} run(s); Dask workers set up in {statistics.median(setups):.1f} s "
          f"(apart)")
    print(f"{'way':<34} {'art/s':>6} {'MB/s':>6} {'x one':>6} {'/ceil':>6} {'CPU s':>6} {'loop':>5} {'coord':>6} "
          f"{'x free':>6} {'MB/wkr':>6} {'rows':>7} {'load':>5}")
    for way, n in ways.items():
        t, cpu = median(way, "seconds"), median(way, "workers_cpu")
        coord, busiest = median(way, "coordination_cpu"), median(way, "busiest_cpu")
        implied = base_cpu / max(busiest, (cpu + coord) / max(n, 1))
        of_ceiling = statistics.median(c.seconds / r.seconds for c, r in zip(runs[ceiling], runs[way]))
        print(f"{way:<34} {len(articles) / t:>6.1f} {size_mb / t:>6.3f} {base_t / t:>6.2f} {of_ceiling:>6.2f} "
              f"{cpu:>6.1f} {median(way, 'loop_cpu'):>5.1f} {coord:>6.1f} {implied:>6.2f} "
              f"{max(r.peak_mb for r in runs[way]):>6.0f} {runs[way][-1].rows:>7,} {median(way, 'load'):>5.1f}")
    print("x one: wall-clock ratio; /ceil: the ceiling's wall time / this way's (median of rounds); CPU s: the "
          "workers'; loop: of which the Dask workers' event loops; coord: the coordinating process(es); x free: "
          "implied on free cores; MB/wkr: peak RSS per worker")
    if len({r.rows for way in runs for r in runs[way]}) != 1:
        print("ROW COUNTS DIFFER between the ways: a bug")


if __name__ == "__main__":
    main()
