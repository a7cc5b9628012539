"""The offline gazetteer through geopy's interface: geocode, reverse, RateLimiter, bad input."""
from __future__ import annotations

import logging
import math

import pandas as pd
import pytest
from geopy.exc import GeocoderUnavailable
from geopy.extra.rate_limiter import RateLimiter
from geopy.location import Location
from geopy.point import Point

from syriamap.gazetteer import Gazetteer, Place, haversine_km
from syriamap.gazetteer.geocoder import OfflineGazetteer

# Reference coordinates written from general knowledge, not from our data.
HOMS = (34.7308, 36.7094)
TRIPOLI_LY = (32.8872, 13.1913)
TRIPOLI_LB = (34.4367, 35.8497)

RAW_KEYS = {"id", "name", "kind", "admin1", "admin2", "country_code", "population", "score", "match",
            "reasons", "geo_precision", "source"}


def is_homs_or_a_quarter_of_it(loc: Location, homs: Location) -> bool:
    """The city itself, or a neighbourhood of Homs governorate within 6 km of the city's point."""
    if loc.raw["id"] == homs.raw["id"]:
        return True
    return (loc.raw["kind"] == "neighbourhood" and loc.raw["admin1"] == "Homs"
            and haversine_km(loc.point[:2], homs.point[:2]) < 6)


@pytest.fixture(scope="module")
def geocoder() -> OfflineGazetteer:
    return OfflineGazetteer()


@pytest.fixture()
def tiny(tmp_path) -> OfflineGazetteer:
    """A geocoder over a three-place gazetteer of our own."""
    places = [
        Place(id="t:alpha", name="Alphaville", kind="populated_place", latitude=10.0, longitude=10.0,
              country_code="SY", admin1="Testia", population=5000),
        Place(id="t:beta", name="Betatown", kind="populated_place", latitude=10.5, longitude=10.5,
              country_code="SY", admin1="Testia", population=800),
        Place(id="t:gamma", name="Gamma River", kind="river", latitude=10.45, longitude=10.45, country_code="SY"),
    ]
    gz = Gazetteer.from_places(places, tmp_path / "tiny.sqlite", layer="tiny")
    return OfflineGazetteer(gz)


def test_geocode_returns_a_geopy_location_with_the_place_in_raw(geocoder: OfflineGazetteer) -> None:
    loc = geocoder.geocode("Homs")
    assert isinstance(loc, Location)
    assert RAW_KEYS <= set(loc.raw)
    assert loc.raw["kind"] == "populated_place"
    assert loc.raw["country_code"] == "SY"
    assert loc.raw["geo_precision"] == 1
    assert loc.raw["match"] == "exact"
    assert 0 < loc.raw["score"] <= 1 and loc.raw["reasons"]
    assert loc.address.startswith("Homs, ") and loc.address.endswith(", SY")
    assert (loc.latitude, loc.longitude) == (loc.raw["latitude"], loc.raw["longitude"])
    assert haversine_km(HOMS, (loc.latitude, loc.longitude)) < 10


def test_spelling_variants_meet_through_geocode(geocoder: OfflineGazetteer) -> None:
    ids = {geocoder.geocode(name).raw["id"] for name in ("Homs", "Hims", "حمص")}
    assert len(ids) == 1


def test_exactly_one_false_gives_a_ranked_list(geocoder: OfflineGazetteer) -> None:
    found = geocoder.geocode("Tripoli", exactly_one=False)
    assert isinstance(found, list) and len(found) >= 2
    assert all(isinstance(loc, Location) for loc in found)
    assert {"LB", "LY"} <= {loc.raw["country_code"] for loc in found}
    scores = [loc.raw["score"] for loc in found]
    assert scores == sorted(scores, reverse=True)
    assert len(geocoder.geocode("Tripoli", exactly_one=False, limit=1)) == 1


def test_priors_pass_through_geocode(geocoder: OfflineGazetteer) -> None:
    libya = geocoder.geocode("Tripoli", country="Libya")
    assert haversine_km(TRIPOLI_LY, libya.point[:2]) < 20
    lebanon = geocoder.geocode("Tripoli", near=Point(34.4, 35.9))
    assert haversine_km(TRIPOLI_LB, lebanon.point[:2]) < 20
    assert geocoder.geocode("Homs", kind="country") is None


def test_min_score_drops_weak_candidates(geocoder: OfflineGazetteer) -> None:
    score = geocoder.geocode("Homs").raw["score"]
    assert OfflineGazetteer(min_score=score).geocode("Homs") is not None
    assert OfflineGazetteer(min_score=score + 0.001).geocode("Homs") is None


def test_reverse_near_homs_gives_homs_or_one_of_its_quarters(geocoder: OfflineGazetteer) -> None:
    homs = geocoder.geocode("Homs")
    loc = geocoder.reverse("34.735, 36.712")
    assert isinstance(loc, Location)
    assert is_homs_or_a_quarter_of_it(loc, homs)
    assert loc.raw["match"] == "reverse"
    assert loc.raw["distance_km"] == pytest.approx(haversine_km((34.735, 36.712), loc.point[:2]), abs=0.01)


