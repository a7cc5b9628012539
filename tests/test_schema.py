"""The event schema: columns, dtypes, conform() and the column documentation."""
from __future__ import annotations

import pandas as pd
import pytest

from syriamap.schema import (
    COLUMN_NAMES, COLUMNS, EVENT_TYPES, PARENT_TYPE, SUB_EVENT_TYPES, TAXONOMY, add_flag, columns_markdown,
    conform, empty_events, from_records,
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


ODD_ROWS = [
    {"event_id": "a:1", "event_type": "battles", "fatalities": "12", "latitude": 36.2, "notes": "  ",
     "extra": 1},
    {"event_id": "a:2", "event_type": "Protests", "fatalities": 3, "latitude": float("inf"), "notes": "",
     "confidence": float("inf"), "geo_precision": 300},
    {"event_id": "a:3", "event_type": "Something new", "fatalities": True, "latitude": None, "notes": None,
     "time_precision": 2, "event_date": "2016-05-01", "sub_event_type": "Armed clash"},
    {"event_id": "", "event_type": None, "fatalities": None, "latitude": 7, "notes": "x", "actor1": 5,
     "confidence": 0.5, "published": pd.Timestamp("2016-05-02", tz="UTC"), "char_start": 2**60},
]


@pytest.mark.parametrize("rows", [ODD_ROWS, ODD_ROWS[:1], ODD_ROWS[3:], [{"event_id": "b:1"}]],
                         ids=["odd", "first", "last", "one-column"])
def test_from_records_equals_conform_of_a_frame(rows):
    pd.testing.assert_frame_equal(from_records(rows), conform(pd.DataFrame(rows)))


def test_from_records_equals_conform_on_extracted_reports(shared_data):
    """The text pipeline's own rows, from real reports, read the same both ways."""
    from syriamap.text import pipeline

    articles = pd.read_csv(shared_data / "fakes" / "fa-kes-dev.csv")["article_content"].dropna().astype(str)
    gaz = pipeline._gazetteer(None)
    compared = 0
    for text in articles.head(40):
        doc = pipeline.load_document(text, published="2017-03-01")
        rows = pipeline._rows(doc, pipeline._build_events(doc, gaz))
        if rows:
            pd.testing.assert_frame_equal(from_records(rows), conform(pd.DataFrame(rows)))
            compared += 1
    assert compared >= 20
