"""Every mark on the map is drawn where its events are (checked in Chromium on the UCDP 2016 export).

With one layer per actor (about twenty layers), clustered and not, at zooms 5 to
12 over Aleppo, Damascus and Deir ez-Zor: each mark the page draws (a point, a
stack of events at one place, or a cluster) is compared with the true
positions, from the DataFrame, of the events it stands for.  A cluster's events
must lie within its cluster radius (in screen pixels) of its circle; a point or a
stack may be moved only by the small spread that separates marks of several
layers at one place.  Every event in view is drawn by exactly one mark.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from syriamap.maps import event_map, save_html

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CLUSTER_RADIUS_PX = 80   # EventSet's default cluster_radius
SPREAD_PX = 10           # runtime.js: marks of several layers at one place
VIEWS = {"Aleppo": (36.20, 37.15), "Damascus": (33.51, 36.29), "Deir ez-Zor": (35.33, 40.14)}


def world_px(lat: np.ndarray, lon: np.ndarray, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator pixel coordinates at ``zoom`` (256-pixel tiles), as Leaflet's EPSG:3857."""
    size = 256 * 2 ** zoom
    x = (np.asarray(lon) + 180.0) / 360.0 * size
    s = np.sin(np.radians(np.clip(lat, -85.0511287798, 85.0511287798)))
    y = (0.5 - np.log((1 + s) / (1 - s)) / (4 * math.pi)) * size
    return x, y




@pytest.fixture(scope="module")
def ucdp_events(ucdp_2016: Path) -> pd.DataFrame:
    from syriamap.io import read_ucdp

    return read_ucdp(ucdp_2016)


def check_marks(marks: list[dict[str, Any]], lat: np.ndarray, lon: np.ndarray, zoom: int) -> dict[str, int]:
    """Assert each mark is within its allowance of its events' true positions; returns what was seen."""
    px, py = world_px(lat, lon, zoom)
    seen: dict[int, int] = {}
    out = {"clusters": 0, "points": 0, "worst_cluster_px": 0, "worst_point_px": 0}
    for mark in marks:
        assert mark["zoom"] == zoom
        mx, my = world_px(np.array([mark["lat"]]), np.array([mark["lng"]]), zoom)
        members = np.array(mark["members"], dtype=np.int64)
        dist = np.hypot(px[members] - mx[0], py[members] - my[0])
        same_place = len(set(zip(lat[members], lon[members]))) == 1
        if same_place:
            out["points"] += 1
            out["worst_point_px"] = max(out["worst_point_px"], math.ceil(dist.max()))
            assert dist.max() <= SPREAD_PX + 0.5, (mark, dist.max())
        else:
            assert mark["cluster"], "only clusters group events at different places"
            out["clusters"] += 1
            out["worst_cluster_px"] = max(out["worst_cluster_px"], math.ceil(dist.max()))
            assert dist.max() <= CLUSTER_RADIUS_PX + 0.5, (len(members), dist.max())
        for i in mark["members"]:
            seen[i] = seen.get(i, 0) + 1
    assert all(v == 1 for v in seen.values()), "an event is drawn by more than one mark"
    return out


@pytest.mark.parametrize("cluster", [True, False], ids=["clustered", "unclustered"])
def test_every_mark_is_where_its_events_are(browser: Any, ucdp_events: pd.DataFrame, cluster: bool,
                                            tmp_path: Path, open_offline_page: Any):
    m = event_map(ucdp_events, layer_by="actor1", cluster=cluster, tiles=None, time_slider=False)
    (events,) = [c for c in m._children.values() if type(c).__name__ == "EventSet"]
    assert len(events.payload.categories) >= 15
    rows = events.payload.rows
    lat = pd.to_numeric(ucdp_events["latitude"]).to_numpy(float)[rows]
    lon = pd.to_numeric(ucdp_events["longitude"]).to_numpy(float)[rows]
    path = save_html(m, tmp_path / "actors.html", offline=True)
    context, page, errors = open_offline_page(browser, path, until="complete", settle_ms=0)
    totals = {"clusters": 0, "points": 0}
    for name, (clat, clon) in VIEWS.items():
        for zoom in range(5, 13):
            page.evaluate(f"void SyriaMap.sets[0].map.setView([{clat}, {clon}], {zoom}, {{animate: false}})")
            page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            marks = page.evaluate("SyriaMap.sets[0].debugMarks()")
            assert marks, f"nothing drawn at {name}, zoom {zoom}"
            seen = check_marks(marks, lat, lon, zoom)
            totals["clusters"] += seen["clusters"]
            totals["points"] += seen["points"]
            # every event in view is drawn: none lost
            bounds = page.evaluate("""(() => { const b = SyriaMap.sets[0].map.getPixelBounds();
                return [b.min.x, b.min.y, b.max.x, b.max.y]; })()""")
            px, py = world_px(lat, lon, zoom)
            inside = (px >= bounds[0]) & (px <= bounds[2]) & (py >= bounds[1]) & (py <= bounds[3])
            drawn = {i for mk in marks for i in mk["members"]}
            assert set(np.flatnonzero(inside)) <= drawn, f"events near the view not drawn at {name}, zoom {zoom}"
    if cluster:
        assert totals["clusters"] > 0
    else:
        assert totals["clusters"] == 0 and totals["points"] > 0
    assert errors == []
    context.close()
