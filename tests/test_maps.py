"""Unit tests of syriamap.maps: page structure, escaping, bad input, determinism, offline export.

The events are our own rows, generated here.
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import pytest

from syriamap.maps import OTHER, category_color, event_map, save_html, to_html
from syriamap.maps.payload import decode_payload

HOSTILE = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=alert(1)>",
    "\"quoted\" and 'single' & ampersand",
    "</script><script>alert(2)</script>",
    "`${alert(4)}` \\u0060",
]


def make_events(n: int = 40, seed: int = 1) -> pd.DataFrame:
    """Our own events in the schema's main columns."""
    rng = np.random.default_rng(seed)
    types = ["Battles", "Explosions/Remote violence", "Violence against civilians", "Protests"]
    return pd.DataFrame({
        "event_id": [f"E{i}" for i in range(n)],
        "event_date": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 120, n), unit="D"),
        "event_type": [types[i % len(types)] for i in range(n)],
        "actor1": [f"Actor {i % 3}" for i in range(n)],
        "latitude": rng.uniform(32.5, 37.0, n),
        "longitude": rng.uniform(36.0, 42.0, n),
        "admin1": [["Aleppo", "Homs", "Idlib"][i % 3] for i in range(n)],
        "location": [f"Village {i}" for i in range(n)],
        "fatalities": pd.array(rng.integers(0, 9, n), dtype="Int64"),
        "notes": [f"Note number {i}" for i in range(n)],
        "url": ["https://example.org/a"] * n,
    })


def event_sets(m: folium.Map) -> list:
    from syriamap.maps.layers import EventSet

    return [c for c in m._children.values() if isinstance(c, EventSet)]


def payload_of(m: folium.Map) -> dict:
    (events,) = event_sets(m)
    return decode_payload(events.payload.encoded)


def caption_lines(m: folium.Map) -> list[str]:
    from syriamap.maps.layers import Caption

    (caption,) = [c for c in m._children.values() if isinstance(c, Caption)]
    return caption.lines


def layer_names(m: folium.Map) -> list[str]:
    from syriamap.maps.layers import CategoryLayer

    return [c.category for c in m._children.values() if isinstance(c, CategoryLayer)]


def test_data_is_in_the_page_once_not_one_object_per_event():
    df = make_events(300)
    small, large = to_html(event_map(df)), to_html(event_map(make_events(3000)))
    assert small.count("SyriaMap.eventSet(") == 1
    # no JavaScript object per event: the code is the same for 300 and 3,000 events ...
    for code in ("L.marker(", "L.circleMarker(", "bindPopup("):
        assert small.count(code) == large.count(code)
    # ... and each extra event costs a few dozen bytes (its coordinates, codes and note)
    assert (len(large) - len(small)) / 2700 < 60
    data = payload_of(event_map(df))
    assert len(data["lat"]) == len(data["lon"]) == len(data["k"]) == 300
    # one layer per type present, in ACLED's order
    assert layer_names(event_map(df)) == ["Battles", "Explosions/Remote violence", "Violence against civilians",
                                          "Protests"]
    # coordinates survive to 1e-5 degree
    assert np.allclose(np.array(data["lat"]) / 1e5, df["latitude"], atol=1e-5)


def test_layer_counts_match_the_data():
    df = make_events(50)
    m = event_map(df)
    (events,) = event_sets(m)
    expected = df["event_type"].value_counts()
    assert dict(zip(events.payload.categories, events.payload.counts)) == expected.to_dict()


