"""UCDP GED reader: the real 2016 Syria file, and awkward files in its layout that we write."""
from __future__ import annotations

import csv
import logging
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from syriamap.io import EventFileError, read_events, read_ucdp
from syriamap.validate import validate

HEADER = ("id,year,active_year,type_of_violence,conflict_new_id,conflict_name,dyad_new_id,dyad_name,side_a_new_id,"
          "side_a,side_b_new_id,gwnob,side_b,number_of_sources,source_article,source_office,source_date,"
          "source_headline,source_original,where_prec,where_coordinates,adm_1,adm_2,latitude,longitude,geom_wkt,"
          "priogrid_gid,country,country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,"
          "deaths_civilians,deaths_unknown,low,best,high").split(",")


def _row(i: int, **over: object) -> dict[str, object]:
    row = dict.fromkeys(HEADER, "")
    row.update(id=900000 + i, year=2016, active_year=1, type_of_violence=1, side_a="Government of Syria",
               side_b="Syrian insurgents", where_prec=1, where_coordinates="Testville town", adm_1="Idlib Governorate",
               adm_2="Test district", latitude=35.5, longitude=36.6, country="Syria", date_prec=1,
               date_start="2016-03-01", date_end="2016-03-01", best=3, low=2, high=5, source_office="Our desk",
               source_headline="Our own invented headline", source_date="2016-03-02")
    row.update(over)
    return row


