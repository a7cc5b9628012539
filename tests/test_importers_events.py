"""Event-table import (ACLED, UCDP GED): places at the median of their precise events.

The real UCDP GED Syria 2016 file comes through the ``ucdp_2016`` fixture; the
small ACLED and UCDP tables are our own, with invented place names.
"""
from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pandas as pd
import pytest

from syriamap.gazetteer import Gazetteer, haversine_km
from syriamap.gazetteer.importers import GazetteerImportError, import_events, read_event_places

ACLED_HEADER = ["event_id_cnty", "event_date", "location", "admin1", "admin2", "admin3", "latitude", "longitude",
                "geo_precision", "country", "iso", "fatalities"]


def acled_rows() -> list[list[object]]:
    """(location, admin1, admin2, admin3, lat, lon, precision) rows of invented places in Syria."""
    rows = [
        ("Kafr Zizun town", "Idlib", "Ariha", "Ariha", 35.10, 36.60, 1),
        ("Kafr Zizun town", "Idlib", "Ariha", "Ariha", 35.12, 36.62, 1),
        ("Kafr Zizun town", "Idlib", "Ariha", "Ariha", 35.11, 36.70, 1),
        ("Kafr Zizun town", "Idlib", "Ariha", "Ariha", 35.50, 36.90, 2),  # not precise: not in the median
        ("Kafr Zizun town", "Hama", "Suqaylabiyah", "Ziyara", 35.60, 36.30, 1),  # same name, other governorate
        ("Bab Zizun district", "Aleppo", "Jabal Saman", "Jebel Saman", 36.22, 37.15, 1),  # a city quarter
        ("Jabal Saman district", "Aleppo", "Jabal Saman", "Jebel Saman", 36.25, 37.10, 1),
        ("Zizun governorate", "Zizun", "", "", 35.30, 38.00, 1),
        ("Zizun countryside", "Zizun", "", "", 35.40, 38.10, 1),
        ("Tell Abra/Tal Abra village", "Al-Hasakeh", "Al-Hasakeh", "Tal Tamer", 36.65, 40.37, 1),
        ("Deir Zizun", "Deir-ez-Zor", "Al Mayadin", "Thiban", 35.00, 40.40, 2),  # no precise event at all
        ("", "Idlib", "", "", 35.0, 36.0, 1),  # no location
    ]
    return [[f"SYR{n}", "2024-01-01", *row[:4], row[4], row[5], row[6], "Syria", 760, 0] for n, row in enumerate(rows)]


