"""GeoJSON (RFC 7946) FeatureCollections of events.

Each event is a Feature with a Point geometry ``[longitude, latitude]`` (RFC 7946
puts longitude first) or a ``null`` geometry when it has no coordinates; every
other column is a property.  Dates are ISO 8601 strings.  The collection carries
a foreign member ``"syriamap": {"dtypes": {...}}`` naming each pass-through
column's dtype, so that reading the file back restores them.

Reading accepts any FeatureCollection: Points give latitude/longitude; other
geometries give the centre of their bounding box, with the row flagged
``non_point_geometry``.
"""
from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import SPECS, add_flag, conform, extra_columns
from .errors import EventFileError

logger = logging.getLogger(__name__)


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def to_geojson_dict(df: pd.DataFrame) -> dict[str, Any]:
    """The events as a GeoJSON FeatureCollection (a dict)."""
    events = conform(df)
    extras = extra_columns(events)
    props = events.drop(columns=["latitude", "longitude"])
    for name in props.columns:
        column = props[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            text = column.dt.strftime("%Y-%m-%dT%H:%M:%S%z" if isinstance(column.dtype, pd.DatetimeTZDtype) else "%Y-%m-%dT%H:%M:%S")
            props[name] = text.astype(object).where(column.notna(), None)
        elif isinstance(column.dtype, pd.CategoricalDtype):
            props[name] = column.astype(object).where(column.notna(), None)
    names = list(props.columns)
    lat = events["latitude"].to_numpy()
    lon = events["longitude"].to_numpy()
    features = []
    for i, row in enumerate(props.itertuples(index=False, name=None)):
        properties = {k: _json_value(v) for k, v in zip(names, row)}
        geometry = None
        if not (np.isnan(lat[i]) or np.isnan(lon[i])):
            geometry = {"type": "Point", "coordinates": [float(lon[i]), float(lat[i])]}
        elif not (np.isnan(lat[i]) and np.isnan(lon[i])):  # half a coordinate: keep it as a property
            properties.update(latitude=_json_value(lat[i]), longitude=_json_value(lon[i]))
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {
        "type": "FeatureCollection",
        "syriamap": {"dtypes": {name: str(events[name].dtype) for name in extras}},
        "features": features,
    }


def write_geojson(df: pd.DataFrame, path: str | Path) -> Path:
    """Write events as a GeoJSON FeatureCollection (UTF-8)."""
    path = Path(path)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(to_geojson_dict(df), fh, ensure_ascii=False, allow_nan=False)
    logger.info("%s: wrote %d events", path, len(df))
    return path


def _bbox_centre(coords: Any) -> tuple[float, float] | None:
    flat = np.asarray(list(_positions(coords)), dtype=float)
    if flat.size == 0:
        return None
    return (float((flat[:, 1].min() + flat[:, 1].max()) / 2), float((flat[:, 0].min() + flat[:, 0].max()) / 2))


def _positions(coords: Any):
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        yield coords[:2]
    elif isinstance(coords, (list, tuple)):
        for c in coords:
            yield from _positions(c)


def _restore_dtype(values: pd.Series, dtype: str) -> pd.Series:
    try:
        if dtype.startswith("datetime64"):
            utc = "UTC" in dtype or "," in dtype
            out = pd.to_datetime(values, errors="coerce", utc=utc, format="ISO8601")
            return out.astype(dtype) if not utc else out
        return values.astype(dtype)
    except (TypeError, ValueError):
        logger.warning("cannot restore dtype %s of column %r; kept as read", dtype, values.name)
        return values


def read_geojson(path: str | Path) -> pd.DataFrame:
    """Read a GeoJSON FeatureCollection of events into the schema."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig") as fh:
            data = json.load(fh)
    except json.JSONDecodeError as exc:
        raise EventFileError(path, exc.lineno, exc.colno, f"not valid JSON: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise EventFileError(path, None, None, f"not UTF-8 (byte {exc.start}); RFC 7946 requires UTF-8") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise EventFileError(path, None, None, "not a GeoJSON FeatureCollection")
    rows: list[dict[str, Any]] = []
    lats = np.full(len(data["features"]), np.nan)
    lons = np.full(len(data["features"]), np.nan)
    non_point = np.zeros(len(data["features"]), dtype=bool)
    for i, feature in enumerate(data["features"]):
        rows.append(dict(feature.get("properties") or {}))
        geometry = feature.get("geometry")
        if not geometry:
            continue
        if geometry.get("type") == "Point":
            lons[i], lats[i] = geometry["coordinates"][:2]
        else:
            centre = _bbox_centre(geometry.get("coordinates") or [])
            non_point[i] = True
            if centre:
                lats[i], lons[i] = centre
    frame = pd.DataFrame.from_records(rows, index=pd.RangeIndex(len(rows)))
    for name, values in (("latitude", lats), ("longitude", lons)):
        given = pd.to_numeric(frame[name], errors="coerce") if name in frame else np.nan
        frame[name] = pd.Series(values).fillna(pd.Series(given, index=frame.index)) if name in frame else values
    dtypes = (data.get("syriamap") or {}).get("dtypes") or {}
    for name, dtype in dtypes.items():
        if name in frame.columns and name not in SPECS:
            frame[name] = _restore_dtype(frame[name], dtype)
    if non_point.any():
        logger.warning("%s: %d feature(s) are not Points; placed at their bounding box centre", path, int(non_point.sum()))
        flags = frame["flags"] if "flags" in frame else pd.Series(pd.NA, index=frame.index, dtype="str")
        frame["flags"] = add_flag(flags, non_point, "non_point_geometry")
    return conform(frame)
