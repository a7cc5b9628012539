"""Aggregate layers: events counted per admin area or per H3 hexagon.

* :func:`admin_circles`: one labelled, coloured proportional circle per admin1 or
  admin2 area, at the area's centroid from the gazetteer (or from a
  ``centroids`` mapping), else at the mean position of its events (said in the
  tooltip).  Drawn by the page's runtime, which recounts them as the time
  slider and the ticked layers change, with a size legend.
* :func:`shipped_choropleth`: the governorate outlines shipped with the package
  (:mod:`.outlines`) coloured by the events shown now, following the time slider
  and the ticked layers, with a colour legend.
* :func:`admin_choropleth`: the user's boundary GeoJSON coloured by event count
  (whole table); only the polygons' numbers reach the page, names as escaped labels.
* :func:`h3_hexagons`: counts per H3 cell (needs the optional ``h3`` package).

All names that reach the page through folium are escaped with
:func:`~.escape.html_text` (Leaflet shows tooltips with ``innerHTML``).
"""
from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any, Mapping

import folium
import numpy as np
import pandas as pd
from branca.colormap import LinearColormap

from ..geo import haversine_km
from .escape import html_text
from .layers import AdminCircles, EventSet
from .outlines import SHIPPED_LEVELS, Choropleth, area_codes, area_polygons, attribution

logger = logging.getLogger(__name__)

ADMIN_LEVELS = {"admin1": "governorate", "admin2": "district"}
MAX_CENTROID_DISTANCE_KM = 250.0
"""A gazetteer centroid this far from the area's own events is taken for a homonym and not used."""

_COLORS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]


def _counts(df: pd.DataFrame, key: str) -> pd.DataFrame:
    """Events, fatalities and mean position per value of ``key`` (rows with coordinates only)."""
    data = pd.DataFrame({
        "key": df[key].astype("string").str.strip(),
        "lat": pd.to_numeric(df["latitude"], errors="coerce"),
        "lon": pd.to_numeric(df["longitude"], errors="coerce"),
        "fat": pd.to_numeric(df["fatalities"], errors="coerce") if "fatalities" in df.columns else np.nan,
    }).dropna(subset=["key", "lat", "lon"])
    data = data[data["key"] != ""]
    grouped = data.groupby("key", sort=True)
    return pd.DataFrame({
        "events": grouped.size(),
        "fatalities": grouped["fat"].sum(min_count=1),
        "lat": grouped["lat"].mean(),
        "lon": grouped["lon"].mean(),
    })


def _gazetteer_centroid(name: str, level: str) -> tuple[float, float] | None:
    """The gazetteer's point for an admin area, or None when it has none."""
    try:
        from syriamap.gazetteer import default_gazetteer
    except ImportError as exc:  # the gazetteer is optional for maps
        logger.debug("gazetteer not available (%s)", exc)
        return None
    try:
        candidate = default_gazetteer().resolve(name, kind=level)
    except Exception as exc:  # noqa: BLE001 - a broken gazetteer must not break the map
        logger.warning("gazetteer lookup of %s %r failed (%s); using the mean of its events", level, name, exc)
        return None
    return None if candidate is None else (candidate.latitude, candidate.longitude)


def admin_centroids(
    table: pd.DataFrame, level: str, centroids: Mapping[str, tuple[float, float]] | None = None
) -> dict[str, tuple[float, float, str]]:
    """Centroid and its origin ("given", "gazetteer" or "mean of events") of each admin area in ``table``."""
    out: dict[str, tuple[float, float, str]] = {}
    for name, row in table.iterrows():
        point, origin = None, ""
        if centroids is not None and name in centroids:
            point, origin = centroids[name], "given"
        else:
            found = _gazetteer_centroid(str(name), level)
            if found is not None:
                if haversine_km(found, (row["lat"], row["lon"])) <= MAX_CENTROID_DISTANCE_KM:
                    point, origin = found, "gazetteer"
                else:
                    logger.warning("gazetteer point of %s %r is more than %.0f km from its events; "
                                   "using the mean of its events", level, name, MAX_CENTROID_DISTANCE_KM)
        if point is None:
            point, origin = (float(row["lat"]), float(row["lon"])), "mean of events"
        out[str(name)] = (float(point[0]), float(point[1]), origin)
    fallback = sum(1 for v in out.values() if v[2] == "mean of events")
    if fallback:
        logger.info("%d of %d %s areas placed at the mean of their events (no centroid known)",
                    fallback, len(out), level)
    return out


def _tooltip(name: str, events: int, fatalities: float, extra: str = "") -> str:
    text = f"<b>{html_text(name)}</b><br>{events:,} events"
    if not pd.isna(fatalities):
        text += f", {int(fatalities):,} fatalities"
    return text + (f"<br><i>{html_text(extra)}</i>" if extra else "")


