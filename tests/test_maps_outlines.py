"""Governorate outlines shipped with the package, and the choropleth drawn from them (browser part in Chromium)."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import pytest

from syriamap.maps import admin_outlines, event_map, save_html
from syriamap.maps.outlines import area_codes, area_polygons, internal_borders

DATA = Path(__file__).resolve().parents[1] / "syriamap" / "maps" / "data"


def test_every_shipped_area_is_a_syrian_governorate_of_the_gazetteer():
    from syriamap.gazetteer import default_gazetteer

    gazetteer = default_gazetteer()
    names = [f["properties"]["name"] for f in admin_outlines("admin1")["features"]]
    assert len(names) == len(set(names)) == 14
    for name in names:
        found = gazetteer.resolve(name, kind="admin1", country="SY")
        assert found is not None and found.place.kind == "admin1" and found.place.country_code == "SY", name
        assert found.place.name == name  # already canonical: the readers' admin1 joins as written


def test_outlines_are_small_closed_rings_inside_syria_and_borders_are_shared():
    size = (DATA / "outlines_admin1.json").stat().st_size
    assert size < 150_000
    for name, polygons in area_polygons("admin1"):
        for polygon in polygons:
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1], name
                assert all(35.5 <= lon <= 42.5 and 32.2 <= lat <= 37.4 for lon, lat in ring), name
    borders = internal_borders("admin1")
    assert borders and all(len(line) >= 2 for line in borders)
    # Aleppo's city lies in Aleppo governorate, Homs's in Homs: a point-in-polygon check of the geometry
    assert _area_of(36.20, 37.16) == "Aleppo" and _area_of(34.73, 36.71) == "Homs"


def _area_of(lat: float, lon: float) -> str | None:
    def inside(ring: list[list[float]]) -> bool:
        hit = False
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
        return hit

    found = [name for name, polygons in area_polygons("admin1")
             if any(inside(p[0]) and not any(inside(h) for h in p[1:]) for p in polygons)]
    assert len(found) <= 1
    return found[0] if found else None


def test_area_codes_join_canonical_names_and_other_spellings_through_the_gazetteer():
    names = [name for name, _ in area_polygons("admin1")]
    codes, unmatched = area_codes(pd.Series(["Idlib", "Idlib Governorate", " aleppo ", None, "Atlantis"]),
                                  names, "admin1")
    assert codes[0] == codes[1] == names.index("Idlib")
    assert codes[2] == names.index("Aleppo")
    assert codes[3] == codes[4] == -1
    assert unmatched == ["Atlantis"]


def test_ucdp_2016_by_admin1_joins_every_governorate(ucdp_2016: Path, caplog: pytest.LogCaptureFixture):
    from syriamap.io import read_ucdp

    events = read_ucdp(ucdp_2016)
    names = [name for name, _ in area_polygons("admin1")]
    codes, unmatched = area_codes(events["admin1"], names, "admin1")
    assert unmatched == []
    assert set(codes) - {-1} == set(range(len(names)))  # every governorate has events
    with caplog.at_level(logging.WARNING, logger="syriamap.maps"):
        m = event_map(events, aggregate="admin1", choropleth=True, tiles=None)
    assert not [r for r in caplog.records if "match no shipped" in r.getMessage()]
    html = m.get_root().render()
    assert "SyriaMap.choropleth(" in html and "Governorates: Natural Earth" in html


def test_choropleth_of_districts_says_they_do_not_ship_yet():
    df = pd.DataFrame({"latitude": [36.2], "longitude": [37.1], "admin2": ["Jebel Saman"]})
    with pytest.raises(ValueError, match="no district outlines ship"):
        event_map(df, aggregate="admin2", choropleth=True, tiles=None)
    with pytest.raises(ValueError, match="choropleth needs aggregate='admin1'"):
        event_map(df, choropleth=True, tiles=None)
    with pytest.raises(ValueError, match="needs a 'admin1' column"):
        event_map(df, aggregate="admin1", choropleth=True, tiles=None)


def test_readme_of_the_data_names_source_and_licence_of_the_outlines():
    text = (DATA / "README.md").read_text(encoding="utf-8")
    assert "outlines_admin1.json" in text and "Natural Earth" in text and "public domain" in text
    assert "make_outlines.py" in text
    data = json.loads((DATA / "outlines_admin1.json").read_text(encoding="utf-8"))
    assert "Natural Earth" in data["source"] and data["attribution"]


# ---- in Chromium -------------------------------------------------------------------------------------

STATE = "Object.values(SyriaMap.sets[0].map._layers).find(l => l.state && l._smShapes).state()"


@pytest.fixture(scope="module")
def ucdp_events(ucdp_2016: Path) -> pd.DataFrame:
    from syriamap.io import read_ucdp

    return read_ucdp(ucdp_2016)


@pytest.fixture(scope="module")
def choropleth_page(browser: Any, ucdp_events: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory,
                    open_offline_page: Any) -> Iterator[Any]:
    m = event_map(ucdp_events, aggregate="admin1", choropleth=True, layer_by="actor1", tiles=None)
    path = save_html(m, tmp_path_factory.mktemp("outlines") / "choropleth.html", offline=True)
    context, page, errors = open_offline_page(browser, path)
    yield page, errors
    context.close()


def _drawn(events: pd.DataFrame) -> pd.DataFrame:
    from syriamap.maps.payload import has_flag
    from syriamap.schema import DATE_COARSE_FLAG, GEO_COARSE_FLAG

    ok = events["latitude"].notna() & events["longitude"].notna() & ~has_flag(events, GEO_COARSE_FLAG)
    out = events[ok.to_numpy()].copy()
    out["month"] = out["event_date"].dt.strftime("%Y-%m").where(~has_flag(out, DATE_COARSE_FLAG))
    return out


def test_choropleth_follows_the_slider_and_has_a_colour_legend(choropleth_page: Any, ucdp_events: pd.DataFrame):
    page, errors = choropleth_page
    drawn = _drawn(ucdp_events)
    state = {a["name"]: a["count"] for a in page.evaluate(STATE)}
    assert state == {k: v for k, v in drawn["admin1"].value_counts().to_dict().items()}
    assert page.locator(".sm-choropleth-legend .sm-choropleth-row").count() >= 3
    march = page.evaluate("SyriaMap.sliders[0].labels").index("2016-03")
    page.locator(".sm-range").fill(str(march))
    page.wait_for_timeout(300)
    in_march = drawn[(drawn["month"] == "2016-03") | drawn["month"].isna()]
    state = page.evaluate(STATE)
    assert {a["name"]: a["count"] for a in state if a["count"]} == in_march["admin1"].value_counts().to_dict()
    fills = {a["name"]: a["fill"] for a in state}
    top = in_march["admin1"].value_counts()
    assert fills[top.index[0]] != fills[top.index[-1]]  # the busiest and quietest areas differ in colour
    assert errors == []


def test_choropleth_tooltip_shows_with_the_event_layers_on(choropleth_page: Any):
    page, errors = choropleth_page
    page.locator(".sm-check input").first.check()  # all dates again
    page.wait_for_timeout(300)
    # a point of the eastern desert that no event mark covers; its governorate from the outlines' geometry
    point = page.evaluate("""(() => { const s = SyriaMap.sets[0], map = s.map;
        const marks = s.debugMarks().map(m => [map.latLngToContainerPoint([m.lat, m.lng]), m.radiusPx]);
        const box = map.getContainer().getBoundingClientRect();
        for (let lat = 34.6; lat < 35.2; lat += 0.05) for (let lon = 39.4; lon < 40.2; lon += 0.05) {
          const p = map.latLngToContainerPoint([lat, lon]);
          if (marks.every(([q, r]) => p.distanceTo(q) > r + 4)) return [box.left + p.x, box.top + p.y, lat, lon]; }
        return null; })()""")
    assert point is not None
    expected = _area_of(point[2], point[3])
    assert expected is not None
    page.mouse.move(point[0], point[1])
    page.wait_for_selector(".leaflet-tooltip")
    tip = page.locator(".leaflet-tooltip").inner_text()
    assert expected in tip and "events shown" in tip
    assert errors == []