def test_reverse_accepts_every_form_geopy_points_take(geocoder: OfflineGazetteer) -> None:
    forms = ["34.735, 36.712", "34.735 36.712", (34.735, 36.712), [34.735, 36.712], Point(34.735, 36.712)]
    assert len({geocoder.reverse(form).raw["id"] for form in forms}) == 1


def test_reverse_lists_nearest_first_and_honours_kind_and_max_km(geocoder: OfflineGazetteer) -> None:
    # A point in the desert: nothing within the default 25 km, four places without a limit.
    assert geocoder.reverse((35.0, 38.5)) is None
    found = geocoder.reverse((35.0, 38.5), exactly_one=False, limit=4, max_km=math.inf)
    assert len(found) == 4
    distances = [loc.raw["distance_km"] for loc in found]
    assert distances == sorted(distances)
    assert {loc.raw["kind"] for loc in found} <= {"populated_place", "neighbourhood"}
    assert geocoder.reverse((35.0, 38.5), kind="country").raw["country_code"] == "SY"
    assert geocoder.reverse((0.0, -30.0), max_km=50) is None  # mid-Atlantic
    with pytest.raises(ValueError, match="unknown kind"):
        geocoder.reverse((35.0, 38.5), kind="volcano")


def test_reverse_on_our_own_gazetteer_is_exact(tiny: OfflineGazetteer) -> None:
    point = (10.4, 10.4)
    assert [loc.raw["id"] for loc in tiny.reverse(point, exactly_one=False)] == ["t:beta"]  # alpha is 62 km off
    found = tiny.reverse(point, exactly_one=False, max_km=100)
    assert [loc.raw["id"] for loc in found] == ["t:beta", "t:alpha"]  # the river is not a settlement
    assert found[0].raw["distance_km"] == pytest.approx(haversine_km(point, (10.5, 10.5)), abs=0.001)
    assert found[1].raw["distance_km"] == pytest.approx(haversine_km(point, (10.0, 10.0)), abs=0.001)
    assert tiny.reverse(point, kind="river").raw["id"] == "t:gamma"
    assert tiny.reverse(point, max_km=1.0) is None
    assert tiny.geocode("Betatown").address == "Betatown, Testia, SY"


def test_a_gazetteer_file_path_is_accepted(tiny: OfflineGazetteer) -> None:
    by_path = OfflineGazetteer(str(tiny.gazetteer.path))
    assert by_path.geocode("Alphaville").raw["id"] == "t:alpha"


def test_works_behind_geopy_rate_limiter_on_a_pandas_series(geocoder: OfflineGazetteer) -> None:
    names = pd.Series(["Homs", None, "Aleppo", float("nan"), "Qzxwvj Nowherevillebad", "Tripoli"])
    geocode = RateLimiter(geocoder.geocode, min_delay_seconds=0)
    locations = names.apply(geocode)
    assert len(locations) == len(names)
    assert [loc is None for loc in locations] == [False, True, False, True, True, False]
    assert haversine_km(HOMS, locations[0].point[:2]) < 10
    assert locations[2].raw["country_code"] == "SY"
    reverse = RateLimiter(geocoder.reverse, min_delay_seconds=0)
    assert is_homs_or_a_quarter_of_it(reverse("34.735, 36.712"), locations[0])


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        (None, "None"),
        (float("nan"), "NaN"),
        ("", "empty"),
        ("   \t ", "empty"),
        ("Homs" * 2500, "too long"),
        (b"\x00\xff\x13binary", "not a string"),
        ("\x00\x01\x02\x03\x04junk", "not text"),
        (42, "not a string"),
        ("---", "no letters"),
    ],
)
def test_bad_queries_give_none_and_a_logged_reason(
    geocoder: OfflineGazetteer, caplog: pytest.LogCaptureFixture, query: object, reason: str
) -> None:
    with caplog.at_level(logging.DEBUG, logger="syriamap.gazetteer.geocoder"):
        assert geocoder.geocode(query) is None  # type: ignore[arg-type]
        assert geocoder.geocode(query, exactly_one=False) is None  # type: ignore[arg-type]
    assert any(reason in record.getMessage() for record in caplog.records)


@pytest.mark.filterwarnings("ignore:Latitude normalization:UserWarning")
@pytest.mark.parametrize("query", [None, "not a point", (100.0, 0.0), (math.nan, 1.0), float("nan")])
def test_bad_points_give_none(geocoder: OfflineGazetteer, query: object) -> None:
    assert geocoder.reverse(query) is None


def test_offline_geocoder_never_touches_the_network(geocoder: OfflineGazetteer) -> None:
    assert geocoder.online is None
    assert geocoder.geocode("Qzxwvj Nowherevillebad") is None
    with pytest.raises(GeocoderUnavailable, match="no HTTP requests"):
        geocoder.adapter.get_json("http://127.0.0.1:9/search", timeout=1, headers={})


# -- queries as people type them, and Nominatim's keyword arguments (issue 10) -------------

