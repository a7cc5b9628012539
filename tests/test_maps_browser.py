"""Event maps checked in a real browser: Debian's Chromium driven by Playwright.

Every page is opened from its offline export with the network blocked (only
file:, data: and blob: requests pass).  Needs /usr/bin/chromium (`.ci/run`
installs it with apt-get); skipped with the reason when it is absent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
import pytest

from syriamap.maps import event_map, save_html

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
LOCAL_SCHEMES = ("file:", "data:", "blob:")




@dataclass
class Page:
    """An opened map page and what it reported: console errors, dialogs, blocked requests."""

    page: Any
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def counts(self) -> dict[str, Any]:
        """Points, clusters and events in clusters drawn in view, in total and per category."""
        return self.js("SyriaMap.sets[0].drawnCounts()")

    def settle(self) -> None:
        """Wait until every event set is loaded, no zoom or pan animation runs and a frame is painted."""
        self.page.wait_for_function(
            "SyriaMap.sets.every(s => s.complete && !s.map._animatingZoom && !s.map._panAnim?._inProgress)",
            timeout=30000)
        self.js("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def open_map(browser: Any, path: Path) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    opened = Page(page)
    page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: opened.errors.append(f"page error: {e}"))

    def on_dialog(dialog: Any) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    def route(r: Any) -> None:
        if r.request.url.startswith(LOCAL_SCHEMES):
            r.continue_()
        else:
            opened.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.add_init_script("window.__pwned = false;")
    page.goto(path.as_uri())
    page.wait_for_function("window.SyriaMap && SyriaMap.sets.length > 0 && SyriaMap.sets[0].complete",
                           timeout=60000)
    opened.settle()
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture(scope="module")
def ucdp_events(ucdp_2016: Path) -> pd.DataFrame:
    from syriamap.io import read_ucdp

    return read_ucdp(ucdp_2016)


@pytest.fixture(scope="module")
def ucdp_page_path(ucdp_events: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Offline export with no basemap: every request of the page must be local."""
    m = event_map(ucdp_events, heat=True, heat_weight="fatalities", aggregate="admin1",
                  title="UCDP GED Syria 2016", tiles=None)
    return save_html(m, tmp_path_factory.mktemp("maps") / "ucdp_2016.html", offline=True)


@pytest.fixture()
def ucdp_page(browser: Any, ucdp_page_path: Path) -> Iterator[Page]:
    yield from open_map(browser, ucdp_page_path)


def with_coordinates(df: pd.DataFrame) -> pd.DataFrame:
    """The events a map draws by default: with coordinates, and not placed only at country level."""
    from syriamap.maps.payload import has_flag
    from syriamap.schema import GEO_COARSE_FLAG

    return df[(df["latitude"].notna() & df["longitude"].notna()).to_numpy() & ~has_flag(df, GEO_COARSE_FLAG)]


def periods(events: pd.DataFrame) -> pd.Series:
    """Each event's month on the slider; none for events dated only to a year (always shown, like undated ones)."""
    from syriamap.maps.payload import has_flag
    from syriamap.schema import DATE_COARSE_FLAG

    months = events["event_date"].dt.strftime("%Y-%m")
    return months.where(~has_flag(events, DATE_COARSE_FLAG))


def drawn(counts: dict[str, Any]) -> int:
    """Events drawn: single points plus the counts of the clusters."""
    return counts["markers"] + counts["clustered"]


def drawn_by_type(counts: dict[str, Any]) -> dict[str, int]:
    return {name: drawn(c) for name, c in counts["byCategory"].items() if drawn(c)}


def test_markers_and_cluster_counts_add_up_to_the_data(ucdp_page: Page, ucdp_events: pd.DataFrame):
    """At the opening view (all of Syria), points + cluster counts in view = the events, per layer and in all."""
    events = with_coordinates(ucdp_events)
    expected = len(events)
    counts = ucdp_page.counts()
    assert drawn(counts) == expected
    assert counts["clusters"] > 0 and counts["clustered"] < expected  # clustered, but not into one blob
    assert drawn_by_type(counts) == events["event_type"].astype("string").value_counts().to_dict()
    assert ucdp_page.page.locator(".sm-caption-shown").inner_text() == f"Shown now: {expected:,} events"
    ARTIFACTS.mkdir(exist_ok=True)
    ucdp_page.page.screenshot(path=str(ARTIFACTS / "ucdp_2016_map.png"))
    assert ucdp_page.errors == []
    assert ucdp_page.blocked == []


