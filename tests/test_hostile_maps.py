"""Hostile data through every field of a map: nothing from the data may run, at build time or in the page.

branca renders each element's script a second time as a Jinja template, so a
``{{ ... }}`` that reached a script would run Python while the map is built.
Each payload below would leave a trace if it ran: a file created next to the
test (``os.popen('touch ...')``), the builder's process id written into the
page (``PID<pid>DIP``), a marker word assembled by Jinja (``smpwned``), or
``window.__pwned`` set in the browser.  Every field that comes from the data is
tried: values, layer names, column names, the title, legend and tooltips, and
boundary GeoJSON names, properties, ids and junk members; through the Python
API and through the ``syriamap map`` command, in both export modes.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from syriamap.maps import event_map, to_html



def payloads(marker: Path) -> list[str]:
    """Template, HTML, JavaScript and URL payloads; the first ones would create ``marker`` if run."""
    touch = f"cycler.__init__.__globals__.os.popen('touch {marker}').read()"
    return [
        "{{ " + touch + " }}",
        "{% set x = " + touch + " %}",
        "{{ 'PID' ~ lipsum.__globals__.os.getpid() ~ 'DIP' }}",
        "{{ 'sm' ~ 'pwn' ~ 'ed' }}",
        "{% endraw %}{{ 'sm' ~ 'pwn' ~ 'ed' }}{% raw %}",
        "{# unclosed comment",
        "{% if true %}",
        "<script>window.__pwned = true</script>",
        "<img src=x onerror=\"window.__pwned = true\">",
        "</script><script>window.__pwned = true</script>",
        "\";window.__pwned = true;//",
        "`${window.__pwned = true}` \\",
        "javascript:window.__pwned = true",
    ]


def traces(page: str, marker: Path, pid: int) -> list[str]:
    """What a payload that ran would have left: returns the traces found (empty: nothing ran)."""
    found = []
    if marker.exists():
        found.append(f"{marker} was created")
    if f"PID{pid}DIP" in page:
        found.append("the process id leaked into the page")
    if "smpwned" in page:
        found.append("a Jinja expression was evaluated")
    return found


def hostile_table(values: list[str]) -> pd.DataFrame:
    """One event per payload, with the payload in every text column and as a column name."""
    n = len(values)
    rng = np.random.default_rng(3)
    evil_column = values[0]
    return pd.DataFrame({
        "event_id": [f"H{i}" for i in range(n)],
        "event_date": pd.date_range("2021-01-01", periods=n, freq="7D"),
        "event_type": values,
        "sub_event_type": values,
        "actor1": values,
        "actor2": values[::-1],
        "admin1": values,
        "admin2": values[::-1],
        "location": values,
        "latitude": rng.uniform(33, 36, n).round(4),
        "longitude": rng.uniform(36, 40, n).round(4),
        "fatalities": np.arange(n),
        "notes": values,
        "source": values,
        "url": values,
        evil_column: values,
    })


def hostile_boundaries(values: list[str]) -> dict[str, Any]:
    """Boundary polygons whose names, properties, ids and extra members are payloads, plus junk features."""
    features: list[Any] = []
    for i, value in enumerate(values):
        lon, lat = 36.0 + 0.3 * i, 33.0 + 0.2 * i
        ring = [[lon, lat], [lon + 0.25, lat], [lon + 0.25, lat + 0.15], [lon, lat + 0.15], [lon, lat]]
        features.append({
            "type": "Feature", "id": value, value: value,
            "properties": {"admin1": value, value: value, "nested": {value: [value]}},
            "geometry": {"type": "Polygon", "coordinates": [ring], "name": value},
        })
    features += [
        {"type": "Feature", "properties": {"admin1": values[0]}, "geometry": values[0]},
        {"type": "Feature", "properties": {"admin1": values[1]}, "geometry": {"type": "Polygon", "coordinates": None}},
        {"type": "Feature", "properties": {"admin1": values[2]},
         "geometry": {"type": "Polygon", "coordinates": [[[values[3], 1], [2, 3], [4, 5], [6, 7]]]}},
        values[4], None, 17,
    ]
    return {"type": "FeatureCollection", "name": values[0], "crs": {"type": values[1]}, "features": features}


def test_every_field_through_the_python_api_runs_nothing(tmp_path: Path):
    marker = tmp_path / "pwned-by-template"
    values = payloads(marker)
    df = hostile_table(values)
    boundaries = hostile_boundaries(values)
    maps = [
        event_map(df, title=values[0], aggregate="admin1", heat=True, heat_weight="fatalities"),
        event_map(df, layer_by="actor1", title=values[2], aggregate="admin2", cluster=False),
        event_map(df, layer_by=values[0], title=values[4], popup_columns=[values[0], "notes", "url"]),
        event_map(df, aggregate="admin1", boundaries=boundaries, title=values[3], tiles=None),
    ]
    for m in maps:
        for offline in (False, True):
            page = to_html(m, offline=offline)
            assert traces(page, marker, os.getpid()) == []
            for raw in ("<script>window.__pwned", "<img src=x onerror", "</script><script>window"):
                assert raw not in page
        m._repr_html_()  # the notebook display renders through branca too
        assert traces(to_html(m, offline=True), marker, os.getpid()) == []


def test_every_field_through_the_command_line_runs_nothing(tmp_path: Path):
    marker = tmp_path / "pwned-by-template"
    values = payloads(marker)
    events = tmp_path / "evil.csv"
    hostile_table(values).to_csv(events, index=False)
    geojson = tmp_path / "evil.geojson"
    geojson.write_text(json.dumps(hostile_boundaries(values)), encoding="utf-8")
    script = Path(sys.executable).with_name("syriamap")
    runs = [
        ["--aggregate", "admin1", "--title", values[0], "--layer-by", "admin1", "--heat-weight", "fatalities"],
        ["--aggregate", "admin1", "--boundaries", str(geojson), "--title", values[2], "--layer-by", "actor1"],
        ["--layer-by", values[0], "--title", values[4], "--no-cluster", "--tiles", "none"],
    ]
    for n, extra in enumerate(runs):
        for offline in ([], ["--offline"]):
            out = tmp_path / f"map{n}{'-offline' if offline else ''}.html"
            proc = subprocess.Popen([str(script), "map", str(events), "-o", str(out), *offline, *extra],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            stdout, stderr = proc.communicate(timeout=300)
            assert proc.returncode == 0, stderr
            assert "Traceback" not in stderr
            page = out.read_text(encoding="utf-8")
            assert traces(page + stdout + stderr, marker, proc.pid) == []
            assert "SyriaMap.eventSet(" in page


def test_the_map_command_refuses_to_overwrite_its_input(tmp_path: Path):
    events = tmp_path / "events.csv"
    hostile_table(["a", "b"]).to_csv(events, index=False)
    before = events.read_bytes()
    script = Path(sys.executable).with_name("syriamap")
    for target in (events, tmp_path / "." / "events.csv"):
        proc = subprocess.run([str(script), "map", str(events), "-o", str(target)], capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 2
        assert "refusing to write the map over its input" in proc.stderr and "Traceback" not in proc.stderr
    assert events.read_bytes() == before


@pytest.mark.browser
def test_hostile_pages_run_nothing_in_the_browser(browser: Any, tmp_path: Path):
    marker = tmp_path / "pwned-by-template"
    values = payloads(marker)
    df = hostile_table(values)
    m = event_map(df, layer_by=values[0], title=values[0], aggregate="admin1",
                  boundaries=hostile_boundaries(values), tiles=None)
    pages = []
    for offline in (False, True):
        path = tmp_path / f"evil{'-offline' if offline else ''}.html"
        path.write_text(to_html(m, offline=offline), encoding="utf-8")
        pages.append(path)
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
               else r.abort())
    page.add_init_script("window.__pwned = false;")
    page.goto(pages[1].as_uri())
    page.wait_for_function("window.SyriaMap && SyriaMap.sets.length && SyriaMap.sets[0].complete",
                           timeout=60000)
    # every popup, the legend, the layer control and the title show the payloads as text
    texts = page.evaluate("""(() => { const s = SyriaMap.sets[0]; const out = [];
        for (let i = 0; i < s.data.k.length; i++) { s.openEvent(i);
          const open = document.querySelectorAll('.leaflet-popup-content');
          out.push(open[open.length - 1].innerText); }
        out.push(document.querySelector('.sm-title').innerText);
        out.push(document.querySelector('.sm-legend').innerText);
        out.push(document.querySelector('.leaflet-control-layers').innerText);
        return out.join('\\n'); })()""")
    assert values[7] in texts and values[0] in texts
    assert page.evaluate("window.__pwned") is False
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert "javascript:" not in " ".join(page.locator("a").evaluate_all("els => els.map(a => a.href)"))
    context.close()
    assert not marker.exists()
