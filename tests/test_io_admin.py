"""One governorate name across sources: readers canonicalise admin1/admin2 through the gazetteer."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from syriamap.io import read_acled, read_events, read_ucdp, write_events
from syriamap.io.acled import ACLED_COLUMNS
from syriamap.io.admin import canonicalize_admin

UCDP_HEADER = ["id", "type_of_violence", "side_a", "side_b", "where_coordinates", "where_prec", "adm_1", "adm_2",
               "latitude", "longitude", "country", "date_prec", "date_start", "best"]


def _ucdp(path: Path, rows: list[tuple[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(UCDP_HEADER)
        for i, (adm1, adm2) in enumerate(rows):
            writer.writerow([i + 1, 1, "A", "B", "Testville town", 1, adm1, adm2, 35.9, 36.6, "Syria", 1, "2016-03-01", 1])
    return path


def _acled(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=ACLED_COLUMNS)
        writer.writeheader()
        for i, (country, adm1, adm2) in enumerate(rows):
            writer.writerow({"event_id_cnty": f"X{i}", "event_date": "2016-03-01", "event_type": "Battles",
                             "country": country, "iso": {"Syria": 760, "Iraq": 368}[country], "admin1": adm1,
                             "admin2": adm2, "location": "Testville", "latitude": 35.9, "longitude": 36.6,
                             "geo_precision": 1})
    return path


def test_ucdp_and_acled_spellings_meet_on_one_name(tmp_path):
    ucdp = read_ucdp(_ucdp(tmp_path / "u.csv", [("Idlib Governorate", "Jisr al-Shughur district"),
                                                 ("Rif Dimashq Governorate", "Mintaqat Markaz Rif Dimashq district")]))
    acled = read_acled(_acled(tmp_path / "a.csv", [("Syria", "Idleb", "Jisr Al-Shughur"), ("Syria", "Idlib", "Ariha"),
                                                    ("Syria", "Rural Damascus", "")]))
    both = pd.concat([ucdp, acled], ignore_index=True)
    assert both["admin1"].tolist() == ["Idlib", "Rif Dimashq", "Idlib", "Idlib", "Rif Dimashq"]
    assert both["admin1_source"].tolist() == ["Idlib Governorate", "Rif Dimashq Governorate", "Idleb", "Idlib",
                                              "Rural Damascus"]
    assert both["admin2"].iloc[0] == both["admin2"].iloc[2] == "Jisr al-Shughur"
    assert both["admin1"].value_counts()["Idlib"] == 3


def test_unknown_names_other_countries_and_opt_out(tmp_path):
    acled = read_acled(_acled(tmp_path / "a.csv", [("Syria", "Atlantis Province", "Nowhere"), ("Iraq", "Ninewa", "Mosul")]))
    assert acled["admin1"].iloc[0] == "Atlantis Province" and acled["admin2"].iloc[0] == "Nowhere"
    assert acled["admin2"].iloc[1] == "Mosul"  # admin2 is canonicalised for Syria only
    kept = read_acled(tmp_path / "a.csv", canonical_admin=False)
    assert kept["admin1"].tolist() == ["Atlantis Province", "Ninewa"] and "admin1_source" not in kept


def test_source_spelling_survives_writing_and_reading(tmp_path):
    ucdp = read_ucdp(_ucdp(tmp_path / "u.csv", [("Hamah Governorate", "Mintaqat Markaz Hamah district")]))
    assert (ucdp["admin1"].iloc[0], ucdp["admin1_source"].iloc[0]) == ("Hama", "Hamah Governorate")
    for name in ("e.csv", "e.parquet", "e.geojson", "e.acled.csv"):
        back = read_events(write_events(ucdp, tmp_path / name))
        assert back[["admin1", "admin1_source", "admin2_source"]].iloc[0].tolist() == [
            "Hama", "Hamah Governorate", "Mintaqat Markaz Hamah district"], name


def test_canonicalize_is_idempotent_and_keeps_first_source():
    df = pd.DataFrame({"event_id": ["x:1"], "event_date": ["2016-01-01"], "event_type": ["Battles"],
                       "admin1": ["Idlib Governorate"], "iso3": ["SYR"]})
    from syriamap.schema import conform

    once = canonicalize_admin(conform(df))
    twice = canonicalize_admin(once)
    assert once["admin1"].iloc[0] == twice["admin1"].iloc[0] == "Idlib"
    assert twice["admin1_source"].iloc[0] == "Idlib Governorate"