def test_hostile_strings_never_reach_the_page_raw():
    df = make_events(len(HOSTILE))
    df["notes"] = HOSTILE
    df["actor1"] = HOSTILE
    df["admin1"] = HOSTILE
    df["url"] = ["javascript:alert(1)", "https://example.org/ok", None, "JAVASCRIPT:alert(3)", None]
    for m in (event_map(df, title=HOSTILE[0]), event_map(df, layer_by="actor1", aggregate="admin1")):
        for offline in (False, True):
            page = to_html(m, offline=offline)
            for bad in ("<script>window.__pwned", "<img src=x onerror", "</script><script>alert(2)"):
                assert bad not in page, (bad, offline)
    assert "\\u003cscript\\u003ewindow.__pwned" in to_html(event_map(df, title=HOSTILE[0]))  # title, as JSON
    # area names reach the page as JSON strings (shown with textContent and canvas text) ...
    page = to_html(event_map(df, aggregate="admin1"))
    assert '"name":"\\u003cscript\\u003ewindow.__pwned=1\\u003c/script\\u003e"' in page
    # ... and where folium writes tooltips into JavaScript template literals (a choropleth's), backticks,
    # ${ and braces must not survive
    square = {"type": "Polygon", "coordinates": [[[36, 33], [37, 33], [37, 34], [36, 34], [36, 33]]]}
    gj = {"type": "FeatureCollection",
          "features": [{"type": "Feature", "properties": {"n": h}, "geometry": square} for h in HOSTILE]}
    m = event_map(df, aggregate="admin1", boundaries=gj, boundary_key="n")
    (areas,) = [c for c in m._children.values() if isinstance(c, folium.GeoJson)]
    labels = [f["properties"]["label"] for f in areas.data["features"]]
    assert any(label.startswith("<b>&#96;&#36;&#123;alert(4)&#125;&#96; &#92;u0060</b>") for label in labels)
    # the strings are kept (to be shown as text), only javascript: links are dropped
    data = payload_of(event_map(df))
    names = data["names"]
    notes = data["cols"][names.index("notes")]
    assert (notes.get("v") or [notes["d"][c] for c in notes["c"]]) == HOSTILE
    urls = data["cols"][names.index("url")]
    values = urls.get("v") or [None if c is None else urls["d"][c] for c in urls["c"]]
    assert values == [None, "https://example.org/ok", None, None, None]
    # layer names from the data are escaped for Leaflet's layer control
    page = to_html(event_map(df, layer_by="actor1"))
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page


def test_empty_dataframe_gives_an_empty_map_with_a_message():
    df = make_events(0)
    m = event_map(df)
    assert event_sets(m) == []
    assert caption_lines(m) == ["No events to show: the table is empty."]
    page = to_html(m)
    assert "No events to show" in page


def test_a_dataframe_without_any_column_is_an_empty_table_too():
    m = event_map(pd.DataFrame())
    assert event_sets(m) == []
    assert caption_lines(m) == ["No events to show: the table is empty."]


def test_rows_without_coordinates_are_skipped_and_counted():
    df = make_events(10)
    df.loc[[1, 4], "latitude"] = np.nan
    df.loc[7, "longitude"] = 500.0  # out of range: not a usable coordinate
    m = event_map(df)
    assert len(payload_of(m)["lat"]) == 7
    assert "3 of 10 rows without coordinates are not drawn." in caption_lines(m)


def test_no_usable_coordinates_at_all():
    df = make_events(3)
    df["latitude"] = np.nan
    m = event_map(df)
    assert event_sets(m) == []
    assert caption_lines(m) == ["No events to show: none of the 3 rows has usable coordinates."]


def test_unknown_and_missing_types_go_to_other():
    df = make_events(6)
    df["event_type"] = ["Battles", "Shelling", None, "Riots", "", "battles"]
    m = event_map(df)
    (events,) = event_sets(m)
    counts = dict(zip(events.payload.categories, events.payload.counts))
    assert counts == {"Battles": 1, "Riots": 1, OTHER: 4}
    assert events.payload.categories[-1] == OTHER


def test_other_columns_keep_their_most_frequent_values():
    df = make_events(30)
    df["actor1"] = ["A"] * 12 + ["B"] * 10 + ["C"] * 5 + ["D"] * 3
    m = event_map(df, layer_by="actor1", max_categories=2)
    (events,) = event_sets(m)
    assert dict(zip(events.payload.categories, events.payload.counts)) == {"A": 12, "B": 10, OTHER: 8}


