"""The ``df.syriamap`` pandas accessor: the event-table tools as DataFrame methods.

Importing this module (``import syriamap`` does) registers the accessor::

    events.syriamap.validate()      # -> ValidationReport
    events.syriamap.geocode()       # -> DataFrame with coordinates filled in
    events.syriamap.to_geojson()    # -> GeoJSON dict (or writes a file)
    events.syriamap.summary()       # -> counts and fatalities by type, admin1, month

Each method works on the table conformed to the schema; none modifies it in place.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .schema import conform


@dataclass
class EventSummary:
    """Event counts and fatalities by event type, by admin1 and by month."""

    by_type: pd.DataFrame
    by_admin1: pd.DataFrame
    by_month: pd.DataFrame

    def __str__(self) -> str:
        parts = [f"{title}:\n{table.to_string()}" for title, table in self._tables()]
        return "\n\n".join(parts)

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("by event type", self.by_type), ("by admin1", self.by_admin1), ("by month", self.by_month)]

    def _repr_html_(self) -> str:
        return "".join(f"<h4>{html.escape(title)}</h4>{table.to_html()}" for title, table in self._tables())


def summarize(df: pd.DataFrame) -> EventSummary:
    """Events and fatalities (sum, missing counted as 0) per event_type, admin1 and month.

    Rows without the grouping value are counted under "(none)" / NaT, so every
    table adds up to the number of rows.
    """
    events = conform(df)
    data = pd.DataFrame({
        "event_type": events["event_type"].astype("str").fillna("(none)"),
        "admin1": events["admin1"].fillna("(none)"),
        "month": events["event_date"].dt.to_period("M"),
        "fatalities": events["fatalities"].fillna(0).astype("int64"),
    })

    def table(key: str) -> pd.DataFrame:
        grouped = data.groupby(key, dropna=False, sort=True)["fatalities"]
        out = pd.DataFrame({"events": grouped.size(), "fatalities": grouped.sum()})
        return out.sort_index() if key == "month" else out.sort_values(["events", "fatalities"], ascending=False, kind="stable")

    return EventSummary(table("event_type"), table("admin1"), table("month"))


@pd.api.extensions.register_dataframe_accessor("syriamap")
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
        """Counts and fatalities by event_type, admin1 and month (:func:`summarize`)."""
        return summarize(self._df)

    def map(self, **kwargs: Any):
        """This table as a layered folium map (:func:`syriamap.maps.event_map`; same keyword arguments)."""
        from .maps import event_map

        return event_map(self._df, **kwargs)