def test_unticking_a_layer_hides_its_events(ucdp_page: Page, ucdp_events: pd.DataFrame):
    events = with_coordinates(ucdp_events)
    battles = int((events["event_type"] == "Battles").sum())
    assert 0 < battles < len(events)
    box = ucdp_page.page.locator(".leaflet-control-layers-overlays label", has_text="Battles").locator("input")
    before = drawn_by_type(ucdp_page.counts())
    box.uncheck()
    ucdp_page.settle()
    counts = ucdp_page.counts()
    assert drawn(counts) == len(events) - battles
    assert drawn_by_type(counts) == {k: v for k, v in before.items() if k != "Battles"}
    assert ucdp_page.page.locator(".sm-caption-shown").inner_text() == f"Shown now: {len(events) - battles:,} events"
    box.check()
    ucdp_page.settle()
    assert drawn_by_type(ucdp_page.counts()) == before
    assert ucdp_page.errors == []


def test_heat_follows_the_ticked_layers_and_the_slider(ucdp_page: Page, ucdp_events: pd.DataFrame):
    """The fatality heat holds the events with fatalities of the ticked layers in the slider's period."""
    events = with_coordinates(ucdp_events)
    killed = events[events["fatalities"].fillna(0) > 0]
    heat_points = "SyriaMap.sets[0].heats[0]._latlngs.length"
    assert ucdp_page.js(heat_points) == 0  # hidden at first, and filled only once shown
    heat_box = ucdp_page.page.locator(".leaflet-control-layers-overlays label", has_text="Heat").locator("input")
    heat_box.check()  # drawn: its canvas is in the page
    ucdp_page.settle()
    assert ucdp_page.page.locator("canvas.leaflet-heatmap-layer").count() == 1
    assert ucdp_page.js(heat_points) == len(killed)
    box = ucdp_page.page.locator(".leaflet-control-layers-overlays label", has_text="Battles").locator("input")
    box.uncheck()
    ucdp_page.settle()
    assert ucdp_page.js(heat_points) == int((killed["event_type"] != "Battles").sum())
    march = ucdp_page.js("SyriaMap.sliders[0].labels").index("2016-03")
    ucdp_page.page.locator(".sm-range").fill(str(march))
    ucdp_page.settle()
    months = periods(killed)
    expected = int((((months == "2016-03") | months.isna()) & (killed["event_type"] != "Battles")).sum())
    assert ucdp_page.js(heat_points) == expected
    assert ucdp_page.errors == []


def test_clicking_a_cluster_zooms_in_and_events_at_one_place_page_through(ucdp_page: Page,
                                                                        ucdp_events: pd.DataFrame):
    page = ucdp_page.page
    zoom = ucdp_page.js("SyriaMap.sets[0].map.getZoom()")
    # a real click on the centre of the largest cluster
    point = ucdp_page.js("""(() => { const s = SyriaMap.sets[0]; let best = null;
        s.debugMarks().forEach(m => { if (m.members.length > 1 && !m.samePlace &&
            (!best || m.members.length > best.members.length)) best = m; });
        const pt = s.map.latLngToContainerPoint([best.lat, best.lng]);
        const r = s.map.getContainer().getBoundingClientRect(); return [r.left + pt.x, r.top + pt.y]; })()""")
    page.mouse.click(point[0], point[1])
    ucdp_page.settle()
    assert ucdp_page.js("SyriaMap.sets[0].map.getZoom()") > zoom
    # the place with most events of one type: past the last cluster zoom they stay one circle ...
    events = with_coordinates(ucdp_events)
    per_place = events.groupby(["latitude", "longitude", "event_type"], observed=True).size()
    (lat, lon, kind), n = per_place.idxmax(), int(per_place.max())
    assert n > 1
    for other in set(events["event_type"].astype("string")) - {kind}:  # leave only that type ticked
        page.locator(".leaflet-control-layers-overlays label", has_text=other).locator("input").uncheck()
    ucdp_page.js(f"void SyriaMap.sets[0].map.setView([{lat}, {lon}], SyriaMap.sets[0].opts.clusterMaxZoom + 1,"
                 " {animate: false})")
    ucdp_page.settle()
    assert ucdp_page.counts()["byCategory"][kind]["clustered"] >= n  # other places of that type may be in view
    point = ucdp_page.js(f"""(() => {{ const s = SyriaMap.sets[0]; const pt = s.map.latLngToContainerPoint([{lat}, {lon}]);
        const r = s.map.getContainer().getBoundingClientRect(); return [r.left + pt.x, r.top + pt.y]; }})()""")
    # ... and clicking it opens their popups one after the other
    page.mouse.click(point[0], point[1])
    page.wait_for_selector(".sm-stack-pos")
    assert page.locator(".sm-stack-pos").inner_text() == f"event 1 of {n:,} at this place"
    assert page.locator(".leaflet-popup-content .sm-popup-title").inner_text() == kind
    page.locator(".sm-stack-next").click()
    assert page.locator(".sm-stack-pos").inner_text() == f"event 2 of {n:,} at this place"
    assert ucdp_page.errors == []