def test_undated_events_are_drawn_but_kept_out_of_the_slider():
    df = make_events(12)
    df["event_date"] = df["event_date"].astype(object)
    df.loc[[0, 5], "event_date"] = None
    df.loc[3, "event_date"] = "not a date"
    m = event_map(df)
    data = payload_of(m)
    assert len(data["s"]) == 12
    assert [i for i, s in enumerate(data["s"]) if s < 0] == [0, 3, 5]
    assert "3 events have no date: drawn, but outside the time slider." in caption_lines(m)


def test_time_steps_cover_the_date_range():
    df = make_events(5)
    df["event_date"] = pd.to_datetime(["2021-01-31", "2021-02-01", "2021-04-15", "2021-04-16", "2021-01-01"])
    (events,) = event_sets(event_map(df, time_step="month"))
    assert events.payload.steps == ["2021-01", "2021-02", "2021-03", "2021-04"]
    assert decode_payload(events.payload.encoded)["s"] == [0, 1, 3, 3, 0]
    (weekly,) = event_sets(event_map(df, time_step="week"))
    assert weekly.payload.steps[0] == "2020-12-28"  # weeks start on Monday
    (daily,) = event_sets(event_map(df, time_step="day"))
    assert len(daily.payload.steps) == 106


def test_minimal_user_dataframe():
    df = pd.DataFrame({"latitude": [33.5, 36.2], "longitude": [36.3, 37.1],
                       "event_type": ["Protests", "Riots"], "event_date": ["2022-05-01", "2022-06-02"]})
    m = event_map(df)
    (events,) = event_sets(m)
    assert events.payload.categories == ["Protests", "Riots"]
    assert events.payload.date_min == "2022-05-01"
    df2 = df[["latitude", "longitude"]]
    (events2,) = event_sets(event_map(df2))
    assert events2.payload.categories == [OTHER]


