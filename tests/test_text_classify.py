"""Event classification: every ACLED sub-event type, non-happenings, and measured floors on shared data."""
from __future__ import annotations

import json
import pickle
from pathlib import Path

import pandas as pd
import pytest

from syriamap.schema import PARENT_TYPE, SUB_EVENT_TYPES
from syriamap.text.classify import Classification, classify
from syriamap.text.clauses import Clause, split_clauses

from test_text_clauses import Sentence

#: Short dispatches we wrote, one or more per ACLED sub-event type: (text, sub-event type, trigger).
DISPATCHES: list[tuple[str, str, str]] = [
    ("Government forces clashed with rebels near Kafr Nabl on Tuesday, leaving four fighters dead.",
     "Armed clash", "clashed"),
    ("Syrian troops and Hezbollah fighters ambushed an IS convoy near Palmyra.", "Armed clash", "ambushed"),
    ("The Syrian army recaptured the village of Tal Rifaat from opposition fighters on Sunday.",
     "Government regains territory", "recaptured"),
    ("Islamic State militants seized the town of Qaryatayn from government troops after heavy fighting.",
     "Non-state actor overtakes territory", "seized"),
    ("Dozens of residents choked after a chlorine gas attack on Kafr Zita overnight.", "Chemical weapon",
     "chlorine gas"),
    ("Russian warplanes bombed a market in Ariha, killing 12 civilians.", "Air/drone strike", "bombed"),
    ("Israeli jets struck Iranian positions near Damascus airport overnight.", "Air/drone strike", "struck"),
    ("A suicide bomber blew himself up at a checkpoint in Azaz on Friday.", "Suicide bomb", "suicide bomber"),
    ("Rebel mortar shells hit the Old City of Damascus, wounding three people.",
     "Shelling/artillery/missile attack", "hit"),
    ("A roadside bomb exploded near a military convoy outside Deraa.", "Remote explosive/landmine/IED",
     "exploded"),
    ("Gunmen threw a hand grenade into a cafe in Qamishli late on Saturday.", "Grenade", "hand grenade"),
    ("A woman was raped by militiamen at a checkpoint in rural Hama.", "Sexual violence", "raped"),
    ("Gunmen shot dead a teacher in the village of Sahwa on Monday.", "Attack", "shot dead"),
    ("Unknown assailants kidnapped a journalist in Idlib city on Wednesday.", "Abduction/forced disappearance",
     "kidnapped"),
    ("Hundreds of people protested peacefully in Sweida against rising prices.", "Peaceful protest", "protested"),
    ("Police fired tear gas to disperse demonstrators in Daraa.", "Protest with intervention", "fired"),
    ("Security forces opened fire on protesters in Homs, killing five.", "Excessive force against protesters",
     "opened fire"),
    ("Rioters torched tyres and threw stones at police in Suwayda.", "Violent demonstration", "Rioters"),
    ("An angry mob lynched a man accused of theft in Jaramana.", "Mob violence", "mob"),
    ("Rebels and the government signed a ceasefire agreement for the Eastern Ghouta on Friday.", "Agreement",
     "signed"),
    ("Security forces arrested 15 people in a raid on Tuesday in Latakia.", "Arrests", "arrested"),
    ("Two rebel brigades merged into a new group in Idlib province.", "Change to group/activity", "merged"),
    ("Army engineers defused a car bomb near the Homs clock tower.", "Disrupted weapons use", "defused"),
    ("Turkish troops established a new military base near al-Bab.", "Headquarters or base established", "base"),
    ("Fighters looted shops and homes in the abandoned town of Harasta.", "Looting/property destruction", "looted"),
    ("Rebel fighters withdrew from the town under the deal and handed it over to the army.",
     "Non-violent transfer of territory", "withdrew"),
    ("A fresh round of peace talks opened in Geneva on Monday.", "Other", "opened"),
]

#: Clauses that report no happening: hypotheticals, plans, negations, opinions, background.
NON_EVENTS: list[str] = [
    "The army would allow civilians to leave if the rebels agree to surrender.",
    "The SDF plans to launch an offensive on Raqqa next month.",
    "Officials said they could strike Idlib again.",
    "The planned offensive could displace thousands.",
    "Crossing the river would let the rebels cut the road to Aleppo.",
    "No clashes were reported in Aleppo on Sunday.",
    "The militants did not attack the checkpoint.",
    "Abu Mohammed al-Julani praised the fighters in a speech.",
    "Bashar al-Jaafari said the delegation came to meet the guarantors.",
    "The war has been raging for six years.",
    "Washington threatened to bomb the airbase.",
    "The talks would focus on pinpointing positions for air strikes.",
    "Since the start of the uprising more than 300 people have been killed in the town.",
    "The five-year war has killed hundreds of thousands of people.",
    "Can a town be captured without a fight?",
    "The town has often been targeted by rebel rockets.",
    "Washington leads a coalition fighting IS in Syria and Iraq.",
    "President Bashar al-Assad met Vladimir Putin in Sochi.",
]


