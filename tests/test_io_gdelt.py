"""GDELT 2.0 reader, on tab-separated 61-column files we write ourselves."""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from syriamap.io import read_events, read_gdelt, sniff_format
from syriamap.io.gdelt import GDELT_COLUMNS, cameo_event_type


def _record(event_id: int, code: str, **over: str) -> list[str]:
    row = dict.fromkeys(GDELT_COLUMNS, "")
    row.update(
        GLOBALEVENTID=str(event_id), SQLDATE="20160314", MonthYear="201603", Year="2016", FractionDate="2016.2000",
        Actor1Code="SYRGOV", Actor1Name="SYRIA", Actor2Code="SYRREB", Actor2Name="REBEL GROUP", IsRootEvent="1",
        EventCode=code, EventBaseCode=code[:3], EventRootCode=code[:2], QuadClass="4", GoldsteinScale="-10.0",
        NumMentions="4", NumSources="1", NumArticles="4", AvgTone="-7.5",
        ActionGeo_Type="4", ActionGeo_FullName="Testtown, Idlib, Syria", ActionGeo_CountryCode="SY",
        ActionGeo_ADM1Code="SY07", ActionGeo_ADM2Code="12345", ActionGeo_Lat="35.93", ActionGeo_Long="36.63",
        ActionGeo_FeatureID="-999999", DATEADDED="20160314123000",
        SOURCEURL=f"https://news.example.org/story/{event_id}",
    )
    row.update(over)
    return [row[c] for c in GDELT_COLUMNS]


def _write(path: Path, records: list[list[str]], sep: str = "\t") -> Path:
    path.write_text("".join(sep.join(r) + "\n" for r in records), encoding="utf-8")
    return path


RECORDS = [
    _record(1001, "190"),
    _record(1002, "195"),
    _record(1003, "0251", ActionGeo_Type="5", ActionGeo_FullName="Halab, Syria", ActionGeo_ADM1Code="SY09"),
    _record(1004, "145", ActionGeo_Type="1", ActionGeo_FullName="Turkey", ActionGeo_CountryCode="TU",
            ActionGeo_Lat="39", ActionGeo_Long="35"),
    _record(1005, "2041"),
    _record(1006, "1831", Actor2Name=""),
]


def test_layout_and_mapping(tmp_path):
    path = _write(tmp_path / "20160314.export.CSV", RECORDS)
    assert sniff_format(path) == "gdelt"
    events = read_events(path)
    assert len(GDELT_COLUMNS) == 61
    assert events["event_id"].tolist() == [f"gdelt:{i}" for i in range(1001, 1007)]
    assert events["event_type"].astype("str").tolist() == [
        "Battles", "Explosions/Remote violence", "Strategic developments", "Riots",
        "Explosions/Remote violence", "Explosions/Remote violence"]
    assert events["sub_event_type"].astype("str").tolist() == [
        "Armed clash", "Air/drone strike", "Other", "Violent demonstration", "Chemical weapon", "Suicide bomb"]
    assert events["gdelt_EventCode"].iloc[2] == "0251"  # leading zero kept
    assert events["location"].tolist()[:4] == ["Testtown", "Testtown", "Halab", "Turkey"]
    assert events["admin1"].tolist()[0] == "Idlib" and events["admin1"].iloc[2] == "Aleppo" and pd.isna(events["admin1"].iloc[3])
    assert events["admin1_source"].iloc[2] == "Halab"  # the gazetteer's name; GDELT's spelling kept
    assert events["iso3"].tolist()[2:4] == ["SYR", "TUR"] and events["country"].iloc[3] == "Turkey"
    assert events["geo_precision"].tolist() == [1, 1, 3, 3, 1, 1]
    assert events["latitude"].iloc[0] == 35.93 and events["longitude"].iloc[0] == 36.63
    assert events["source"].iloc[0] == "news.example.org" and events["url"].iloc[0].endswith("/1001")
    assert events["published"].iloc[0] == pd.Timestamp("2016-03-14 12:30:00", tz="UTC")
    assert events["event_date"].iloc[0] == pd.Timestamp("2016-03-14") and events["time_precision"].iloc[0] == 1
    assert pd.isna(events["actor2"].iloc[5])
    assert events["gdelt_GoldsteinScale"].iloc[0] == -10.0


def test_conflict_only_drops_cooperation_codes(tmp_path):
    events = read_gdelt(_write(tmp_path / "g.CSV", RECORDS), conflict_only=True)
    assert events["event_id"].tolist() == ["gdelt:1001", "gdelt:1002", "gdelt:1004", "gdelt:1005", "gdelt:1006"]


def test_cameo_codes_pick_the_most_specific_prefix():
    assert cameo_event_type("1821") == ("Violence against civilians", "Sexual violence")
    assert cameo_event_type("182") == ("Violence against civilians", "Attack")
    assert cameo_event_type("173") == ("Strategic developments", "Arrests")
    assert cameo_event_type("043") == ("Strategic developments", "Other")


def test_comma_separated_file_is_read_with_a_warning(tmp_path, caplog):
    records = [_record(i, "190", ActionGeo_FullName="Testtown") for i in (1001, 1002)]
    path = _write(tmp_path / "g.csv", records, sep=",")
    with caplog.at_level(logging.WARNING):
        events = read_gdelt(path)
    assert "expected tab-separated" in caplog.text and "comma" in caplog.text
    assert events["event_id"].tolist() == ["gdelt:1001", "gdelt:1002"]


def test_truncated_record_and_bad_date_are_kept_and_flagged(tmp_path, caplog):
    records = [RECORDS[0], RECORDS[1][:40], _record(1007, "190", SQLDATE="20161341")]
    with caplog.at_level(logging.WARNING):
        events = read_gdelt(_write(tmp_path / "g.CSV", records))
    assert len(events) == 3
    assert events["flags"].tolist()[1:] == ["malformed_row", "bad_date"]
    assert "line 2: 40 fields" in caplog.text
    assert pd.isna(events["latitude"].iloc[1]) and events["event_id"].iloc[1] == "gdelt:1002"