@pytest.mark.parametrize("kwargs, message", [
    ({"time_step": "year"}, "time_step"),
    ({"layer_by": "nope"}, "layer_by column 'nope'"),
    ({"heat": True, "heat_weight": "nope"}, "heat_weight column 'nope'"),
    ({"popup_columns": ["notes", "nope"]}, "['nope']"),
    ({"aggregate": "admin3"}, "aggregate must be one of"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        event_map(make_events(5), **kwargs)


def test_missing_coordinate_column_is_named():
    with pytest.raises(ValueError, match="'latitude'"):
        event_map(pd.DataFrame({"lat": [1.0], "longitude": [2.0]}))


def test_colours_are_stable_and_independent_of_the_other_categories():
    assert category_color("Battles") == "#d62728"
    assert category_color("Some militia") == category_color("Some militia")
    assert re.fullmatch(r"#[0-9a-f]{6}", category_color("Some militia"))
    a = make_events(30)
    b = a[a["event_type"] != "Battles"]
    (ea,), (eb,) = event_sets(event_map(a)), event_sets(event_map(b))
    colors_a = dict(zip(ea.payload.categories, json.loads(ea.options_json)["colors"]))
    colors_b = dict(zip(eb.payload.categories, json.loads(eb.options_json)["colors"]))
    assert "Battles" not in colors_b
    assert all(colors_a[k] == v for k, v in colors_b.items())
    # other columns: twenty layers, twenty different colours
    from syriamap.maps.style import PALETTE, category_colors

    names = [f"Armed group {k}" for k in range(20)]
    assert sorted(category_colors(names)) == sorted(PALETTE)
    assert category_colors(names[:1]) == category_colors(names[:1] + ["x"])[:1]


def test_output_is_deterministic():
    df = make_events(200, seed=3)

    def page() -> str:
        # folium names elements with random ids: normalise them, the rest must be identical
        return re.sub(r"_[0-9a-f]{32}", "_ID", to_html(event_map(df, heat=True, aggregate="admin1")))

    assert page() == page()


def test_offline_export_inlines_everything(tmp_path: Path, caplog):
    df = make_events(20)
    m = event_map(df, heat=True, heat_weight="fatalities")
    with caplog.at_level(logging.WARNING, logger="syriamap.maps.offline"):
        out = save_html(m, tmp_path / "map.html", offline=True)
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+stylesheet", page)
    assert "SyriaMap.eventSet(" in page and "heatLayer" in page
    # only what the page uses: no jQuery, Bootstrap or Font Awesome (folium links them on every map)
    for unused in ("jquery", "bootstrap", "fontawesome", "data:font/woff2"):
        assert unused not in page.lower()
    fixed = to_html(event_map(make_events(1), basemap=False), offline=True)
    assert len(fixed.encode("utf-8")) < 300_000, "fixed weight of an offline page, basemap excluded"
    assert caplog.text == ""  # our own default minimap is left out quietly: no warning from our defaults
    # the map object itself is unchanged: the online page still has the minimap
    assert "Control.MiniMap" in to_html(m)
    # a CDN-only plugin the user added is left out with a warning
    from folium.plugins import MiniMap

    MiniMap().add_to(m)
    with caplog.at_level(logging.WARNING, logger="syriamap.maps.offline"):
        to_html(m, offline=True)
    assert "MiniMap" in caplog.text
    online = save_html(m, tmp_path / "online.html").read_text(encoding="utf-8")
    assert re.search(r'<script src="https://', online)


def test_offline_export_keeps_the_libraries_a_user_element_needs():
    m = event_map(make_events(5), tiles=None)
    folium.Marker([34.0, 37.0], popup=folium.Popup("<b>mine</b>")).add_to(m)  # folium builds popups with $()
    assert "jQuery" in to_html(m, offline=True)


def test_offline_export_inlines_folium_plugins_added_by_the_user():
    from folium.plugins import MarkerCluster

    m = event_map(make_events(10), tiles=None)
    cluster = MarkerCluster(name="User markers").add_to(m)
    folium.Marker([34.0, 37.0], popup="mine").add_to(cluster)
    page = to_html(m, offline=True)
    assert not re.search(r"<script[^>]+src=", page)
    assert "L.MarkerClusterGroup" in page and "marker-cluster-small" in page  # plugin JS and CSS, inlined


def test_save_html_names_a_missing_folder(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_html(event_map(make_events(3)), tmp_path / "nope" / "map.html")


def test_notebook_display_uses_srcdoc_not_a_data_uri():
    html = event_map(make_events(2000))._repr_html_()
    assert "srcdoc=" in html and "data:text/html" not in html


def test_existing_map_and_layer_control_are_reused():
    m = folium.Map(tiles=None)
    folium.LayerControl().add_to(m)
    event_map(make_events(10), m=m)
    children = list(m._children.values())
    assert sum(isinstance(c, folium.LayerControl) for c in children) == 1
    assert isinstance(children[-1], folium.LayerControl)


def test_admin_circles_use_given_centroids_and_fall_back_to_the_mean():
    from syriamap.maps.layers import AdminCircles

    df = make_events(30)
    df["admin1"] = [["Aleppo", "Qwxz Nowhere", "Idlib"][i % 3] for i in range(30)]
    m = event_map(df, aggregate="admin1", centroids={"Aleppo": (36.2, 37.15)})
    (layer,) = [c for c in m._children.values() if isinstance(c, AdminCircles)]
    by_name = {a["name"]: a for a in layer.areas}
    assert set(by_name) == {"Aleppo", "Qwxz Nowhere", "Idlib"}
    assert (by_name["Aleppo"]["lat"], by_name["Aleppo"]["lon"]) == (36.2, 37.15)
    nowhere = df[df["admin1"] == "Qwxz Nowhere"]  # no gazetteer knows it: mean of its events
    assert np.allclose((by_name["Qwxz Nowhere"]["lat"], by_name["Qwxz Nowhere"]["lon"]),
                       (nowhere["latitude"].mean(), nowhere["longitude"].mean()), atol=1e-5)
    assert by_name["Qwxz Nowhere"]["note"] == "placed at the mean of its events"
    assert by_name["Aleppo"]["note"] == ""
    # each drawn event carries its area's index, in the page's order, compressed like the events
    packed = decode_payload(json.loads(layer.options_json)["data"])
    names = [a["name"] for a in layer.areas]
    assert [names[c] for c in packed["a"]] == df["admin1"].tolist()
    assert packed["f"] == df["fatalities"].astype(int).tolist()


def test_choropleth_from_user_boundaries(tmp_path: Path):
    df = make_events(30)
    square = lambda x: {"type": "Polygon", "coordinates": [[[x, 33], [x + 1, 33], [x + 1, 34], [x, 34], [x, 33]]]}
    gj = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"NAME_1": name, "code": f"SY0{i}"}, "geometry": square(36 + i)}
        for i, name in enumerate(["Aleppo", "Homs", "Idlib", "Raqqa"])]}
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps(gj), encoding="utf-8")
    m = event_map(df, aggregate="admin1", boundaries=path)
    layer = [c for c in m._children.values() if isinstance(c, folium.GeoJson)][0]
    labels = [f["properties"]["label"] for f in layer.data["features"]]
    assert labels[1].startswith("<b>Homs</b><br>10 events")
    assert "0 events" in labels[3]
    fills = [f["properties"]["fill"] for f in layer.data["features"]]
    assert fills[3] == "#ffffff" and fills[0] != "#ffffff"
    with pytest.raises(ValueError, match="FeatureCollection"):
        event_map(df, aggregate="admin1", boundaries={"type": "Feature"})
    with pytest.raises(ValueError, match="cannot read boundary GeoJSON"):
        event_map(df, aggregate="admin1", boundaries=tmp_path / "missing.json")


