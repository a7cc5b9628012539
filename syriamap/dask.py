"""The text pipeline, geocoding and validation on Dask DataFrames, for corpora beyond one machine.

A thin layer, as geopandas' is: each function maps the single-machine function
over the partitions of a :class:`dask.dataframe.DataFrame` with a ``meta`` that
fixes the result's columns and dtypes (the event types as categoricals with
fixed categories, so every partition agrees).  The gazetteer is opened once per
worker process and kept (:func:`worker_gazetteer`), never shipped with each task:
a task carries only the gazetteer's path (a :class:`~syriamap.gazetteer.Gazetteer`
given as such pickles by its path, layers and focus, and is reopened once per
process).  Each partition returns a fresh RangeIndex, so the result's divisions
are unknown.

It runs on whatever Dask scheduler is active: the local threaded one, a
``distributed.LocalCluster`` on one machine, or a cluster of many machines
(``distributed.Client("tcp://scheduler:8786")``) whose workers have syriamap
installed and the same gazetteer file at the same path (the embedded default
is built on each worker on first use).  :func:`prepare` registers a
:class:`PipelinePlugin` that readies every worker (and any that joins later)
once, before its first task: imports, gazetteer, mention automaton, first-use
loads.  :func:`local_client` starts a local cluster of one-thread worker
processes with the Dask settings this pipeline wants, and prepares it.

What scales: extraction, geocoding and validation are per-row or per-article
work and scale with the number of worker processes.  What does not:
:func:`syriamap.merge_duplicates` compares events across the whole table (the
same event told by two agencies lands in two partitions), so it runs on the
collected (``.compute()``) frame; the duplicate-id check of validation is
likewise only complete on the collected frame.  Use worker *processes* (threads
share one interpreter and its GIL: the pipeline is pure Python).

One bad article (binary junk, a 20 MB text, broken HTML, a number where text
was expected) never fails its partition: it becomes one row flagged
``extract_error`` whose ``notes`` name the article (see
:func:`syriamap.extract_events_many`).

Needs the ``dask`` extra: ``pip install 'syriamap[dask]'``.
"""
from __future__ import annotations

import functools
import logging
import os
import time
from typing import TYPE_CHECKING, Any

import pandas as pd

try:
    from distributed import WorkerPlugin
except ImportError:  # pragma: no cover - without the dask extra there is no worker to plug into
    WorkerPlugin = object  # type: ignore[assignment,misc]

if TYPE_CHECKING:
    import dask.dataframe as dd
    import distributed

    from syriamap.gazetteer import Gazetteer

__all__ = [
    "extract_events", "geocode_events", "validate", "worker_gazetteer", "events_meta",
    "PipelinePlugin", "prepare", "local_client", "ready", "WORKER_CONFIG", "scatter_frame",
]

logger = logging.getLogger(__name__)

#: Dask settings :func:`local_client` gives the workers it starts (a user's own cluster keeps its own).
#: Each wakes the worker's event loop less often.  Every wake-up must take the interpreter lock
#: from the pure-Python task thread (a context switch, and caches refilled): with Dask's
#: defaults a worker's task is switched out about 500 times a second, with these about 140,
#: and it spends 3-18% less CPU on the same articles (paired runs).  The statistical
#: profiler (every 10 ms) is turned off; the event-loop health check (20 ms), the memory
#: monitor (100 ms: the spill, pause and terminate thresholds; the spill threshold is also
#: checked whenever a result is stored) and the system monitor (500 ms, the dashboard's CPU
#: and memory plots) run every 1, 1 and 2 s.
#: ``benchmarks/bench_scale.py`` measures the difference.
WORKER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
}

#: A short report a worker extracts once when it starts, so that whatever the pipeline loads
#: on first use is loaded before the first task.
_WARM_TEXT = "Shelling killed five people in Aleppo on Monday, activists said."


def _require_dask() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("syriamap.dask needs Dask: pip install 'syriamap[dask]'") from exc
    return dd


@functools.lru_cache(maxsize=4)
def worker_gazetteer(path: str | None = None) -> Gazetteer:
    """The gazetteer at ``path`` (the embedded default if None), opened once per process."""
    from syriamap.gazetteer import Gazetteer

    return Gazetteer(path)


def _portable(gazetteer: Gazetteer | str | os.PathLike[str] | None) -> Gazetteer | str | None:
    """What a task carries: a path string, None (the default), or a Gazetteer (pickled by its path)."""
    from syriamap.gazetteer import Gazetteer

    if gazetteer is None or isinstance(gazetteer, Gazetteer):
        return gazetteer
    if isinstance(gazetteer, (str, os.PathLike)):
        return os.fspath(gazetteer)
    raise TypeError(f"gazetteer must be a Gazetteer, a path or None, not {type(gazetteer).__name__}")


