"""PNG images of event maps: a "Save PNG" button in the page, and :func:`save_png` from Python.

* :class:`PngButton` adds a control that draws the current view (background,
  readable tiles, the basemap, areas and event canvases, labels, legend, caption
  and attribution) into one PNG and downloads it, in the page, with no network
  (``templates/png.js``).
* :func:`save_png` opens the map's offline page in headless Chromium (Playwright,
  the ``png`` extra), sets the view, and writes a screenshot of the map.
"""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any, Sequence

import folium
from jinja2 import Template

from syriamap import config

from .escape import script_json
from .layers import RawText, _RuntimeElement, _template_file

logger = logging.getLogger(__name__)

PNG_KEY = "syriamap_png"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def png_element() -> RawText:
    """The PNG export's script (``templates/png.js``), once per page, after the runtime."""
    return RawText(f"<script>{_template_file('png.js')}</script>")


class PngButton(_RuntimeElement):
    """A "PNG" button that downloads the current view of the map as ``filename``."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = SyriaMap.pngButton({{ this._parent.get_name() }}, SyriaMap.data("{{ this.data_id }}"));
{% endmacro %}
""")

    def __init__(self, *, filename: str = "map.png", position: str = "topleft") -> None:
        super().__init__()
        self._name = "SyriaMapPng"
        self.options_json = script_json({"filename": filename, "position": position})

    def render(self, **kwargs: Any) -> None:
        super().render(**kwargs)
        figure = self.get_root()
        if hasattr(figure, "header"):
            figure.header.add_child(png_element(), name=PNG_KEY)


def _chromium_path() -> str | None:
    """Chromium to drive (see :func:`syriamap.config.chromium_path`); None: Playwright's own."""
    path = config.chromium_path()
    return None if path is None else str(path)


def save_png(
    m: folium.Map,
    path: str | Path,
    *,
    width: int = 1280,
    height: int = 900,
    center: Sequence[float] | None = None,
    zoom: int | None = None,
    bounds: Sequence[Sequence[float]] | None = None,
    timeout_s: float = 60.0,
) -> Path:
    """Write a PNG of map ``m`` at ``width`` x ``height`` pixels, drawn by headless Chromium with no network.

    The view is ``bounds`` ([[south, west], [north, east]]) if given, else ``center``
    ((lat, lon)) and ``zoom``, else the map's own initial view.  Tiles cannot load
    (the page is opened offline): the shipped vector basemap shows instead.
    Needs Playwright (``pip install 'syriamap[png]'``) and a Chromium
    (``/usr/bin/chromium``, ``$SYRIAMAP_CHROMIUM``, or ``playwright install chromium``).
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise ImportError("save_png drives a headless Chromium through Playwright, which is not installed: "
                          "pip install 'syriamap[png]'") from exc
    if int(width) < 50 or int(height) < 50:
        raise ValueError(f"width and height must be at least 50 pixels, not {width}x{height}")
    if bounds is not None and center is not None:
        raise ValueError("give bounds or center/zoom, not both")
    path = Path(path)
    if path.parent and not path.parent.is_dir():
        raise FileNotFoundError(f"cannot save the PNG: folder {path.parent} does not exist")
    from .offline import to_html

    page_html = to_html(m, offline=True)
    view = {"name": m.get_name(),
            "bounds": [[float(a), float(b)] for a, b in bounds] if bounds is not None else None,
            "center": [float(center[0]), float(center[1])] if center is not None else None,
            "zoom": int(zoom) if zoom is not None else None}
    with tempfile.TemporaryDirectory(prefix="syriamap-png-") as tmp:
        page_path = Path(tmp) / "map.html"
        page_path.write_text(page_html, encoding="utf-8")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=_chromium_path(), args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": int(width), "height": int(height)})
                    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL_SCHEMES)
                               else r.abort())
                    page.goto(page_path.as_uri(), timeout=timeout_s * 1000)
                    page.wait_for_function("!window.SyriaMap || SyriaMap.sets.every(s => s.data !== null)",
                                           timeout=timeout_s * 1000)
                    # the page's own first fit may still be zooming: the view is set once it has settled
                    page.wait_for_function(_SETTLED, arg=view["name"], timeout=timeout_s * 1000)
                    page.evaluate(_SET_VIEW, view)
                    page.wait_for_function(_SETTLED, arg=view["name"], timeout=timeout_s * 1000)
                    page.evaluate("new Promise(r => setTimeout(() => requestAnimationFrame(() => "
                                  "requestAnimationFrame(r)), 250))")
                    data = page.locator(f"#{view['name']}").screenshot(type="png")
                finally:
                    browser.close()
        except PlaywrightError as exc:
            raise RuntimeError(f"could not draw the map in Chromium: {exc}".splitlines()[0]) from exc
    path.write_bytes(data)
    logger.info("PNG of the map saved to %s (%dx%d, %s bytes)", path, width, height, f"{len(data):,}")
    return path


_SET_VIEW = """v => {
  const map = window[v.name];
  if (v.bounds) { map.fitBounds(v.bounds, {animate: false}); }
  else if (v.center) { map.setView(v.center, v.zoom === null ? map.getZoom() : v.zoom, {animate: false}); }
  else if (v.zoom !== null) { map.setZoom(v.zoom, {animate: false}); }
}"""

_SETTLED = """name => {
  const map = window[name];
  return !map._animatingZoom && !(map._panAnim && map._panAnim._inProgress)
    && (!window.SyriaMap || SyriaMap.sets.every(s => !s._pending));
}"""