def test_h3_hexagons_count_every_event():
    df = make_events(60)
    df.loc[0, "latitude"] = np.nan
    m = event_map(df, h3_resolution=4)
    layer = [c for c in m._children.values() if isinstance(c, folium.GeoJson)][0]
    total = sum(int(f["properties"]["label"].split()[0].replace(",", "")) for f in layer.data["features"])
    assert total == 59


def test_clustering_is_our_own_at_every_size():
    """Clustering is done by the page's runtime: same options at any size, no marker-cluster plugin."""
    for n in (30, 3000):
        (events,) = event_sets(event_map(make_events(n)))
        options = json.loads(events.options_json)
        assert options["cluster"] is True and options["clusterRadius"] > 0 and options["clusterMaxZoom"] < 18
    (plain,) = event_sets(event_map(make_events(30), cluster=False))
    assert json.loads(plain.options_json)["cluster"] is False
    for cluster in (True, False):
        page = to_html(event_map(make_events(30), cluster=cluster))
        assert "markercluster" not in page.lower()


def test_dataframe_accessor_map():
    m = make_events(12).syriamap.map(time_step="week", title="Accessor")
    assert isinstance(m, folium.Map)
    (events,) = event_sets(m)
    assert events.payload.n_drawn == 12 and len(events.payload.steps[0]) == 10  # weekly labels are dates


def test_cli_map_subcommand(tmp_path: Path, capsys):
    from syriamap.cli.app import main
    from syriamap.io import write_csv

    events = tmp_path / "events.csv"
    write_csv(make_events(25), events)
    assert main(["map", str(events), "--offline", "--heat-weight", "fatalities", "--tiles", "none",
                 "--title", "CLI"]) == 0
    page = (tmp_path / "events.html").read_text(encoding="utf-8")
    assert "SyriaMap.eventSet(" in page and "heatLayer" in page
    assert not re.search(r"<script[^>]+src=", page)
    assert "25 events ->" in capsys.readouterr().out


