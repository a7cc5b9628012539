"""Syria's governorate outlines shipped with the package, and the choropleth drawn from them.

``data/outlines_admin1.json`` (built by ``data/make_outlines.py``; source and
licence in ``data/README.md``) holds the 14 governorates as a topology: shared
borders are stored once as arcs, each area lists the arcs of its rings.

* :func:`admin_outlines` gives them as an ordinary GeoJSON FeatureCollection
  (for geopandas, folium or ``event_map(boundaries=...)``);
* :class:`Choropleth` is the map layer: the page colours each area by the
  events shown now (it follows the time slider and the ticked layers, as the
  proportional circles do), with a colour legend and tooltips that work with the
  event layers on (areas are drawn below the events, on their canvas).

Area names are the gazetteer's canonical admin1 names, the ones the readers
write, so events join on ``admin1`` directly; other spellings are resolved
through the gazetteer.
"""
from __future__ import annotations

import json
import logging
from functools import lru_cache
from importlib import resources
from typing import Any, Sequence

import pandas as pd
from jinja2 import Template

from .escape import html_text, script_json
from .layers import EventSet, RawText, _RuntimeLayer, _template_file
from .payload import encode

logger = logging.getLogger(__name__)

SHIPPED_LEVELS = ("admin1",)
"""Levels whose outlines ship with the package (districts do not yet: see data/README.md)."""

OUTLINES_KEY = "syriamap_outlines"


@lru_cache(maxsize=None)
def _topology(level: str) -> dict[str, Any]:
    if level not in SHIPPED_LEVELS:
        raise ValueError(f"outlines ship for {list(SHIPPED_LEVELS)} only, not {level!r}; "
                         "pass your own GeoJSON with boundaries=...")
    text = resources.files(__package__).joinpath("data", f"outlines_{level}.json").read_text(encoding="utf-8")
    return json.loads(text)


def _ring(arcs: list[list[list[float]]], indexes: Sequence[int]) -> list[list[float]]:
    """A closed ring from TopoJSON arc indexes (``~i`` is arc ``i`` reversed)."""
    out: list[list[float]] = []
    for i in indexes:
        part = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(part if not out else part[1:])
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def area_polygons(level: str = "admin1") -> list[tuple[str, list[list[list[list[float]]]]]]:
    """(canonical name, MultiPolygon coordinates as [[ring [lon, lat]...]...]) of each shipped area."""
    topo = _topology(level)
    arcs = topo["arcs"]
    return [(area["name"], [[_ring(arcs, ring) for ring in polygon] for polygon in area["polygons"]])
            for area in topo["areas"]]


def admin_outlines(level: str = "admin1") -> dict[str, Any]:
    """The shipped outlines of ``level`` as a GeoJSON FeatureCollection (property ``name``, ``source_name``)."""
    topo = _topology(level)
    by_name = {a["name"]: a for a in topo["areas"]}
    features = [{"type": "Feature",
                 "properties": {"name": name, "source_name": by_name[name]["source_name"]},
                 "geometry": {"type": "MultiPolygon", "coordinates": polygons}}
                for name, polygons in area_polygons(level)]
    return {"type": "FeatureCollection", "features": features}


def internal_borders(level: str = "admin1") -> list[list[list[float]]]:
    """Lines between two areas (each arc used by two areas), for the basemap's governorate borders."""
    topo = _topology(level)
    uses: dict[int, int] = {}
    for area in topo["areas"]:
        for polygon in area["polygons"]:
            for ring in polygon:
                for i in ring:
                    uses[i if i >= 0 else ~i] = uses.get(i if i >= 0 else ~i, 0) + 1
    return [topo["arcs"][i] for i in sorted(uses) if uses[i] >= 2]


def attribution(level: str = "admin1") -> str:
    return str(_topology(level)["attribution"])


def _norm(text: Any) -> str:
    return " ".join(str(text).casefold().split())


def _canonical(name: str, level: str) -> str | None:
    """The gazetteer's Syrian ``level`` name for a spelling, or None."""
    try:
        from syriamap.gazetteer import default_gazetteer

        found = default_gazetteer().resolve(name, kind=level, country="SY")
    except Exception as exc:  # noqa: BLE001 - a broken gazetteer must not break the map
        logger.warning("gazetteer lookup of %s %r failed (%s)", level, name, exc)
        return None
    if found is None or found.place.kind != level or found.place.country_code != "SY":
        return None
    return str(found.place.name)


def area_codes(values: pd.Series, names: Sequence[str], level: str) -> tuple[list[int], list[str]]:
    """Index into ``names`` of each value (-1: none), and the distinct values that matched no area.

    Values are matched as written (case and spacing aside), else through the gazetteer.
    """
    index = {_norm(n): j for j, n in enumerate(names)}
    keys = values.astype("string").str.strip()
    lookup: dict[str, int] = {}
    unmatched: list[str] = []
    for value in pd.unique(keys.dropna()):
        value = str(value)
        j = index.get(_norm(value))
        if j is None:
            canonical = _canonical(value, level) if value else None
            j = index.get(_norm(canonical)) if canonical else None
        if j is None:
            if value:
                unmatched.append(value)
            j = -1
        lookup[value] = j
    codes = [lookup.get(k, -1) if isinstance(k, str) else -1 for k in keys.to_numpy(dtype=object)]
    return codes, sorted(unmatched)


def outlines_element() -> RawText:
    """The choropleth's script (``templates/outlines.js``), once per page, after the runtime."""
    return RawText(f"<script>{_template_file('outlines.js')}</script>")


class Choropleth(_RuntimeLayer):
    """Areas coloured by the events shown now, recounted in the page as the slider and layers change.

    ``polygons`` are the areas' MultiPolygon coordinates ([lon, lat]); ``codes`` gives
    each drawn event's area (index into ``names``, -1 for none) in the
    :class:`EventSet`'s order.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = SyriaMap.choropleth({{ this.events.get_name() }}, SyriaMap.data("{{ this.data_id }}"));
{% endmacro %}
""")

    def __init__(self, events: EventSet, *, names: Sequence[str], polygons: Sequence[Any], codes: Sequence[int],
                 fatalities: Sequence[int] | None, name: str, attribution: str = "", show: bool = True) -> None:
        super().__init__(name=html_text(name), overlay=True, control=True, show=show)
        self._name = "SyriaMapChoropleth"
        self.events = events
        self.names = list(names)
        packed = {"a": list(codes), "f": list(fatalities) if fatalities is not None else None}
        self.options_json = script_json({"names": self.names, "polygons": list(polygons), "data": encode(packed),
                                         "title": name, "attribution": attribution})

    def render(self, **kwargs: Any) -> None:
        super().render(**kwargs)
        figure = self.get_root()
        if hasattr(figure, "header"):
            figure.header.add_child(outlines_element(), name=OUTLINES_KEY)
