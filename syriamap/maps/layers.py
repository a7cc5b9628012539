"""folium elements of an event map, rendered by Jinja templates.

:class:`EventSet` puts the events in the page once (see :mod:`.payload`) and the
other elements are thin handles on it: one :class:`CategoryLayer` per category
(a real folium ``Layer``, so ``folium.LayerControl`` lists it), a
:class:`HeatLayer`, the :class:`TimeSlider`, :class:`Legend`, :class:`Caption`,
:class:`Title` and :class:`FullscreenButton`.  The JavaScript they call lives in
``templates/runtime.js``, added once to the page header.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any, Sequence

from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.plugins import HeatMap
from jinja2 import Template

from .escape import html_text, script_json
from .payload import EventPayload, encode
from .style import category_colors

RUNTIME_KEY = "syriamap_runtime"


@lru_cache(maxsize=None)
def _template_file(name: str) -> str:
    """Text of a file in ``syriamap/maps/templates``."""
    return resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")


class RawText(Element):
    """Text written into the page as is: branca never compiles it as a Jinja template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


def runtime_element() -> RawText:
    """The runtime's ``<style>`` and ``<script>`` as one raw header element."""
    return RawText(_runtime_text())


@lru_cache(maxsize=None)
def _runtime_text() -> str:
    return f"<style>{_template_file('runtime.css')}</style>\n<script>{_template_file('runtime.js')}</script>"


def data_script(element_id: str, json_text: str) -> RawText:
    """``<script type="application/json">`` holding one element's options: never a template.

    branca renders each element's script a second time as a Jinja template; the
    data of our elements stays out of it, in these inert blocks that the runtime
    reads with ``textContent`` (``SyriaMap.data(id)``).  The JSON comes from
    :func:`~.escape.script_json`, so no data string can close the block.
    """
    return RawText(f'<script type="application/json" id="{element_id}">{json_text}</script>')


def _add_runtime_and_data(element: Element) -> None:
    """Put the runtime (once) and the element's data block in the page header."""
    figure = element.get_root()
    if isinstance(figure, Figure):
        figure.header.add_child(runtime_element(), name=RUNTIME_KEY)
        json_text = getattr(element, "options_json", None)
        if json_text is not None:
            figure.header.add_child(data_script(element.data_id, json_text), name=element.data_id)


class _DataMixin:
    @property
    def data_id(self) -> str:
        """Id of the element's data block (made from its own generated name, never from the data)."""
        return f"sm-data-{self.get_name()}"  # type: ignore[attr-defined]


class _RuntimeElement(_DataMixin, MacroElement):
    """Base of every element here: the runtime and the element's data go in the page header."""

    def render(self, **kwargs: Any) -> None:
        _add_runtime_and_data(self)
        super().render(**kwargs)


class EventSet(_RuntimeElement):
    """All events of one ``event_map`` call, in one compressed columnar payload.

    The runtime draws them on a canvas, clustered per category up to zoom
    ``cluster_max_zoom`` so that every event of a cluster lies within
    ``cluster_radius`` pixels of the cluster's circle (beyond that zoom, and with
    ``cluster=False``, only events at the same place are grouped); see the
    cluster index in ``templates/runtime.js``.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = SyriaMap.eventSet({{ this._parent.get_name() }}, SyriaMap.data("{{ this.data_id }}"));
{% endmacro %}
""")

    def __init__(self, payload: EventPayload, *, cluster: bool, tooltip_columns: Sequence[int],
                 marker_radius: float = 5.0, cluster_radius: int = 80, cluster_max_zoom: int = 15) -> None:
        super().__init__()
        self._name = "SyriaMapEvents"
        self.payload = payload
        self.cluster = cluster
        self.colors = category_colors(payload.categories)
        options = {
            "payloadId": self.payload_id,
            "meta": payload.meta(),
            "labels": payload.popup_labels,
            "colors": self.colors,
            "cluster": cluster,
            "clusterRadius": cluster_radius,
            "clusterMaxZoom": cluster_max_zoom,
            "tooltipColumns": list(tooltip_columns),
            "marker": {"radius": marker_radius, "stroke": "#222222", "weight": 0.6, "opacity": 0.85},
        }
        self.options_json = script_json(options)

    @property
    def payload_id(self) -> str:
        """Id of the block holding the packed events (base64 and ``.`` only: inert, read without JSON parsing)."""
        return f"{self.data_id}-payload"

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if isinstance(figure, Figure):
            block = f'<script type="text/plain" id="{self.payload_id}">{self.payload.encoded}</script>'
            figure.header.add_child(RawText(block), name=self.payload_id)
        super().render(**kwargs)


class _RuntimeLayer(_DataMixin, Layer):
    """A folium ``Layer`` (listed by the layer control) drawn by the runtime."""

    def render(self, **kwargs: Any) -> None:
        _add_runtime_and_data(self)
        super().render(**kwargs)


class CategoryLayer(Layer):
    """The events of one category: a handle on the :class:`EventSet`'s layer ``index``.

    The name is HTML-escaped because Leaflet's layer control writes layer names
    with ``innerHTML``; the category names come from the data.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = {{ this.events.get_name() }}.layer({{ this.index }});
{% endmacro %}
""")

    def __init__(self, events: EventSet, index: int, *, show: bool = True) -> None:
        name = events.payload.categories[index]
        color = events.colors[index]
        label = f'<span style="color:{color}">&#9679;</span> {html_text(name)}'
        super().__init__(name=label, overlay=True, control=True, show=show)
        self._name = "SyriaMapCategory"
        self.events = events
        self.index = index
        self.category = name