ALEPPO = (36.20, 37.16)
DOUMA = (33.57, 36.40)
ASTANA = (51.17, 71.45)


@pytest.mark.parametrize("query,point", [
    ("Aleppo, Syria", ALEPPO),
    ("Homs (Syria)", HOMS),
    ("Douma, Rif Dimashq", DOUMA),
    ("Douma, Rural Damascus, Syria", DOUMA),
    ("Astana, Kazakhstan", ASTANA),
    ("Tripoli, Libya", TRIPOLI_LY),
    ("Tripoli (Lebanon)", TRIPOLI_LB),
])
def test_queries_as_people_type_them(geocoder: OfflineGazetteer, query: str, point: tuple[float, float]) -> None:
    loc = geocoder.geocode(query)
    assert loc is not None, query
    assert haversine_km(loc.point[:2], point) < 10, (query, loc.raw)


def test_a_query_part_not_understood_is_reported(geocoder: OfflineGazetteer) -> None:
    loc = OfflineGazetteer(geocoder.gazetteer, min_confidence=None).geocode("Homs, Narnia")
    assert loc is not None and haversine_km(loc.point[:2], HOMS) < 10
    assert any("'Narnia'" in c for c in loc.raw["caveats"])


def test_parse_query_keeps_alternative_names_in_parentheses(geocoder: OfflineGazetteer) -> None:
    gz = geocoder.gazetteer
    assert gz.parse_query("Al-Rai town (Choban Bey)").country is None
    parsed = gz.parse_query("Hamra, Beirut, Lebanon")
    assert (parsed.name, parsed.country) == ("Hamra", "LB")
    assert parsed.admin1 == "Beirut" or parsed.within == "Beirut"
    assert gz.parse_query("Saraqib, Idleb").admin1 == "Idleb"


def test_nominatim_keyword_arguments_are_accepted(geocoder: OfflineGazetteer) -> None:
    loc = geocoder.geocode("Tripoli", country_codes="ly", language="en", addressdetails=True,
                           namedetails=True, extratags=True, geometry="geojson")
    assert haversine_km(loc.point[:2], TRIPOLI_LY) < 10
    assert loc.raw["address"]["country_code"] == "ly" and loc.raw["address"]["city"] == loc.raw["name"]
    assert "Tripoli" in loc.raw["namedetails"].values()
    both = geocoder.geocode("Tripoli", country_codes=["ly", "lb"], exactly_one=False, limit=10)
    assert {loc.raw["country_code"] for loc in both} == {"LY", "LB"}
    assert geocoder.geocode("Homs", featuretype="state").raw["kind"] == "admin1"
    assert geocoder.geocode("Homs", featuretype="city").raw["kind"] == "populated_place"
    assert geocoder.geocode("Syria", featuretype="country").raw["kind"] == "country"


def test_viewbox_bounded_and_unbounded(geocoder: OfflineGazetteer) -> None:
    libya_box = [(30.0, 10.0), (35.0, 16.0)]
    inside = geocoder.geocode("Tripoli", viewbox=libya_box, bounded=True)
    assert haversine_km(inside.point[:2], TRIPOLI_LY) < 10
    # Unbounded, the box only favours places near its centre.
    assert haversine_km(geocoder.geocode("Tripoli", viewbox=libya_box).point[:2], TRIPOLI_LY) < 10
    assert geocoder.geocode("Homs", viewbox=libya_box, bounded=True) is None


@pytest.mark.parametrize("kwargs", [{"featuretype": "volcano"}, {"country_codes": ["zz"]}, {"viewbox": "north"},
                                    {"country_codes": 5}, {"limit": 0, "exactly_one": False}])
def test_bad_nominatim_arguments_are_value_errors(geocoder: OfflineGazetteer, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        geocoder.geocode("Homs", **kwargs)


def test_reverse_has_a_maximum_distance(geocoder: OfflineGazetteer) -> None:
    assert geocoder.reverse((0, 0)) is None  # the Gulf of Guinea: no town within 25 km
    assert geocoder.reverse((0, 0), max_km=math.inf) is not None
    near = geocoder.reverse((34.735, 36.712), addressdetails=True, language="en", zoom=10)
    assert near.raw["address"]["country_code"] == "sy"
    with pytest.raises(ValueError, match="max_km"):
        geocoder.reverse((34.7, 36.7), max_km=-1)


def test_the_geocoder_abstains_below_its_confidence_threshold(geocoder: OfflineGazetteer) -> None:
    # An approximate spelling (a phonetic match) is answered with less than full confidence.
    doubtful = OfflineGazetteer(geocoder.gazetteer, min_confidence=None).geocode("Qwaris")
    assert doubtful is not None and doubtful.raw["confidence"] < 0.95
    strict = OfflineGazetteer(geocoder.gazetteer, min_confidence=0.99)
    assert strict.geocode("Qwaris") is None
    with pytest.raises(ValueError, match="min_confidence"):
        OfflineGazetteer(geocoder.gazetteer, min_confidence=5)