def _write(path: Path, rows: list[dict], *, sep: str = ",", encoding: str = "utf-8", header=HEADER) -> Path:
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.DictWriter(fh, fieldnames=header, delimiter=sep, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_real_file_loads_every_row(ucdp_2016):
    events = read_ucdp(ucdp_2016)
    with open(ucdp_2016, newline="", encoding="utf-8") as fh:
        source = list(csv.DictReader(fh))
    assert len(events) == len(source) == 6170
    assert events["event_id"].tolist() == [f"ucdp:{r['id']}" for r in source]
    assert Counter(events["admin1_source"].dropna()) == Counter(r["adm_1"] for r in source if r["adm_1"])
    # one name per governorate: each UCDP spelling maps to exactly one canonical name and back
    pairs = events[["admin1_source", "admin1"]].dropna().drop_duplicates()
    assert pairs["admin1_source"].is_unique and pairs["admin1"].is_unique and len(pairs) == 14
    assert not pairs["admin1"].str.contains("Governorate").any()
    kinds = Counter(r["type_of_violence"] for r in source)
    assert (events["event_type"] == "Battles").sum() == kinds["1"] + kinds["2"]
    assert (events["event_type"] == "Violence against civilians").sum() == kinds["3"]
    assert events["fatalities"].sum() == sum(int(r["best"]) for r in source)
    assert events["ucdp_high"].sum() == sum(int(r["high"]) for r in source)
    assert set(events["iso3"]) == {"SYR"}
    assert validate(events).ok


def test_precision_mappings(tmp_path):
    rows = [_row(i, where_prec=wp, date_prec=dp) for i, (wp, dp) in enumerate([(1, 1), (2, 2), (3, 3), (4, 4), (6, 5)])]
    events = read_ucdp(_write(tmp_path / "u.csv", rows))
    assert events["geo_precision"].tolist() == [1, 1, 2, 3, 3]
    assert events["time_precision"].tolist() == [1, 2, 2, 3, 3]
    assert events["ucdp_where_prec"].tolist() == [1, 2, 3, 4, 6]
    assert [None if pd.isna(f) else f for f in events["flags"]] == [None, None, None, None, "geo_coarse;date_coarse"]


def test_coarse_rows_are_flagged_and_validate_lists_them(tmp_path):
    rows = [_row(0), _row(1, where_prec=7), _row(2, where_prec=5), _row(3, date_prec=5)]
    events = read_ucdp(_write(tmp_path / "u.csv", rows))
    assert events["geo_precision"].tolist() == [1, 3, 3, 1]
    report = validate(events)
    assert report.ok  # coarse is honest, not wrong: warnings
    found = set(zip(report.problems["row"], report.problems["problem"]))
    assert found == {(1, "geo_coarse"), (3, "date_coarse")}
    assert "country level" in report.problems.set_index("row").loc[1, "detail"]


def test_ucdp_2016_january_no_longer_holds_the_country_level_deaths(ucdp_2016):
    events = read_ucdp(ucdp_2016)
    flags = events["flags"].fillna("")
    coarse_geo = flags.str.contains("geo_coarse")
    coarse_date = flags.str.contains("date_coarse")
    assert coarse_geo.sum() > 0 and coarse_date.sum() > 0
    assert (events.loc[coarse_geo, "ucdp_where_prec"] >= 6).all()
    summary = events.syriamap.summary()
    january = summary.by_month.loc[pd.Period("2016-01", "M"), "fatalities"]
    dated = events[~coarse_date.to_numpy()]
    assert january == dated.loc[dated["event_date"].dt.month == 1, "fatalities"].sum()
    in_january = (events["event_date"].dt.month == 1).to_numpy()
    year_only_in_january = events.loc[in_january & coarse_date.to_numpy(), "fatalities"].sum()
    assert year_only_in_january > january  # the year-only rows, all on 1 January, outweighed the real month
    assert january == events.loc[in_january, "fatalities"].sum() - year_only_in_january
    assert summary.imprecise["events"].tolist() == [int(coarse_geo.sum()), int(coarse_date.sum())]
    assert summary.by_month["events"].sum() == len(events) - coarse_date.sum()
    assert summary.by_admin1["events"].sum() == len(events)
    problems = set(validate(events).problems["problem"])
    assert {"geo_coarse", "date_coarse"} <= problems


def test_one_sided_violence_and_actors(tmp_path):
    events = read_ucdp(_write(tmp_path / "u.csv", [_row(0, type_of_violence=3, side_b="Civilians")]))
    row = events.iloc[0]
    assert (row["event_type"], row["sub_event_type"]) == ("Violence against civilians", "Attack")
    assert (row["actor1"], row["actor2"]) == ("Government of Syria", "Civilians")
    assert row["published"] == pd.Timestamp("2016-03-02", tz="UTC")


def test_bom_semicolons_and_decimal_commas(tmp_path, caplog):
    rows = [_row(0, latitude="35,5", longitude="36,6"), _row(1)]
    path = _write(tmp_path / "u.csv", rows, sep=";", encoding="utf-8-sig")
    with caplog.at_level(logging.WARNING):
        events = read_ucdp(path)
    text = caplog.text
    assert "byte-order mark" in text and "semicolon" in text and "decimal commas" in text and "line(s) 2" in text
    assert events["latitude"].tolist() == [35.5, 35.5]
    assert events["flags"].iloc[0] == "decimal_comma" and pd.isna(events["flags"].iloc[1])


def test_arabic_windows_encoding_falls_back_with_a_warning(tmp_path, caplog):
    rows = [_row(0), _row(1, where_coordinates="إدلب")]
    path = _write(tmp_path / "u.csv", rows, encoding="cp1256")
    with caplog.at_level(logging.WARNING):
        events = read_ucdp(path)
    assert "line 3" in caplog.text and "cp1256" in caplog.text
    assert events["location"].iloc[1] == "إدلب"


def test_missing_required_column_is_named(tmp_path):
    header = [h for h in HEADER if h != "where_prec"]
    path = _write(tmp_path / "u.csv", [_row(0)], header=header)
    with pytest.raises(EventFileError) as err:
        read_ucdp(path)
    assert "'where_prec'" in str(err.value) and str(path) in str(err.value) and "line 1" in str(err.value)


def test_bad_dates_and_short_rows_are_kept_and_flagged(tmp_path, caplog):
    path = _write(tmp_path / "u.csv", [_row(0), _row(1, date_start="31/31/2016"), _row(2)])
    lines = path.read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 2)[0]  # the third record loses its last two fields
    path.write_text("\n".join(lines) + "\n")
    with caplog.at_level(logging.WARNING):
        events = read_events(path)
    assert len(events) == 3
    assert pd.isna(events["event_date"].iloc[1]) and "bad_date" in events["flags"].iloc[1]
    assert "malformed_row" in events["flags"].iloc[2] and pd.isna(events["ucdp_high"].iloc[2])
    assert "line 4" in caplog.text and "line(s) 3" in caplog.text
    assert {"missing_event_date", "bad_date", "malformed_row"} <= set(validate(events).problems["problem"])
