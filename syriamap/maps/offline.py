"""Save a folium map as HTML, optionally self-contained for use with no network.

With ``offline=True`` every ``<script src>`` and ``<link rel=stylesheet>`` that
folium or its plugins point at a CDN is replaced by the same library read from
an installed package: the XStatic packages of Leaflet, Leaflet.markercluster
(for folium's ``MarkerCluster`` plugin on a user's map: event maps cluster on
their own), jQuery, Bootstrap and Font Awesome (fonts and images become data URIs), and
Leaflet.heat from folium's own package data.  What no installed package
provides (Leaflet.awesome-markers, the Bootstrap 3 glyphicons, the minimap
plugin) is left out with a logged warning, together with the elements that need
it.  Map tiles stay online-only: without network the events are drawn on a
plain background.
"""
from __future__ import annotations

import base64
import logging
import mimetypes
import re
from functools import lru_cache
from importlib import util as importlib_util
from pathlib import Path
from typing import Collection, Iterator

import folium
from branca.element import Element

logger = logging.getLogger(__name__)

_SCRIPT_RE = re.compile(r'<script src="([^"]+)"></script>')
_LINK_RE = re.compile(r'<link rel="stylesheet" href="([^"]+)"\s*/?>')
_CSS_URL_RE = re.compile(r"url\(\s*(['\"]?)([^)'\"]+)\1\s*\)")
_SOURCEMAP_RE = re.compile(r"/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S+")
_FOLIUM_ICON_ASSETS = ("awesome-markers", "awesome.rotate", "glyphicons")
_TTF_SRC_RE = re.compile(r",\s*url\([^)]*\.ttf\)\s*format\([\"']truetype[\"']\)")


def _package_dir(module: str) -> Path | None:
    """Directory of an installed package (None when it is not installed)."""
    try:
        spec = importlib_util.find_spec(module)
    except ImportError:  # a parent package (``xstatic``) is not installed at all
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _xstatic(name: str, *parts: str) -> Path | None:
    base = _package_dir(f"xstatic.pkg.{name}")
    if base is None:
        return None
    path = base.joinpath("data", *parts)
    return path if path.is_file() else None


def _folium_file(name: str) -> Path | None:
    path = Path(folium.__file__).parent / "templates" / name
    return path if path.is_file() else None


@lru_cache(maxsize=None)
def local_assets(url: str) -> tuple[Path, ...] | None:
    """The installed files that replace a CDN ``url`` (None when no package has them).

    Matched on the library and file name in the address, whatever the CDN or the
    version folium asks for: the offline page uses the installed version.
    """
    low = url.lower()
    name = low.rsplit("/", 1)[-1].split("?", 1)[0]
    candidates: list[Path | None]
    if any(k in low for k in _FOLIUM_ICON_ASSETS):
        return None
    if "markercluster" in low:
        candidates = [_xstatic("leaflet_markercluster", {
            "leaflet.markercluster.js": "leaflet.markercluster.js",
            "markercluster.css": "MarkerCluster.css",
            "markercluster.default.css": "MarkerCluster.Default.css",
        }.get(name, "-"))]
    elif "heat" in low and name.endswith(".js"):
        candidates = [_folium_file("leaflet_heat.min.js")]
    elif name in ("leaflet.js", "leaflet-src.js"):
        candidates = [_xstatic("leaflet", "leaflet.js")]
    elif name == "leaflet.css":
        candidates = [_xstatic("leaflet", "leaflet.css")]
    elif name.startswith("jquery") and name.endswith(".js"):
        candidates = [_xstatic("jquery", "jquery.min.js")]
    elif "bootstrap" in low and name.endswith(".js"):
        candidates = [_xstatic("bootstrap", "js", "bootstrap.bundle.min.js")]
    elif "bootstrap" in low and name.endswith(".css"):
        candidates = [_xstatic("bootstrap", "css", "bootstrap.min.css")]
    elif "fontawesome" in low or "font-awesome" in low:
        if not name.endswith(".css"):
            return None
        # One @font-face per style, not all.css (which repeats every font for v4/v5 names).
        candidates = [_xstatic("font_awesome", "css", f) for f in
                      ("fontawesome.min.css", "solid.min.css", "regular.min.css", "brands.min.css")]
    else:
        return None
    if not candidates or any(c is None for c in candidates):
        return None
    return tuple(c for c in candidates if c is not None)


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or ("font/woff2" if path.suffix == ".woff2" else
                                                  "application/octet-stream")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(path: Path) -> str:
    """A stylesheet with its fonts and images as data URIs (TrueType fallbacks dropped: woff2 suffices)."""
    text = _SOURCEMAP_RE.sub("", _TTF_SRC_RE.sub("", path.read_text(encoding="utf-8")))

    def replace(match: re.Match[str]) -> str:
        target = match.group(2)
        if target.startswith(("data:", "#")):
            return match.group(0)
        local = (path.parent / target.split("?", 1)[0].split("#", 1)[0]).resolve()
        if not local.is_file():
            logger.warning("offline export: %s refers to %s, which is not installed; left out", path.name, target)
            return "url()"
        return f'url("{_data_uri(local)}")'

    return _CSS_URL_RE.sub(replace, text)