def test_time_slider_filters_every_layer(ucdp_page: Page, ucdp_events: pd.DataFrame):
    events = with_coordinates(ucdp_events)
    months = periods(events)
    undated = int(months.isna().sum())
    labels = ucdp_page.js("SyriaMap.sliders[0].labels")
    assert labels == sorted(months.dropna().unique())
    march = labels.index("2016-03")
    ucdp_page.page.locator(".sm-range").fill(str(march))  # fires the input event as a user's drag does
    ucdp_page.settle()
    assert ucdp_page.page.locator(".sm-slider-label").inner_text() == "2016-03"
    assert not ucdp_page.page.locator(".sm-check input").first.is_checked()  # "all dates" unticked
    counts = ucdp_page.counts()
    assert drawn(counts) == int((months == "2016-03").sum()) + undated
    in_march = events[(months == "2016-03") | months.isna()]
    assert drawn_by_type(counts) == in_march["event_type"].astype("string").value_counts().to_dict()
    # cumulative: everything up to March
    ucdp_page.page.locator(".sm-check input").nth(1).check()
    ucdp_page.settle()
    assert drawn(ucdp_page.counts()) == int((months <= "2016-03").sum()) + undated
    assert ucdp_page.page.locator(".sm-slider-label").inner_text() == "up to 2016-03"
    ucdp_page.page.locator(".sm-check input").first.check()
    ucdp_page.settle()
    assert drawn(ucdp_page.counts()) == len(events)
    assert ucdp_page.errors == []


def test_play_button_steps_through_time(ucdp_page: Page):
    ucdp_page.page.locator(".sm-play").click()
    ucdp_page.page.wait_for_function("Number(document.querySelector('.sm-range').value) >= 2", timeout=10000)
    ucdp_page.page.locator(".sm-play").click()  # pause
    shown = ucdp_page.page.locator(".sm-slider-label").inner_text()
    assert shown in ucdp_page.js("SyriaMap.sliders[0].labels")
    assert ucdp_page.errors == []


def test_legend_lists_each_type(ucdp_page: Page, ucdp_events: pd.DataFrame):
    events = with_coordinates(ucdp_events)
    present = events["event_type"].astype("string").value_counts()
    names = ucdp_page.page.locator(".sm-legend-name").all_inner_texts()
    counts = ucdp_page.page.locator(".sm-legend-count").all_inner_texts()
    assert sorted(names) == sorted(present.index)
    assert {n: int(c.replace(",", "")) for n, c in zip(names, counts)} == present.to_dict()


def test_popup_shows_the_event(ucdp_page: Page, ucdp_events: pd.DataFrame):
    text = ucdp_page.js("(() => { SyriaMap.sets[0].openEvent(0);"
                        " return document.querySelector('.leaflet-popup-content').innerText; })()")
    first = with_coordinates(ucdp_events).iloc[0]
    assert first["event_date"].strftime("%Y-%m-%d") in text
    assert str(first["location"]) in text
    assert str(first["notes"]).strip()[:40] in " ".join(text.split())


