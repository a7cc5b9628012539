"""Clause splitting: one clause per happening, absolute offsets, nothing lost."""
from __future__ import annotations

import pickle
import random
from dataclasses import dataclass

import pytest

from syriamap.text.clauses import Clause, split_clauses, tokenize


@dataclass(frozen=True)
class Sentence:
    """Stand-in for ``syriamap.text.sentences.Sentence`` (same fields)."""

    start: int
    end: int
    text: str


def sentence_in(document: str, text: str) -> Sentence:
    start = document.index(text)
    return Sentence(start, start + len(text), text)


def texts(sentence_text: str, prefix: str = "Headline.\n\n") -> list[str]:
    document = prefix + sentence_text + " Tail sentence."
    sentence = sentence_in(document, sentence_text)
    clauses = split_clauses(sentence)
    for clause in clauses:
        assert document[clause.start:clause.end] == clause.text  # offsets are absolute
    return [c.text for c in clauses]


def test_as_starts_a_second_happening():
    got = texts(
        "Five shoppers died in a car bomb attack on the town of Azaz on Tuesday as a new round of "
        "talks opened in Geneva."
    )
    assert got == [
        "Five shoppers died in a car bomb attack on the town of Azaz on Tuesday",
        "as a new round of talks opened in Geneva.",
    ]


def test_where_clause_is_its_own_clause():
    got = texts(
        "Crossing the river would let the rebels reach the northern city of Manbij, where fighting with "
        "Kurdish units flared on Friday."
    )
    assert len(got) == 2
    assert got[1] == "where fighting with Kurdish units flared on Friday."


def test_shared_subject_predicates_stay_together():
    assert len(texts("A roadside bomb killed four soldiers and wounded nine near Jisr al-Shughur.")) == 1
    assert len(texts("Shelling killed two children, and wounded six others in Douma.")) == 1


def test_circumstances_and_tolls_stay_with_their_happening():
    assert len(texts("Gunmen shot the mayor as he left his office in Azaz.")) == 1
    assert len(texts("Four soldiers were killed, and at least ten others were wounded.")) == 1
    assert len(texts("Jets bombed the market as the talks opened in Geneva.")) == 2


def test_new_subject_after_comma_and_splits():
    got = texts("Rebels shelled the airport, and government jets bombed the villages nearby.")
    assert got == ["Rebels shelled the airport", "and government jets bombed the villages nearby."]


def test_prepositional_as_and_after_do_not_split():
    assert len(texts("The group, known as Jund al-Aqsa, attacked checkpoints such as the one at Morek.")) == 1
    assert len(texts("Residents returned after five years as well as the displaced families.")) == 1
    assert len(texts("Six people were killed when a mortar round hit the market.")) == 1


def test_semicolon_and_quoted_speech():
    got = texts("Jets struck Saraqeb; rebels shelled Hama.")
    assert got == ["Jets struck Saraqeb", "rebels shelled Hama."]
    got = texts("The commander said: \u201cWe will take the town.\u201d")
    assert got == ["The commander said", "\u201cWe will take the town.\u201d"]


def test_empty_and_whitespace_sentences():
    assert split_clauses(Sentence(0, 0, "")) == []
    assert split_clauses(Sentence(4, 8, "   \n")) == []


def test_clause_is_frozen_and_picklable():
    clause = Clause(3, 9, "killed")
    assert pickle.loads(pickle.dumps(clause)) == clause
    with pytest.raises(AttributeError):
        clause.start = 4  # type: ignore[misc]


def test_random_sentences_keep_every_word_in_order():
    """Property: clauses lie inside the sentence, in order, without overlap, and lose no word."""
    vocabulary = (
        "rebels jets bombed the town as while where after and , ; but killed wounded Homs Idlib "
        "government forces shelled clashed with fighters yesterday talks started in Astana when"
    ).split()
    rng = random.Random(0)
    for _ in range(500):
        body = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 30))).replace(" ,", ",").replace(" ;", ";")
        document = "x " * rng.randint(0, 5) + body
        sentence = Sentence(len(document) - len(body), len(document), body)
        clauses = split_clauses(sentence)
        previous_end = sentence.start
        for clause in clauses:
            assert sentence.start <= previous_end <= clause.start < clause.end <= sentence.end
            assert document[clause.start:clause.end] == clause.text
            previous_end = clause.end
        kept = [w for c in clauses for w in tokenize(c.text)[2]]
        assert kept == list(tokenize(body)[2])


def test_tokenize_maps_back_to_the_original_text():
    text = "Al-Qaida-led \u0130dlib group’s fighters, 2,500 of them"
    starts, ends, lowered = tokenize(text)
    assert [text[s:e].lower() for s, e in zip(starts, ends)] == list(lowered)
    assert lowered[:3] == ("al", "qaida", "led")


def test_long_sentence_with_many_boundaries():
    """A run-on 'sentence' of 20,000 clauses splits into all of them (linear work, no blow-up)."""
    body = "; ".join(f"rebels shelled the town number {i}" for i in range(20_000))
    clauses = split_clauses(Sentence(0, len(body), body))
    assert len(clauses) == 20_000
    assert clauses[-1].text == "rebels shelled the town number 19999"
