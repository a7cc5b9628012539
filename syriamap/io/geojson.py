"""GeoJSON (RFC 7946) FeatureCollections of events.

Each event is a Feature with a Point geometry ``[longitude, latitude]`` (RFC 7946
puts longitude first) or a ``null`` geometry when it has no coordinates; every
other column is a property.  Dates are ISO 8601 strings.  The collection carries
a foreign member ``"syriamap": {"dtypes": {...}}`` naming each pass-through
column's dtype, so that reading the file back restores them.

Reading accepts any FeatureCollection: Points give latitude/longitude; other
geometries give the centre of their bounding box, with the row flagged
``non_point_geometry``.  Broken features are rows with flags, never a
traceback (see :func:`read_geojson`); JSON nested thousands of levels deep is a
clear :class:`EventFileError`.
"""
from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import SPECS, add_flag, conform, conform_flagged, extra_columns
from .csvfile import ReadReport, attach_report, rename_columns
from .errors import EventFileError
from .limits import DEFAULT_LIMITS, Limits
from .source import load_source

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


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _geometry_positions(geometry: Any, max_depth: int) -> list[tuple[float, float]] | None:
    """The (lon, lat) positions of a GeoJSON geometry, walked without recursion; None if malformed."""
    if not isinstance(geometry, dict):
        return None
    positions: list[tuple[float, float]] = []
    stack: list[tuple[Any, int]] = []
    if geometry.get("type") == "GeometryCollection":
        members = geometry.get("geometries")
        if not isinstance(members, list):
            return None
        for member in members:
            found = _geometry_positions(member, max_depth) if isinstance(member, dict) and member.get("type") != "GeometryCollection" else None
            if found is None:
                return None
            positions += found
        return positions
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list):
        return None
    stack.append((coordinates, 1))
    while stack:
        value, depth = stack.pop()
        if depth > min(max_depth, 4):  # MultiPolygon, the deepest geometry, nests positions 4 levels down
            return None
        if value and all(_is_number(v) for v in value):
            if len(value) < 2:
                return None
            positions.append((float(value[0]), float(value[1])))
        else:
            for item in value:
                if not isinstance(item, list):
                    return None
                stack.append((item, depth + 1))
    return positions


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of lists and dicts in ``value``, counted without recursion up to ``limit + 1``."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            if depth > limit:
                return depth
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def _restore_dtype(values: pd.Series, dtype: str) -> pd.Series:
    try:
        if dtype.startswith("datetime64"):
            utc = "UTC" in dtype or "," in dtype
            out = pd.to_datetime(values, errors="coerce", utc=utc, format="ISO8601")
            return out.astype(dtype) if not utc else out
        return values.astype(dtype)
    except Exception:  # noqa: BLE001 - any dtype string from the file that pandas refuses
        logger.warning("cannot restore dtype %r of column %r; kept as read", dtype, values.name)
        return values


def _load_json(path: Path, limits: Limits) -> Any:
    source = load_source(path, limits)
    with source.open() as fh:
        data = fh.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EventFileError(path, None, None, f"not UTF-8 (byte {exc.start}); RFC 7946 requires UTF-8") from None
    del data
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise EventFileError(path, exc.lineno, exc.colno, f"not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise EventFileError(path, None, None, "JSON nested too deeply to be read (arrays or objects inside "
                                               "each other thousands of levels deep)") from None


def read_geojson(
    path: str | Path, *, limits: Limits = DEFAULT_LIMITS, columns: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Read a GeoJSON FeatureCollection of events into the schema.

    Every feature becomes one row, whatever it holds.  A feature that is not an
    object, or whose properties are not an object, gives a row flagged
    ``bad_feature``; a geometry that is not a valid GeoJSON geometry (null or
    missing coordinates, coordinates that are an object or not finite numbers, a
    string) leaves the row without coordinates, flagged ``bad_geometry``.
    Property values that are arrays or objects are kept as their JSON text
    (nested deeper than ``limits.max_json_depth``: left empty and flagged
    ``bad_feature``).  ``columns`` renames properties (old -> new) first.
    """
    path = Path(path)
    data = _load_json(path, limits)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise EventFileError(path, None, None, "not a GeoJSON FeatureCollection")
    features = data["features"]
    n = len(features)
    rows: list[dict[str, Any]] = []
    lats = np.full(n, np.nan)
    lons = np.full(n, np.nan)
    non_point = np.zeros(n, dtype=bool)
    bad_feature = np.zeros(n, dtype=bool)
    bad_geometry = np.zeros(n, dtype=bool)
    for i, feature in enumerate(features):
        if not isinstance(feature, dict):
            rows.append({})
            bad_feature[i] = True
            continue
        props = feature.get("properties")
        if props is None:
            props = {}
        elif not isinstance(props, dict):
            props, bad_feature[i] = {}, True
        row: dict[str, Any] = {}
        for key, value in props.items():
            if isinstance(value, (list, dict)):
                if _depth(value, limits.max_json_depth) > limits.max_json_depth:
                    bad_feature[i] = True
                    value = None
                else:
                    value = json.dumps(value, ensure_ascii=False)
            row[str(key)] = value
        rows.append(row)
        geometry = feature.get("geometry")
        if geometry is None:
            continue
        positions = _geometry_positions(geometry, limits.max_json_depth)
        if not positions:
            bad_geometry[i] = True
            continue
        if geometry.get("type") == "Point":
            lons[i], lats[i] = positions[0]
        else:
            xy = np.asarray(positions, dtype=float)
            lons[i] = (xy[:, 0].min() + xy[:, 0].max()) / 2
            lats[i] = (xy[:, 1].min() + xy[:, 1].max()) / 2
            non_point[i] = True
    frame = pd.DataFrame.from_records(rows, index=pd.RangeIndex(n)) if rows else pd.DataFrame(index=pd.RangeIndex(0))
    if columns:
        frame.columns = rename_columns([str(c) for c in frame.columns], columns, path)
    for name, values in (("latitude", lats), ("longitude", lons)):
        if name in frame:
            given = pd.to_numeric(frame[name], errors="coerce")
            frame[name] = pd.Series(values, index=frame.index).fillna(given)
        else:
            frame[name] = values
    meta = data.get("syriamap")
    dtypes = meta.get("dtypes") if isinstance(meta, dict) else None
    for name, dtype in (dtypes.items() if isinstance(dtypes, dict) else ()):
        if name in frame.columns and name not in SPECS and isinstance(dtype, str):
            frame[name] = _restore_dtype(frame[name], dtype)
    flags = frame["flags"].astype("str") if "flags" in frame else pd.Series(pd.NA, index=frame.index, dtype="str")
    for mask, code, message in (
        (non_point, "non_point_geometry", "are not Points; placed at their bounding box centre"),
        (bad_feature, "bad_feature", "are not objects or have properties that are not objects (or nested too deeply)"),
        (bad_geometry, "bad_geometry", "have a geometry that is not valid GeoJSON; left without coordinates"),
    ):
        if mask.any():
            logger.warning("%s: %d feature(s) %s (e.g. feature %d); flagged %r", path, int(mask.sum()), message,
                           int(np.argmax(mask)), code)
            flags = add_flag(flags, mask, code)
    frame["flags"] = flags
    out = conform_flagged(frame, where=str(path))
    report = ReadReport(str(path), n, 0, 0, n, len(out), int((bad_feature | bad_geometry).sum()))
    return attach_report(out, report)
