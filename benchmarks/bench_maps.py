"""Benchmark: syriamap.event_map against the peers a user would really pick, same run, one command.

Build (map built and rendered to HTML, in its own subprocess: time, HTML size, peak
resident memory) at 10k/50k/100k events for:

* ``syriamap``: ``event_map`` (clustered, fatality heat, popups), online page;
* ``syriamap-pos``: ``event_map`` of the positions only, the content of FastMarkerCluster's page (size
  like for like: the peers below carry no popups, or fewer columns);
* ``fastmc``: folium's ``FastMarkerCluster`` (one callback-made marker per event);
* ``geojson``: folium ``GeoJson`` with canvas ``CircleMarker`` points (``prefer_canvas``);
* ``lonboard``: lonboard's ``Map(ScatterplotLayer).to_html`` (``pip install 'syriamap[bench]'``;
  skipped when not installed; its page loads its code from a CDN and draws nothing offline);
* ``folium``: one ``folium.Marker`` with a popup per event (the old baseline; 10k only by default).

Then, in Debian's Chromium, the offline pages (no network, no tiles) of syriamap
and of FastMarkerCluster (inlined by syriamap's own exporter): time from opening
to every event drawn; a 400x250 px pan and a one-level zoom in, each timed in the
page from the call to the next painted frame (median of several), over the whole
country and zoomed into a city, with points that do not stack: uniform over Syria
and "real" (clustered around towns, as conflict events are).

Every build runs ``--repeat`` times (each in a fresh process) and every page is opened that many
times: the tables give medians.  The page's open time is from navigation to the first painted
frame with every event drawn (measured in the page); for syriamap also to its popup columns
unpacked, which happens after that frame.

Run: ``.venv/bin/python benchmarks/bench_maps.py [--sizes 10000 50000 100000] [--browser-events 100000]
[--repeat 3]``
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TYPES = ["Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
         "Strategic developments"]
TOWNS = [(36.20, 37.15), (33.51, 36.29), (34.73, 36.71), (35.13, 36.75), (35.93, 36.63), (35.33, 40.14),
         (35.95, 39.01), (32.62, 36.10), (36.52, 40.74), (35.52, 35.79), (34.89, 35.89), (37.05, 41.22)]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def make_events(n: int, seed: int = 0, layout: str = "uniform") -> pd.DataFrame:
    """n generated events over Syria in 2016-2018, each with its own note.

    ``uniform``: positions uniform over Syria's bounding box.  ``real``: 80% around
    twelve towns (normal spread of about 10 km), 20% spread out, as conflict events are.
    """
    rng = np.random.default_rng(seed)
    if layout == "real":
        near = rng.random(n) < 0.8
        town = np.array(TOWNS)[rng.integers(0, len(TOWNS), n)]
        lat = np.where(near, town[:, 0] + rng.normal(0, 0.09, n), rng.uniform(32.4, 37.2, n))
        lon = np.where(near, town[:, 1] + rng.normal(0, 0.11, n), rng.uniform(35.8, 42.2, n))
    else:
        lat, lon = rng.uniform(32.4, 37.2, n), rng.uniform(35.8, 42.2, n)
    words = np.array(["shelling", "clashes", "airstrike", "protest", "checkpoint", "convoy", "village", "town",
                      "near", "reported", "killed", "wounded", "forces", "fighters", "market", "road"])
    notes = [" ".join(rng.choice(words, 7)) + f" (report {i})" for i in range(n)]
    return pd.DataFrame({
        "event_id": [f"B{i}" for i in range(n)],
        "event_date": pd.Timestamp("2016-01-01") + pd.to_timedelta(rng.integers(0, 1096, n), unit="D"),
        "event_type": rng.choice(TYPES, n, p=[0.4, 0.3, 0.15, 0.08, 0.04, 0.03]),
        "actor1": rng.choice([f"Armed group {k}" for k in range(40)], n),
        "actor2": rng.choice([f"Civilians {k}" for k in range(20)], n),
        "latitude": lat.round(5),
        "longitude": lon.round(5),
        "location": rng.choice([f"Place {k}" for k in range(2000)], n),
        "fatalities": pd.array(rng.integers(0, 12, n), dtype="Int64"),
        "notes": notes,
    })


def _popup(row: Any) -> str:
    return (f"<b>{row.event_date:%Y-%m-%d}</b> {row.event_type}<br>{row.actor1} / {row.actor2}<br>"
            f"{row.location}, fatalities: {row.fatalities}<br>{row.notes}")


def build_folium_markers(df: pd.DataFrame) -> Any:
    import folium

    m = folium.Map(location=[35, 38.5], zoom_start=7)
    groups = {t: folium.FeatureGroup(name=t).add_to(m) for t in TYPES}
    for row in df.itertuples(index=False):
        folium.Marker([row.latitude, row.longitude], popup=folium.Popup(_popup(row), max_width=300)).add_to(
            groups[row.event_type])
    folium.LayerControl().add_to(m)
    return m


def build_fastmc(df: pd.DataFrame, tiles: str | None = "OpenStreetMap") -> Any:
    import folium
    from folium.plugins import FastMarkerCluster

    m = folium.Map(location=[35, 38.5], zoom_start=7, tiles=tiles, max_zoom=18)
    m.options["maxZoom"] = 18  # folium gives it to the tile layer only; markercluster needs it on the map
    # Leaflet's own marker icon: folium's default callback needs Leaflet.awesome-markers, which no
    # package ships for an offline page.
    callback = "function (row) { return L.marker(new L.LatLng(row[0], row[1])); }"
    FastMarkerCluster(df[["latitude", "longitude"]].to_numpy().tolist(), callback=callback).add_to(m)
    return m


def build_geojson(df: pd.DataFrame) -> Any:
    import folium

    m = folium.Map(location=[35, 38.5], zoom_start=7, prefer_canvas=True)
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [row.longitude, row.latitude]},
                 "properties": {"type": row.event_type, "date": f"{row.event_date:%Y-%m-%d}", "notes": row.notes}}
                for row in df.itertuples(index=False)]
    folium.GeoJson({"type": "FeatureCollection", "features": features},
                   marker=folium.CircleMarker(radius=4, fill=True, weight=0.5),
                   popup=folium.GeoJsonPopup(fields=["type", "date", "notes"])).add_to(m)
    return m


def build_syriamap(df: pd.DataFrame, tiles: str | None = "OpenStreetMap") -> Any:
    from syriamap.maps import event_map

    popup = ["event_date", "event_type", "actor1", "actor2", "location", "fatalities", "notes"]
    return event_map(df, popup_columns=popup, heat=True, heat_weight="fatalities", tiles=tiles)


def build_syriamap_positions(df: pd.DataFrame) -> Any:
    from syriamap.maps import event_map

    return event_map(df[["latitude", "longitude"]], popup_columns=[])


def build_lonboard(df: pd.DataFrame) -> str:
    import geopandas as gpd
    from lonboard import Map, ScatterplotLayer

    gdf = gpd.GeoDataFrame(df.assign(event_date=df["event_date"].dt.strftime("%Y-%m-%d")),
                           geometry=gpd.points_from_xy(df["longitude"], df["latitude"]), crs="EPSG:4326")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lonboard.html"
        Map(ScatterplotLayer.from_geopandas(gdf, get_radius=300)).to_html(path)
        return path.read_text(encoding="utf-8")


def run_case(kind: str, n: int) -> dict:
    """One build case, in this process (called in a subprocess by :func:`main`)."""
    df = make_events(n)
    import folium  # noqa: F401 - imports are not part of the build time

    import syriamap.maps  # noqa: F401
    if kind == "lonboard":
        import lonboard  # noqa: F401
    start = time.perf_counter()
    if kind == "lonboard":
        page = build_lonboard(df)
    else:
        builder = {"folium": build_folium_markers, "fastmc": build_fastmc, "geojson": build_geojson,
                   "syriamap": build_syriamap, "syriamap-pos": build_syriamap_positions}[kind]
        page = builder(df).get_root().render()
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"kind": kind, "n": n, "seconds": seconds, "bytes": len(page.encode("utf-8")), "peak_mb": peak_kib / 1024}


def in_subprocess(kind: str, n: int, repeat: int = 1) -> dict | None:
    """One build case, ``repeat`` times, each in a fresh process: median time and peak memory."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--case", kind, str(n)], capture_output=True, text=True)
        if out.returncode != 0:
            last = (out.stderr.strip().splitlines() or ["?"])[-1]
            print(f"  ({kind} at {n:,} not run: {last})", flush=True)
            return None
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {**runs[0], "seconds": statistics.median(r["seconds"] for r in runs),
            "peak_mb": statistics.median(r["peak_mb"] for r in runs), "runs": [r["seconds"] for r in runs]}


