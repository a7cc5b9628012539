"""The ``df.syriamap`` pandas accessor: the event-table tools as DataFrame methods.

`import syriamap` registers the accessor (as soon as pandas is loaded; this module on first use)::

    events.syriamap.validate()      # -> ValidationReport
    events.syriamap.geocode()       # -> DataFrame with coordinates filled in
    events.syriamap.to_geojson()    # -> GeoJSON dict (or writes a file)
    events.syriamap.summary()       # -> counts and fatalities by type, admin1, month; imprecise rows apart

Each method works on the table conformed to the schema; none modifies it in place.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .schema import DATE_COARSE_FLAG, GEO_COARSE_FLAG, conform


#: Label of rows placed only at country level (or coarser) in ``by_admin1``.
COUNTRY_LEVEL = "(country level or coarser)"


@dataclass
class EventSummary:
    """Event counts and fatalities by event type, by admin1 and by month, and the imprecise rows apart.

    ``imprecise`` counts the rows flagged ``geo_coarse`` (placed only at country
    level) and ``date_coarse`` (dated only to the year).
    """

    by_type: pd.DataFrame
    by_admin1: pd.DataFrame
    by_month: pd.DataFrame
    imprecise: pd.DataFrame

    def __str__(self) -> str:
        parts = [f"{title}:\n{table.to_string()}" for title, table in self._tables()]
        return "\n\n".join(parts)

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("by event type", self.by_type), ("by admin1", self.by_admin1),
                ("by month (rows dated only to the year left out)", self.by_month),
                ("imprecise rows (counted apart)", self.imprecise)]

    def _repr_html_(self) -> str:
        return "".join(f"<h4>{html.escape(title)}</h4>{table.to_html()}" for title, table in self._tables())


def summarize(df: pd.DataFrame) -> EventSummary:
    """Events and fatalities (sum, missing counted as 0) per event_type, admin1 and month.

    Rows without the grouping value are counted under "(none)" / NaT.  Rows placed
    only at country level (flag ``geo_coarse``) are counted under
    :data:`COUNTRY_LEVEL` in ``by_admin1``, whatever admin1 they name; rows dated
    only to the year (``date_coarse``) are left out of ``by_month``, whose first
    day of the year they carry is not their month.  ``imprecise`` counts both
    kinds.  ``by_type`` and ``by_admin1`` add up to the number of rows.
    """
    events = conform(df)
    codes = events["flags"].fillna("").str.split(";")
    geo_coarse = codes.map(lambda c: GEO_COARSE_FLAG in c).to_numpy(dtype=bool)
    date_coarse = codes.map(lambda c: DATE_COARSE_FLAG in c).to_numpy(dtype=bool)
    admin1 = events["admin1"].fillna("(none)").astype(object)
    admin1[geo_coarse] = COUNTRY_LEVEL
    data = pd.DataFrame({
        "event_type": events["event_type"].astype("str").fillna("(none)"),
        "admin1": admin1,
        "month": events["event_date"].dt.to_period("M"),
        "fatalities": events["fatalities"].fillna(0).astype("int64"),
    })

    def table(frame: pd.DataFrame, key: str) -> pd.DataFrame:
        grouped = frame.groupby(key, dropna=False, sort=True)["fatalities"]
        out = pd.DataFrame({"events": grouped.size(), "fatalities": grouped.sum()})
        return out.sort_index() if key == "month" else out.sort_values(["events", "fatalities"], ascending=False, kind="stable")

    fatalities = data["fatalities"].to_numpy()
    imprecise = pd.DataFrame(
        {"events": [int(geo_coarse.sum()), int(date_coarse.sum())],
         "fatalities": [int(fatalities[geo_coarse].sum()), int(fatalities[date_coarse].sum())]},
        index=pd.Index([f"placed only at country level ({GEO_COARSE_FLAG})",
                        f"dated only to the year ({DATE_COARSE_FLAG})"], name="rows"),
    )
    return EventSummary(table(data, "event_type"), table(data, "admin1"), table(data[~date_coarse], "month"), imprecise)


class SyriamapAccessor:
    """``df.syriamap``: validate, geocode, export and summarise an event table."""

    def __init__(self, df: pd.DataFrame) -> None:
        self._df = df

    def validate(self, **kwargs: Any):
        """:func:`syriamap.validate.validate` on this table."""
        from .validate import validate

        return validate(self._df, **kwargs)

    def geocode(self, gazetteer=None, **kwargs: Any) -> pd.DataFrame:
        """The table with coordinates filled from place names (:func:`syriamap.geocode.geocode_events`).

        The report of what could not be resolved is logged; call
        ``geocode_events`` directly to get it as a table.
        """
        from .geocode import geocode_events

        return geocode_events(self._df, gazetteer, **kwargs).events

    def to_geojson(self, path: str | Path | None = None) -> dict[str, Any] | Path:
        """A GeoJSON FeatureCollection dict, or the file written when ``path`` is given."""
        from .io.geojson import to_geojson_dict, write_geojson

        return to_geojson_dict(self._df) if path is None else write_geojson(self._df, path)

    def summary(self) -> EventSummary:
        """Counts and fatalities by event_type, admin1 and month, imprecise rows apart (:func:`summarize`)."""
        return summarize(self._df)

    def map(self, **kwargs: Any):
        """This table as a layered folium map (:func:`syriamap.maps.event_map`; same keyword arguments)."""
        from .maps import event_map

        return event_map(self._df, **kwargs)
