"""GeoNames dump import: the 19-column place files, admin code tables, alternate names.

Place and alternate-name rows are our own (well-known places typed here, with
invented geonameids); the admin code tables are GeoNames' real files from
``../shared/data/geonames``; a real GeoNames cities file comes from the
``geotext`` wheel (dev extra), which ships ``cities15000.txt`` in dump format.
"""
from __future__ import annotations

import csv
import hashlib
import zipfile
from pathlib import Path

import pytest

from syriamap.gazetteer import Alias, Gazetteer, haversine_km
from syriamap.gazetteer.importers import GazetteerImportError, import_geonames
from syriamap.gazetteer.importers.geonames import feature_kind


def gn_row(gid, name, lat, lon, fclass, fcode, cc, a1="", a2="", alt="", pop=0):
    """One line of a GeoNames place file (19 tab-separated columns)."""
    cols = [str(gid), name, name, alt, str(lat), str(lon), fclass, fcode, cc, "", a1, a2, "", "",
            str(pop), "", "", "Asia/Damascus", "2024-01-01"]
    assert len(cols) == 19
    return "\t".join(cols)


def alt_row(alt_id, gid, lang, name, historic="", valid_from="", valid_to=""):
    """One line of alternateNamesV2.txt (10 columns)."""
    return "\t".join([str(alt_id), str(gid), lang, name, "", "", "", historic, valid_from, valid_to])


@pytest.fixture(scope="module")
def admin_files(shared_data: Path) -> tuple[Path, Path]:
    admin1 = shared_data / "geonames" / "admin1CodesASCII.txt"
    admin2 = shared_data / "geonames" / "admin2Codes.txt"
    if not (admin1.is_file() and admin2.is_file()):
        pytest.skip("GeoNames admin code tables missing")
    return admin1, admin2


def admin_table(path: Path) -> dict[str, str]:
    """Code -> name, read straight from a GeoNames admin code table."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[0]: row[1] for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)}


@pytest.fixture(scope="module")
def homs_admin2(admin_files) -> tuple[str, str]:
    """(admin2 code, name) of the first district of Homs (SY.11) in the real admin2Codes.txt."""
    code, name = next((c, n) for c, n in admin_table(admin_files[1]).items() if c.startswith("SY.11."))
    return code.split(".")[2], name


@pytest.fixture()
def dump(tmp_path: Path, homs_admin2) -> Path:
    """A small place file in GeoNames' dump format, with one row per kind of feature."""
    a2, _ = homs_admin2
    rows = [
        gn_row(9100001, "Syria", 35.0, 38.5, "A", "PCLI", "SY", pop=17_000_000),
        gn_row(9100002, "Homs Governorate", 34.6, 37.9, "A", "ADM1", "SY", a1="11"),
        gn_row(9100003, "Homs", 34.7268, 36.7234, "P", "PPLA", "SY", a1="11", a2=a2, alt="Hims,Emesa,Horns", pop=775_000),
        gn_row(9100004, "Al Waer", 34.7420, 36.6640, "P", "PPLX", "SY", a1="11"),
        gn_row(9100005, "Tiyas Air Base", 34.5225, 37.6297, "S", "AIRB", "SY", a1="11"),
        gn_row(9100006, "Nahr al Asi", 34.95, 36.55, "H", "STM", "SY", alt="Orontes"),
        gn_row(9100007, "Safir Hotel", 34.73, 36.71, "S", "HTL", "SY", a1="11"),
        gn_row(9100008, "Astana", 51.1694, 71.4491, "P", "PPLC", "KZ", a1="05", pop=1_000_000),
        gn_row(9100009, "Gaziantep", 37.0594, 37.3825, "P", "PPLA", "TR", a1="83", pop=2_000_000),
        gn_row(9100010, "Homs District", 34.70, 36.75, "A", "ADM2", "SY", a1="11", a2=a2),
    ]
    path = tmp_path / "SY.txt"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def alternate_names(tmp_path: Path) -> Path:
    rows = [
        alt_row(1, 9100003, "ar", "حمص"),
        alt_row(2, 9100003, "link", "https://en.wikipedia.org/wiki/Homs"),
        alt_row(3, 9100003, "zh", "霍姆斯"),
        alt_row(4, 9100003, "post", "12345"),
        alt_row(5, 9100008, "en", "Nur-Sultan", historic="1", valid_from="2019", valid_to="2022"),
        alt_row(6, 9100008, "en", "Tselinograd", historic="1", valid_from="1961", valid_to="1992"),
        alt_row(7, 9100009, "tr", "Antep"),
        alt_row(8, 9999999, "en", "Nowhere"),
    ]
    path = tmp_path / "alternateNamesV2.txt"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_feature_codes_map_to_kinds():
    assert feature_kind("PCLI")[0] == "country"
    assert feature_kind("PCLH") is None
    assert feature_kind("PPLA2") == ("populated_place", "PPLA2")
    assert feature_kind("PPLX")[0] == "neighbourhood"
    assert feature_kind("STMI")[0] == "river"
    assert feature_kind("AIRB") == ("site", "airbase")
    assert feature_kind("CMPRF") == ("site", "refugee camp")
    assert feature_kind("MTS")[0] == "region"
    assert feature_kind("HTL") is None


