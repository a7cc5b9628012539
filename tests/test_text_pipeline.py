"""The text pipeline end to end: the seed page, our example dispatches, bad input, batches."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import syriamap
from syriamap.demo import dispatches_path
from syriamap.geo import haversine_km
from syriamap.schema import COLUMN_NAMES

EXAMPLES = dispatches_path()
SEED = "000_367303c93b758c1a.txt"


def _dispatches() -> dict[str, dict]:
    return {d["id"]: d for d in map(json.loads, EXAMPLES.read_text(encoding="utf-8").splitlines())}


def _extract(d: dict) -> pd.DataFrame:
    return syriamap.extract_events(d["text"], published=d["published"], source=d["source"])


def _near(row: pd.Series, lat: float, lon: float, km: float) -> bool:
    return haversine_km((row["latitude"], row["longitude"]), (lat, lon)) <= km


@pytest.fixture(scope="module")
def seed_events(shared_seeds: Path) -> pd.DataFrame:
    text = (shared_seeds / SEED).read_text(encoding="utf-8")
    return syriamap.extract_events(text, published="2017-03-15", source="Morning Star")


def _event_at(events: pd.DataFrame, lat: float, lon: float, km: float = 25) -> pd.DataFrame:
    located = events[events["latitude"].notna()]
    mask = [haversine_km((a, b), (lat, lon)) <= km for a, b in zip(located["latitude"], located["longitude"])]
    return located[mask]


def test_seed_homs_bomb(seed_events: pd.DataFrame) -> None:
    homs = _event_at(seed_events, 34.73, 36.71, 15)
    bombs = homs[homs["event_type"] == "Explosions/Remote violence"]
    assert len(bombs) == 1, seed_events[["event_type", "location", "notes"]]
    row = bombs.iloc[0]
    assert row["sub_event_type"] == "Remote explosive/landmine/IED"
    assert row["fatalities"] == 6
    assert row["event_date"] == pd.Timestamp("2017-03-14")
    assert row["time_precision"] == 1


def test_seed_astana_talks(seed_events: pd.DataFrame) -> None:
    astana = _event_at(seed_events, 51.17, 71.45, 30)
    assert (astana["event_type"] == "Strategic developments").any()


def test_seed_damascus_bombings(seed_events: pd.DataFrame) -> None:
    damascus = _event_at(seed_events, 33.51, 36.29, 20)
    assert len(damascus) >= 1
    row = damascus.iloc[0]
    assert row["event_date"] == pd.Timestamp("2017-03-11")
    assert "Tahrir al-Sham" in f"{row['actor1']} {row['actor2']}"
    # the UN, where the motion was withdrawn, is no event location
    assert _event_at(seed_events, 40.75, -73.97, 100).empty


def test_seed_euphrates_east_of_raqqa(seed_events: pd.DataFrame) -> None:
    raqqa = (35.95, 39.01)
    near = _event_at(seed_events, *raqqa, km=40)
    battles = near[near["event_type"] == "Battles"]
    assert len(battles) >= 1
    row = battles.iloc[0]
    assert row["geo_precision"] == 2
    assert row["longitude"] > raqqa[1] + 0.02, "the point is moved east of the city"
    actors = {row["actor1"], row["actor2"]}
    assert "Syrian Democratic Forces" in actors and "Islamic State" in actors


def test_seed_deir_ezzor_battles(seed_events: pd.DataFrame) -> None:
    deir = _event_at(seed_events, 35.33, 40.14, 15)
    battles = deir[deir["event_type"] == "Battles"]
    assert len(battles) == 1
    assert battles.iloc[0]["event_date"] == pd.Timestamp("2017-03-14")


def test_seed_al_waer_agreement(seed_events: pd.DataFrame) -> None:
    deals = seed_events[seed_events["sub_event_type"] == "Agreement"]
    waer = _event_at(deals, 34.74, 36.66, 10)
    assert len(waer) >= 1
    row = waer.iloc[0]
    assert row["event_date"] == pd.Timestamp("2017-03-13")
    assert pd.isna(row["fatalities"]) or row["fatalities"] == 0


def test_seed_boilerplate_yields_nothing(seed_events: pd.DataFrame) -> None:
    afrin = _event_at(seed_events, 36.51, 36.87, 20)
    assert afrin.empty
    dates = seed_events["event_date"].dropna()
    assert (dates.dt.year == 2017).all()
    text_rows = seed_events["source_sentence"].str.contains("February 2018|December 2024|AK-47", regex=True)
    assert not text_rows.any()


def test_seed_offsets_point_into_original(shared_seeds: Path, seed_events: pd.DataFrame) -> None:
    text = (shared_seeds / SEED).read_text(encoding="utf-8")
    located = seed_events.dropna(subset=["char_start"])
    assert len(located) >= 5
    for _, row in located.iterrows():
        span = text[int(row["char_start"]):int(row["char_end"])]
        assert span and span in row["source_sentence"]
    assert list(seed_events.columns[: len(COLUMN_NAMES)]) == list(COLUMN_NAMES)


def test_seed_without_publication_date_leaves_relative_dates_empty(shared_seeds: Path) -> None:
    text = (shared_seeds / SEED).read_text(encoding="utf-8")
    events = syriamap.extract_events(text)
    assert len(events) >= 4
    assert events["event_date"].isna().all()
    assert events["time_precision"].isna().all()


# -- our example dispatches -------------------------------------------------

# id -> (event_type, sub_event_type or None, (lat, lon), km, fatalities or None, date or None)
EXPECTED = {
    "d01": ("Explosions/Remote violence", "Air/drone strike", (35.44, 36.65), 10, 12, "2019-05-14"),
    "d02": ("Battles", "Armed clash", (34.45, 40.94), 10, None, None),
    "d03": ("Battles", "Government regains territory", (35.65, 36.68), 10, None, "2020-01-28"),
    "d04": ("Battles", "Non-state actor overtakes territory", (35.86, 36.80), 10, None, "2018-02-06"),
    "d05": ("Explosions/Remote violence", "Shelling/artillery/missile attack", (32.62, 36.10), 20, 0, "2018-06-24"),
    "d06": ("Explosions/Remote violence", "Remote explosive/landmine/IED", (36.92, 41.22), 12, 3, "2019-11-15"),
    "d07": ("Explosions/Remote violence", "Suicide bomb", (36.59, 37.05), 10, 8, "2017-01-07"),
    "d08": ("Violence against civilians", "Abduction/forced disappearance", (36.19, 36.72), 20, None, "2019-08-19"),
    "d09": ("Protests", "Peaceful protest", (32.71, 36.57), 10, None, "2023-08-25"),
    "d10": ("Riots", "Violent demonstration", (35.36, 35.93), 10, None, "2021-09-09"),
    "d11": ("Strategic developments", "Agreement", (43.60, 39.73), 30, None, "2018-09-17"),
    "d12": ("Strategic developments", "Arrests", (33.57, 36.40), 10, None, "2018-04-10"),
    "d13": ("Explosions/Remote violence", "Chemical weapon", (35.32, 36.62), 15, 2, "2017-04-04"),
    "d14": ("Battles", "Armed clash", (34.55, 38.27), 30, 21, "2016-12-08"),
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_example_dispatch(key: str) -> None:
    event_type, sub_type, (lat, lon), km, toll, date = EXPECTED[key]
    events = _extract(_dispatches()[key])
    assert len(events) >= 1, key
    row = events.iloc[0]
    assert row["event_type"] == event_type, row["reasons"]
    if sub_type is not None:
        assert row["sub_event_type"] == sub_type, row["reasons"]
    assert pd.notna(row["latitude"]), row["reasons"]
    assert _near(row, lat, lon, km), (row["location"], row["latitude"], row["longitude"], row["reasons"])
    if toll is not None:
        assert row["fatalities"] == toll, row["reasons"]
    if date is not None:
        assert row["event_date"] == pd.Timestamp(date), row["reasons"]
    assert row["source"] == "syriamap examples"
    assert 0 < row["confidence"] <= 1


def test_person_names_are_not_places() -> None:
    events = _extract(_dispatches()["d12"])
    assert not events["location"].fillna("").str.contains("Assad|Bashar").any()
    assert len(_event_at(events, 33.57, 36.40, 10)) == 1


def test_spatial_phrase_moves_the_point_and_lowers_precision() -> None:
    row = _extract(_dispatches()["d06"]).iloc[0]
    qamishli = (37.05, 41.22)
    assert row["geo_precision"] == 2
    assert 10 <= haversine_km(qamishli, (row["latitude"], row["longitude"])) <= 20
    assert row["latitude"] < qamishli[0]


# -- bad input ----------------------------------------------------------------

@pytest.mark.parametrize("bad", ["", "   \n\t ", b"\x00\x01\x02\xff" * 100, "<html><body><nav>Home</nav></body></html>"])
def test_bad_input_gives_an_empty_table(bad: object) -> None:
    events = syriamap.extract_events(bad)
    assert events.empty
    assert list(events.columns[: len(COLUMN_NAMES)]) == list(COLUMN_NAMES)


def test_text_with_no_events_gives_an_empty_table() -> None:
    assert syriamap.extract_events("Damascus is one of the oldest cities in the world.").empty


def test_non_english_text_gives_no_confident_nonsense() -> None:
    arabic = syriamap.extract_events("قصفت الطائرات مدينة حمص أمس", published="2017-03-15")
    french = syriamap.extract_events("Le président a visité Paris hier.", published="2017-03-15")
    for events in (arabic, french):
        assert events.empty or events["confidence"].max() < 0.9


def test_many_place_names_in_bounded_time() -> None:
    import time

    names = ["Homs", "Hama", "Aleppo", "Idlib", "Raqqa", "Daraa", "Douma", "Azaz"] * 625
    text = "Shelling hit " + ", ".join(names) + " on Monday."
    start = time.perf_counter()
    events = syriamap.extract_events(text, published="2017-03-15")
    assert time.perf_counter() - start < 30
    assert len(events) <= 10


# -- batches ------------------------------------------------------------------

def test_many_keeps_order_and_turns_failures_into_rows() -> None:
    d = _dispatches()
    texts = pd.Series([d["d07"]["text"], 12345, d["d09"]["text"]], index=["a", "b", "c"])
    out = syriamap.extract_events_many(texts, published=["2017-01-08", None, "2023-08-26"])
    assert list(dict.fromkeys(out["article"])) == ["a", "b", "c"]
    bad = out[out["article"] == "b"]
    assert len(bad) == 1 and bad.iloc[0]["flags"] == "extract_error"
    good = out[out["article"] != "b"]
    assert set(good["event_type"].dropna()) >= {"Explosions/Remote violence", "Protests"}


def test_many_from_a_dataframe_equals_one_by_one() -> None:
    d = _dispatches()
    frame = pd.DataFrame([{"id": k, "body": v["text"], "date": v["published"]} for k, v in sorted(d.items())])
    many = syriamap.extract_events_many(frame, text="body", published="date", id_column="id")
    single = pd.concat([syriamap.extract_events(r.body, published=r.date) for r in frame.itertuples()],
                       ignore_index=True)
    assert len(many) == len(single)
    assert many["location"].tolist() == single["location"].tolist()
    assert many["event_id"].tolist() == single["event_id"].tolist()
