"""Countries, neighbours' provinces and macro-regions in the embedded default gazetteer.

The unit tests check names the news writes (abbreviations, old and short forms,
Arabic names, national adjectives) against facts typed here by us: which country
an ISO code stands for, which country a province lies in.  The last tests read a
standard geoparsing corpus (TR-News and GeoVirus, gold points from GeoNames)
through the ``shared_data`` fixture and check that country mentions land near
the gold point, which curated centre points must do where the old city-median
points did not (Canada, the United States, Russia), and that mentions of the
states and provinces of countries outside the Middle East resolve.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from syriamap.gazetteer import Gazetteer, default_gazetteer, haversine_km

#: A country mention is right when it lands within 100 miles of the gold point
#: (the usual accuracy@161 km of geoparsing evaluations).
ACCURACY_KM = 161.0


@pytest.fixture(scope="module")
def gz() -> Gazetteer:
    return default_gazetteer()


@pytest.mark.parametrize(
    "name,code",
    [
        ("U.S.", "US"), ("USA", "US"), ("United States of America", "US"), ("American", "US"),
        ("Britain", "GB"), ("U.K.", "GB"), ("Great Britain", "GB"), ("British", "GB"),
        ("UAE", "AE"), ("Emirati", "AE"), ("DRC", "CD"), ("KSA", "SA"), ("Saudi", "SA"),
        ("Holland", "NL"), ("Burma", "MM"), ("Ivory Coast", "CI"), ("Czech Republic", "CZ"),
        ("Türkiye", "TR"), ("Turkish", "TR"), ("Russian Federation", "RU"), ("Russian", "RU"),
        ("South Korea", "KR"), ("North Korea", "KP"), ("South Sudan", "SS"),
        ("Iranian", "IR"), ("Iraqi", "IQ"), ("Lebanese", "LB"), ("Jordanian", "JO"),
        ("Israeli", "IL"), ("Palestinian", "PS"), ("Syrian", "SY"), ("Qatari", "QA"),
        ("Egyptian", "EG"), ("Kazakh", "KZ"), ("Chinese", "CN"), ("French", "FR"), ("German", "DE"),
        ("سوريا", "SY"), ("سورية", "SY"), ("تركيا", "TR"), ("العراق", "IQ"), ("لبنان", "LB"),
        ("الأردن", "JO"), ("إسرائيل", "IL"), ("فلسطين", "PS"), ("إيران", "IR"), ("روسيا", "RU"),
        ("الولايات المتحدة", "US"), ("السعودية", "SA"), ("مصر", "EG"),
    ],
)
def test_news_names_of_countries(gz: Gazetteer, name: str, code: str) -> None:
    best = gz.resolve(name)
    assert best is not None, name
    assert best.place.kind == "country" and best.place.country_code == code, (name, best.place)


def test_a_dated_country_name_is_judged_by_its_years(gz: Gazetteer) -> None:
    # Persia was Iran's name in English until 1935.
    old = gz.resolve("Persia", year=1930)
    new = gz.resolve("Persia", year=2016)
    assert old is not None and old.place.country_code == "IR"
    assert new is None or new.score < old.score


@pytest.mark.parametrize(
    "name,point",
    [
        # Conventional centre points (GeoNames-style), typed here; a city median lands far away.
        ("United States", (39.76, -98.5)),
        ("Russia", (60.0, 100.0)),
        ("Turkey", (39.0, 35.0)),
        ("Syria", (35.0, 38.0)),
        ("Iraq", (33.0, 44.0)),
        ("Saudi Arabia", (25.0, 45.0)),
    ],
)
def test_country_points_are_centre_points(gz: Gazetteer, name: str, point: tuple[float, float]) -> None:
    best = gz.resolve(name)
    assert best is not None and best.place.kind == "country"
    assert haversine_km(best.place.point, point) < 100, (name, best.place.point)


def test_every_country_is_curated_not_generated(gz: Gazetteer) -> None:
    countries = list(gz.places(kind="country"))
    assert len(countries) >= 250
    generated = [c.id for c in countries if not c.id.startswith("sm:country-")]
    assert not generated, f"countries still generated from GeoNames cities: {generated[:10]}"
    assert len({c.country_code for c in countries}) == len(countries), "one place per country"


def test_provinces_of_the_neighbours(gz: Gazetteer) -> None:
    hatay = gz.resolve("Hatay province")
    assert hatay is not None and hatay.place.kind == "admin1" and hatay.place.country_code == "TR"
    assert haversine_km(hatay.place.point, (36.2, 36.16)) < 60, "Hatay's centroid is near Antakya"
    urfa = gz.resolve("Sanliurfa province")
    assert urfa is not None and urfa.place.kind == "admin1" and urfa.place.country_code == "TR"
    for name, code in [("Nineveh", "IQ"), ("Ninawa", "IQ"), ("Al-Anbar", "IQ"), ("Salahuddin", "IQ"),
                       ("Dohuk governorate", "IQ"), ("Bekaa", "LB"), ("Baalbek-Hermel", "LB"),
                       ("Akkar", "LB"), ("Mafraq governorate", "JO"), ("Zarqa governorate", "JO")]:
        best = gz.resolve(name)
        assert best is not None and best.place.country_code == code, (name, best and best.place)
        assert best.place.kind == "admin1", (name, best.place)
    kurdistan = gz.resolve("Iraqi Kurdistan")
    assert kurdistan is not None and kurdistan.place.kind == "region" and kurdistan.place.country_code == "IQ"


def test_a_province_does_not_displace_its_capital(gz: Gazetteer) -> None:
    # Reports that write "Gaziantep" or "Basra" mostly mean the city.
    for name, code in [("Gaziantep", "TR"), ("Basra", "IQ"), ("Irbid", "JO"), ("Beirut", "LB")]:
        best = gz.resolve(name)
        assert best is not None and best.place.kind == "populated_place" and best.place.country_code == code, name
        assert gz.resolve(name, kind="admin1").place.country_code == code


def test_macro_regions(gz: Gazetteer) -> None:
    middle_east = gz.resolve("Middle East")
    assert middle_east is not None and middle_east.place.kind == "region" and middle_east.place.country_code == ""
    assert haversine_km(middle_east.place.point, (29.0, 42.0)) < 800
    for name in ("Levant", "Arabian Peninsula", "Caucasus", "Balkans", "Central Asia", "North Africa",
                 "Africa", "Europe", "Asia", "Latin America", "الشرق الأوسط", "بلاد الشام", "أمريكا الجنوبية"):
        best = gz.resolve(name)
        assert best is not None and best.place.kind == "region", (name, best and best.place)
    # A direction-named part is not its whole: "East Asia" is not "Asia", "North Africa" not "Africa".
    for part, whole in (("East Asia", "Asia"), ("North Africa", "Africa"), ("Eastern Europe", "Europe")):
        assert gz.resolve(part).place.name == part != gz.resolve(whole).place.name
    sinai = gz.resolve("Sinai Peninsula")
    assert sinai is not None and sinai.place.country_code == "EG"
    gaza = gz.resolve("Gaza Strip")
    assert gaza is not None and gaza.place.kind == "region" and gaza.place.country_code == "PS"


# --------------------------------------------------------------------------- geoparsing corpus


def _toponyms(shared_data: Path) -> list[dict]:
    path = shared_data / "geoparsing" / "tr-news-geovirus.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.extend(json.loads(line).get("toponyms") or [])
    return out


def _share_within(gz: Gazetteer, toponyms: list[dict]) -> tuple[float, list[tuple[str, float | None]]]:
    """Share of toponyms whose phrase resolves within ACCURACY_KM of the gold point, and the misses."""
    misses: list[tuple[str, float | None]] = []
    for t in toponyms:
        best = gz.resolve(t["phrase"])
        km = None if best is None else haversine_km(best.place.point, (float(t["lat"]), float(t["lon"])))
        if km is None or km > ACCURACY_KM:
            misses.append((t["phrase"], None if km is None else round(km)))
    return 1 - len(misses) / len(toponyms), misses


def test_country_mentions_land_near_the_gold_point(gz: Gazetteer, shared_data: Path) -> None:
    countries = [t for t in _toponyms(shared_data) if str(t.get("fcode") or "").startswith("PCL")]
    assert len(countries) >= 100, "the corpus has hundreds of country mentions"
    share, misses = _share_within(gz, countries)
    assert share >= 0.90, f"{share:.1%} of {len(countries)} country mentions within {ACCURACY_KM:.0f} km; misses {misses[:20]}"


def test_neighbours_provinces_land_near_the_gold_point(gz: Gazetteer, shared_data: Path) -> None:
    neighbours = {"Turkey", "Iraq", "Lebanon", "Jordan"}
    provinces = [t for t in _toponyms(shared_data) if t.get("fcode") == "ADM1" and t.get("country") in neighbours]
    if not provinces:
        pytest.skip("no province of Turkey, Iraq, Lebanon or Jordan in the corpus")
    share, misses = _share_within(gz, provinces)
    assert share > 0.5, f"{share:.1%} of {len(provinces)} province mentions within {ACCURACY_KM:.0f} km; misses {misses}"


def test_south_america_is_the_continent(gz: Gazetteer) -> None:
    # "South" is also a direction word; the whole name outranks its part "America" (the US).
    best = gz.resolve("South America")
    assert best is not None and best.place.kind == "region"
    assert gz.resolve("America").place.country_code == "US"


# --------------------------------------------------------------------------- the wider world's provinces


@pytest.mark.parametrize(
    "name,code",
    [
        ("Texas", "US"), ("Alberta", "CA"), ("Queensland", "AU"), ("Chechnya", "RU"), ("Khorasan", "IR"),
        ("Bavaria", "DE"), ("Scotland", "GB"), ("Sicily", "IT"), ("Catalonia", "ES"), ("Xinjiang", "CN"),
        ("Helmand", "AF"), ("Hadramawt", "YE"), ("Borno", "NG"), ("Khyber Pakhtunkhwa", "PK"), ("KPK", "PK"),
        ("Kerala", "IN"), ("Khuzestan", "IR"), ("Eastern Province", "SA"), ("North Sinai", "EG"),
        ("Calif.", "US"), ("NSW", "AU"), ("B.C.", "CA"), ("Crimea", "UA"),
        ("الشيشان", "RU"), ("كيبك", "CA"),
        # A state outranks a small namesake town abroad: Florida, Uruguay; Ontario, California.
        ("Florida", "US"), ("Ontario", "CA"),
    ],
)
def test_world_provinces(gz: Gazetteer, name: str, code: str) -> None:
    best = gz.resolve(name)
    assert best is not None, name
    assert best.place.kind == "admin1" and best.place.country_code == code, (name, best.place)


def test_washington_is_the_capital_and_georgia_the_country(gz: Gazetteer) -> None:
    washington = gz.resolve("Washington")
    assert washington is not None and washington.place.kind == "populated_place"
    assert haversine_km(washington.place.point, (38.9, -77.04)) < 30, "Washington, D.C., not the state"
    state = gz.resolve("Washington State")
    assert state is not None and state.place.kind == "admin1" and state.place.country_code == "US"
    assert haversine_km(state.place.point, (47.4, -120.5)) < 300
    georgia = gz.resolve("Georgia")
    assert georgia is not None and georgia.place.kind == "country" and georgia.place.country_code == "GE"
    us_state = gz.resolve("State of Georgia")
    assert us_state is not None and us_state.place.kind == "admin1" and us_state.place.country_code == "US"


def test_a_world_province_does_not_displace_its_capital(gz: Gazetteer) -> None:
    # "Tehran", "Lagos", "New York" mostly mean the city; the province is there when asked for.
    for name, code in [("Tehran", "IR"), ("Lagos", "NG"), ("Berlin", "DE"), ("Riyadh", "SA"), ("Sanaa", "YE"),
                       ("New York", "US"), ("Delhi", "IN")]:
        best = gz.resolve(name)
        assert best is not None and best.place.kind == "populated_place" and best.place.country_code == code, name
        province = gz.resolve(name, kind="admin1")
        assert province is not None and province.place.country_code == code, name


def test_libyas_historical_regions(gz: Gazetteer) -> None:
    for name, point in [("Cyrenaica", (30.0, 22.0)), ("Tripolitania", (31.0, 13.5)), ("Fezzan", (26.0, 14.0))]:
        best = gz.resolve(name)
        assert best is not None and best.place.kind == "region" and best.place.country_code == "LY", name
        assert haversine_km(best.place.point, point) < 400, name


#: Countries whose provinces count as Middle Eastern for the corpus check below (GeoNames' English names).
MIDDLE_EAST = {"Syria", "Turkey", "Iraq", "Lebanon", "Jordan", "Israel", "Palestinian Territory", "Iran",
               "Saudi Arabia", "Egypt", "Yemen", "Kuwait", "Qatar", "Bahrain", "United Arab Emirates", "Oman", "Cyprus"}


def test_world_province_mentions_land_near_the_gold_point(gz: Gazetteer, shared_data: Path) -> None:
    # Measured 74% (of 253 mentions, mostly US states, Canadian provinces and Australian states);
    # only a handful resolved before world_admin1.tsv.  The misses left are by design ("Washington" is
    # the capital, "New York" the city, "Georgia" the country), two-letter abbreviations we leave
    # out ("Ky.", "Mo."), and large provinces whose gold point is more than 161 km from our centroid.
    provinces = [t for t in _toponyms(shared_data) if t.get("fcode") == "ADM1" and t.get("country") not in MIDDLE_EAST]
    assert len(provinces) >= 100, "the corpus has hundreds of province mentions outside the Middle East"
    share, misses = _share_within(gz, provinces)
    assert share >= 0.70, f"{share:.1%} of {len(provinces)} province mentions within {ACCURACY_KM:.0f} km; misses {misses[:30]}"