HOSTILE = [
    "<script>window.__pwned = true; alert('script')</script>",
    "<img src=x onerror=\"window.__pwned = true; alert('img')\">",
    "\"quotes' `backticks` & <b>bold</b>",
    "</script><script>window.__pwned = true; alert('close')</script>",
    "<svg onload=\"window.__pwned = true\"></svg>",
    "`${window.__pwned = true}` \\`",
]


def test_hostile_notes_run_nothing(browser: Any, tmp_path: Path):
    n = len(HOSTILE)
    rng = np.random.default_rng(7)
    df = pd.DataFrame({
        "event_date": pd.date_range("2021-01-01", periods=n, freq="15D"),
        "event_type": ["Battles", "Riots", "Protests", "Battles", HOSTILE[1], HOSTILE[5]],
        "actor1": HOSTILE,
        "location": HOSTILE[::-1],
        "admin1": HOSTILE,
        "latitude": rng.uniform(33, 36, n),
        "longitude": rng.uniform(36, 40, n),
        "notes": HOSTILE,
        "url": ["javascript:window.__pwned=true", "https://example.org/x", None, None, None, None],
    })
    m = event_map(df, cluster=False, title=HOSTILE[0], aggregate="admin1", tiles=None)
    m2 = event_map(df, layer_by="actor1", m=m)  # hostile layer and legend names too
    assert m2 is m
    path = save_html(m, tmp_path / "hostile.html", offline=True)
    for p in open_map(browser, path):
        page = p.page
        # a real click on a marker (canvas) opens its popup
        point = p.js("(() => { const s = SyriaMap.sets[0]; const pt = s.map.latLngToContainerPoint("
                     "s._latLng(0)); const r = s.map.getContainer().getBoundingClientRect();"
                     " return [r.left + pt.x, r.top + pt.y]; })()")
        page.mouse.move(point[0], point[1])
        page.wait_for_selector(".leaflet-tooltip")  # hovering shows one tooltip, as text
        assert page.locator(".leaflet-tooltip").count() == 1
        page.mouse.click(point[0], point[1])
        page.wait_for_selector(".leaflet-popup-content")
        assert HOSTILE[0] in page.locator(".leaflet-popup-content").inner_text()
        popups = p.js("""(() => SyriaMap.sets.flatMap(s => Array.from(s.data.k, (_, i) => {
            s.openEvent(i);
            const open = document.querySelectorAll('.leaflet-popup-content');  // closed ones fade out
            return open[open.length - 1].innerText; })))()""")
        joined = "\n".join(popups)
        for text in HOSTILE:
            assert text in joined
        assert "javascript:" not in " ".join(page.locator(".leaflet-popup-content a").evaluate_all(
            "els => els.map(a => a.href)"))
        assert page.locator(".sm-title").inner_text() == HOSTILE[0]
        overlays = page.locator(".leaflet-control-layers-overlays").inner_text()
        assert HOSTILE[1] in overlays and HOSTILE[3] in overlays
        assert HOSTILE[1] in page.locator(".sm-legend").first.inner_text()
        # open every folium tooltip (the admin circles carry the hostile admin names)
        tips = p.js("""(() => { const out = []; SyriaMap.sets[0].map.eachLayer(l => {
            if (l.getTooltip && l.getTooltip() && l._smIndex === undefined) {
                l.openTooltip(); out.push(l.getTooltip().getElement().innerText); } }); return out; })()""")
        assert all(any(text in t for t in tips) for text in HOSTILE)
        assert p.js("window.__pwned") is False
        assert p.dialogs == []
        assert page.locator(".leaflet-container img[src='x'], .leaflet-container svg[onload]").count() == 0
        assert p.errors == []
        page.screenshot(path=str(ARTIFACTS / "hostile_map.png"))


def test_online_export_without_network_still_draws_every_event(browser: Any, tmp_path: Path):
    """Offline export with a tile basemap: only the tiles are requested, the events are all there."""
    df = pd.DataFrame({"latitude": [33.5, 34.7, 36.2], "longitude": [36.3, 36.7, 37.1],
                       "event_type": ["Battles", "Protests", "Riots"],
                       "event_date": pd.to_datetime(["2020-01-01", "2020-02-01", None])})
    path = save_html(event_map(df), tmp_path / "tiles.html", offline=True)
    for p in open_map(browser, path):
        assert drawn(p.counts()) == 3
        assert p.blocked and all("tile.openstreetmap.org" in u for u in p.blocked)
        assert [e for e in p.errors if "Failed to load resource" not in e] == []
        assert p.page.locator(".sm-slider-note").inner_text() == "1 undated events always shown"


