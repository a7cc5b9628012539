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
is built on each worker on first use).

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
import os
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import dask.dataframe as dd

    from syriamap.gazetteer import Gazetteer

__all__ = ["extract_events", "geocode_events", "validate", "worker_gazetteer", "events_meta"]


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
