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
    # errors: one root, data errors (exit 1) and usage errors (exit 2) under it
    "SyriamapError": "syriamap.errors",
    "DataError": "syriamap.errors",
    "UsageError": "syriamap.errors",
    "FetchError": "syriamap.gazetteer.fetch",
    "GeocodeCacheError": "syriamap.gazetteer.online",
    "GoldFileError": "syriamap.gazetteer.evaluate",
    "CuratedDataError": "syriamap.gazetteer.sources",
    "DocumentError": "syriamap.text.document",
    "ActorTableError": "syriamap.text.actors",
    # gazetteer
    "Gazetteer": "syriamap.gazetteer",
    "Place": "syriamap.gazetteer",
    "Alias": "syriamap.gazetteer",
    "Candidate": "syriamap.gazetteer",
    "Context": "syriamap.gazetteer",
    "KINDS": "syriamap.gazetteer",
    "default_gazetteer": "syriamap.gazetteer",
    "lookup": "syriamap.gazetteer",
    "resolve": "syriamap.gazetteer",
    "GazetteerFileError": "syriamap.gazetteer",
    "OfflineGazetteer": "syriamap.gazetteer.geocoder",
    "CachedGeocoder": "syriamap.gazetteer.online",
    "evaluate_gazetteer": "syriamap.gazetteer.evaluate",
    "import_geonames": "syriamap.gazetteer.importers",
    "import_open_syria": "syriamap.gazetteer.importers",
    "import_events": "syriamap.gazetteer.importers",
    "GazetteerImportError": "syriamap.gazetteer.importers",
    "normalize_name": "syriamap.normalize",
    "parse_descriptor": "syriamap.normalize",
    # the event table
    "COLUMNS": "syriamap.schema",
    "conform": "syriamap.schema",
    "empty_events": "syriamap.schema",
    "columns_markdown": "syriamap.schema",
    "validate": "syriamap.validate",
    "ValidationReport": "syriamap.validate",
    "read_events": "syriamap.io",
    "write_events": "syriamap.io",
    "read_ucdp": "syriamap.io",
    "read_acled": "syriamap.io",
    "write_acled": "syriamap.io",
    "read_gdelt": "syriamap.io",
    "read_geojson": "syriamap.io",
    "write_geojson": "syriamap.io",
    "read_csv": "syriamap.io",
    "write_csv": "syriamap.io",
    "read_parquet": "syriamap.io",
    "write_parquet": "syriamap.io",
    "EventFileError": "syriamap.io",
    "geocode_events": "syriamap.geocode",
    "GeocodeResult": "syriamap.geocode",
    "merge_duplicates": "syriamap.dedupe",
    # text
    "extract_events": "syriamap.text.pipeline",
    "extract_events_many": "syriamap.text.pipeline",
    "load_document": "syriamap.text.document",
    "MentionFinder": "syriamap.text.mentions",
    "evaluate_events": "syriamap.evaluation",
    "evaluate_mentions": "syriamap.evaluation",
    # maps
    "event_map": "syriamap.maps",
    "save_html": "syriamap.maps",
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


def _register_accessor(pandas: Any) -> None:
    """Register ``df.syriamap``; its module is imported on first use, not here."""

    def syriamap_accessor(df: Any) -> Any:
        from syriamap.accessor import SyriamapAccessor

        return SyriamapAccessor(df)

    syriamap_accessor.__doc__ = "``df.syriamap``: validate, geocode, export, summarise and map an event table."
    pandas.api.extensions.register_dataframe_accessor("syriamap")(syriamap_accessor)


class _AccessorWhenPandasLoads:
    """An import hook that registers ``df.syriamap`` as soon as pandas is loaded.

    ``import syriamap`` must not import pandas (the command line starts in a
    tenth of a second without it), yet ``df.syriamap`` must work whichever of
    the two a user imports first.  This finder sits first on ``sys.meta_path``
    until pandas is imported, then wraps pandas' own loader so that the
    accessor is registered right after pandas has loaded, and removes itself.
    """

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> Any:
        if fullname != "pandas":
            return None
        sys.meta_path.remove(self)
        import importlib.util

        spec = importlib.util.find_spec("pandas")
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            load = spec.loader.exec_module

            def exec_module(module: Any) -> None:
                load(module)
                _register_accessor(module)

            spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if "pandas" in sys.modules:
    _register_accessor(sys.modules["pandas"])
elif not any(isinstance(f, _AccessorWhenPandasLoads) for f in sys.meta_path):
    sys.meta_path.insert(0, _AccessorWhenPandasLoads())
