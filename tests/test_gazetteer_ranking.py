"""Confidence that means something: caveats per doubt, a default threshold, and evaluation by threshold.

The small gazetteer here is made up; the UCDP figures at the end read the shared
file through the ``ucdp_2016`` fixture (skipped where it is absent).
"""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from syriamap.gazetteer import DEFAULT_MIN_CONFIDENCE, Gazetteer, Place
from syriamap.gazetteer.evaluate import evaluate_gazetteer, read_gold
from syriamap.gazetteer.model import Alias

# Two governorates, a village in each with one name, a town whose alternate
# name is a nearby village's own name, and a lone village to misspell.
PLACES = [
    Place("t:north", "Northland", "admin1", 36.5, 37.5, country_code="SY", admin1="Northland"),
    Place("t:south", "Southland", "admin1", 32.8, 36.3, country_code="SY", admin1="Southland"),
    Place("t:qn", "Qaryat Tuffah", "populated_place", 36.40, 37.40, country_code="SY", admin1="Northland"),
    Place("t:qs", "Qaryat Tuffah", "populated_place", 32.90, 36.20, country_code="SY", admin1="Southland"),
    Place("t:big", "Madinat Kabira", "populated_place", 36.00, 37.00, country_code="SY", admin1="Northland",
          population=150_000, aliases=(Alias("Madinat Kabira"), Alias("Kafr Saghir"))),
    Place("t:small", "Kafr Saghir", "populated_place", 36.20, 37.20, country_code="SY", admin1="Northland",
          population=700),
    Place("t:lone", "Zahrat al-Mirjan", "populated_place", 33.00, 36.40, country_code="SY", admin1="Southland"),
    Place("t:far", "Zahrat Tuffah", "populated_place", -20.0, 30.0, country_code="ZW", admin1="Far"),
]


@pytest.fixture(scope="module")
def gz(tmp_path_factory) -> Gazetteer:
    return Gazetteer.from_places(PLACES, tmp_path_factory.mktemp("rank") / "g.sqlite")


def test_an_exact_unique_name_in_the_focus_is_confident(gz):
    best = gz.resolve("Zahrat al-Mirjan")
    assert best.confidence >= 0.9 and not best.caveats


def test_a_homonym_in_another_governorate_is_doubtful(gz):
    # The only place of that name is in Southland: asked for Northland, it is a doubtful answer.
    best = gz.resolve("Zahrat al-Mirjan", admin1="Northland")
    assert best.place.id == "t:lone"
    assert best.confidence < DEFAULT_MIN_CONFIDENCE
    assert any("homonym in another governorate" in c for c in best.caveats)
    assert gz.resolve("Zahrat al-Mirjan", admin1="Northland", min_confidence=DEFAULT_MIN_CONFIDENCE) is None


def test_the_admin1_hint_picks_the_homonym_inside_it(gz):
    assert gz.resolve("Qaryat Tuffah", admin1="Southland").place.id == "t:qs"
    assert gz.resolve("Qaryat Tuffah", admin1="Northland").place.id == "t:qn"


def test_equal_homonyms_without_a_hint_are_doubtful(gz):
    best = gz.resolve("Qaryat Tuffah")
    assert any("homonym" in c and "km away" in c for c in best.caveats)
    assert best.confidence < 0.95
    # With the governorate the doubt is gone.
    sure = gz.resolve("Qaryat Tuffah", admin1="Northland")
    assert sure.confidence > best.confidence


def test_an_alias_that_is_another_places_own_name(gz):
    cands = gz.lookup("Kafr Saghir")
    big = next(c for c in cands if c.place.id == "t:big")
    assert any("alias of another place" in c and "Kafr Saghir" in c for c in big.caveats)
    small = next(c for c in cands if c.place.id == "t:small")
    assert not any("alias of another place" in c for c in small.caveats)


def test_an_approximate_spelling_says_so(gz):
    best = gz.resolve("Zahrat al-Mirjaan")
    assert best is not None and best.place.id == "t:lone" and best.match in ("phonetic", "fuzzy")
    assert any("approximate spelling" in c for c in best.caveats)
    assert best.confidence < gz.resolve("Zahrat al-Mirjan").confidence


def test_a_small_far_place_without_a_country_is_doubtful(gz):
    best = gz.resolve("Zahrat Tuffah")
    assert best.place.country_code == "ZW"
    assert any("outside the focus countries" in c for c in best.caveats)
    asked = gz.resolve("Zahrat Tuffah", country="ZW")
    assert not asked.caveats and asked.confidence > best.confidence


def test_resolve_many_reports_confidence_and_abstains_with_the_reason(gz):
    table = gz.resolve_many(["Zahrat al-Mirjan", "Qaryat Tuffah"], admin1="Northland",
                            min_confidence=DEFAULT_MIN_CONFIDENCE)
    assert table.loc[1, "place"] == "Qaryat Tuffah" and table.loc[1, "confidence"] >= DEFAULT_MIN_CONFIDENCE
    assert pd.isna(table.loc[0, "place"]) and "homonym in another governorate" in table.loc[0, "reason"]
    with pytest.raises(ValueError, match="min_confidence"):
        gz.resolve("Qaryat Tuffah", min_confidence=2)


def test_evaluation_reports_answered_against_accuracy(gz, tmp_path):
    gold = pd.DataFrame({
        "name": ["Zahrat al-Mirjan", "Zahrat al-Mirjan", "Qaryat Tuffah"],
        "latitude": [33.0, 36.3, 36.40], "longitude": [36.4, 37.3, 37.40],
        "admin1": ["Southland", "Northland", "Northland"], "weight": [1.0, 1.0, 1.0],
    })
    result = evaluate_gazetteer(gold, gz, progress=False)
    table = result.thresholds()
    row0 = table[table.min_confidence == 0.0].iloc[0]
    assert row0.answered == pytest.approx(1.0) and row0.within_10km == pytest.approx(2 / 3)
    default = table[table.default].iloc[0]
    assert default.min_confidence == DEFAULT_MIN_CONFIDENCE
    # The wrong answer (a homonym in another governorate) is the one abstained from.
    assert default.answered == pytest.approx(2 / 3) and default.within_10km == pytest.approx(1.0)
    assert "min confidence" in result.summary() and "*" in result.summary()


def test_ucdp_dev_half_at_the_default_threshold(ucdp_2016):
    """On the first half of 2016 (exact places, with hints), answered rows are >= 95% within 10 km."""
    gold = read_gold(ucdp_2016, {"name": "where_coordinates", "admin1": "adm_1", "country": "country"},
                     "where_prec == 1 and date_start < '2016-07-01'")
    from syriamap.gazetteer import default_gazetteer

    result = evaluate_gazetteer(gold, default_gazetteer(), progress=False)
    default = result.thresholds().query("default").iloc[0]
    assert default.within_10km >= 0.95, result.thresholds_text()
    assert default.answered >= 0.75, result.thresholds_text()
    assert default.over_50km <= 0.02, result.thresholds_text()


def test_evaluate_command_prints_the_threshold_table(ucdp_2016):
    proc = subprocess.run(
        [sys.executable, "-m", "syriamap.cli", "evaluate", "gazetteer", str(ucdp_2016),
         "--columns", "where_coordinates=name,adm_1=admin1",  # OLD=NEW, as everywhere on the command line
         "--where", "where_prec == 1 and date_start < '2016-02-01'", "--worst", "3"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "min confidence  answered  within 10 km" in proc.stdout
    assert f"{DEFAULT_MIN_CONFIDENCE:.2f}*" in proc.stdout