def admin_circles(
    df: pd.DataFrame, level: str, events: EventSet, *, centroids: Mapping[str, tuple[float, float]] | None = None,
    show: bool = True, max_radius: float = 40.0,
) -> AdminCircles:
    """Labelled proportional circles (area ~ events shown) at the centroid of each admin1/admin2 area.

    ``df`` is the table the event map was built from; ``events`` its :class:`EventSet`,
    whose drawn rows are counted.  The page recounts the events of each area
    that the time slider and the ticked layers let through, so the circles follow
    both; colour and size share one scale (the counts at all dates), shown in a
    size legend.
    """
    if level not in ADMIN_LEVELS:
        raise ValueError(f"aggregate must be one of {sorted(ADMIN_LEVELS)} or None, not {level!r}")
    if level not in df.columns:
        raise ValueError(f"aggregate={level!r} needs a {level!r} column; the DataFrame has {list(df.columns)}")
    drawn = df.iloc[events.payload.rows]
    table = _counts(drawn, level)
    points = admin_centroids(table, level, centroids) if not table.empty else {}
    names = list(points)
    index = {name: i for i, name in enumerate(names)}
    keys = drawn[level].astype("string").str.strip()
    codes = [index.get(k, -1) if isinstance(k, str) else -1 for k in keys.to_numpy(dtype=object)]
    fatalities = (pd.to_numeric(drawn["fatalities"], errors="coerce").fillna(0).clip(lower=0).round().astype("int64")
                  .tolist() if "fatalities" in drawn.columns else None)
    areas = [{"name": name, "lat": round(points[name][0], 5), "lon": round(points[name][1], 5),
              "note": "placed at the mean of its events" if points[name][2] == "mean of events" else ""}
             for name in names]
    return AdminCircles(events, areas=areas, codes=codes, fatalities=fatalities,
                        name=f"Events by {ADMIN_LEVELS[level]}", show=show, max_radius=max_radius)


def shipped_choropleth(df: pd.DataFrame, level: str, events: EventSet, *, show: bool = True) -> Choropleth:
    """The shipped outlines of ``level`` coloured by the drawn events of ``df`` in each (recounted in the page).

    Events join on their ``level`` column: the canonical names match as written,
    other spellings through the gazetteer; values matching no area are counted
    in a warning and left out of the areas (they stay drawn as events).
    """
    if level not in ADMIN_LEVELS:
        raise ValueError(f"aggregate must be one of {sorted(ADMIN_LEVELS)} or None, not {level!r}")
    if level not in SHIPPED_LEVELS:
        raise ValueError(f"no {ADMIN_LEVELS[level]} outlines ship with syriamap yet (only {list(SHIPPED_LEVELS)}); "
                         f"pass your own GeoJSON with boundaries=..., or choropleth=False for circles")
    if level not in df.columns:
        raise ValueError(f"aggregate={level!r} needs a {level!r} column; the DataFrame has {list(df.columns)}")
    drawn = df.iloc[events.payload.rows]
    shapes = area_polygons(level)
    names = [name for name, _ in shapes]
    codes, unmatched = area_codes(drawn[level], names, level)
    if unmatched:
        logger.warning("%d %s value(s) match no shipped %s outline and are left out of the areas, e.g. %s",
                       len(unmatched), level, ADMIN_LEVELS[level], unmatched[:5])
    fatalities = (pd.to_numeric(drawn["fatalities"], errors="coerce").fillna(0).clip(lower=0).round().astype("int64")
                  .tolist() if "fatalities" in drawn.columns else None)
    return Choropleth(events, names=names, polygons=[p for _, p in shapes], codes=codes, fatalities=fatalities,
                      name=f"Events by {ADMIN_LEVELS[level]} (areas)", attribution=attribution(level), show=show)


def _load_geojson(boundaries: Any) -> dict[str, Any]:
    if isinstance(boundaries, (str, Path)):
        path = Path(boundaries)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"cannot read boundary GeoJSON {path}: {exc}") from exc
        except RecursionError as exc:
            raise ValueError(f"cannot read boundary GeoJSON {path}: nested too deeply") from exc
    elif isinstance(boundaries, Mapping):
        data = dict(boundaries)
    else:
        raise ValueError("boundaries must be a GeoJSON FeatureCollection (dict) or the path of one")
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ValueError("boundaries must be a GeoJSON FeatureCollection with a 'features' list")
    return data


_RING_DEPTH = {"Polygon": 1, "MultiPolygon": 2}


def _clean_ring(ring: Any) -> list[list[float]] | None:
    """A linear ring as [[lon, lat], ...] of finite numbers in range, or None."""
    if not isinstance(ring, list) or len(ring) < 4:
        return None
    out = []
    for point in ring:
        if not isinstance(point, (list, tuple)) or len(point) < 2:
            return None
        lon, lat = point[0], point[1]
        if isinstance(lon, bool) or isinstance(lat, bool) or not isinstance(lon, (int, float)) \
                or not isinstance(lat, (int, float)):
            return None
        if not (math.isfinite(lon) and math.isfinite(lat) and abs(lon) <= 180 and abs(lat) <= 90):
            return None
        out.append([float(lon), float(lat)])
    return out