def _inline_js(path: Path) -> str:
    text = _SOURCEMAP_RE.sub("", path.read_text(encoding="utf-8"))
    return text.replace("</script", "<\\/script")


def _default_icon_script() -> str:
    """Point Leaflet's default marker icon at data URIs (its CSS path detection fails on inlined CSS)."""
    images = {key: _xstatic("leaflet", "images", f) for key, f in
              (("iconUrl", "marker-icon.png"), ("iconRetinaUrl", "marker-icon-2x.png"),
               ("shadowUrl", "marker-shadow.png"))}
    if any(p is None for p in images.values()):
        return ""
    opts = ",".join(f'{k}:"{_data_uri(p)}"' for k, p in images.items() if p is not None)
    return f"<script>L.Icon.Default.imagePath='';L.Icon.Default.mergeOptions({{{opts}}});</script>"


def _walk(element: Element) -> Iterator[tuple[Element, str, Element]]:
    """(parent, key, child) for every element below ``element``."""
    for key, child in list(element._children.items()):
        yield element, key, child
        yield from _walk(child)


def _offline_blockers(m: Element) -> list[tuple[Element, str, Element]]:
    """Elements that need a library no installed package provides (to leave out of the offline page)."""
    out = []
    for parent, key, child in _walk(m):
        if isinstance(child, folium.Icon):
            out.append((parent, key, child))
            continue
        urls = [u for _, u in list(getattr(child, "default_js", [])) + list(getattr(child, "default_css", []))]
        if child is not m and any(local_assets(u) is None for u in urls):
            out.append((parent, key, child))
    return out


def to_html(m: folium.Map, *, offline: bool = False) -> str:
    """The page of map ``m`` as a string (self-contained when ``offline``)."""
    if not offline:
        return m.get_root().render()
    if _xstatic("leaflet", "leaflet.js") is None or _xstatic("leaflet", "leaflet.css") is None:
        raise ImportError(
            "an offline map inlines Leaflet from the XStatic packages of the 'offline' extra, which is not "
            "installed: pip install 'syriamap[offline]'"
        )
    blockers = _offline_blockers(m)
    reported = {u for _, _, c in blockers
                for _, u in list(getattr(c, "default_js", [])) + list(getattr(c, "default_css", []))}
    root = m.get_root()
    for parent, key, child in blockers:
        # An earlier render (a notebook display, an online export) left this element's output in the
        # figure's sections; it would still be in the page without its library.
        for element in [child] + [c for _, _, c in _walk(child)]:
            for section in ("header", "html", "script"):
                part = getattr(root, section, None)
                if part is not None:
                    part._children.pop(element.get_name(), None)
        ours = getattr(child, "syriamap_default", False)
        logger.log(logging.INFO if ours else logging.WARNING,
                   "offline export: %s needs a library that no installed package provides; left out "
                   "(it works in the online export)", type(child).__name__)
        del parent._children[key]
    try:
        page = m.get_root().render()
    finally:
        for parent, key, child in blockers:
            parent._children[key] = child
    return inline_assets(page, reported=reported)


