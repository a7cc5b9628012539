"""geocode_events() with a real (small, SQLite) gazetteer built from our own places."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from syriamap.gazetteer import Gazetteer, Place
from syriamap.geocode import geocode_events

PLACES = [
    Place(id="sm:testtown", name="Testtown", kind="populated_place", latitude=35.5, longitude=36.6,
          country_code="SY", admin1="Idlib", admin2="Ariha"),
    Place(id="sm:otherville", name="Otherville", kind="populated_place", latitude=36.1, longitude=37.2,
          country_code="SY", admin1="Aleppo", admin2="Jebel Saman"),
    Place(id="sm:idlib-gov", name="Idlib", kind="admin1", latitude=35.8, longitude=36.7, country_code="SY",
          admin1="Idlib"),
]


class CountingGazetteer:
    """A real gazetteer that counts the lookups made through it."""

    def __init__(self, inner: Gazetteer) -> None:
        self.inner = inner
        self.calls = 0

    def resolve(self, name, **kwargs):
        self.calls += 1
        return self.inner.resolve(name, **kwargs)


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory):
    gz = Gazetteer.from_places(PLACES, tmp_path_factory.mktemp("gz") / "test.sqlite")
    yield gz
    gz.close()


def _events() -> pd.DataFrame:
    return pd.DataFrame({
        "event_id": ["t:1", "t:2", "t:3", "t:4", "t:5"],
        "event_date": ["2016-01-01"] * 5,
        "event_type": ["Battles"] * 5,
        "location": ["Testtown", "Otherville", "Nowhere-at-all-xyzq", None, "Testtown"],
        "country": ["Syria"] * 5,
        "latitude": [np.nan, np.nan, np.nan, np.nan, 34.0],
        "longitude": [np.nan, np.nan, np.nan, np.nan, 36.0],
    })


def test_fills_coordinates_admin_names_and_provenance(gazetteer):
    result = geocode_events(_events(), gazetteer)
    ev = result.events
    assert ev.loc[0, ["latitude", "longitude"]].tolist() == [35.5, 36.6]
    assert ev.loc[0, "place_id"] == "sm:testtown" and ev.loc[0, "geo_precision"] == 1
    assert ev.loc[0, "admin1"] == "Idlib" and ev.loc[0, "admin2"] == "Ariha" and ev.loc[0, "iso3"] == "SYR"
    assert 0.5 <= ev.loc[0, "confidence"] <= 1
    assert ev.loc[1, "place_id"] == "sm:otherville"
    # a row that already has coordinates is left alone
    assert ev.loc[4, ["latitude", "longitude"]].tolist() == [34.0, 36.0] and pd.isna(ev.loc[4, "place_id"])
    assert result.attempted == 4 and result.resolved == 2
    reasons = dict(zip(result.unresolved["location"].fillna("<none>"), result.unresolved["reason"]))
    assert reasons["<none>"] == "no location"
    assert "Nowhere-at-all-xyzq" in reasons
    assert np.isnan(ev.loc[2, "latitude"]) and len(ev) == 5


def test_overwrite_regeocodes_rows_with_coordinates(gazetteer):
    ev = geocode_events(_events(), gazetteer, overwrite=True).events
    assert ev.loc[4, ["latitude", "longitude"]].tolist() == [35.5, 36.6]


def test_each_distinct_place_is_looked_up_once(gazetteer):
    many = pd.concat([_events().iloc[:2]] * 500, ignore_index=True)
    many["event_id"] = [f"t:{i}" for i in range(len(many))]
    counting = CountingGazetteer(gazetteer)
    result = geocode_events(many, counting)
    assert counting.calls == 2
    assert result.resolved == 1000
    assert (result.events["place_id"].iloc[::2] == "sm:testtown").all()


def test_admin1_picks_between_homonyms(tmp_path):
    places = [
        Place(id="sm:a", name="Tellville", kind="populated_place", latitude=35.0, longitude=36.0, country_code="SY", admin1="Hama"),
        Place(id="sm:b", name="Tellville", kind="populated_place", latitude=36.5, longitude=37.5, country_code="SY", admin1="Aleppo"),
    ]
    with Gazetteer.from_places(places, tmp_path / "g.sqlite") as gz:
        df = pd.DataFrame({"event_id": ["x:1", "x:2"], "event_date": ["2016-01-01"] * 2, "event_type": ["Battles"] * 2,
                           "location": ["Tellville", "Tellville"], "admin1": ["Hama", "Aleppo"], "country": ["Syria"] * 2})
        ev = geocode_events(df, gz).events
    assert ev["place_id"].tolist() == ["sm:a", "sm:b"]


def test_an_unknown_country_in_the_data_leaves_that_row_unresolved_with_the_reason():
    import syriamap

    df = syriamap.conform(pd.DataFrame({
        "event_id": ["t:1", "t:2"], "event_date": pd.to_datetime(["2017-01-01"] * 2),
        "event_type": ["Battles"] * 2, "location": ["Homs", "Homs"], "country": ["Narnia", "Syria"],
    }))
    result = syriamap.geocode_events(df)
    assert len(result.events) == 2
    assert result.resolved == 1
    assert result.events["latitude"].isna().tolist() == [True, False]
    assert "unknown country 'Narnia'" in result.unresolved["reason"].iloc[0]
