"""Layered folium maps of events that scale to 100,000 events and can be saved for offline use.

>>> from syriamap.maps import event_map, save_html
>>> m = event_map(df, heat=True, aggregate="admin1", title="Syria 2016")   # doctest: +SKIP
>>> save_html(m, "events.html", offline=True)                              # doctest: +SKIP
>>> show(m)   # inline in Jupyter with no network: the offline page          # doctest: +SKIP
"""
from __future__ import annotations

from .build import event_map
from .offline import save_html, show, to_html
from .outlines import admin_outlines
from .png import save_png
from .style import OTHER, category_color, category_style

__all__ = ["OTHER", "admin_outlines", "category_color", "category_style", "event_map", "save_html", "save_png", "show",
           "to_html"]