AREAS = "SyriaMap.sets[0].map._layers"
AREA_COUNTS = """(() => { const out = {}; Object.values(SyriaMap.sets[0].map._layers).forEach(l => {
    if (l._smAreas) l._smAreas.forEach(a => { if (a.count) out[a.name] = a.count; }); }); return out; })()"""


def test_area_circles_follow_the_slider_and_show_their_tooltip_under_the_events(ucdp_page: Page,
                                                                             ucdp_events: pd.DataFrame):
    events = with_coordinates(ucdp_events)
    events = events[events["admin1"].notna()]
    page = ucdp_page.page
    assert ucdp_page.js(AREA_COUNTS) == events["admin1"].astype("string").str.strip().value_counts().to_dict()
    assert page.locator(".sm-size-legend .sm-size-dot").count() == 3
    march = ucdp_page.js("SyriaMap.sliders[0].labels").index("2016-03")
    page.locator(".sm-range").fill(str(march))
    ucdp_page.settle()
    month = periods(events)
    in_march = events[(month == "2016-03") | month.isna()]
    assert ucdp_page.js(AREA_COUNTS) == in_march["admin1"].astype("string").str.strip().value_counts().to_dict()
    page.locator(".sm-check input").first.check()
    ucdp_page.settle()
    # a point inside the largest circle that no event mark covers: the area's tooltip shows there
    point = ucdp_page.js("""(() => { const s = SyriaMap.sets[0], map = s.map; let best = null;
        Object.values(map._layers).forEach(l => { if (l._smArea && (!best || l._radius > best._radius)) best = l; });
        const c = map.latLngToContainerPoint(best.getLatLng()), marks = [];
        s.debugMarks().forEach(m => marks.push([map.latLngToContainerPoint([m.lat, m.lng]), m.radiusPx]));
        for (let r = 4; r < best._radius - 2; r += 2) for (let a = 0; a < 6.28; a += 0.2) {
          const p = L.point(c.x + r * Math.cos(a), c.y + r * Math.sin(a));
          if (marks.every(([q, rad]) => p.distanceTo(q) > rad + 4)) {
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y, best._smArea.name]; } }
        return null; })()""")
    assert point is not None, "the largest circle is covered by event marks everywhere"
    page.mouse.move(point[0], point[1])
    page.wait_for_selector(".leaflet-tooltip")
    tip = page.locator(".leaflet-tooltip").inner_text()
    assert point[2] in tip and "events shown" in tip
    assert ucdp_page.errors == []


CANVAS_STATE = """name => { const map = window[name];
  return {zoom: map.getZoom(), animating: !!map._animatingZoom,
          canvases: Array.from(document.querySelectorAll('canvas.leaflet-zoom-animated')).map(c => c.style.transform)}; }"""


def test_a_pan_during_a_zoom_animation_leaves_no_canvas_scaled(ucdp_page: Page):
    """A move that ends while Leaflet animates a zoom (a pan, a view set by code) must not leave a canvas
    drawn for the zoom it left: once the animation ends every canvas is redrawn at the new zoom, unscaled."""
    name = ucdp_page.js("Object.keys(window).find(k => /^map_[0-9a-f]+$/.test(k))")
    for _ in range(3):
        ucdp_page.page.evaluate("""name => new Promise(done => { const map = window[name];
            map.setZoom(map.getZoom() - 1);                  // animated: starts at the next frame, lasts 250 ms
            setTimeout(() => { map.panBy([40, 25], {animate: false}); done(map._animatingZoom); }, 60);
            })""", name)
        ucdp_page.page.wait_for_timeout(700)
        state = ucdp_page.page.evaluate(CANVAS_STATE, name)
        assert not state["animating"] and state["canvases"], state
        assert all("scale" not in t for t in state["canvases"]), state
        ucdp_page.page.evaluate("name => { window[name].setZoom(window[name].getZoom() + 1, {animate: false}); "
                                "return 0; }", name)
        ucdp_page.page.wait_for_timeout(300)
