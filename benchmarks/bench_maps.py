"""Benchmark: syriamap.event_map against plain folium, and 100,000 events in headless Chromium.

Plain folium baseline: one ``folium.Marker`` with a popup per event, in one
``FeatureGroup`` per event type, with a LayerControl.  Both maps carry the same
popup fields (date, type, actors, place, fatalities and a unique note per event).
Each case runs in its own subprocess, which reports its build time (map built
and rendered to HTML), the HTML's size and its own peak resident memory, so the
cases do not pollute each other.  Then a 100,000-event map (offline export, no
tiles, clustered, with a fatality heat layer) is opened in Debian's Chromium:
time until every event is drawn (clusters and points), and time for the page to
respond to unticking and ticking a layer, moving the time slider, going back to
all dates and zooming in (each until handled and the next frame painted).

Run: ``.venv/bin/python benchmarks/bench_maps.py [--sizes 1000 10000 50000] [--browser-events 100000]``
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

TYPES = ["Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
         "Strategic developments"]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def make_events(n: int, seed: int = 0) -> pd.DataFrame:
    """n generated events over Syria in 2016-2018, each with its own note."""
    rng = np.random.default_rng(seed)
    words = np.array(["shelling", "clashes", "airstrike", "protest", "checkpoint", "convoy", "village", "town",
                      "near", "reported", "killed", "wounded", "forces", "fighters", "market", "road"])
    notes = [" ".join(rng.choice(words, 7)) + f" (report {i})" for i in range(n)]
    return pd.DataFrame({
        "event_id": [f"B{i}" for i in range(n)],
        "event_date": pd.Timestamp("2016-01-01") + pd.to_timedelta(rng.integers(0, 1096, n), unit="D"),
        "event_type": rng.choice(TYPES, n, p=[0.4, 0.3, 0.15, 0.08, 0.04, 0.03]),
        "actor1": rng.choice([f"Armed group {k}" for k in range(40)], n),
        "actor2": rng.choice([f"Civilians {k}" for k in range(20)], n),
        "latitude": rng.uniform(32.4, 37.2, n).round(5),
        "longitude": rng.uniform(35.8, 42.2, n).round(5),
        "location": rng.choice([f"Place {k}" for k in range(2000)], n),
        "fatalities": pd.array(rng.integers(0, 12, n), dtype="Int64"),
        "notes": notes,
    })


def build_plain_folium(df: pd.DataFrame) -> str:
    import folium

    m = folium.Map(location=[35, 38.5], zoom_start=7)
    groups = {t: folium.FeatureGroup(name=t).add_to(m) for t in TYPES}
    for row in df.itertuples(index=False):
        popup = (f"<b>{row.event_date:%Y-%m-%d}</b> {row.event_type}<br>{row.actor1} / {row.actor2}<br>"
                 f"{row.location}, fatalities: {row.fatalities}<br>{row.notes}")
        folium.Marker([row.latitude, row.longitude], popup=folium.Popup(popup, max_width=300)).add_to(
            groups[row.event_type])
    folium.LayerControl().add_to(m)
    return m.get_root().render()


def build_syriamap(df: pd.DataFrame) -> str:
    from syriamap.maps import event_map, to_html

    popup = ["event_date", "event_type", "actor1", "actor2", "location", "fatalities", "notes"]
    return to_html(event_map(df, popup_columns=popup))


def run_case(kind: str, n: int) -> dict:
    """One case, in this process (called in a subprocess by :func:`main`)."""
    df = make_events(n)
    import folium  # noqa: F401 - imports are not part of the build time
    import syriamap.maps  # noqa: F401

    start = time.perf_counter()
    page = build_plain_folium(df) if kind == "folium" else build_syriamap(df)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"kind": kind, "n": n, "seconds": seconds, "bytes": len(page.encode("utf-8")),
            "peak_mb": peak_kib / 1024}


def in_subprocess(kind: str, n: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--case", kind, str(n)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def browser_case(n: int) -> dict:
    """Open n events (offline export, no tiles, clustered, with a heat layer) in Chromium; time the load and
    four interactions, each until the page has handled it and painted the next frame."""
    from playwright.sync_api import sync_playwright

    from syriamap.maps import event_map, save_html

    df = make_events(n, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        m = event_map(df, tiles=None, cluster=True, heat=True, heat_weight="fatalities")
        path = save_html(m, Path(tmp) / "big.html", offline=True)
        size = path.stat().st_size
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
                       else r.abort())
            settled = "window.SyriaMap && SyriaMap.sets.length && SyriaMap.sets[0].data !== null"
            painted = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"

            def timed(action) -> float:
                start = time.perf_counter()
                action()
                page.wait_for_function(settled, timeout=120000, polling=20)
                page.evaluate(painted)
                return time.perf_counter() - start

            load = timed(lambda: page.goto(path.as_uri()))
            counts = page.evaluate("SyriaMap.sets[0].drawnCounts()")
            box = page.locator(".leaflet-control-layers-overlays label", has_text="Battles").locator("input")
            untick = timed(box.uncheck)
            retick = timed(box.check)
            slider = timed(lambda: page.locator(".sm-range").fill("5"))
            all_dates = timed(lambda: page.locator(".sm-check input").first.check())
            zoom = timed(lambda: page.evaluate("SyriaMap.sets[0].map.setZoom(SyriaMap.sets[0].map.getZoom() + 2,"
                                               " {animate: false})"))
            browser.close()
    return {"n": n, "html_mb": size / 1e6, "load_s": load, "drawn": counts["markers"] + counts["clustered"],
            "clusters": counts["clusters"], "points": counts["markers"], "untick_s": untick, "retick_s": retick,
            "slider_s": slider, "all_dates_s": all_dates, "zoom_s": zoom, "errors": errors}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--browser-events", type=int, default=100000, help="0 to skip the browser part")
    parser.add_argument("--case", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case[0], int(args.case[1]))))
        return

    print(f"{'events':>7} | {'folium s':>9} {'ours s':>7} {'x faster':>8} | {'folium MB':>9} {'ours MB':>8} "
          f"{'x smaller':>9} | {'folium RSS':>10} {'ours RSS':>8} {'x less':>6}")
    for n in args.sizes:
        f, o = in_subprocess("folium", n), in_subprocess("syriamap", n)
        print(f"{n:>7,} | {f['seconds']:>9.2f} {o['seconds']:>7.2f} {f['seconds'] / o['seconds']:>8.1f} | "
              f"{f['bytes'] / 1e6:>9.2f} {o['bytes'] / 1e6:>8.2f} {f['bytes'] / o['bytes']:>9.1f} | "
              f"{f['peak_mb']:>8.0f}MB {o['peak_mb']:>6.0f}MB {f['peak_mb'] / o['peak_mb']:>6.1f}", flush=True)

    if args.browser_events:
        if not CHROMIUM.exists():
            print(f"browser part skipped: {CHROMIUM} is missing")
            return
        b = browser_case(args.browser_events)
        print(f"\nChromium, {b['n']:,} events, clustered, heat layer (offline page {b['html_mb']:.1f} MB; "
              f"{b['drawn']:,} events drawn as {b['clusters']:,} clusters + {b['points']:,} points):")
        target = 3.0
        for label, key in (("open the page, all drawn", "load_s"), ("untick a layer", "untick_s"),
                           ("tick it again", "retick_s"), ("move the time slider", "slider_s"),
                           ("back to all dates", "all_dates_s"), ("zoom in two levels", "zoom_s")):
            print(f"  {label:<26} {b[key]:>6.2f} s   {'ok' if b[key] < target else 'OVER'} (target < {target:.0f} s)")
        if b["errors"]:
            print(f"  page errors: {b['errors']}")

if __name__ == "__main__":
    main()