_USES = {
    # library: what in a page's own HTML and scripts shows that it is used
    "jquery": re.compile(r"\$\(|\bjQuery\b"),
    "bootstrap": re.compile(r"class=[\"'][^\"']*\b(?:btn|table|container|row|col-[a-z0-9-]+|glyphicon|badge|alert|"
                            r"card|form-control|dropdown|modal|nav|list-group)\b|data-bs-|data-toggle|bootstrap\."),
    "fontawesome": re.compile(r"\bfa-[a-z]|[\"']prefix[\"']\s*:\s*[\"']fa"),
}


def _library(url: str) -> str | None:
    low = url.lower()
    if "jquery" in low:
        return "jquery"
    if "bootstrap" in low and "glyphicons" not in low:
        return "bootstrap"
    if "fontawesome" in low or "font-awesome" in low:
        return "fontawesome"
    return None


def _unused_libraries(page: str) -> set[str]:
    """Libraries folium links by default that this page never uses (left out of the offline page)."""
    own = _LINK_RE.sub("", _SCRIPT_RE.sub("", page))
    unused = {name for name, pattern in _USES.items() if not pattern.search(own)}
    if "bootstrap" not in unused:
        unused.discard("jquery")  # Bootstrap 4's scripts need jQuery
    return unused


def inline_assets(page: str, *, reported: Collection[str] = ()) -> str:
    """Replace CDN ``<script src>``/``<link>`` tags of a rendered folium page by inline copies.

    Only what the page uses: jQuery, Bootstrap and Font Awesome, which folium
    links on every map, are left out when nothing in the page's own HTML and
    scripts calls or styles with them.
    """
    dropped: list[str] = []
    unused = _unused_libraries(page)

    def script(match: re.Match[str]) -> str:
        url = match.group(1)
        if _library(url) in unused:
            logger.debug("offline export: %s is not used by this page; left out", url)
            return ""
        files = local_assets(url)
        if files is None:
            dropped.append(url)
            return ""
        body = "".join(f"<script>/* {f.name} */\n{_inline_js(f)}\n</script>" for f in files)
        if files[0].name == "leaflet.js":
            body += _default_icon_script()
        return body

    def link(match: re.Match[str]) -> str:
        url = match.group(1)
        if _library(url) in unused:
            logger.debug("offline export: %s is not used by this page; left out", url)
            return ""
        files = local_assets(url)
        if files is None:
            dropped.append(url)
            return ""
        return "".join(f"<style>/* {f.name} */\n{_inline_css(f)}\n</style>" for f in files)

    page = _LINK_RE.sub(link, _SCRIPT_RE.sub(script, page))
    for url in dropped:
        # folium.Map lists the icon assets for folium.Icon markers, which to_html reports itself.
        quiet = url in reported or any(k in url for k in _FOLIUM_ICON_ASSETS)
        level = logging.INFO if quiet else logging.WARNING
        logger.log(level, "offline export: no installed package provides %s; left out", url)
    return page


class InlineMap:
    """A map displayed in Jupyter from its offline page: no script or style is fetched from a CDN.

    ``folium.Map`` displays itself with CDN links, so with no network the cell is
    blank; ``show(m)`` displays the same map with every asset inlined (``srcdoc``
    of a sandbox-free iframe, as folium does).
    """

    def __init__(self, m: folium.Map, *, height: int = 600) -> None:
        self.map = m
        self.height = int(height)

    def _repr_html_(self) -> str:
        import html

        page = html.escape(to_html(self.map, offline=True), quote=True)
        return (f'<iframe srcdoc="{page}" style="width:100%;height:{self.height}px;border:none" '
                'allowfullscreen></iframe>')


def show(m: folium.Map, *, height: int = 600) -> InlineMap:
    """Display map ``m`` inline in Jupyter with no network needed (the offline page; needs the 'offline' extra)."""
    return InlineMap(m, height=height)


def save_html(m: folium.Map, path: str | Path, *, offline: bool = False) -> Path:
    """Write map ``m`` to ``path`` as one HTML file; with ``offline`` it needs no network (tiles aside)."""
    path = Path(path)
    if path.parent and not path.parent.is_dir():
        raise FileNotFoundError(f"cannot save the map: folder {path.parent} does not exist")
    path.write_text(to_html(m, offline=offline), encoding="utf-8")
    logger.info("map saved to %s (%s bytes, offline=%s)", path, f"{path.stat().st_size:,}", offline)
    return path
