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
def circles_page(browser: Any, ucdp_2016: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from syriamap.io import read_ucdp

    events = read_ucdp(ucdp_2016)
    m = event_map(events, aggregate="admin2", layer_by="actor1", tiles=None)
    path = save_html(m, tmp_path_factory.mktemp("labels") / "circles.html", offline=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
               else r.abort())
    page.goto(path.as_uri())
    page.wait_for_function("window.SyriaMap && SyriaMap.sets.length && SyriaMap.sets[0].data !== null",
                           timeout=60000)
    page.wait_for_timeout(300)
    yield page, errors, events, m.get_name()
    context.close()


def _overlapping(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]:
                out.append((a["text"], b["text"]))
    return out


@pytest.mark.parametrize("zoom", [6, 7, 9])
def test_area_labels_never_overlap_and_the_busiest_area_keeps_its_label(circles_page: Any, zoom: int):
    page, errors, events, name = circles_page
    page.evaluate(f"void {name}.setView([35.0, 38.5], {zoom}, {{animate: false}})")
    page.wait_for_timeout(300)
    boxes = page.evaluate(f"{AREAS}.labelBoxes()")
    assert boxes, "no label drawn"
    assert _overlapping(boxes) == []
    busiest = events["admin2"].value_counts().index[0]
    assert busiest in {b["text"] for b in boxes}
    # the page's own text measure agrees with the browser's layout (a label is about as wide as its text)
    widths = page.evaluate("""b => b.map(x => { const s = document.createElement('span');
        s.style.font = '11px system-ui, sans-serif'; s.textContent = x.text; document.body.appendChild(s);
        const w = s.getBoundingClientRect().width; s.remove(); return [w, x.x1 - x.x0]; })""",
                           [b for b in boxes if not b["text"].replace(",", "").isdigit()])
    assert all(abs(w + 4 - box) <= 2 for w, box in widths)
    assert errors == []


def test_at_country_scale_some_district_labels_give_way(circles_page: Any):
    page, errors, events, name = circles_page
    page.evaluate(f"void {name}.setView([35.0, 38.5], 6, {{animate: false}})")
    page.wait_for_timeout(300)
    shown = page.evaluate(f"{AREAS}._smAreas.filter(a => a.count > 0).map(a => [a.showCount, a.showName])")
    assert any(not c for c, _ in shown), "at zoom 6 the districts' labels would collide: some must be left out"
    assert any(c for c, _ in shown)
    assert errors == []
