"""PNG export in Chromium: the page's "PNG" button and save_png(); the PNGs decode and show the events."""
from __future__ import annotations

import base64
import io
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from syriamap.maps import event_map, save_html, save_png
from syriamap.maps.style import category_color

pytestmark = pytest.mark.browser
Image = pytest.importorskip("PIL.Image")

EVENTS = pd.DataFrame({
    "latitude": [36.20, 33.51, 35.33, 34.73],
    "longitude": [37.16, 36.29, 40.14, 36.71],
    "event_type": ["Battles", "Battles", "Battles", "Battles"],
    "event_date": pd.to_datetime(["2016-01-02", "2016-02-03", "2016-03-04", "2016-04-05"]),
    "admin1": ["Aleppo", "Damascus", "Deir ez-Zor", "Homs"],
    "fatalities": [1, 2, 3, 4],
})


def _rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _near_colour(img: Any, x: float, y: float, rgb: tuple[int, int, int], radius: int = 4, tol: int = 40) -> bool:
    """Whether a pixel within ``radius`` of (x, y) has colour ``rgb`` (marks are drawn at 0.85 opacity)."""
    img = img.convert("RGB")
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            px = img.getpixel((int(round(x)) + dx, int(round(y)) + dy))
            if all(abs(a - b) <= tol for a, b in zip(px, rgb)):
                return True
    return False


def _pixel(lat: float, lon: float, center: tuple[float, float], zoom: int, size: tuple[int, int]) -> tuple[float, float]:
    """Web Mercator position of (lat, lon) in a ``size`` image centred on ``center`` at ``zoom``."""
    def world(la: float, lo: float) -> tuple[float, float]:
        scale = 256 * 2 ** zoom
        s = math.sin(math.radians(la))
        return scale * (lo + 180) / 360, scale * (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi))

    (x, y), (cx, cy) = world(lat, lon), world(*center)
    return x - cx + size[0] / 2, y - cy + size[1] / 2


def test_save_png_draws_the_view_with_the_events_at_their_places(tmp_path: Path):
    m = event_map(EVENTS, tiles=None, time_slider=False, legend=False)
    center, zoom, size = (34.8, 38.2), 7, (900, 700)
    path = save_png(m, tmp_path / "view.png", width=size[0], height=size[1], center=center, zoom=zoom)
    img = Image.open(path)
    assert img.format == "PNG" and img.size == size
    red = _rgb(category_color("Battles"))
    for lat, lon in zip(EVENTS["latitude"], EVENTS["longitude"]):
        assert _near_colour(img, *_pixel(lat, lon, center, zoom, size), red), (lat, lon)
    # and not everywhere: the middle of the desert has no event colour
    assert not _near_colour(img, *_pixel(34.0, 39.0, center, zoom, size), red)


def test_save_png_with_bounds_and_bad_arguments(tmp_path: Path):
    m = event_map(EVENTS, tiles=None)
    path = save_png(m, tmp_path / "b.png", width=400, height=300, bounds=[[33.0, 36.0], [37.0, 41.0]])
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and Image.open(path).size == (400, 300)
    with pytest.raises(ValueError, match="not both"):
        save_png(m, tmp_path / "c.png", bounds=[[33, 36], [37, 41]], center=(35, 38))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_png(m, tmp_path / "missing" / "c.png")


def test_save_png_without_playwright_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    with pytest.raises(ImportError, match=r"syriamap\[png\]"):
        save_png(event_map(EVENTS, tiles=None), tmp_path / "x.png")


def test_save_png_with_a_chromium_that_does_not_start_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SYRIAMAP_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(RuntimeError, match="could not draw the map in Chromium"):
        save_png(event_map(EVENTS, tiles=None), tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_png_button_downloads_the_current_view_offline(browser: Any, tmp_path: Path, open_offline_page: Any):
    m = event_map(EVENTS, tiles=None, aggregate="admin1", choropleth=True)
    page_path = save_html(m, tmp_path / "map.html", offline=True)
    context, page, errors = open_offline_page(browser, page_path, viewport=(1000, 800), settle_ms=0,
                                              accept_downloads=True)
    name = m.get_name()
    page.evaluate(f"void {name}.setView([34.8, 38.2], 7, {{animate: false}})")
    page.wait_for_timeout(400)
    with page.expect_download() as info:
        page.locator(".sm-png a").click()
    download = Path(info.value.path())
    img = Image.open(io.BytesIO(download.read_bytes()))
    assert img.format == "PNG" and img.size == (1000, 800)
    red = _rgb(category_color("Battles"))
    for lat, lon in zip(EVENTS["latitude"], EVENTS["longitude"]):
        x, y = page.evaluate(f"(p => {{ const q = {name}.latLngToContainerPoint(p); return [q.x, q.y]; }})",
                             [lat, lon])
        assert _near_colour(img, x, y, red), (lat, lon)
    # the legend box and its text are in the image: the page's own renderer gives the same bytes
    url = page.evaluate(f"SyriaMap.renderPng({name})")
    assert base64.b64decode(url.partition(",")[2]) == download.read_bytes()
    legend = page.locator(".sm-choropleth-legend").bounding_box()
    crop = img.convert("L").crop((int(legend["x"]), int(legend["y"]), int(legend["x"] + legend["width"]),
                                  int(legend["y"] + legend["height"])))
    assert crop.getextrema()[0] < 100  # dark text drawn on the light legend box
    assert errors == []
    context.close()