def test_import_places_admin_names_and_alternate_names(tmp_path, dump, alternate_names, admin_files, homs_admin2):
    into = tmp_path / "gazetteer.sqlite"
    report = import_geonames([dump, *admin_files, alternate_names], into, countries=["sy", "KZ"])

    admin1_names = admin_table(admin_files[0])
    gz = Gazetteer(into, layers=["geonames"])
    ids = {p.id for p in gz.places()}
    assert ids == {f"gnd:{n}" for n in (9100001, 9100002, 9100003, 9100004, 9100005, 9100006, 9100008, 9100010)}
    assert report.places == len(ids)
    assert report.skipped["places in other countries"] == 1  # Gaziantep
    assert report.skipped["places of feature codes not imported"] == 1  # the hotel
    assert report.rows == report.used + sum(report.skipped.values())

    homs = gz.get("gnd:9100003")
    assert homs.kind == "populated_place" and homs.feature == "PPLA" and homs.population == 775_000
    assert homs.admin1 == admin1_names["SY.11"]
    assert homs.admin2 == homs_admin2[1]
    assert homs.parent_id == "gnd:9100010", "the smallest admin area of the layer that holds it"
    assert gz.get("gnd:9100010").parent_id == "gnd:9100002"
    assert gz.get("gnd:9100002").parent_id == "gnd:9100001"
    assert gz.get("gnd:9100004").kind == "neighbourhood"
    assert (gz.get("gnd:9100005").kind, gz.get("gnd:9100005").feature) == ("site", "airbase")
    assert gz.get("gnd:9100006").kind == "river"
    assert gz.get("gnd:9100001").kind == "country"

    names = {a.name: a for a in homs.aliases}
    assert names["حمص"].lang == "ar" and names["حمص"].script == "Arab"
    assert {"Hims", "Emesa"} <= set(names), "the alternatenames column becomes aliases"
    assert not any("wikipedia" in n or n == "12345" or n == "霍姆斯" for n in names)
    assert report.skipped["alternate names that are codes or links"] == 2
    assert report.skipped["alternate names not in Latin or Arabic script"] == 1
    assert report.skipped["alternate names of places not imported"] == 2  # Antep (TR), Nowhere

    astana = gz.get("gnd:9100008")
    assert Alias("Nur-Sultan", "en", "Latn", 2019, 2022) in astana.aliases
    assert gz.resolve("Nur-Sultan", year=2020).place.id == "gnd:9100008"
    assert gz.resolve("حمص").place.id == "gnd:9100003"
    assert gz.resolve("Al Waer").place.kind == "neighbourhood"


def test_import_stacks_on_the_default_and_replaces_its_own_layer(tmp_path, dump):
    into = tmp_path / "gazetteer.sqlite"
    first = import_geonames([dump], into)
    again = import_geonames([dump], into, countries=["SY"])
    layers = {row["name"]: row for row in Gazetteer(into).layers}
    assert set(layers) == {"default", "geonames"}
    assert layers["geonames"]["priority"] == 1
    assert layers["geonames"]["places"] == again.places < first.places


def test_a_zip_archive_is_read_like_its_text_file(tmp_path, dump):
    archive = tmp_path / "SY.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(dump, "SY.txt")
        zf.writestr("readme.txt", "GeoNames readme\n")
    from_text = import_geonames([dump], tmp_path / "a.sqlite")
    from_zip = import_geonames([archive], tmp_path / "b.sqlite")
    assert from_zip.places == from_text.places
    assert Gazetteer(tmp_path / "b.sqlite").get("gnd:9100003").name == "Homs"


