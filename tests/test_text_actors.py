"""Actor mentions from the curated table, and actor1/actor2 of a clause."""
from __future__ import annotations

import pickle
from collections import defaultdict

import pytest

from syriamap.text.actors import ActorMention, actor_table, assign_actors, find_actors
from syriamap.text.classify import classify
from syriamap.text.clauses import Clause, split_clauses

from test_text_clauses import Sentence


def names(text: str) -> list[str]:
    return [m.name for m in find_actors(text, 0, len(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Isis fighters", "Islamic State"),
        ("ISIS", "Islamic State"),
        ("ISIL", "Islamic State"),
        ("IS", "Islamic State"),
        ("Daesh", "Islamic State"),
        ("the Islamic State group", "Islamic State"),
        ("HTS", "Hayat Tahrir al-Sham"),
        ("Jabhat Fateh al-Sham", "Hayat Tahrir al-Sham"),
        ("the al-Nusra Front", "Hayat Tahrir al-Sham"),
        ("the FSA", "Free Syrian Army"),
        ("YPG", "People's Protection Units"),
        ("Ahrar al-Sham", "Ahrar al-Sham"),
        ("Jaish al-Islam", "Jaish al-Islam"),
        ("the Syrian National Army", "Syrian National Army"),
        ("Hezbollah", "Hezbollah"),
        ("regime forces", "Military Forces of Syria"),
        ("the Syrian army", "Military Forces of Syria"),
        ("SAA", "Military Forces of Syria"),
        ("Russian jets", "Military Forces of Russia"),
        ("Turkish troops", "Military Forces of Turkey"),
        ("the IRGC", "Military Forces of Iran"),
        ("Israeli warplanes", "Military Forces of Israel"),
        ("the US-led coalition", "US-led Coalition"),
        ("civilians", "Civilians"),
        ("protesters", "Protesters"),
        ("unidentified gunmen", "Unidentified Armed Group"),
    ],
)
def test_aliases_give_canonical_names(text, expected):
    assert names(text) == [expected]


def test_lower_case_is_is_no_actor():
    assert names("The road is open and this is quiet.") == []


def test_led_and_backed_describe_the_actor_that_follows():
    text = "a car bomb claimed by the al-Qaida-led Tahrir al-Sham group"
    assert names(text) == ["Hayat Tahrir al-Sham"]
    text = "the US-backed Syrian Democratic Forces (SDF) moved on"
    assert names(text) == ["Syrian Democratic Forces", "Syrian Democratic Forces"]


def test_held_and_stronghold_are_mentions():
    assert names("east of the Isis stronghold of Raqqa") == ["Islamic State"]
    found = find_actors("the Isis-held town", 0, 18)
    assert [m.name for m in found] == ["Islamic State"] and "'held' by it" in found[0].reasons


def test_a_generic_name_after_a_named_actor_joins_it():
    found = find_actors("Islamic State militants attacked", 0, 32)
    assert len(found) == 1 and found[0].surface == "Islamic State militants"


def test_offsets_are_absolute_and_surfaces_original():
    document = "Preface. Yesterday Daesh and regime troops fought."
    start = document.index("Yesterday")
    found = find_actors(document, start, len(document))
    assert [(m.surface, m.name) for m in found] == [
        ("Daesh", "Islamic State"), ("regime troops", "Military Forces of Syria")]
    for m in found:
        assert document[m.start:m.end] == m.surface
    assert pickle.loads(pickle.dumps(found[0])) == found[0]


def test_table_is_well_formed():
    table = actor_table()
    for required in (
        "Islamic State", "Syrian Democratic Forces", "Free Syrian Army", "Hayat Tahrir al-Sham",
        "Military Forces of Syria", "Military Forces of Russia", "Military Forces of Turkey",
        "Military Forces of Iran", "US-led Coalition", "Civilians",
    ):
        assert required in table
    owners: dict[str, set[str]] = defaultdict(set)
    for info in table.values():
        assert info.aliases, info.name
        for alias in info.aliases:
            owners[alias.lower() if not alias.isupper() else alias].add(info.name)
    clashes = {alias: who for alias, who in owners.items() if len(who) > 1}
    assert not clashes  # each alias names one actor


def actors_of(text: str) -> tuple[str | None, str | None, object]:
    sentence = Sentence(0, len(text), text)
    mentions = find_actors(text, 0, len(text))
    clause = split_clauses(sentence)[-1]
    result = classify(clause, mentions)
    one, two = assign_actors(clause, mentions, result)
    return (one.name if one else None), (two.name if two else None), result


@pytest.mark.parametrize(
    ("text", "actor1", "actor2"),
    [
        ("Turkish troops shelled YPG positions near Afrin.", "Military Forces of Turkey",
         "People's Protection Units"),
        ("Two villages were captured by the SDF from Isis on Monday.", "Syrian Democratic Forces", "Islamic State"),
        ("The bombing in Jableh was carried out by Daesh.", "Islamic State", None),
        ("The envoy condemned Friday's Idlib bombings by the al-Qaida-linked Nusra Front.", "Hayat Tahrir al-Sham",
         None),
        ("Government troops retook the hill from HTS.", "Military Forces of Syria", "Hayat Tahrir al-Sham"),
        ("The SDF, backed by coalition warplanes, captured the dam from IS.", "Syrian Democratic Forces",
         "Islamic State"),
        ("Fighting between the FSA and Ahrar al-Sham flared in Atareb.", "Free Syrian Army", "Ahrar al-Sham"),
        ("Unidentified gunmen shot dead four civilians in Tafas.", "Unidentified Armed Group", "Civilians"),
        ("Six people died in a Russian air strike on Ariha.", "Military Forces of Russia", "Civilians"),
        ("Police beat protesters in Sweida.", "Protesters", "Police Forces"),
        ("Hundreds demonstrated in Idlib against HTS.", "Protesters", "Hayat Tahrir al-Sham"),
    ],
)
def test_assign_actors(text, actor1, actor2):
    one, two, result = actors_of(text)
    assert result is not None
    assert (one, two) == (actor1, actor2), result.reasons


def test_battle_side_named_earlier_in_the_sentence():
    text = "Crossing would let the SDF cut the Isis road to Deir Ezzor, where battles with government troops raged."
    one, two, result = actors_of(text)
    assert result.event_type == "Battles"
    assert (one, two) == ("Islamic State", "Military Forces of Syria")


def test_assign_without_classification_or_actors():
    clause = Clause(0, 12, "Nothing here")
    assert assign_actors(clause, [], None) == (None, None)
    mention = ActorMention(0, 3, "SDF", "Syrian Democratic Forces")
    assert assign_actors(Clause(0, 12, "SDF advanced"), [mention], None)[0] == mention
