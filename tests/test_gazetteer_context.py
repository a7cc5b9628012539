"""A Context changes the ranking: the document's other places, containment, focus, custom priors.

Every place here is made up (names, coordinates, populations), in a small
gazetteer file built for the test, so the ranking is checked on known ground.
"""
from __future__ import annotations

import pytest

import syriamap
from syriamap.gazetteer import Context, Gazetteer, Place
from syriamap.gazetteer.ranking import DEFAULT_PRIORS, population_prior

NORTH = Place("t:north", "Northland", "admin1", 36.5, 37.5, country_code="SY", admin1="Northland")
SOUTH = Place("t:south", "Southland", "admin1", 32.8, 36.3, country_code="SY", admin1="Southland")
# Two villages of one name: the southern one is bigger, so it wins without context.
ZEITUN_N = Place("t:zn", "Kafr Zeitun", "populated_place", 36.40, 37.40, country_code="SY", admin1="Northland",
                 population=800)
ZEITUN_S = Place("t:zs", "Kafr Zeitun", "populated_place", 32.90, 36.20, country_code="SY", admin1="Southland",
                 population=9000)
# Other places a northern report would name.
BARAKA = Place("t:baraka", "Tell Baraka", "populated_place", 36.45, 37.45, country_code="SY", admin1="Northland",
               population=3000)
MANSURA = Place("t:mansura", "Mansura Jadida", "populated_place", 36.60, 37.30, country_code="SY",
                admin1="Northland", population=2000)
HAWA = Place("t:hawa", "Ain Hawa", "populated_place", 32.95, 36.25, country_code="SY", admin1="Southland",
             population=2000)


@pytest.fixture(scope="module")
def gz(tmp_path_factory) -> Gazetteer:
    path = tmp_path_factory.mktemp("ctx") / "g.sqlite"
    return Gazetteer.from_places([NORTH, SOUTH, ZEITUN_N, ZEITUN_S, BARAKA, MANSURA, HAWA], path)


def test_without_context_the_bigger_homonym_wins(gz):
    assert gz.resolve("Kafr Zeitun").place.id == "t:zs"


def test_a_homonym_near_the_documents_other_places_wins(gz):
    ctx = Context(places=(BARAKA, MANSURA))
    best = gz.resolve("Kafr Zeitun", context=ctx)
    assert best.place.id == "t:zn"
    assert any("document's other places" in r for r in best.reasons)
    # The same document context on the other side of the country flips it back.
    assert gz.resolve("Kafr Zeitun", context=Context(places=(HAWA,))).place.id == "t:zs"


def test_context_places_take_weights(gz):
    # One weighty southern place outweighs a light northern one.
    ctx = Context(places=((BARAKA, 0.1), (HAWA, 5.0)))
    assert gz.resolve("Kafr Zeitun", context=ctx).place.id == "t:zs"
    with pytest.raises(ValueError, match="weight"):
        gz.resolve("Kafr Zeitun", context=Context(places=((BARAKA, "heavy"),)))


def test_majority_admin1_of_the_document(gz):
    # Far-away northern places (beyond the closeness scale) still say "Northland".
    far_north = Place("t:far", "Far Post", "populated_place", 35.0, 40.5, country_code="SY", admin1="Northland")
    best = gz.resolve("Kafr Zeitun", context=Context(places=(far_north, far_north)))
    assert any("like most of the document's places" in r for r in best.reasons)
    assert best.place.id == "t:zn"


def test_containment_within_a_province(gz):
    best = gz.resolve("Kafr Zeitun", context=Context(within=NORTH))
    assert best.place.id == "t:zn"
    assert any("inside Northland" in r for r in best.reasons)
    other = gz.lookup("Kafr Zeitun", context=Context(within=NORTH))[1]
    assert other.place.id == "t:zs" and any("not inside Northland" in r for r in other.reasons)


def test_context_fields_act_like_keywords_and_keywords_win(gz):
    assert gz.resolve("Kafr Zeitun", context=Context(admin1="Northland")).place.id == "t:zn"
    assert gz.resolve("Kafr Zeitun", admin1="Southland", context=Context(admin1="Northland")).place.id == "t:zs"
    assert gz.resolve("Kafr Zeitun", context=Context(near=(36.4, 37.4))).place.id == "t:zn"
    assert gz.resolve("Kafr Zeitun", context=Context(kind="admin1")) is None
    assert gz.resolve("Kafr Zeitun", context=Context(country="Lebanon")) is None


def test_context_focus_replaces_the_gazetteers_focus(gz):
    plain = gz.resolve("Kafr Zeitun")
    assert any("focus country SY" in r for r in plain.reasons)
    other_focus = gz.resolve("Kafr Zeitun", context=Context(focus=("LB",)))
    assert not any("focus country" in r for r in other_focus.reasons)
    assert other_focus.score < plain.score


def test_priors_are_data(gz, tmp_path):
    # Without the population prior the two homonyms tie on everything but the id.
    priors = tuple(p for p in DEFAULT_PRIORS if p is not population_prior)
    lean = Gazetteer(gz.path, priors=priors)
    cands = lean.lookup("Kafr Zeitun")
    assert cands[0].score == cands[1].score
    assert not any("population" in r for c in cands for r in c.reasons)

    def north_bias(hit, req):
        return (0.5, "test bias to the north") if hit.place.latitude > 35 else None

    biased = Gazetteer(gz.path, priors=(*DEFAULT_PRIORS, north_bias))
    best = biased.resolve("Kafr Zeitun")
    assert best.place.id == "t:zn" and best.reasons[-1] == "test bias to the north"


@pytest.mark.parametrize("bad", ["Northland", {"country": "SY"}, 5])
def test_a_context_of_the_wrong_type_is_a_value_error(gz, bad):
    with pytest.raises(ValueError, match="Context"):
        gz.lookup("Kafr Zeitun", context=bad)


def test_bad_context_fields_are_value_errors(gz):
    with pytest.raises(ValueError, match="within"):
        gz.lookup("Kafr Zeitun", context=Context(within="Northland"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="focus"):
        gz.lookup("Kafr Zeitun", context=Context(focus="SY"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="places"):
        gz.lookup("Kafr Zeitun", context=Context(places=("Tell Baraka",)))  # type: ignore[arg-type]


def test_context_is_exported():
    assert syriamap.Context is Context