def test_real_cities_file_from_geotext(tmp_path, admin_files):
    geotext = pytest.importorskip("geotext", reason="dev extra geotext ships a GeoNames cities15000.txt")
    cities = Path(geotext.__file__).parent / "data" / "cities15000.txt"
    with cities.open(encoding="utf-8", newline="") as handle:
        syrian = [row for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE) if row[8] == "SY"]
    assert len(syrian) > 30
    into = tmp_path / "gazetteer.sqlite"
    report = import_geonames([cities, admin_files[0]], into, countries=["SY"])
    assert report.places == len(syrian)  # every row is a PPL*: all kept

    admin1_names = admin_table(admin_files[0])
    gz = Gazetteer(into, layers=["geonames"])
    close = 0
    for row in syrian:
        place = gz.get(f"gnd:{row[0]}")
        assert place.name == row[1] and place.country_code == "SY"
        assert (place.latitude, place.longitude) == (float(row[4]), float(row[5]))
        assert place.admin1 == admin1_names.get(f"SY.{row[10]}")
        best = gz.resolve(row[2], country="SY")
        close += best is not None and haversine_km(best.place.point, place.point) < 1
    assert close >= 0.95 * len(syrian), "a city's ascii name finds that city"


def test_malformed_row_names_file_and_line_and_leaves_the_file_unchanged(tmp_path, dump):
    into = tmp_path / "gazetteer.sqlite"
    import_geonames([dump], into)
    before = sha256(into)

    rows = [gn_row(9200000 + n, f"Village {n}", 35.0, 37.0, "P", "PPL", "SY") for n in range(16)]
    bad = tmp_path / "SY.txt"
    bad.write_text("\n".join(rows + ["\t".join(["1"] * 12)]) + "\n", encoding="utf-8")
    with pytest.raises(GazetteerImportError) as err:
        import_geonames([bad], into)
    assert str(err.value) == "SY.txt:17: expected 19 tab-separated columns, found 12"
    assert (err.value.path, err.value.line) == (bad, 17)
    assert sha256(into) == before

    bad.write_text("\n".join(rows[:4] + [gn_row(1, "Nowhere", "north", 37.0, "P", "PPL", "SY")]) + "\n", encoding="utf-8")
    with pytest.raises(GazetteerImportError, match=r"^SY.txt:5: column 'latitude': 'north' is not a number"):
        import_geonames([bad], into)
    bad.write_text(gn_row(1, "Far", 95.0, 37.0, "P", "PPL", "SY") + "\n", encoding="utf-8")
    with pytest.raises(GazetteerImportError, match=r"^SY.txt:1: column 'latitude': 95.0 is out of range"):
        import_geonames([bad], into)
    assert sha256(into) == before


def test_malformed_alternate_names_and_admin_codes(tmp_path, dump):
    into = tmp_path / "gazetteer.sqlite"
    import_geonames([dump], into)
    before = sha256(into)

    alt = tmp_path / "alternateNamesV2.txt"
    alt.write_text(alt_row(1, 9100003, "en", "Hims") + "\n" + alt_row(2, 9100003, "en", "Emesa", valid_from="once") + "\n",
                   encoding="utf-8")
    with pytest.raises(GazetteerImportError, match=r"^alternateNamesV2.txt:2: column 'from': 'once' is not a year"):
        import_geonames([dump, alt], into)

    admin1 = tmp_path / "admin1CodesASCII.txt"
    admin1.write_text("SY.11\tHoms\tHoms\t1\nSY-12\tIdlib\tIdlib\t2\n", encoding="utf-8")
    with pytest.raises(GazetteerImportError, match=r"^admin1CodesASCII.txt:2: column 'code'"):
        import_geonames([dump, admin1], into)

    junk = tmp_path / "cities500.txt"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(GazetteerImportError, match=r"^cities500.txt:\d+: "):
        import_geonames([junk], into)
    assert sha256(into) == before


def test_bad_requests_are_refused_before_any_write(tmp_path, dump, admin_files):
    into = tmp_path / "gazetteer.sqlite"
    with pytest.raises(ValueError, match="embedded default"):
        import_geonames([dump], into, layer="default")
    with pytest.raises(ValueError, match="two-letter"):
        import_geonames([dump], into, countries=["Syria"])
    with pytest.raises(GazetteerImportError, match="no GeoNames place file"):
        import_geonames([admin_files[0]], into)
    with pytest.raises(GazetteerImportError, match="no such file"):
        import_geonames([tmp_path / "missing.txt"], into)
    assert not into.exists()


def test_a_place_already_in_another_layer_is_refused(tmp_path, dump):
    into = tmp_path / "gazetteer.sqlite"
    import_geonames([dump], into, layer="first")
    before = sha256(into)
    with pytest.raises(GazetteerImportError, match="already in layer 'first'"):
        import_geonames([dump], into, layer="second")
    assert sha256(into) == before
