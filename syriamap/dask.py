"""The text pipeline, geocoding and validation on Dask DataFrames, for corpora beyond one machine.

A thin layer, as geopandas' is: each function maps the single-machine function
over the partitions of a :class:`dask.dataframe.DataFrame` with a ``meta`` that
fixes the result's columns and dtypes (the event types as categoricals with
fixed categories, so every partition agrees).  The gazetteer is opened once per
worker process and kept (:func:`worker_gazetteer`), never shipped with each task:
a task carries only the gazetteer's path.

It runs on whatever Dask scheduler is active: the local threaded one, a
``distributed.LocalCluster`` on one machine, or a cluster of many machines
(``distributed.Client("tcp://scheduler:8786")``) whose workers have syriamap
installed and the same gazetteer file at the same path (the embedded default
is built on each worker on first use).

What scales: extraction, geocoding and validation are per-row or per-article
work and scale with the number of worker processes.  What does not:
:func:`syriamap.merge_duplicates` compares events across the whole table, so it
runs on the collected (``.compute()``) frame; the duplicate-id check of
validation is likewise only complete on the collected frame.

Needs the ``dask`` extra: ``pip install 'syriamap[dask]'``.
"""
from __future__ import annotations

import functools
from pathlib import Path
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


def events_meta(extra: dict[str, Any] | None = None) -> pd.DataFrame:
    """An empty event table with the pipeline's extra columns: the ``meta`` of every partition."""
    from syriamap.schema import empty_events
    from syriamap.text.pipeline import REASONS_COLUMN

    meta = empty_events()
    meta[REASONS_COLUMN] = pd.Series([], dtype="object")
    meta["article"] = pd.Series([], dtype="object")
    for name, dtype in (extra or {}).items():
        meta[name] = pd.Series([], dtype=dtype)
    return meta


def _extract_partition(part: pd.DataFrame, *, gazetteer_path: str | None, **kwargs: Any) -> pd.DataFrame:
    from syriamap.text.pipeline import extract_events_many

    out = extract_events_many(part, gazetteer=worker_gazetteer(gazetteer_path), progress=False, **kwargs)
    out["article"] = out["article"].astype("object")
    return out


def extract_events(
    ddf: dd.DataFrame,
    *,
    text: str = "text",
    published: str | None = None,
    source: str | None = None,
    url: str | None = None,
    id_column: str | None = None,
    gazetteer: str | Path | None = None,
) -> dd.DataFrame:
    """:func:`syriamap.extract_events_many` over each partition of a Dask DataFrame of articles.

    Column arguments name columns of ``ddf``.  Without ``id_column`` the
    ``article`` column holds each article's index label.  A failed article is
    one row flagged ``extract_error``; a partition never fails because of one.
    """
    _require_dask()
    for name in (text, published, source, url, id_column):
        if name is not None and name not in ddf.columns:
            raise ValueError(f"no column {name!r} in the articles; columns are {list(ddf.columns)}")
    if id_column is None:
        ddf = ddf.assign(_article=ddf.index)
        id_column = "_article"
    return ddf.map_partitions(
        _extract_partition, text=text, published=published, source=source, url=url, id_column=id_column,
        gazetteer_path=None if gazetteer is None else str(gazetteer), meta=events_meta(),
        enforce_metadata=False,
    )


def _geocode_partition(part: pd.DataFrame, *, gazetteer_path: str | None, **kwargs: Any) -> pd.DataFrame:
    from syriamap.geocode import geocode_events as geocode

    return geocode(part, worker_gazetteer(gazetteer_path), progress=False, **kwargs).events


def geocode_events(ddf: dd.DataFrame, *, gazetteer: str | Path | None = None, **kwargs: Any) -> dd.DataFrame:
    """:func:`syriamap.geocode_events` on each partition (its ``.events``); keyword arguments pass through."""
    _require_dask()
    meta = _geocode_partition(ddf._meta, gazetteer_path=None if gazetteer is None else str(gazetteer), **kwargs)
    return ddf.map_partitions(_geocode_partition, gazetteer_path=None if gazetteer is None else str(gazetteer),
                              meta=meta, **kwargs)


def _validate_partition(part: pd.DataFrame) -> pd.DataFrame:
    from syriamap.validate import validate as check

    return check(part).flag(part)


def validate(ddf: dd.DataFrame) -> dd.DataFrame:
    """Each partition with :func:`syriamap.validate`'s problems as codes in its ``flags`` column.

    Checks that span rows (duplicate ids) only see one partition at a time;
    run :func:`syriamap.validate` on the collected frame for those.
    """
    _require_dask()
    return ddf.map_partitions(_validate_partition, meta=_validate_partition(ddf._meta))
