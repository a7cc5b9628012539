"""Labels of the area circles in Chromium: never overlapping, the busiest areas keep theirs."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from syriamap.maps import event_map, save_html

pytestmark = pytest.mark.browser

AREAS = "Object.values(SyriaMap.sets[0].map._layers).find(l => l._smCircles)"


@pytest.fixture(scope="module")
def circles_page(browser: Any, ucdp_2016: Path, tmp_path_factory: pytest.TempPathFactory,
                 open_offline_page: Any) -> Any:
    from syriamap.io import read_ucdp

    events = read_ucdp(ucdp_2016)
    m = event_map(events, aggregate="admin2", layer_by="actor1", tiles=None)
    path = save_html(m, tmp_path_factory.mktemp("labels") / "circles.html", offline=True)
    context, page, errors = open_offline_page(browser, path)
    yield page, errors, events, m.get_name()
    context.close()


def _overlapping(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]:
                out.append((a["text"], b["text"]))
    return out


MARKS = """(() => { const s = SyriaMap.sets[0], map = s.map;
    return s.debugMarks().map(m => { const p = map.latLngToContainerPoint([m.lat, m.lng]);
      return {x: p.x, y: p.y, r: m.radiusPx}; }); })()"""


@pytest.mark.parametrize("zoom", [6, 7, 9])
def test_area_labels_overlap_neither_each_other_nor_event_marks(circles_page: Any, zoom: int):
    page, errors, events, name = circles_page
    page.evaluate(f"void {name}.setView([35.0, 38.5], {zoom}, {{animate: false}})")
    page.wait_for_timeout(300)
    boxes = page.evaluate(f"{AREAS}.labelBoxes()")
    assert _overlapping(boxes) == []
    marks = page.evaluate(MARKS)
    assert marks
    for box in boxes:
        for mark in marks:  # the label's box against the mark's disc
            dx = max(box["x0"] - mark["x"], 0, mark["x"] - box["x1"])
            dy = max(box["y0"] - mark["y"], 0, mark["y"] - box["y1"])
            assert dx * dx + dy * dy >= mark["r"] ** 2, (box["text"], mark)
    assert errors == []


@pytest.mark.parametrize("zoom", [5, 7, 9])
def test_labels_away_from_the_marks_are_kept_busiest_first(browser: Any, tmp_path: Path, zoom: int,
                                                            open_offline_page: Any):
    # events placed in the desert, far from the centroids of the governorates they are coded to
    counts = {"Aleppo": 50, "Idlib": 30, "Hama": 20, "Latakia": 5}
    admin1 = [name for name, n in counts.items() for _ in range(n)]
    df = pd.DataFrame({"latitude": 35.0 + 0.001 * pd.Series(range(len(admin1))), "longitude": 38.2,
                       "admin1": admin1, "event_type": "Battles", "event_date": pd.Timestamp("2016-05-01")})
    path = save_html(event_map(df, aggregate="admin1", tiles=None), tmp_path / "areas.html", offline=True)
    context, page, errors = open_offline_page(browser, path)
    name = page.evaluate("Object.keys(window).find(k => k.startsWith('map_'))")
    page.evaluate(f"void {name}.setView([35.2, 37.4], {zoom}, {{animate: false}})")
    page.wait_for_timeout(300)
    boxes = page.evaluate(f"{AREAS}.labelBoxes()")
    assert _overlapping(boxes) == []
    texts = {b["text"] for b in boxes}
    if zoom >= 7:
        assert {"Aleppo", "50", "Idlib", "30", "Hama", "20"} <= texts  # far apart from zoom 7: all kept
    else:  # crowded: the busiest area keeps its count, smaller neighbours give way
        assert "50" in texts and len(texts & {"Aleppo", "Idlib", "Hama", "Latakia"}) < 4
    # the page's text measure agrees with the browser's layout (a name's box is its text's width + 4 px)
    widths = page.evaluate("""b => b.map(x => { const s = document.createElement('span');
        s.style.font = '11px system-ui, sans-serif'; s.textContent = x.text; document.body.appendChild(s);
        const w = s.getBoundingClientRect().width; s.remove(); return [w, x.x1 - x.x0]; })""",
                           [b for b in boxes if not b["text"].isdigit()])
    assert widths and all(abs(w + 4 - box) <= 2 for w, box in widths)
    assert errors == []
    context.close()


def test_at_country_scale_some_district_labels_give_way(circles_page: Any):
    page, errors, events, name = circles_page
    page.evaluate(f"void {name}.setView([35.0, 38.5], 6, {{animate: false}})")
    page.wait_for_timeout(300)
    shown = page.evaluate(f"{AREAS}._smAreas.filter(a => a.count > 0).map(a => [a.showCount, a.showName])")
    assert any(not c for c, _ in shown), "at zoom 6 the districts' labels would collide: some must be left out"
    assert any(c for c, _ in shown)
    assert errors == []