def _open(gazetteer: Gazetteer | str | None) -> Gazetteer:
    from syriamap.gazetteer import Gazetteer

    return gazetteer if isinstance(gazetteer, Gazetteer) else worker_gazetteer(gazetteer)


def events_meta(extra: dict[str, Any] | None = None) -> pd.DataFrame:
    """An empty event table with the pipeline's extra columns (``reasons``, then ``extra``): a partition's ``meta``."""
    from syriamap.schema import empty_events
    from syriamap.text.pipeline import REASONS_COLUMN

    meta = empty_events()
    meta[REASONS_COLUMN] = pd.Series([], dtype="str")
    for name, dtype in (extra or {}).items():
        meta[name] = pd.Series([], dtype=dtype)
    return meta


def ready(gazetteer: Gazetteer | str | os.PathLike[str] | None = None) -> Gazetteer:
    """Load in this process what the pipeline needs for ``gazetteer``; returns the opened gazetteer.

    Opens it (once per process, see :func:`worker_gazetteer`), loads or builds
    its mention automaton, and extracts one short report so that the
    pipeline's first-use loads are done.
    """
    from syriamap.text.pipeline import _finder
    from syriamap.text.pipeline import extract_events as extract_one

    opened = _open(_portable(gazetteer))
    _finder(opened)
    extract_one(_WARM_TEXT, published="2017-03-13", gazetteer=opened)
    return opened


class PipelinePlugin(WorkerPlugin):  # type: ignore[misc,valid-type]
    """Readies a Dask worker for syriamap's tasks once, when it starts (or when registered).

    Imports the pipeline and ``dask.dataframe`` (what the tasks unpickle),
    opens the gazetteer the tasks will name (``gazetteer`` as given to
    :func:`extract_events`: the same path, :class:`~syriamap.gazetteer.Gazetteer`
    or None), loads or builds its mention automaton, and extracts one short
    report so that first-use loads are done.  Without it the first task on
    each worker pays all of that, and a benchmark would count it as work.
    Workers that join the cluster later run it too.
    """

    name = "syriamap-pipeline"

    def __init__(self, gazetteer: Gazetteer | str | os.PathLike[str] | None = None) -> None:
        self.gazetteer = _portable(gazetteer)
        self.seconds: float | None = None

    def setup(self, worker: Any) -> None:
        """Load everything in this worker process; ``seconds`` keeps how long it took."""
        start = time.perf_counter()
        import dask.dataframe  # noqa: F401 - the tasks' graphs refer to it

        gazetteer = ready(self.gazetteer)
        self.seconds = time.perf_counter() - start
        logger.info("worker %s ready for syriamap in %.1f s (%s)", worker.address, self.seconds, gazetteer.path)


def prepare(client: distributed.Client, gazetteer: Gazetteer | str | os.PathLike[str] | None = None) -> dict[str, float]:
    """Register a :class:`PipelinePlugin` on ``client``'s cluster and wait until every worker has run it.

    Returns the seconds each worker (by address) took.  Pass the same
    ``gazetteer`` as to :func:`extract_events`.  It changes no setting of the
    cluster; for a cluster you start yourself, see :data:`WORKER_CONFIG`.
    """
    _require_dask()
    client.register_plugin(PipelinePlugin(gazetteer))  # returns once every worker has run setup
    return client.run(_setup_seconds)


def _setup_seconds(dask_worker: Any) -> float:
    """How long this worker's :class:`PipelinePlugin` took to set up."""
    return float(dask_worker.plugins[PipelinePlugin.name].seconds)


def local_client(
    n_workers: int | None = None,
    *,
    gazetteer: Gazetteer | str | os.PathLike[str] | None = None,
    **cluster_kwargs: Any,
) -> distributed.Client:
    """A client of a new ``LocalCluster`` of ``n_workers`` one-thread worker processes, prepared for syriamap.

    ``n_workers`` defaults to this machine's cores.  The workers get
    :data:`WORKER_CONFIG` (profiler off, fewer event-loop wake-ups); other keyword
    arguments go to ``LocalCluster`` (``dashboard_address=":0"`` for any free
    port, for instance).  Closing the client closes the cluster.
    """
    _require_dask()
    import dask
    import distributed

    from syriamap.text.parallel import available_cores

    kwargs = {"n_workers": n_workers or available_cores(), "threads_per_worker": 1, "processes": True,
              **cluster_kwargs}
    with dask.config.set(WORKER_CONFIG):  # the nannies hand the settings of this moment to their workers
        client = distributed.Client(**kwargs)
    try:
        seconds = prepare(client, gazetteer)
    except BaseException:
        client.close()
        raise
    logger.info("%d workers ready in %.1f s at most", len(seconds), max(seconds.values(), default=0.0))
    return client


