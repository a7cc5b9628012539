"""Stable colours and icons per category, identical on every map.

A category always gets the same colour, whichever map or notebook draws it and
whatever other categories share the map: ACLED's six event types have a fixed
palette, every other value gets a colour derived from a hash of its text (not
from its position in a list, which would change with the data).
"""
from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass

from syriamap.schema import EVENT_TYPES

OTHER = "Other"
"""Layer that collects unknown or missing categories."""

ACLED_EVENT_TYPES: tuple[str, ...] = EVENT_TYPES
"""ACLED's event types, in ACLED's order (the order of the legend); owned by :mod:`syriamap.schema`."""

_FIXED_COLORS: dict[str, str] = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Protests": "#1f77b4",
    "Riots": "#8c564b",
    "Strategic developments": "#2ca02c",
    OTHER: "#7f7f7f",
}

_FIXED_ICONS: dict[str, str] = {
    "Battles": "fa-crosshairs",
    "Explosions/Remote violence": "fa-bomb",
    "Violence against civilians": "fa-person-falling-burst",
    "Protests": "fa-bullhorn",
    "Riots": "fa-fire",
    "Strategic developments": "fa-chess-knight",
    OTHER: "fa-circle-question",
}
_DEFAULT_ICON = "fa-circle"


@dataclass(frozen=True)
class CategoryStyle:
    """How one category is drawn: fill colour (``#rrggbb``) and Font Awesome icon class."""

    color: str
    icon: str


def category_color(name: str) -> str:
    """Colour of a category: ACLED palette, grey for "Other", else a hash-derived colour.

    The hash gives a hue anywhere on the wheel at fixed saturation and lightness,
    so derived colours stay readable on a light basemap and never depend on
    which other categories are present.
    """
    if name in _FIXED_COLORS:
        return _FIXED_COLORS[name]
    digest = hashlib.sha1(name.encode("utf-8")).digest()
    hue = int.from_bytes(digest[:2], "big") / 65536.0
    lightness = 0.40 + (digest[2] / 255.0) * 0.12
    r, g, b = colorsys.hls_to_rgb(hue, lightness, 0.65)
    return "#{:02x}{:02x}{:02x}".format(round(r * 255), round(g * 255), round(b * 255))


PALETTE: tuple[str, ...] = (
    "#1f77b4", "#e6550d", "#31a354", "#d62728", "#756bb1", "#8c564b", "#e377c2", "#0e7c7b", "#bcbd22", "#17becf",
    "#393b79", "#a55194", "#637939", "#d6616b", "#3182bd", "#fd8d3c", "#74c476", "#9e9ac8", "#843c39", "#e7ba52",
)
"""Twenty well-separated colours for layers other than ACLED's event types."""


def category_colors(names: list[str]) -> list[str]:
    """Colours of the layers of one map: distinct up to len(PALETTE) layers, and stable across maps.

    ACLED's event types and "Other" keep their fixed colours.  Any other name
    takes the palette slot its hash points at; when an earlier layer of the same
    map (layers come most frequent first) holds that slot, the next free one.  So
    a name keeps its colour on every map where its slot is free, and two layers
    of one map never share a colour until the palette runs out (then the
    hash-derived colour of :func:`category_color`).
    """
    taken: set[int] = set()
    out = []
    for name in names:
        if name in _FIXED_COLORS:
            out.append(_FIXED_COLORS[name])
            continue
        slot = int.from_bytes(hashlib.sha1(name.encode("utf-8")).digest()[:4], "big") % len(PALETTE)
        for step in range(len(PALETTE)):
            candidate = (slot + step) % len(PALETTE)
            if candidate not in taken:
                taken.add(candidate)
                out.append(PALETTE[candidate])
                break
        else:
            out.append(category_color(name))
    return out


def category_style(name: str) -> CategoryStyle:
    """Colour and icon of a category (see :func:`category_color`)."""
    return CategoryStyle(category_color(name), _FIXED_ICONS.get(name, _DEFAULT_ICON))
