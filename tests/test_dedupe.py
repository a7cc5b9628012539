"""merge_duplicates(): the same event from several sources becomes one row."""
from __future__ import annotations

import pandas as pd

from syriamap.dedupe import merge_duplicates

KM = 1 / 111.2  # about one kilometre of latitude, in degrees


def _table(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["event_id", "event_date", "event_type", "latitude", "longitude", "source",
                                       "fatalities", "geo_precision"])


def test_reports_of_one_event_merge():
    df = _table([
        ("ucdp:1", "2016-02-01", "Battles", 35.0, 36.0, "Desk A", 3, 2),
        ("acled:X1", "2016-02-02", "Battles", 35.0 + 2 * KM, 36.0, "Desk B", 5, 1),
        ("gdelt:9", "2016-02-01", "Battles", 35.0 + 20 * KM, 36.0, "Desk C", None, 1),   # 20 km away
        ("acled:X2", "2016-02-01", "Riots", 35.0, 36.0, "Desk B", 0, 1),                  # other type
        ("acled:X3", "2016-02-04", "Battles", 35.0, 36.0, "Desk B", 1, 1),                # three days later
    ])
    out = merge_duplicates(df)
    assert len(out) == 4
    merged = out[out["merged_ids"].notna()]
    assert len(merged) == 1
    row = merged.iloc[0]
    assert row["merged_ids"] == "ucdp:1; acled:X1"
    assert row["source"] == "Desk A; Desk B"
    assert row["event_id"] == "acled:X1"  # the report with the best geo_precision
    assert row["fatalities"] == 5 and row["event_date"] == pd.Timestamp("2016-02-01")
    assert set(out["event_id"]) == {"acled:X1", "gdelt:9", "acled:X2", "acled:X3"}


def test_thresholds_are_configurable():
    df = _table([
        ("a:1", "2016-02-01", "Battles", 35.0, 36.0, "Desk A", 1, 1),
        ("b:1", "2016-02-03", "Battles", 35.0 + 8 * KM, 36.0, "Desk B", 1, 1),
        ("c:1", "2016-02-01", "Riots", 35.0, 36.0, "Desk C", 1, 1),
    ])
    assert len(merge_duplicates(df)) == 3
    assert len(merge_duplicates(df, days=2, km=10)) == 2
    assert len(merge_duplicates(df, days=2, km=10, same_type=False)) == 1


def test_same_source_reports_stay_apart_unless_asked():
    df = _table([
        ("a:1", "2016-02-01", "Battles", 35.0, 36.0, "Desk A", 1, 1),
        ("a:2", "2016-02-01", "Battles", 35.0, 36.0, "Desk A", 1, 1),
    ])
    assert len(merge_duplicates(df)) == 2
    # one dataset, two ids: two events as far as the dataset says, even from one source
    assert len(merge_duplicates(df, within_source=True)) == 2
    assert len(merge_duplicates(df, within_source=True, within_dataset=True)) == 1


def test_one_datasets_rows_with_different_ids_stay_apart_unless_asked():
    df = _table([
        ("ucdp:1", "2016-02-01", "Battles", 35.0, 36.0, "Desk A", 1, 1),
        ("ucdp:2", "2016-02-01", "Battles", 35.0, 36.0, "Desk B", 1, 1),
        ("acled:9", "2016-02-01", "Battles", 35.0, 36.0, "Desk C", 1, 1),
    ])
    out = merge_duplicates(df)
    assert len(out) == 2  # the ACLED report joins one UCDP event; the two UCDP events stay apart
    assert sorted(out["merged_ids"].dropna()) == ["ucdp:1; acled:9"]
    assert len(merge_duplicates(df, within_dataset=True)) == 1


def test_ucdp_2016_keeps_every_event_and_death(ucdp_2016):
    from syriamap.io import read_ucdp

    events = read_ucdp(ucdp_2016)
    merged = merge_duplicates(events)
    assert len(merged) == len(events) == 6170
    assert merged["fatalities"].sum() == events["fatalities"].sum()


def test_daily_reports_do_not_chain_into_one_event():
    rows = [(f"s{i % 2}:{i}", str(pd.Timestamp("2016-01-01") + pd.Timedelta(days=i))[:10], "Battles", 35.0, 36.0,
             f"Desk {i % 2}", 1, 1) for i in range(10)]
    out = merge_duplicates(_table(rows))
    assert 4 <= len(out) <= 6
    spans = out["merged_ids"].dropna().str.split("; ").map(len)
    assert spans.max() <= 2


def test_rows_without_coordinates_or_dates_are_kept_apart():
    df = _table([
        ("a:1", "2016-02-01", "Battles", None, None, "Desk A", 1, 1),
        ("b:1", "2016-02-01", "Battles", None, None, "Desk B", 1, 1),
        ("c:1", None, "Battles", 35.0, 36.0, "Desk C", 1, 1),
        ("d:1", None, "Battles", 35.0, 36.0, "Desk D", 1, 1),
    ])
    assert len(merge_duplicates(df)) == 4