# --------------------------------------------------------------------------------------------
MAP_OF_PAGE = "(window.SyriaMap && SyriaMap.sets.length ? SyriaMap.sets[0].map : " \
              "window[Object.keys(window).find(k => k.startsWith('map_') && window[k] && window[k].getZoom)])"
STEP = """async ([what, dx, dy, repeats]) => {
  const map = %s;
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const sign = i %% 2 ? -1 : 1;
    await frame();
    const t0 = performance.now();
    if (what === 'pan') { map.panBy([sign * dx, sign * dy], {animate: false}); }
    else { map.setZoom(map.getZoom() + sign, {animate: false}); }
    await frame();
    times.push(performance.now() - t0);
  }
  return times;
}""" % MAP_OF_PAGE


DRAWN = {
    # the first frame with the events: syriamap draws them as soon as positions are unpacked (popup
    # columns follow after that frame); FastMarkerCluster's cluster layer is on the map
    "syriamap": "window.SyriaMap && SyriaMap.sets.length && SyriaMap.sets[0].data !== null",
    "fastmc": f"(() => {{ const m = {MAP_OF_PAGE}; if (!m) return false;"
              " let n = 0; m.eachLayer(l => { if (l.getChildCount) n += 1; }); return n > 0; })()",
}
PAINTED = """(() => {
  // checked at every frame; once the events are drawn, the start of the NEXT frame is when that frame
  // (with the events) has been painted: its wall-clock time goes in window.__drawnAt
  const drawn = () => { try { return !!(%s); } catch (e) { return false; } };
  const loop = () => {
    if (drawn()) { requestAnimationFrame(() => { window.__drawnAt = performance.timeOrigin + performance.now(); }); }
    else { requestAnimationFrame(loop); }
  };
  requestAnimationFrame(loop);
})();"""