def clean_geometry(geometry: Any) -> dict[str, Any] | None:
    """A (Multi)Polygon rebuilt from its numbers only, or None when it is not a usable one.

    Nothing of the input but the coordinates reaches the page: no extra members,
    no strings, no ids.
    """
    if not isinstance(geometry, Mapping) or geometry.get("type") not in _RING_DEPTH:
        return None
    coords = geometry.get("coordinates")
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        return None
    cleaned = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return None
        rings = [_clean_ring(r) for r in polygon]
        if any(r is None for r in rings):
            return None
        cleaned.append(rings)
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": cleaned[0]}
    return {"type": "MultiPolygon", "coordinates": cleaned}


def _norm(text: Any) -> str:
    return " ".join(str(text).casefold().split())


def _pick_key(features: list[dict[str, Any]], names: set[str]) -> str:
    """The feature property whose values match most admin names of the events."""
    scores: dict[str, int] = {}
    for feature in features:
        props = feature.get("properties") if isinstance(feature, Mapping) else None
        for key, value in (props.items() if isinstance(props, Mapping) else ()):
            if isinstance(value, str) and _norm(value) in names:
                scores[key] = scores.get(key, 0) + 1
    if not scores:
        raise ValueError("no property of the boundary features matches the admin names of the events; "
                         "pass boundary_key=<property name>")
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def admin_choropleth(
    df: pd.DataFrame, level: str, boundaries: Any, *, boundary_key: str | None = None, show: bool = True,
) -> folium.GeoJson:
    """The user's boundary polygons coloured by the number of events in each (matched by name)."""
    if level not in df.columns:
        raise ValueError(f"a choropleth by {level!r} needs a {level!r} column")
    data = _load_geojson(boundaries)
    table = _counts(df, level)
    by_name = {_norm(k): (int(r["events"]), r["fatalities"]) for k, r in table.iterrows()}
    key = boundary_key or _pick_key(data["features"], set(by_name))
    top = max((v[0] for v in by_name.values()), default=1)
    cmap = LinearColormap(_COLORS, vmin=0, vmax=max(top, 1))
    unmatched = set(by_name)
    features, skipped = [], 0
    for feature in data["features"]:
        geometry = clean_geometry(feature.get("geometry")) if isinstance(feature, Mapping) else None
        if geometry is None:
            skipped += 1
            continue
        props = feature.get("properties")
        value = props.get(key) if isinstance(props, Mapping) else None
        name = value if isinstance(value, str) else ""
        events, fatalities = by_name.get(_norm(name), (0, float("nan")))
        unmatched.discard(_norm(name))
        features.append({
            "type": "Feature",
            "geometry": geometry,
            "properties": {"label": _tooltip(name, events, fatalities), "fill": cmap(events) if events else "#ffffff"},
        })
    if skipped:
        logger.warning("%d boundary feature(s) without a usable Polygon/MultiPolygon geometry are not drawn",
                       skipped)
    data = {"type": "FeatureCollection", "features": features}
    if unmatched:
        logger.warning("%d %s name(s) of the events match no boundary feature (property %r), e.g. %s",
                       len(unmatched), level, key, sorted(unmatched)[:5])
    return folium.GeoJson(
        data, name=f"Events by {ADMIN_LEVELS.get(level, level)} (areas)", show=show,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#555555", "weight": 1,
                                  "fillOpacity": 0.6},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    )


def h3_hexagons(df: pd.DataFrame, resolution: int, *, show: bool = False) -> folium.GeoJson:
    """Event counts per H3 hexagon at ``resolution`` (0-15), coloured by count."""
    try:
        import h3
    except ImportError as exc:
        raise ImportError("h3_resolution needs the 'h3' package: pip install 'syriamap[h3]'") from exc
    if not 0 <= int(resolution) <= 15:
        raise ValueError(f"h3_resolution must be between 0 and 15, not {resolution!r}")
    lat = pd.to_numeric(df["latitude"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lon = pd.to_numeric(df["longitude"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    cells = pd.Series([h3.latlng_to_cell(a, b, int(resolution)) for a, b in zip(lat[ok], lon[ok])], dtype=object)
    counts = cells.value_counts().sort_index()
    top = int(counts.max()) if len(counts) else 1
    cmap = LinearColormap(_COLORS, vmin=0, vmax=max(top, 1))
    features = []
    for cell, n in counts.items():
        ring = [[round(lng, 6), round(lat_, 6)] for lat_, lng in h3.cell_to_boundary(cell)]
        ring.append(ring[0])
        features.append({
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"label": f"{int(n):,} events", "fill": cmap(int(n))},
        })
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name=f"Events per H3 hexagon (res. {resolution})",
        show=show,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#444444", "weight": 0.5,
                                  "fillOpacity": 0.55},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    )