def classify_text(text: str, start: int = 0) -> Classification | None:
    return classify(Clause(start, start + len(text), text))


def test_dispatches_cover_every_sub_event_type():
    assert {sub for _, sub, _ in DISPATCHES} == set(SUB_EVENT_TYPES)


@pytest.mark.parametrize(("text", "sub", "trigger"), DISPATCHES, ids=[d[1] for d in DISPATCHES])
def test_dispatch_type_and_trigger(text, sub, trigger):
    document = "Dateline. " + text
    result = classify_text(text, start=10)
    assert result is not None
    assert (result.event_type, result.sub_event_type) == (PARENT_TYPE[sub], sub), result.reasons
    assert result.trigger == trigger
    assert document[result.trigger_start:result.trigger_end] == trigger  # absolute offsets
    assert 0.0 < result.confidence <= 1.0
    assert result.reasons and any(PARENT_TYPE[sub] in r for r in result.reasons)


@pytest.mark.parametrize("text", NON_EVENTS)
def test_non_events_give_none(text):
    assert classify_text(text) is None


def test_blocked_words_are_explained():
    result = classify_text("Rebels shelled the base, which they plan to storm next week.")
    assert result is not None and result.trigger == "shelled"
    assert any("storm" in r and "dropped" in r for r in result.reasons)


def test_intent_words_that_are_also_nouns():
    result = classify_text("The bomber struck as the couple exchanged vows killing 30 guests.")
    assert result is not None and result.event_type == "Violence against civilians"
    assert classify_text("The group vowed to attack the city.") is None


def test_shelling_during_clashes_is_the_battle():
    result = classify_text("Heavy clashes backed by artillery shelling raged around Kinsabba.")
    assert (result.event_type, result.sub_event_type) == ("Battles", "Armed clash")
    assert any("during clashes" in r for r in result.reasons)


def test_month_may_is_no_modal():
    result = classify_text("In May clashes erupted near Tadef.")
    assert result is not None and result.event_type == "Battles"


def test_victims_decide_between_battles_and_violence_against_civilians():
    civilians = classify_text("Gunmen killed three farmers near Salamiyah.")
    soldiers = classify_text("Gunmen killed three soldiers near Salamiyah.")
    assert (civilians.event_type, soldiers.event_type) == ("Violence against civilians", "Battles")


def test_a_foiled_attack_is_disrupted_weapons_use():
    result = classify_text("The attack was foiled before it reached the market.")
    assert (result.sub_event_type, result.trigger) == ("Disrupted weapons use", "foiled")


def test_victims_are_the_target_not_any_civilian_named():
    result = classify_text("YPG fighters killed ten Nusra members near Afrin, local activists said.")
    assert result.event_type == "Battles"


def test_a_named_person_captured_in_the_passive():
    result = classify_text("Abu Omar was captured in Idlib on Sunday by HTS.")
    assert result.sub_event_type == "Abduction/forced disappearance"
    result = classify_text("Two villages were captured by the SDF.")
    assert result.sub_event_type == "Non-state actor overtakes territory"


def test_a_person_captured_is_no_territory():
    result = classify_text("Rebels captured a pilot whose jet crashed near Khan Touman.")
    assert (result.event_type, result.sub_event_type) == (
        "Violence against civilians", "Abduction/forced disappearance")


def test_talks_are_other_and_a_deal_struck_is_an_agreement():
    talks = classify_text("The third round of talks went ahead in Astana without the rebel delegation.")
    deal = classify_text("On Monday a reconciliation deal was struck for the fighters to leave the district.")
    assert (talks.event_type, talks.sub_event_type) == ("Strategic developments", "Other")
    assert (deal.event_type, deal.sub_event_type) == ("Strategic developments", "Agreement")


def test_classification_is_frozen_and_picklable():
    result = classify_text("Jets bombed Saraqeb.")
    assert pickle.loads(pickle.dumps(result)) == result
    with pytest.raises(AttributeError):
        result.trigger = "x"  # type: ignore[misc]


def test_empty_and_junk_clauses():
    assert classify(Clause(0, 0, "")) is None
    assert classify_text("\x00\x01 ### 12345 ???") is None


# --- measured on shared data (floors with a margin under the figures in the report) -----------

#: Trigger recall and precision on the accepted rows of the event-location dev set (measured
#: 0.48 and 0.50: the gold marks one verb per sentence, often 'said' or 'targeting' where we
#: anchor on 'launched'; see the report).
TRIGGER_RECALL_FLOOR = 0.44
TRIGGER_PRECISION_FLOOR = 0.46


