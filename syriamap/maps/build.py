"""``event_map``: an event DataFrame as a layered folium map.

The result is an ordinary ``folium.Map`` (or the map you pass as ``m``): add
any other folium element to it, save it with ``m.save`` or with
:func:`syriamap.maps.save_html` (which can inline every asset for offline use).
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import folium
import pandas as pd
from folium.plugins import MiniMap

from .aggregate import ADMIN_LEVELS, admin_choropleth, admin_circles, h3_hexagons, shipped_choropleth
from .layers import Basemap, Caption, CategoryLayer, EventSet, FullscreenButton, HeatLayer, Legend, TimeSlider, Title
from .payload import EventPayload, build_payload
from .png import PngButton

_TOOLTIP_COLUMNS = ("event_date", "location")
COLLAPSE_LAYERS = 5
"""Beyond this many layers the layer control starts collapsed (a button), so it never covers the map."""


def _caption_lines(p: EventPayload, show_coarse: bool = False) -> list[str]:
    """What the caption says: counts, date range, what was skipped or left out of the slider."""
    if p.n_rows == 0:
        return ["No events to show: the table is empty."]
    if p.n_drawn == 0 and not p.n_geo_coarse:
        return [f"No events to show: none of the {p.n_rows:,} rows has usable coordinates."]
    first = f"{p.n_drawn:,} events" if p.n_drawn else "No events to show"
    if p.date_min:
        first += f", {p.date_min} to {p.date_max}"
    lines = [first]
    if p.n_missing_coords:
        lines.append(f"{p.n_missing_coords:,} of {p.n_rows:,} rows without coordinates are not drawn.")
    if p.n_geo_coarse:
        lines.append(f"{p.n_geo_coarse:,} events placed only at country level are "
                     + ("drawn at that country's point." if show_coarse else "not drawn."))
    undated = p.n_undated - p.n_date_coarse
    if undated:
        lines.append(f"{undated:,} events have no date: drawn, but outside the time slider.")
    if p.n_date_coarse:
        lines.append(f"{p.n_date_coarse:,} events dated only to a year: drawn, but outside the time slider.")
    return lines


def _move_layer_control_last(m: folium.Map) -> bool:
    """Move existing LayerControls to the end of the map (they must render after the layers)."""
    found = False
    for key, child in list(m._children.items()):
        if isinstance(child, folium.LayerControl):
            m._children.move_to_end(key)
            found = True
    return found


def event_map(
    df: pd.DataFrame,
    *,
    layer_by: str = "event_type",
    cluster: bool = True,
    heat: bool = False,
    heat_weight: str | None = None,
    time_slider: bool = True,
    time_step: str = "month",
    aggregate: str | None = None,
    boundaries: Any = None,
    boundary_key: str | None = None,
    choropleth: bool = False,
    centroids: Mapping[str, tuple[float, float]] | None = None,
    h3_resolution: int | None = None,
    title: str | None = None,
    tiles: str | None = "OpenStreetMap",
    popup_columns: Sequence[str] | None = None,
    max_categories: int = 20,
    legend: bool = True,
    fullscreen: bool = True,
    png_button: bool = True,
    minimap: bool = True,
    layer_control: bool = True,
    show_coarse: bool = False,
    basemap: bool = True,
    m: folium.Map | None = None,
) -> folium.Map:
    """Draw events as a layered folium map.

    Parameters
    ----------
    df : events with at least ``latitude`` and ``longitude``; ``event_type``,
        ``event_date`` and the other schema columns are used when present.
    layer_by : categorical column giving one layer (and legend entry) per value;
        for ``event_type`` unknown types go to "Other", for other columns the
        ``max_categories`` most frequent values get a layer and the rest "Other".
    cluster : cluster the events within each layer (default), at every map size:
        a counted circle at its events' centroid, every event of it within 80
        pixels of the circle (clicking one zooms in); from zoom 16, only events
        at the same place stay grouped.  False: every event is a point at its
        exact place (events at one place share a circle); fine for a few
        thousand events, slow to draw for tens of thousands.
    heat, heat_weight : add a heat layer (hidden until ticked), optionally weighted
        by a numeric column such as ``"fatalities"``.
    time_slider, time_step : one slider filtering every layer by ``"day"``,
        ``"week"`` or ``"month"``, with a play button.  Undated events stay drawn.
    aggregate : ``"admin1"`` or ``"admin2"``: proportional circles at centroids
        (``centroids`` mapping, else the gazetteer, else the mean of the events);
        with ``boundaries`` (GeoJSON dict or path) a choropleth instead, matched on
        ``boundary_key`` (guessed from the property values when None).
    choropleth : with ``aggregate="admin1"`` and no ``boundaries``: colour the
        governorate outlines shipped with the package by the events shown now
        (follows the time slider and the ticked layers; colour legend).
    h3_resolution : add counts per H3 hexagon at this resolution.
    title : title shown at the top of the map.
    tiles : basemap for a new map (None: plain background).  Ignored with ``m``.
    popup_columns : columns shown in popups (default: the schema's, when present).
    png_button : add a "PNG" button that downloads the current view as an image (works offline).
    minimap : add a small overview map (online pages only: the offline export leaves it out quietly).
    layer_control : add a layer control (collapsed to a button beyond five layers).
    show_coarse : also draw events flagged ``geo_coarse`` (placed only at country
        level or coarser); by default they are left out of markers, heat and
        aggregates, and the caption says how many.
    basemap : draw the light vector basemap shipped with the package (land, sea,
        borders, rivers, governorate and town labels) under the tiles: it shows
        where tiles cannot load (offline) and on maps with ``tiles=None``.
    m : an existing folium.Map to draw on, instead of a new one.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"event_map needs a pandas DataFrame, not {type(df).__name__}")
    payload = build_payload(df, layer_by=layer_by, popup_columns=popup_columns, heat_weight=heat_weight,
                            time_step=time_step, max_categories=max_categories, show_coarse=show_coarse)
    placed = df.iloc[payload.rows] if len(payload.rows) < len(df) else df
    new_map = m is None
    if m is None:
        m = folium.Map(location=[35.0, 38.5], zoom_start=7, tiles=tiles, max_zoom=18, control_scale=True,
                       prefer_canvas=True)
    if basemap and new_map:
        Basemap().add_to(m)
    if title:
        Title(title).add_to(m)
    if fullscreen and not any(isinstance(c, FullscreenButton) for c in m._children.values()):
        FullscreenButton().add_to(m)
    if png_button and not any(isinstance(c, PngButton) for c in m._children.values()):
        PngButton().add_to(m)

    events: EventSet | None = None
    if payload.n_drawn:
        names = payload.popup_columns
        tooltip_idx = [names.index(c) for c in _TOOLTIP_COLUMNS if c in names]
        events = EventSet(payload, cluster=bool(cluster), tooltip_columns=tooltip_idx).add_to(m)
        for k in range(len(payload.categories)):
            CategoryLayer(events, k).add_to(m)
        if heat:
            HeatLayer(events, name="Heat (fatalities)" if heat_weight else "Heat").add_to(m)
        if time_slider and payload.steps:
            TimeSlider().add_to(m)
        if legend:
            Legend(events, title=layer_by.replace("_", " ").capitalize()).add_to(m)
        if new_map and payload.bounds:
            # clear of the controls: title and zoom buttons above and left, caption and slider below
            m.fit_bounds(payload.bounds, padding_top_left=(50, 60), padding_bottom_right=(30, 170), max_zoom=12)
    if aggregate is not None:
        if boundaries is not None:
            admin_choropleth(placed, aggregate, boundaries, boundary_key=boundary_key).add_to(m)
        elif choropleth:
            if events is not None:
                shipped_choropleth(df, aggregate, events).add_to(m)
            elif aggregate not in ADMIN_LEVELS:
                raise ValueError(f"aggregate must be one of {sorted(ADMIN_LEVELS)} or None, not {aggregate!r}")
        else:
            if events is not None:
                admin_circles(df, aggregate, events, centroids=centroids).add_to(m)
            elif aggregate not in ADMIN_LEVELS:
                raise ValueError(f"aggregate must be one of {sorted(ADMIN_LEVELS)} or None, not {aggregate!r}")
    elif boundaries is not None:
        raise ValueError("boundaries needs aggregate='admin1' or 'admin2' (the column to match areas on)")
    elif choropleth:
        raise ValueError("choropleth needs aggregate='admin1' (the column to match the shipped outlines on)")
    if h3_resolution is not None and payload.n_drawn:
        h3_hexagons(placed, h3_resolution).add_to(m)
    Caption(_caption_lines(payload, show_coarse), events).add_to(m)
    if minimap and new_map and tiles is not None:
        mini = MiniMap(toggle_display=True)
        mini.syriamap_default = True  # left out of offline pages without a warning (see offline.to_html)
        mini.add_to(m)
    if layer_control and not _move_layer_control_last(m):
        n_layers = sum(isinstance(c, folium.map.Layer) and c.control for c in m._children.values())
        folium.LayerControl(collapsed=n_layers > COLLAPSE_LAYERS).add_to(m)
    return m

