"""syriamap: news about the war in Syria and its region, as mapped, analysable events.

The pipeline, in order: text -> place mentions -> places from the offline
gazetteer -> events -> a pandas DataFrame -> layered folium maps.

The public API is importable from here.  Names are loaded on first use so that
``import syriamap`` (and the gazetteer's cold start) stays fast: pandas, folium
and friends are imported only by the parts that need them.
"""
from __future__ import annotations

import importlib
import sys
from typing import Any

__version__ = "0.1.0"

#: Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    # gazetteer
    "Gazetteer": "syriamap.gazetteer",
    "Place": "syriamap.gazetteer",
    "Alias": "syriamap.gazetteer",
    "Candidate": "syriamap.gazetteer",
    "KINDS": "syriamap.gazetteer",
    "default_gazetteer": "syriamap.gazetteer",
    "lookup": "syriamap.gazetteer",
    "resolve": "syriamap.gazetteer",
    "GazetteerFileError": "syriamap.gazetteer",
    "OfflineGazetteer": "syriamap.gazetteer.geocoder",
    "CachedGeocoder": "syriamap.gazetteer.online",
    "evaluate_gazetteer": "syriamap.gazetteer.evaluate",
    "normalize_name": "syriamap.normalize",
    "parse_descriptor": "syriamap.normalize",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'syriamap' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