def open_page(browser: Any, path: Path, kind: str) -> tuple[Any, float, float | None]:
    """Open an offline page: seconds from navigation to the first painted frame with every event drawn,
    and (syriamap) to the popup columns unpacked."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
               else r.abort())
    page.add_init_script(PAINTED % DRAWN[kind])
    start = time.time()
    page.goto(path.as_uri())
    page.wait_for_function("window.__drawnAt !== undefined", timeout=120000, polling=50)
    load = page.evaluate("window.__drawnAt") / 1000 - start
    columns = None
    if kind == "syriamap":
        page.wait_for_function("SyriaMap.sets[0].complete", timeout=120000, polling=50)
        columns = page.evaluate("performance.getEntriesByName('sm-columns')[0].startTime + performance.timeOrigin")
        columns = columns / 1000 - start
    return page, load, columns


def steps(page: Any, center: tuple[float, float], zoom: int) -> dict[str, float]:
    page.evaluate(f"void ({MAP_OF_PAGE}).setView([{center[0]}, {center[1]}], {zoom}, {{animate: false}})")
    page.wait_for_timeout(1500)  # background work (our index of the other zooms) settles, as a user's pause
    pan = page.evaluate(STEP, ["pan", 400, 250, 8])
    far = page.evaluate(STEP, ["pan", 1280, 0, 6])  # a whole screen: everything in view is new
    zoom_ms = page.evaluate(STEP, ["zoom", 0, 0, 6])
    return {"pan_ms": statistics.median(pan), "far_pan_ms": statistics.median(far), "zoom_ms": statistics.median(zoom_ms)}


def browser_case(n: int, repeat: int = 1) -> list[dict]:
    from playwright.sync_api import sync_playwright

    from syriamap.maps import save_html

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for layout in ("uniform", "real"):
            df = make_events(n, seed=1, layout=layout)
            for kind, build in (("syriamap", build_syriamap), ("fastmc", build_fastmc)):
                path = save_html(build(df, tiles=None), Path(tmp) / f"{kind}-{layout}.html", offline=True)
                opened = []
                for _ in range(repeat):
                    page, load, columns = open_page(browser, path, kind)
                    opened.append((load, columns))
                    if len(opened) < repeat:
                        page.close()
                load = statistics.median(o[0] for o in opened)
                columns = statistics.median(o[1] for o in opened) if kind == "syriamap" else None
                country = steps(page, (35.0, 38.5), 7)
                city = steps(page, (36.2, 37.15), 12)
                rows.append({"layout": layout, "kind": kind, "load_s": load, "popups_s": columns,
                             "mb": path.stat().st_size / 1e6,
                             "pan_ms": country["pan_ms"], "far_pan_ms": country["far_pan_ms"],
                             "zoom_ms": country["zoom_ms"], "city_pan_ms": city["pan_ms"],
                             "city_far_pan_ms": city["far_pan_ms"], "city_zoom_ms": city["zoom_ms"]})
                page.close()
        browser.close()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10000, 50000, 100000])
    parser.add_argument("--markers-up-to", type=int, default=10000,
                        help="run the one-folium.Marker-per-event baseline up to this size (slow)")
    parser.add_argument("--browser-events", type=int, default=100000, help="0 to skip the browser part")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case; medians are reported")
    parser.add_argument("--case", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case[0], int(args.case[1]))))
        return

    print(f"medians of {args.repeat} run(s)")
    print(f"{'events':>7} {'map':<12} | {'build s':>8} {'HTML MB':>8} {'peak RSS':>9} | {'build x ours':>12}")
    for n in args.sizes:
        kinds = ["syriamap", "syriamap-pos", "fastmc", "geojson", "lonboard"] + (
            ["folium"] if n <= args.markers_up_to else [])
        results = {k: in_subprocess(k, n, args.repeat) for k in kinds}
        ours = results["syriamap"]
        for kind, r in results.items():
            if r is None:
                continue
            ratio = r["seconds"] / ours["seconds"] if ours else float("nan")
            print(f"{n:>7,} {kind:<12} | {r['seconds']:>8.2f} {r['bytes'] / 1e6:>8.2f} {r['peak_mb']:>7.0f}MB | "
                  f"{ratio:>11.2f}x", flush=True)

    if args.browser_events:
        if not CHROMIUM.exists():
            print(f"browser part skipped: {CHROMIUM} is missing")
            return
        print(f"\nChromium, {args.browser_events:,} events, offline pages without tiles; steps are medians, "
              "call to next painted frame")
        print("country: zoom 7 over Syria; city: zoom 12 over Aleppo; pan 400x250 px, far pan one screen width")
        print("open: to the first painted frame with every event drawn; popups: to syriamap's popup columns unpacked")
        print(f"{'points':<8} {'map':<9} | {'open s':>6} {'popups':>6} {'MB':>5} | {'pan':>5} {'far':>5} {'zoom':>5} | "
              f"{'pan':>5} {'far':>5} {'zoom':>5}  (ms; country | city)")
        for r in browser_case(args.browser_events, args.repeat):
            popups = f"{r['popups_s']:>6.2f}" if r["popups_s"] is not None else f"{'-':>6}"
            print(f"{r['layout']:<8} {r['kind']:<9} | {r['load_s']:>6.2f} {popups} {r['mb']:>5.1f} | {r['pan_ms']:>5.0f} "
                  f"{r['far_pan_ms']:>5.0f} {r['zoom_ms']:>5.0f} | {r['city_pan_ms']:>5.0f} "
                  f"{r['city_far_pan_ms']:>5.0f} {r['city_zoom_ms']:>5.0f}", flush=True)


if __name__ == "__main__":
    main()