def test_offline_export_without_the_offline_extra_is_a_clear_error(monkeypatch):
    from syriamap.maps import offline

    monkeypatch.setattr(offline, "_xstatic", lambda name, *parts: None)
    m = event_map(make_events(3))
    with pytest.raises(ImportError, match=r"pip install 'syriamap\[offline\]'"):
        to_html(m, offline=True)
    assert "leaflet" in to_html(m).lower(), "the online page still works"


NO_XSTATIC = """
import importlib.abc, importlib.machinery, sys
class Missing(importlib.abc.MetaPathFinder, importlib.abc.Loader):  # as if the 'offline' extra were not installed
    def find_spec(self, name, path, target=None):
        return importlib.machinery.ModuleSpec(name, self) if name.split('.')[0] == 'xstatic' else None
    def create_module(self, spec):
        raise ModuleNotFoundError(f"No module named {spec.name!r}", name=spec.name)
    def exec_module(self, module):
        pass
sys.meta_path.insert(0, Missing())
"""


def test_offline_export_without_xstatic_at_all_names_the_extra(tmp_path: Path):
    """With no XStatic package installed at all, Python and the command line name the extra to install."""
    import subprocess
    import sys

    events = tmp_path / "events.csv"
    make_events(5).to_csv(events, index=False)
    code = (NO_XSTATIC + "from syriamap.cli import main\n"
            f"sys.exit(main(['map', {str(events)!r}, '--offline', '-o', {str(tmp_path / 'm.html')!r}]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1  # a missing optional dependency is not a usage error
    assert "pip install 'syriamap[offline]'" in proc.stderr
    assert "Traceback" not in proc.stderr and "No module named" not in proc.stderr
    code = (NO_XSTATIC + "import pandas as pd\nfrom syriamap.maps import event_map, to_html\n"
            f"df = pd.read_csv({str(events)!r})\n"
            "try:\n    to_html(event_map(df), offline=True)\nexcept ImportError as e:\n    print(e)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert "the 'offline' extra" in proc.stdout and "pip install 'syriamap[offline]'" in proc.stdout


def test_country_level_rows_are_left_out_and_counted():
    df = make_events(12)
    df["flags"] = [None] * 9 + ["geo_coarse", "date_coarse;geo_coarse", "date_coarse"]
    m = event_map(df, aggregate="admin1", heat=True, heat_weight="fatalities")
    (events,) = event_sets(m)
    assert events.payload.n_drawn == 10 and list(events.payload.rows) == list(range(9)) + [11]
    assert "2 events placed only at country level are not drawn." in caption_lines(m)
    assert "1 events dated only to a year: drawn, but outside the time slider." in caption_lines(m)
    data = payload_of(m)
    assert data["s"][-1] == -1  # the year-only event is outside the slider's periods
    assert sum(data["w"]) == int(df["fatalities"].iloc[list(range(9)) + [11]].sum())  # heat: none of the coarse
    from syriamap.maps.layers import AdminCircles

    (areas,) = [c for c in m._children.values() if isinstance(c, AdminCircles)]
    assert len(decode_payload(json.loads(areas.options_json)["data"])["a"]) == 10
    shown = event_map(df, show_coarse=True)
    (events,) = event_sets(shown)
    assert events.payload.n_drawn == 12
    assert "2 events placed only at country level are drawn at that country's point." in caption_lines(shown)


def test_show_displays_the_offline_page_in_a_notebook():
    from syriamap.maps import show

    html = show(event_map(make_events(20)), height=400)._repr_html_()
    assert html.startswith("<iframe srcdoc=") and "height:400px" in html
    assert "SyriaMap.eventSet(" in html
    assert not re.search(r"&lt;script src=", html)  # nothing fetched from a CDN