def _dev_rows(shared_data: Path) -> list[dict]:
    path = shared_data / "event-location" / "sentences-dev.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    with path.open(encoding="utf-8") as handle:
        return [row for row in map(json.loads, handle) if row.get("answer") == "accept"]


def test_trigger_precision_and_recall_on_event_location_dev(shared_data):
    rows = _dev_rows(shared_data)
    found = hits = rows_hit = 0
    for row in rows:
        text = row["text"]
        gold = [(s["start"], s["end"]) for s in row["spans"] if s["label"] == "VERB"]
        results = [r for c in split_clauses(Sentence(0, len(text), text)) if (r := classify(c))]
        for r in results:
            assert r.event_type == PARENT_TYPE.get(r.sub_event_type, r.event_type)
        good = [r for r in results if any(r.trigger_start < e and s < r.trigger_end for s, e in gold)]
        found += len(results)
        hits += len(good)
        rows_hit += bool(good)
    recall, precision = rows_hit / len(rows), hits / max(found, 1)
    assert recall >= TRIGGER_RECALL_FLOOR, recall
    assert precision >= TRIGGER_PRECISION_FLOOR, precision


def test_ucdp_headlines_agree_with_type_of_violence(ucdp_2016):
    """Weak check: UCDP's type_of_violence against our types for the headlines we classify."""
    frame = pd.read_csv(ucdp_2016, usecols=["type_of_violence", "source_headline"]).dropna()
    frame = frame.drop_duplicates("source_headline")
    expected = {
        1: {"Battles", "Explosions/Remote violence"},
        2: {"Battles", "Explosions/Remote violence"},
        3: {"Violence against civilians", "Explosions/Remote violence"},
    }
    for violence, floor_classified, floor_agree in ((1, 0.88, 0.86), (2, 0.84, 0.84), (3, 0.78, 0.72)):
        headlines = frame.loc[frame["type_of_violence"] == violence, "source_headline"].astype(str)
        best = []
        for headline in headlines:
            results = [r for c in split_clauses(Sentence(0, len(headline), headline)) if (r := classify(c))]
            if results:
                best.append(max(results, key=lambda r: r.confidence).event_type)
        classified = len(best) / len(headlines)
        agree = sum(t in expected[violence] for t in best) / len(best)
        assert classified >= floor_classified, (violence, classified)
        assert agree >= floor_agree, (violence, agree)


def test_a_dispatch_end_to_end():
    """A short report of our own, read sentence by sentence: one event per happening, nothing else."""
    sentences = [
        "At least nine people died in a car bomb attack in the city of Jableh on Sunday as a new round of "
        "peace talks opened in Geneva.",
        "On Friday a reconciliation deal was struck for 1,200 rebels and their families to leave the Qaboun "
        "district.",
        "In Geneva the talks on extending the truce went ahead, but without the opposition delegation.",
        "The envoy said the priority of the talks was to locate Isis positions for air strikes.",
        "At the UN, Russia blocked a statement condemning Monday's Idlib bombings by the al-Qaida-linked "
        "Nusra Front as Western states rejected its amendments.",
        "Further north the US-backed Syrian Democratic Forces captured a dam on the Euphrates west of the Isis "
        "stronghold of Tabqa.",
        "Crossing the lake would let the SDF cut the Isis road to the city of Deir Ezzor, where fighting with "
        "government troops flared on Monday.",
    ]
    document = "\n".join(sentences)
    from syriamap.text.actors import assign_actors, find_actors

    events = []
    for text in sentences:
        start = document.index(text)
        sentence = Sentence(start, start + len(text), text)
        mentions = find_actors(document, sentence.start, sentence.end)
        for clause in split_clauses(sentence):
            result = classify(clause, mentions)
            if result is None:
                continue
            one, two = assign_actors(clause, mentions, result)
            assert document[result.trigger_start:result.trigger_end] == result.trigger
            events.append((result.event_type, result.sub_event_type, one and one.name, two and two.name))
    assert events == [
        ("Explosions/Remote violence", "Remote explosive/landmine/IED", None, "Civilians"),
        ("Strategic developments", "Other", None, None),
        ("Strategic developments", "Agreement", "Opposition Rebels", "Civilians"),
        ("Strategic developments", "Other", None, "Opposition Rebels"),
        ("Explosions/Remote violence", "Remote explosive/landmine/IED", "Hayat Tahrir al-Sham", None),
        ("Battles", "Non-state actor overtakes territory", "Syrian Democratic Forces", "Islamic State"),
        ("Battles", "Armed clash", "Islamic State", "Military Forces of Syria"),
    ]
