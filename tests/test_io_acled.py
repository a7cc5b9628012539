"""ACLED reader and ACLED-layout writer, on files in ACLED's exact 31-column layout with our own rows."""
from __future__ import annotations

import csv
import logging
from pathlib import Path

import pandas as pd
import pytest

from syriamap.io import EventFileError, read_acled, read_events, sniff_format, write_acled
from syriamap.io.acled import ACLED_COLUMNS
from syriamap.validate import validate

SAMPLE = Path(__file__).parent / "data" / "acled" / "acled-layout-sample.csv"


def test_sample_has_acleds_31_columns():
    with open(SAMPLE, newline="") as fh:
        assert tuple(next(csv.reader(fh))) == ACLED_COLUMNS
    assert len(ACLED_COLUMNS) == 31


def test_reads_the_three_date_formats_and_maps_columns():
    events = read_acled(SAMPLE)
    assert sniff_format(SAMPLE) == "acled"
    assert events["event_date"].dt.strftime("%Y-%m-%d").tolist() == ["2017-03-14", "2017-03-15", "2017-03-16", "2017-03-17"]
    assert events["event_id"].tolist() == ["acled:SYR90001", "acled:SYR90002", "acled:SYR90003", "acled:IRQ90004"]
    assert events["iso3"].tolist() == ["SYR", "SYR", "SYR", "IRQ"]
    assert events["sub_event_type"].astype("str").tolist() == ["Armed clash", "Air/drone strike", "Peaceful protest", "Arrests"]
    assert events["time_precision"].tolist() == [1, 2, 1, 1]
    assert events["fatalities"].tolist() == [4, 0, 0, 0]
    assert events["notes"].iloc[0] == 'On 14 March 2017, an invented clash, with commas, in "Testtown".'
    assert events["acled_tags"].iloc[2] == "crowd size=dozens"
    assert events["acled_inter1"].tolist() == [1, 1, 6, 1]
    assert validate(events).ok


def test_write_acled_round_trip_reproduces_the_file(tmp_path):
    events = read_acled(SAMPLE)
    out = write_acled(events, tmp_path / "again.csv")
    original = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert tuple(written.columns[:31]) == ACLED_COLUMNS
    same = [c for c in ACLED_COLUMNS if c != "event_date"]
    pd.testing.assert_frame_equal(written[same], original[same])
    again = read_acled(out)
    for column in events.columns:
        assert events[column].astype(object).fillna("<na>").tolist() == again[column].astype(object).fillna("<na>").tolist(), column


def test_awkward_file_semicolons_decimal_commas_bad_date_latin1(tmp_path, caplog):
    text = SAMPLE.read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    rows[1][ACLED_COLUMNS.index("latitude")] = "35,8123"
    rows[2][ACLED_COLUMNS.index("event_date")] = "the Ides of March"
    rows[3][ACLED_COLUMNS.index("notes")] = "Protest near the café"
    path = tmp_path / "awkward.csv"
    with open(path, "w", newline="", encoding="cp1252") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    with caplog.at_level(logging.WARNING):
        events = read_acled(path)
    assert len(events) == 4
    assert events["latitude"].iloc[0] == 35.8123 and events["flags"].iloc[0] == "decimal_comma"
    assert pd.isna(events["event_date"].iloc[1]) and events["flags"].iloc[1] == "bad_date"
    assert events["notes"].iloc[2] == "Protest near the café"
    log = caplog.text
    assert "semicolon" in log and "line(s) 3" in log and "'the Ides of March'" in log and "cp1252" in log


def test_missing_columns_are_named(tmp_path):
    path = tmp_path / "no-coords.csv"
    pd.read_csv(SAMPLE).drop(columns=["latitude", "longitude"]).to_csv(path, index=False)
    with pytest.raises(EventFileError, match="'latitude', 'longitude'"):
        read_acled(path)


def test_explicit_wrong_delimiter_is_an_error(tmp_path):
    path = tmp_path / "tabs.csv"
    pd.read_csv(SAMPLE).to_csv(path, index=False, sep="\t")
    with pytest.raises(EventFileError, match=r"line 1: expected semicolon-separated.*sep='\\t'"):
        read_events(path, format="acled", sep=";")
    assert len(read_events(path, format="acled")) == 4


def test_country_level_rows_are_flagged_geo_coarse(tmp_path):
    rows = list(csv.reader(SAMPLE.read_text(encoding="utf-8").splitlines()))
    admin1, precision = ACLED_COLUMNS.index("admin1"), ACLED_COLUMNS.index("geo_precision")
    rows[1][admin1], rows[1][precision] = "", "3"     # country level: no province, precision 3
    rows[2][precision] = "3"                           # province level: not coarse
    path = tmp_path / "coarse.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    events = read_acled(path)
    assert events["flags"].fillna("").tolist() == ["geo_coarse", "", "", ""]
    assert set(validate(events).problems["problem"]) == {"geo_coarse"}
