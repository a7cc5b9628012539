"""The event schema: columns, dtypes, conform() and the column documentation."""
from __future__ import annotations

import pandas as pd

from syriamap.schema import (
    COLUMN_NAMES, COLUMNS, EVENT_TYPES, PARENT_TYPE, SUB_EVENT_TYPES, TAXONOMY, add_flag, columns_markdown,
    conform, empty_events,
)

ISSUE_COLUMNS = [
    "event_id", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2", "location",
    "admin1", "admin2", "country", "iso3", "latitude", "longitude", "geo_precision", "fatalities", "notes",
    "source", "url", "published", "place_id", "confidence",
]


def test_schema_has_every_column_the_issue_names_in_order():
    assert [c for c in COLUMN_NAMES if c in ISSUE_COLUMNS] == ISSUE_COLUMNS
    assert len(set(COLUMN_NAMES)) == len(COLUMN_NAMES)
    assert all(c.description for c in COLUMNS)


def test_empty_events_dtypes():
    empty = empty_events()
    assert list(empty.columns) == list(COLUMN_NAMES)
    assert str(empty["event_date"].dtype).startswith("datetime64")
    assert empty["fatalities"].dtype == "Int64"
    assert list(empty["event_type"].cat.categories) == list(EVENT_TYPES)
    assert list(empty["sub_event_type"].cat.categories) == list(SUB_EVENT_TYPES)


def test_taxonomy_is_acleds():
    assert set(TAXONOMY) == {"Battles", "Explosions/Remote violence", "Violence against civilians", "Protests",
                             "Riots", "Strategic developments"}
    assert PARENT_TYPE["Air/drone strike"] == "Explosions/Remote violence"
    assert PARENT_TYPE["Abduction/forced disappearance"] == "Violence against civilians"
    assert len(SUB_EVENT_TYPES) == 25


def test_conform_coerces_keeps_extras_after_schema_and_never_loses_a_label():
    raw = pd.DataFrame({
        "my_extra": ["x", "y", "z"],
        "event_type": ["battles", "Remote violence", "Shootout"],
        "fatalities": ["3", None, "2"],
        "event_date": ["2017-03-14", "2016-01-02", None],
        "latitude": ["35.1", "36", None],
    })
    out = conform(raw)
    assert list(out.columns) == list(COLUMN_NAMES) + ["my_extra"]
    assert out["event_type"].astype("str").tolist()[:2] == ["Battles", "Explosions/Remote violence"]
    assert out["event_type"].iloc[2] == "Shootout"  # unknown label kept, as an extra category
    assert out["fatalities"].tolist()[0] == 3 and pd.isna(out["fatalities"].iloc[1])
    assert out["event_date"].iloc[0] == pd.Timestamp("2017-03-14")
    assert out["latitude"].tolist()[:2] == [35.1, 36.0]
    assert len(out) == 3


def test_columns_markdown_documents_each_column_once():
    table = columns_markdown()
    for name in COLUMN_NAMES:
        assert table.count(f"| `{name}` |") == 1


def test_add_flag_appends_without_repeating():
    flags = pd.Series([pd.NA, "a", "a;b"], dtype="str")
    once = add_flag(flags, [True, True, False], "b")
    assert once.tolist()[:2] == ["b", "a;b"] and once.iloc[2] == "a;b"
    assert add_flag(once, [True, True, True], "b").tolist() == ["b", "a;b", "a;b"]
