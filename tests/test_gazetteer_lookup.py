"""Lookups on the embedded default gazetteer: the names a Syria report uses.

Expected coordinates are facts typed here by us (town centres to ~0.01 degree),
never values read back from the gazetteer.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from syriamap.gazetteer import Gazetteer, Place, bad_name_reason, default_gazetteer, haversine_km
from syriamap.normalize import phonetic_key

HOMS = (34.73, 36.71)
RAQQA = (35.95, 39.01)
DEIR_EZ_ZOR = (35.34, 40.14)
ASTANA = (51.17, 71.45)
DAMASCUS = (33.51, 36.29)
AFRIN = (36.51, 36.87)
KOBANI = (36.89, 38.35)
PALMYRA = (34.56, 38.27)
ALBUKAMAL = (34.45, 40.92)


@pytest.fixture(scope="module")
def gz() -> Gazetteer:
    return default_gazetteer()


def _same_admin(got: str | None, *expected: str) -> bool:
    return got is not None and any(phonetic_key(got) == phonetic_key(e) for e in expected)


@pytest.mark.parametrize(
    "name,point,admin1",
    [
        ("Homs", HOMS, ("Homs",)),
        ("Hims", HOMS, ("Homs",)),
        ("حمص", HOMS, ("Homs",)),
        ("Raqqa", RAQQA, ("Raqqa", "Ar-Raqqah")),
        ("Ar Raqqah", RAQQA, ("Raqqa",)),
        ("Rakka", RAQQA, ("Raqqa",)),
        ("Deir Ezzor", DEIR_EZ_ZOR, ("Deir ez-Zor",)),
        ("Deir ez-Zor", DEIR_EZ_ZOR, ("Deir ez-Zor",)),
        ("Dayr az Zawr", DEIR_EZ_ZOR, ("Deir ez-Zor",)),
        ("Deir al-Zour", DEIR_EZ_ZOR, ("Deir ez-Zor",)),
        ("دير الزور", DEIR_EZ_ZOR, ("Deir ez-Zor",)),
        ("Astana", ASTANA, ("Astana", "Astana Qalasy")),
        ("Nur-Sultan", ASTANA, ("Astana", "Astana Qalasy")),
        ("Damascus", DAMASCUS, ("Damascus", "Dimashq")),
        ("Afrin", AFRIN, ("Aleppo",)),
        ("Kobani", KOBANI, ("Aleppo",)),
        ("Ayn al-Arab", KOBANI, ("Aleppo",)),
        ("Palmyra", PALMYRA, ("Homs",)),
        ("Tadmur", PALMYRA, ("Homs",)),
        ("Albukamal", ALBUKAMAL, ("Deir ez-Zor",)),
        ("Abu Kamal", ALBUKAMAL, ("Deir ez-Zor",)),
    ],
)
def test_settlements_resolve_within_10_km(gz, name, point, admin1):
    best = gz.resolve(name)
    assert best is not None, name
    assert best.place.kind == "populated_place"
    assert haversine_km(best.place.point, point) < 10, (name, best.place)
    assert _same_admin(best.place.admin1, *admin1), (name, best.place.admin1)
    assert best.reasons, "every candidate says why it ranks where it does"


def test_neighbourhood_of_homs(gz):
    best = gz.resolve("al-Waer")
    assert best is not None
    assert best.place.kind == "neighbourhood"
    assert _same_admin(best.place.admin1, "Homs")
    assert haversine_km(best.place.point, HOMS) < 8


def test_river_and_country(gz):
    river = gz.resolve("Euphrates")
    assert river is not None and river.place.kind == "river"
    assert river.place.geometry and '"LineString"' in river.place.geometry
    country = gz.resolve("Kazakhstan")
    assert country is not None and country.place.kind == "country" and country.place.country_code == "KZ"


def test_country_and_governorate_never_land_on_a_village(gz):
    syria = gz.resolve("Syria")
    assert syria is not None and syria.place.kind == "country" and syria.place.country_code == "SY"
    lebanon = gz.resolve("Lebanon")
    assert lebanon is not None and lebanon.place.kind == "country"
    for name in ("Homs governorate", "Raqqa province", "Idlib countryside"):
        best = gz.resolve(name)
        assert best is not None and best.place.kind == "admin1", (name, best and best.place)


def test_ambiguous_names_follow_the_priors(gz):
    # Homs the city by default, the governorate when the kind says so.
    assert gz.resolve("Homs").place.kind == "populated_place"
    assert gz.resolve("Homs", kind="admin1").place.kind == "admin1"
    # Tripoli: Lebanon by the regional focus, Libya when asked, and the reasons say so.
    lebanon = gz.resolve("Tripoli")
    assert lebanon.place.country_code == "LB"
    assert any("focus" in r for r in lebanon.reasons)
    libya = gz.resolve("Tripoli", country="Libya")
    assert libya.place.country_code == "LY"
    assert any("as asked" in r for r in libya.reasons)
    # Proximity: near Tripoli (Libya) wins without a country.
    near = gz.resolve("Tripoli", near=(32.9, 13.2))
    assert near.place.country_code == "LY"


def test_renamed_place_validity(gz):
    # Nur-Sultan was Astana's name 2019-2022; in 2020 that name is in use.
    in_use = gz.resolve("Nur-Sultan", year=2020)
    assert in_use is not None and haversine_km(in_use.place.point, ASTANA) < 10
    assert any("in use in 2020" in r for r in in_use.reasons)
    later = gz.resolve("Nur-Sultan", year=2024)
    assert later is not None and later.score < in_use.score
    assert any("not in use" in r for r in later.reasons)


def test_lookup_ranks_candidates(gz):
    cands = gz.lookup("Homs", limit=5)
    assert len(cands) >= 2
    assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)
    assert len({c.place.id for c in cands}) == len(cands)


def test_fuzzy_typo_still_found(gz):
    best = gz.resolve("Aleppoo")
    assert best is not None and best.match in ("phonetic", "fuzzy")
    assert haversine_km(best.place.point, (36.20, 37.16)) < 10


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "a" * 10_000, "\x00\x01\x02binary\xff", None, float("nan"), 42, "!!!"],
)
def test_bad_input_gives_none_with_a_reason(gz, bad):
    assert gz.resolve(bad) is None  # type: ignore[arg-type]
    assert gz.lookup(bad) == []  # type: ignore[arg-type]
    assert bad_name_reason(bad)


def test_resolve_many_keeps_every_row_and_says_why():
    names = pd.Series(["Homs", None, float("nan"), "", "x" * 10_000, "Qqqqxxzz", "Idlib"])
    table = default_gazetteer().resolve_many(names)
    assert len(table) == len(names)
    assert table.loc[0, "place"] == "Homs" and pd.isna(table.loc[0, "reason"])
    assert table.loc[1, "reason"].startswith("no name")
    assert table.loc[2, "reason"] == "no name (NaN)"
    assert table.loc[3, "reason"] == "empty name"
    assert "too long" in table.loc[4, "reason"]
    assert table.loc[5, "reason"] == "no match"
    assert table.loc[6, "country"] == "SY"


def test_unknown_kind_is_a_clear_error(gz):
    with pytest.raises(ValueError, match="unknown kind"):
        gz.lookup("Homs", kind="planet")


def test_from_places_builds_a_real_file(tmp_path):
    places = [
        Place(id="t:1", name="Testville", kind="populated_place", latitude=35.0, longitude=38.0, country_code="SY",
              admin1="Homs", population=1200),
        Place(id="t:2", name="Testville", kind="admin2", latitude=35.2, longitude=38.3, country_code="SY",
              admin1="Homs"),
    ]
    gz = Gazetteer.from_places(places, tmp_path / "g.sqlite")
    assert (tmp_path / "g.sqlite").stat().st_size > 0
    assert len(gz) == 2
    assert gz.resolve("Testville").place.id == "t:1"
    assert gz.resolve("Testville district").place.id == "t:2"
    assert gz.get("t:2").name == "Testville"
    assert math.isclose(gz.get("t:1").latitude, 35.0)
    assert [p.id for p in gz.places(kind="admin2")] == ["t:2"]


@pytest.mark.parametrize(
    "hints,message",
    [
        ({"country": "Narnia"}, "unknown country"),
        ({"country": "ZZ"}, "unknown country"),
        ({"near": "abc"}, "near must be"),
        ({"near": (100, 0)}, "not a point on Earth"),
        ({"year": "2016"}, "year must be"),
        ({"admin1": 5}, "admin1 must be"),
    ],
)
def test_bad_hints_are_clear_errors_not_silently_ignored(gz, hints, message):
    with pytest.raises(ValueError, match=message):
        gz.resolve("Homs", **hints)


def test_country_given_as_code_name_or_iso3(gz):
    for country in ("SY", "sy", "SYR", "Syria", "Syrian Arab Republic"):
        assert gz.country_code(country) == "SY", country


def test_an_approximate_name_of_another_kind_is_no_answer(gz):
    # "Taksim Square" names a square: a town whose name merely looks like "Taksim" elsewhere is not it.
    assert gz.resolve("Taksim Square") is None
    # An exact name may still stand for a feature named after it, when nothing better exists.
    assert gz.resolve("Aleppoo city").place.name == "Aleppo"


def test_numbered_housing_projects_stay_apart(gz):
    a = gz.resolve("1070 Al-Hamdaniyah Housing Project")
    b = gz.resolve("3000 Apartment Project")
    assert a is not None and b is not None and a.place.id != b.place.id
    assert {a.place.kind, b.place.kind} == {"neighbourhood"}


def test_lookups_stay_light_no_pandas_or_folium_imported():
    """The cold start stays fast because a lookup imports neither pandas nor folium."""
    import subprocess
    import sys

    code = (
        "import sys; from syriamap.gazetteer import default_gazetteer as d; g = d();"
        "g.resolve('Homs', country='SY'); g.resolve('Homs', country='Syria'); list(g.places(kind='admin1', country='SY'));"
        "print(sorted(m for m in ('pandas', 'folium', 'geopy', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_metropolis_outranks_a_village_of_the_region_named_like_it(gz):
    kabul = gz.resolve("Kabul")
    assert kabul.place.country_code == "AF"
    assert any("metropolis" in r for r in kabul.reasons)
    # ...while a regional city still outranks a distant one of similar size.
    assert gz.resolve("Tripoli").place.country_code == "LB"
