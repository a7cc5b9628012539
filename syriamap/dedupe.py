"""Merging the same event reported by several sources into one row.

Two rows are reports of one event when their dates are at most ``days`` apart,
their points at most ``km`` apart (great-circle) and, with ``same_type``, their
event types are equal.  Two rows of one dataset (the namespace of their
``event_id``, ``ucdp:`` or ``acled:``) that carry different ids are separate
events, as the dataset itself says, and are never merged unless
``within_dataset=True``; UCDP GED, for one, codes separate events on one day in
one town.  Rows from the same source (its ``source``, else the dataset) are not
merged either unless ``within_source=True``.  Linked reports are grouped around the earliest
one: each report joins a cluster whose first report is within the thresholds
of it, so daily reports from one town do not chain into one event.  Rows
without a date or coordinates are never merged.  Nothing happens unless :func:`merge_duplicates` is called.

Each cluster becomes one row: the report with the best (lowest) geo_precision,
then the best time_precision, then the earliest date, gives the row's values;
``event_date`` is the cluster's earliest date, ``fatalities`` the largest
reported figure (reports of one event are not added up), ``source`` every
distinct source (``; ``-separated) and ``merged_ids`` every original event_id,
both in the table's row order.
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from .geo import chord_for_km, unit_vectors
from .schema import conform

logger = logging.getLogger(__name__)

def _join(values: pd.Series) -> str | None:
    parts: list[str] = []
    for value in values.dropna():
        for part in str(value).split(";"):
            part = part.strip()
            if part and part not in parts:
                parts.append(part)
    return "; ".join(parts) if parts else None


def _origins(events: pd.DataFrame) -> np.ndarray:
    """Who reported each row: its source, else its dataset (the event_id's namespace)."""
    dataset = events["event_id"].astype("str").str.split(":").str[0]
    return events["source"].where(events["source"].notna(), dataset).fillna("").to_numpy(dtype=object)


def _datasets(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's dataset (its event_id's namespace, '' without one) and whether it has an id."""
    ids = events["event_id"].astype("str")
    has_id = ids.notna().to_numpy()
    dataset = ids.str.split(":", n=1).str[0].where(ids.str.contains(":", regex=False).fillna(False), "")
    return dataset.fillna("").to_numpy(dtype=object), has_id


def duplicate_clusters(
    df: pd.DataFrame, *, days: float = 1, km: float = 5.0, same_type: bool = True, within_source: bool = False,
    within_dataset: bool = False,
) -> np.ndarray:
    """A cluster label for each row of ``df`` (rows alone in their cluster get their own)."""
    events = conform(df)
    n = len(events)
    lat = events["latitude"].to_numpy()
    lon = events["longitude"].to_numpy()
    date = events["event_date"]
    usable = ~(np.isnan(lat) | np.isnan(lon)) & date.notna().to_numpy()
    idx = np.flatnonzero(usable)
    if idx.size < 2:
        return np.arange(n)
    day = (date.to_numpy()[idx].astype("datetime64[s]").astype("int64") / 86400.0)
    # Chord length matching the great-circle radius, in the unit sphere; time scaled so
    # that `days` equals the same length, searched with the max-norm box then checked exactly.
    chord = chord_for_km(km)
    scale = chord / days if days > 0 else 2 * chord  # days=0: any two days are too far apart
    points = np.column_stack((unit_vectors(lat[idx], lon[idx]), day * scale))
    tree = cKDTree(points)
    pairs = tree.query_pairs(r=chord * (1 + 1e-9), p=np.inf, output_type="ndarray")
    if pairs.size:
        a, b = pairs[:, 0], pairs[:, 1]
        xyz = points[:, :3]
        dist = np.linalg.norm(xyz[a] - xyz[b], axis=1)
        keep = (dist <= chord * (1 + 1e-9)) & (np.abs(day[a] - day[b]) <= days + 1e-9)
        if same_type:
            types = events["event_type"].astype("str").to_numpy()[idx]
            keep &= (types[a] == types[b]) & pd.notna(types[a])
        if not within_source:
            origin = _origins(events)[idx]
            keep &= origin[a] != origin[b]
        if not within_dataset:
            dataset, has_id = _datasets(events)
            ids = events["event_id"].astype("str").to_numpy(dtype=object)[idx]
            dataset, has_id = dataset[idx], has_id[idx]
            keep &= ~((dataset[a] == dataset[b]) & (dataset[a] != "") & has_id[a] & has_id[b] & (ids[a] != ids[b]))
        a, b = a[keep], b[keep]
    else:
        a = b = np.empty(0, dtype=int)
    graph = coo_matrix((np.ones(a.size), (idx[a], idx[b])), shape=(n, n))
    _, components = connected_components(graph, directed=False)
    exclusive: list[np.ndarray] = []  # rows sharing a key here may not share a cluster
    if not within_source:
        exclusive.append(_origins(events))
    if not within_dataset:
        dataset, has_id = _datasets(events)
        exclusive.append(np.where(has_id & (dataset != ""), dataset, None))
    return _anchor_split(components, date.to_numpy(), unit_vectors(lat, lon), days, chord, exclusive)


def _anchor_split(
    components: np.ndarray, dates: np.ndarray, xyz: np.ndarray, days: float, chord: float,
    exclusive: list[np.ndarray] = (),
) -> np.ndarray:
    """Split linked components so that every member is close to its cluster's first report.

    Linking is transitive, so daily reports from one town would chain into one
    component; walking each component in date order, a report joins the first
    cluster whose anchor (earliest report) is within ``days`` and ``km`` of it
    and that has no member sharing one of its ``exclusive`` keys (its source, its
    dataset: two events of one dataset never meet through a third report), or
    starts a new cluster.
    """
    labels = np.arange(components.size)
    sizes = np.bincount(components)
    big = np.flatnonzero(sizes[components] > 1)
    if big.size == 0:
        return labels
    order = big[np.lexsort((dates[big], components[big]))]
    anchors: list[int] = []
    taken: dict[int, list[set]] = {}
    current = -1
    limit = np.timedelta64(int(round(days * 86400)), "s")
    for i in order:
        if components[i] != current:
            current, anchors = components[i], []
        keys = [k[i] for k in exclusive]
        for anchor in anchors:
            if (dates[i] - dates[anchor] <= limit and np.linalg.norm(xyz[i] - xyz[anchor]) <= chord * (1 + 1e-9)
                    and not any(key is not None and key in used for key, used in zip(keys, taken[anchor]))):
                labels[i] = anchor
                for key, used in zip(keys, taken[anchor]):
                    used.add(key)
                break
        else:
            anchors.append(i)
            taken[i] = [{key} for key in keys]
    return labels


def merge_duplicates(
    df: pd.DataFrame, *, days: float = 1, km: float = 5.0, same_type: bool = True, within_source: bool = False,
    within_dataset: bool = False,
) -> pd.DataFrame:
    """One row per event reported by several sources (see the module docstring)."""
    events = conform(df)
    labels = duplicate_clusters(events, days=days, km=km, same_type=same_type, within_source=within_source,
                                within_dataset=within_dataset)
    sizes = np.bincount(labels)
    multi = sizes[labels] > 1
    if not multi.any():
        logger.info("merge_duplicates: no duplicates among %d events", len(events))
        return events
    order = events.assign(
        _cluster=labels,
        _geo=events["geo_precision"].astype("Float64").fillna(9),
        _time=events["time_precision"].astype("Float64").fillna(9),
        _pos=np.arange(len(events)),
    ).sort_values(["_cluster", "_geo", "_time", "event_date", "_pos"], kind="stable")
    groups = order[multi[order["_pos"].to_numpy()]].groupby("_cluster", sort=False)
    first = groups.head(1).set_index("_cluster")
    first["event_date"] = groups["event_date"].min()
    first["fatalities"] = groups["fatalities"].max()
    in_order = events[["event_id", "source"]].assign(_cluster=labels)[multi].groupby("_cluster", sort=False)
    first["source"] = in_order["source"].agg(_join)
    first["merged_ids"] = in_order["event_id"].agg(_join)
    keep = np.ones(len(events), dtype=bool)
    keep[multi] = False
    representatives = first["_pos"].to_numpy()
    keep[representatives] = True
    out = events.copy()
    merged = first.set_index("_pos")
    for column in ("event_date", "fatalities", "source", "merged_ids"):
        out.loc[merged.index, column] = merged[column].to_numpy()
    out = out[keep].reset_index(drop=True)
    logger.info("merge_duplicates: %d events -> %d (%d clusters of several reports)",
                len(events), len(out), int((sizes > 1).sum()))
    return conform(out)