class HeatLayer(_DataMixin, JSCSSMixin, Layer):
    """Heat of the events shown now: those of the ticked category layers that the time slider lets through.

    Weighted when the map has a weight column.

    Uses Leaflet.heat, which folium ships inside its own package (so the offline
    export can inline it) and loads from the same address as ``folium.plugins.HeatMap``.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = {{ this.events.get_name() }}.heat(SyriaMap.data("{{ this.data_id }}"));
{% endmacro %}
""")
    default_js = list(HeatMap.default_js)

    def render(self, **kwargs: Any) -> None:
        _add_runtime_and_data(self)
        super().render(**kwargs)

    def __init__(self, events: EventSet, *, name: str = "Heat", show: bool = False,
                 radius: int = 15, blur: int = 15, min_opacity: float = 0.3) -> None:
        super().__init__(name=html_text(name), overlay=True, control=True, show=show)
        self._name = "SyriaMapHeat"
        self.events = events
        self.options_json = script_json({"radius": radius, "blur": blur, "minOpacity": min_opacity})


class AdminCircles(_RuntimeLayer):
    """Labelled, coloured proportional circles per admin area, recounted in the page as the events shown change.

    ``codes`` gives each drawn event's area (index into ``areas``, -1 for none) in
    the :class:`EventSet`'s order; it travels compressed, like the events.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = {{ this.events.get_name() }}.areas(SyriaMap.data("{{ this.data_id }}"));
{% endmacro %}
""")

    def __init__(self, events: EventSet, *, areas: list[dict[str, Any]], codes: Sequence[int],
                 fatalities: Sequence[int] | None, name: str, show: bool = True, max_radius: float = 40.0) -> None:
        super().__init__(name=html_text(name), overlay=True, control=True, show=show)
        self._name = "SyriaMapAreas"
        self.events = events
        self.areas = areas
        packed = {"a": list(codes), "f": list(fatalities) if fatalities is not None else None}
        self.options_json = script_json({"areas": areas, "data": encode(packed), "maxRadius": max_radius,
                                         "title": name})


class Basemap(_RuntimeElement):
    """The light vector basemap shipped with the package (``data/basemap.json``; sources in ``data/README.md``).

    Drawn under the tiles, so it shows where tiles do not load (no network) and on
    maps without tiles: land, sea, country borders, rivers, governorate and town labels.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = SyriaMap.basemap({{ this._parent.get_name() }}, SyriaMap.data("{{ this.data_id }}"));
{% endmacro %}
""")

    def __init__(self) -> None:
        super().__init__()
        self._name = "SyriaMapBasemap"
        self.options_json = _basemap_json()


@lru_cache(maxsize=None)
def _basemap_json() -> str:
    data = json.loads(resources.files(__package__).joinpath("data", "basemap.json").read_text(encoding="utf-8"))
    data["attribution"] = "Basemap: Natural Earth; towns: GeoNames (CC BY 4.0)"
    return script_json(data)


class TimeSlider(_RuntimeElement):
    """One slider per map filtering every event layer (and heat) of the map by period, with play."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = SyriaMap.timeSlider({{ this._parent.get_name() }}, SyriaMap.data("{{ this.data_id }}"));
{% endmacro %}
""")

    def __init__(self, *, position: str = "bottomleft", interval_ms: int = 800) -> None:
        super().__init__()
        self._name = "SyriaMapTimeSlider"
        self.options_json = script_json({"position": position, "interval": interval_ms})


class Legend(_RuntimeElement):
    """Colour, icon, name and count of each category of an :class:`EventSet`."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = SyriaMap.legend({{ this._parent.get_name() }}, {{ this.events.get_name() }},
    SyriaMap.data("{{ this.data_id }}"));
{% endmacro %}
""")

    def __init__(self, events: EventSet, *, title: str | None = None, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "SyriaMapLegend"
        self.events = events
        self.options_json = script_json({"title": title, "position": position})


class Caption(_RuntimeElement):
    """Lines of text (date range, counts, skipped rows) plus a live count of the events shown."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = SyriaMap.caption({{ this._parent.get_name() }},
    {{ this.events.get_name() if this.events else "null" }}, SyriaMap.data("{{ this.data_id }}"));
{% endmacro %}
""")

    def __init__(self, lines: Sequence[str], events: EventSet | None = None, *, position: str = "bottomleft") -> None:
        super().__init__()
        self._name = "SyriaMapCaption"
        self.events = events
        self.lines = list(lines)
        self.options_json = script_json({"lines": self.lines, "position": position})


class Title(_RuntimeElement):
    """A title centred at the top of the map (text only)."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = SyriaMap.title({{ this._parent.get_name() }}, SyriaMap.data("{{ this.data_id }}"));
{% endmacro %}
""")

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "SyriaMapTitle"
        self.text = text
        self.options_json = script_json(text)


class FullscreenButton(_RuntimeElement):
    """A full-screen toggle using the browser's Fullscreen API (no plugin, works offline)."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = SyriaMap.fullscreen({{ this._parent.get_name() }}, SyriaMap.data("{{ this.data_id }}"));
{% endmacro %}
""")

    def __init__(self, *, position: str = "topleft") -> None:
        super().__init__()
        self._name = "SyriaMapFullscreen"
        self.options_json = script_json({"position": position})