def scatter_frame(client: distributed.Client, frame: pd.DataFrame, npartitions: int) -> dd.DataFrame:
    """A pandas frame already in memory as a Dask DataFrame of ``npartitions`` row slices held by the workers.

    The slices travel to the workers as data (``client.scatter``) instead of
    inside the task graph, as ``dd.from_pandas`` would put them (Dask warns
    about, and slows down on, graphs of many MB).  Index labels are kept, so
    they can serve as article ids.  An empty frame gives one empty partition.
    """
    dd = _require_dask()
    if npartitions < 1:
        raise ValueError(f"npartitions must be at least 1, not {npartitions}")
    size = max(1, -(-len(frame) // npartitions))
    parts = [frame.iloc[i:i + size] for i in range(0, len(frame), size)] or [frame]
    return dd.from_delayed(client.scatter(parts), meta=frame.iloc[:0])


def _extract_partition(part: pd.DataFrame, *, gazetteer: Gazetteer | str | None, **kwargs: Any) -> pd.DataFrame:
    from syriamap.text.pipeline import extract_events_many

    return extract_events_many(part, gazetteer=_open(gazetteer), progress=False, **kwargs)


def extract_events(
    ddf: dd.DataFrame,
    *,
    text: str = "text",
    published: str | None = None,
    source: str | None = None,
    url: str | None = None,
    id_column: str | None = None,
    gazetteer: Gazetteer | str | os.PathLike[str] | None = None,
) -> dd.DataFrame:
    """:func:`syriamap.extract_events_many` over each partition of a Dask DataFrame of articles.

    Column arguments name columns of ``ddf``.  The extra column ``article``
    holds each row's article id: the ``id_column``'s value, else the article's
    index label (unique labels, such as ``dd.from_pandas`` keeps, make it an
    id).  Rows come partition by partition, each article's events in text
    order; the result has one row per event plus one ``extract_error`` row per
    failed article.  ``gazetteer`` is a path, a :class:`~syriamap.gazetteer.Gazetteer`
    or None (the embedded default, built on each worker on first use).
    """
    _require_dask()
    for name in (text, published, source, url, id_column):
        if name is not None and name not in ddf.columns:
            raise ValueError(f"no column {name!r} in the articles; columns are {list(ddf.columns)}")
    if id_column is None:
        id_column = "_article"
        while id_column in ddf.columns:
            id_column += "_"
        ddf = ddf.assign(**{id_column: ddf.index})
    meta = events_meta({"article": ddf._meta[id_column].dtype})
    return ddf.map_partitions(
        _extract_partition, text=text, published=published, source=source, url=url, id_column=id_column,
        gazetteer=_portable(gazetteer), meta=meta, clear_divisions=True,
    )


def _geocode_partition(part: pd.DataFrame, *, gazetteer: Gazetteer | str | None, **kwargs: Any) -> pd.DataFrame:
    from syriamap.geocode import geocode_events as geocode

    return geocode(part, _open(gazetteer), progress=False, **kwargs).events


def geocode_events(
    ddf: dd.DataFrame, *, gazetteer: Gazetteer | str | os.PathLike[str] | None = None, **kwargs: Any
) -> dd.DataFrame:
    """:func:`syriamap.geocode_events` on each partition (its ``.events``); keyword arguments pass through.

    Geocoding caches per distinct place name within a partition, so
    partitions grouped by place (or fewer, larger ones) do fewer lookups.
    """
    _require_dask()
    from syriamap.schema import conform

    return ddf.map_partitions(_geocode_partition, gazetteer=_portable(gazetteer), meta=conform(ddf._meta),
                              clear_divisions=True, **kwargs)


def _validate_partition(part: pd.DataFrame) -> pd.DataFrame:
    from syriamap.validate import validate as check

    return check(part).flag(part)


def validate(ddf: dd.DataFrame) -> dd.DataFrame:
    """Each partition with :func:`syriamap.validate`'s problems as codes in its ``flags`` column.

    Checks that span rows (duplicate ids) only see one partition at a time;
    run :func:`syriamap.validate` on the collected frame for those.
    """
    _require_dask()
    return ddf.map_partitions(_validate_partition, meta=_validate_partition(ddf._meta), clear_divisions=True)
