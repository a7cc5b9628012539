"""validate(): each problem is found, named with its row, and no row is dropped."""
from __future__ import annotations

import pandas as pd

from syriamap.validate import validate


def _table() -> pd.DataFrame:
    rows = [
        # id, date, type, sub, lat, lon, iso3, fatalities
        ("t:0", "2016-05-01", "Battles", "Armed clash", 36.2, 37.15, "SYR", 2),               # clean
        ("t:1", "2016-05-01", "Battles", "Armed clash", 37.15, 36.2, "SYR", 2),               # inside either way: not swapped
        ("t:2", "2016-05-02", "Battles", "Armed clash", 38.9, 35.2, "SYR", 0),                # swapped
        ("t:3", "2016-05-03", "Riots", "Peaceful protest", 33.5, 36.3, "SYR", 0),            # sub-type of another type
        ("t:4", "2016-05-04", "Gunfight", None, 33.5, 36.3, "SYR", 0),                        # unknown type
        ("t:5", "2999-01-01", "Battles", None, 33.5, 36.3, "SYR", 0),                         # future
        ("t:6", "1850-01-01", "Battles", None, 33.5, 36.3, "SYR", 0),                         # before 1900
        ("t:7", "2016-05-04", "Battles", None, 33.5, 36.3, "SYR", -4),                        # negative fatalities
        ("t:7", "2016-05-04", "Battles", None, 33.5, 36.3, "SYR", 1),                         # duplicate id
        ("t:9", "2016-05-04", "Battles", None, 133.5, 36.3, "SYR", 1),                        # out of range
        ("t:10", "2016-05-04", "Battles", None, None, None, "SYR", 1),                        # no coordinates
        ("t:11", "2016-05-04", "Battles", None, 48.85, 2.35, "SYR", 1),                       # outside Syria
    ]
    df = pd.DataFrame(rows, columns=["event_id", "event_date", "event_type", "sub_event_type", "latitude",
                                     "longitude", "iso3", "fatalities"])
    df["event_date"] = pd.to_datetime(df["event_date"]).astype("datetime64[s]")
    return df


def _found(report) -> set[tuple[int, str]]:
    return set(zip(report.problems["row"], report.problems["problem"]))


def test_each_problem_is_reported_with_its_row():
    report = validate(_table())
    found = _found(report)
    expected = {
        (2, "swapped_coordinates"), (3, "sub_event_type_mismatch"), (4, "unknown_event_type"),
        (5, "date_in_future"), (6, "date_before_1900"), (7, "negative_fatalities"), (7, "duplicate_event_id"),
        (8, "duplicate_event_id"), (9, "coordinates_out_of_range"), (10, "missing_coordinates"),
        (11, "outside_country"),
    }
    assert expected <= found
    assert not {p for r, p in found if r in (0, 1)}
    assert not report.ok
    assert report.counts["duplicate_event_id"] == 2
    swapped = report.problems[report.problems["problem"] == "swapped_coordinates"].iloc[0]
    assert swapped["event_id"] == "t:2" and "38.9" in swapped["detail"]


def test_clean_table_is_ok_and_warnings_do_not_fail_it():
    df = _table().iloc[[0, 1, 10]]
    report = validate(df)
    assert report.ok
    assert set(report.problems["problem"]) == {"missing_coordinates"}
    assert "OK" in str(report) and "<table" in report._repr_html_()


def test_flag_adds_codes_and_keeps_every_row():
    df = _table()
    flagged = validate(df).flag(df)
    assert len(flagged) == len(df)
    assert flagged["flags"].iloc[2] == "swapped_coordinates"
    assert set(flagged["flags"].iloc[7].split(";")) == {"duplicate_event_id", "negative_fatalities"}
    assert pd.isna(flagged["flags"].iloc[0])
    assert flagged["latitude"].iloc[2] == 38.9  # reported, not "fixed"


def test_reader_flags_are_reported_as_warnings():
    df = _table().iloc[[0]].assign(flags="decimal_comma")
    report = validate(df)
    assert report.ok
    assert (report.problems["problem"] == "decimal_comma").sum() == 1