def write_csv(path: Path, header: list[str], rows: list[list[object]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def ucdp_imported(ucdp_2016: Path, tmp_path_factory) -> tuple[Path, object]:
    into = tmp_path_factory.mktemp("ucdp") / "gazetteer.sqlite"
    report = import_events(ucdp_2016, into)
    return into, report


@pytest.fixture(scope="module")
def ucdp_table(ucdp_2016: Path) -> pd.DataFrame:
    return pd.read_csv(ucdp_2016)


def test_ucdp_names_land_at_their_own_median(ucdp_imported, ucdp_table):
    """Every where_prec-1 (place, governorate) of the file, looked up by its own string."""
    into, report = ucdp_imported
    assert report.layer == "ucdp"
    precise = ucdp_table[ucdp_table["where_prec"] == 1]
    medians = precise.groupby(["where_coordinates", "adm_1"], dropna=False)[["latitude", "longitude"]].median()
    assert len(medians) > 300
    gz = Gazetteer(into, layers=["ucdp"])
    within = 0
    for (name, admin1), point in medians.iterrows():
        best = gz.resolve(name, admin1=None if pd.isna(admin1) else admin1)
        within += best is not None and haversine_km(best.place.point, (point.latitude, point.longitude)) <= 1.0
    assert within >= 0.98 * len(medians)


def test_ucdp_rows_are_all_accounted_for(ucdp_imported, ucdp_table):
    _, report = ucdp_imported
    assert report.rows == len(ucdp_table)
    assert report.rows == report.used + sum(report.skipped.values())
    # One place per (where_coordinates, adm_1) with an event of precision 1 or 2.
    located = ucdp_table[ucdp_table["where_prec"] <= 2]
    assert report.places == located.groupby(["where_coordinates", "adm_1"], dropna=False).ngroups
    # Precision-2 events count only for places that have no precision-1 event.
    has_precise = ucdp_table.groupby(["where_coordinates", "adm_1"], dropna=False)["where_prec"].transform("min") == 1
    expected_used = (ucdp_table["where_prec"] == 1).sum() + ((ucdp_table["where_prec"] == 2) & ~has_precise).sum()
    assert report.used == expected_used


def test_ucdp_places_stack_on_the_default(ucdp_imported, ucdp_table):
    into, _ = ucdp_imported
    gz = Gazetteer(into)
    assert {layer["name"] for layer in gz.layers} == {"default", "ucdp"}
    sample = ucdp_table[ucdp_table["where_prec"] == 1].drop_duplicates("where_coordinates").head(200)
    close = sum(
        (best := gz.resolve(row.where_coordinates, admin1=row.adm_1)) is not None
        and haversine_km(best.place.point, (row.latitude, row.longitude)) <= 10
        for row in sample.itertuples()
    )
    assert close >= 0.95 * len(sample)


def test_acled_kinds_medians_and_aliases(tmp_path):
    table = write_csv(tmp_path / "acled.csv", ACLED_HEADER, acled_rows())
    places, report = read_event_places(table)
    assert report.layer == "acled"
    by_name = {(p.name, p.admin1): p for p in places}

    town = by_name[("Kafr Zizun", "Idlib")]
    assert town.kind == "populated_place" and town.country_code == "SY"
    assert (town.latitude, town.longitude) == pytest.approx((35.11, 36.62))
    assert (town.admin1, town.admin2) == ("Idlib", "Ariha")
    assert by_name[("Kafr Zizun", "Hama")].point == pytest.approx((35.60, 36.30))
    assert by_name[("Bab Zizun", "Aleppo")].kind == "neighbourhood"
    assert by_name[("Jabal Saman", "Aleppo")].kind == "admin2"
    assert by_name[("Zizun", "Zizun")].kind == "admin1"
    countryside = by_name[("Zizun countryside", "Zizun")]
    assert countryside.kind == "region"
    village = by_name[("Tell Abra/Tal Abra", "Al-Hasakeh")]
    assert {"Tell Abra", "Tal Abra", "Tell Abra/Tal Abra village"} <= {a.name for a in village.aliases}
    assert not any(p.name == "Deir Zizun" for p in places)

    assert report.rows == 12
    assert report.used == 9
    assert report.skipped == {
        "rows without a location name": 1,
        "less precise rows of places located by their precise events": 1,
        "rows of places with no precise event": 1,
    }
    assert len({p.id for p in places}) == len(places)


def test_acled_import_resolves_through_the_gazetteer(tmp_path):
    table = write_csv(tmp_path / "acled.csv", ACLED_HEADER, acled_rows())
    into = tmp_path / "gazetteer.sqlite"
    import_events(table, into, layer="my-events")
    gz = Gazetteer(into, layers=["my-events"])
    assert gz.resolve("Kafr Zizun", admin1="Hama").place.point == pytest.approx((35.60, 36.30))
    assert gz.resolve("Kafr Zizun town", admin1="Idlib").place.point == pytest.approx((35.11, 36.62))
    assert gz.resolve("Tal Abra").place.admin1 == "Al-Hasakeh"


def test_ucdp_precision_two_is_a_fallback(tmp_path):
    header = ["id", "where_coordinates", "adm_1", "adm_2", "latitude", "longitude", "where_prec", "country"]
    rows = [
        [1, "Tell Zizun village", "Homs governorate", "Homs district", 34.80, 36.70, 2],
        [2, "Tell Zizun village", "Homs governorate", "Homs district", 34.90, 36.80, 2],
        [3, "Ain Zizun town", "Homs governorate", "Homs district", 34.60, 36.60, 1],
        [4, "Ain Zizun town", "Homs governorate", "Homs district", 34.00, 36.00, 2],
        [5, "Zizun district", "Homs governorate", "Zizun district", 34.50, 37.50, 3],
    ]
    table = write_csv(tmp_path / "ged.csv", header, [[*r, "Syria"] for r in rows])
    places, report = read_event_places(table)
    by_name = {p.name: p for p in places}
    assert set(by_name) == {"Tell Zizun", "Ain Zizun"}
    assert by_name["Tell Zizun"].point == pytest.approx((34.85, 36.75))
    assert by_name["Ain Zizun"].point == pytest.approx((34.60, 36.60))
    assert by_name["Ain Zizun"].admin1 == "Homs" and by_name["Ain Zizun"].admin2 == "Homs"
    assert by_name["Ain Zizun"].country_code == "SY"
    assert report.used == 3 and report.rows == 5


def malformed_copies(ucdp_2016: Path, tmp_path: Path, line_no: int) -> dict[str, tuple[Path, str]]:
    """Broken copies of the real file: each with the error message it must raise (a regex)."""
    text = ucdp_2016.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    record = next(csv.reader([lines[line_no - 1]]))
    assert len(record) == len(header), "the chosen line holds one whole record"
    record[header.index("latitude")] = "n/a"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(record)
    copies = {}

    bad_lat = tmp_path / "bad-latitude.csv"
    bad_lat.write_text("".join(lines[: line_no - 1]) + out.getvalue() + "".join(lines[line_no:]), encoding="utf-8")
    copies["latitude"] = (bad_lat, rf"^bad-latitude.csv:{line_no}: column 'latitude': 'n/a' is not a latitude")

    frame = pd.read_csv(ucdp_2016)
    semicolons = tmp_path / "semicolons.csv"
    frame.to_csv(semicolons, sep=";", index=False)
    copies["delimiter"] = (semicolons, r"^semicolons.csv:1: .*';'-separated")

    no_precision = tmp_path / "no-precision.csv"
    frame.drop(columns=["where_prec"]).to_csv(no_precision, index=False)
    copies["column"] = (no_precision, r"^no-precision.csv:1: column 'where_prec': missing")
    return copies


@pytest.mark.parametrize("problem", ["latitude", "delimiter", "column"])
def test_malformed_tables_name_file_line_column_and_change_nothing(ucdp_2016, tmp_path, problem):
    into = tmp_path / "gazetteer.sqlite"
    import_events(ucdp_2016, into)
    before = sha256(into)
    path, message = malformed_copies(ucdp_2016, tmp_path, line_no=1234)[problem]
    with pytest.raises(GazetteerImportError, match=message) as err:
        import_events(path, into)
    assert err.value.path == path
    assert sha256(into) == before


def test_other_bad_tables(tmp_path):
    into = tmp_path / "gazetteer.sqlite"
    rows = acled_rows()
    ragged = write_csv(tmp_path / "ragged.csv", ACLED_HEADER, rows[:3] + [rows[3][:5]])
    with pytest.raises(GazetteerImportError, match=r"^ragged.csv:5: 5 fields, the header has 12"):
        import_events(ragged, into)
    unknown = write_csv(tmp_path / "unknown.csv", ["name", "lat", "lon"], [["x", 1, 2]])
    with pytest.raises(GazetteerImportError, match=r"^unknown.csv:1: neither an ACLED table"):
        import_events(unknown, into)
    acled = write_csv(tmp_path / "acled.csv", ACLED_HEADER, rows)
    with pytest.raises(GazetteerImportError, match=r"^acled.csv:1: column 'where_coordinates': missing"):
        import_events(acled, into, format="ucdp")
    bad_precision = write_csv(tmp_path / "precision.csv", ACLED_HEADER, [[*rows[0][:8], "high", *rows[0][9:]]])
    with pytest.raises(GazetteerImportError, match=r"^precision.csv:2: column 'geo_precision'"):
        import_events(bad_precision, into)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(GazetteerImportError, match=r"^empty.csv: empty file"):
        import_events(empty, into)
    with pytest.raises(ValueError, match="embedded default"):
        import_events(acled, into, layer="default")
    assert not into.exists()
