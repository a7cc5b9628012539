"""Sentence splitting: exact offsets, abbreviations, initials, decimals, quotes, paragraphs."""
from __future__ import annotations

import pickle
import time

from syriamap.text.boilerplate import main_spans
from syriamap.text.sentences import Sentence, split_sentences


def _texts(text, spans=None):
    sentences = split_sentences(text, spans)
    for s in sentences:
        assert isinstance(s, Sentence) and text[s.start:s.end] == s.text and s.text == s.text.strip()
    return [s.text for s in sentences]


def test_abbreviations_initials_and_decimals_do_not_end_sentences():
    text = "Gen. Smith met Dr. Jones in the U.S. on Jan. 5. The toll rose to 2.5 million. J. R. Smith left."
    assert _texts(text) == [
        "Gen. Smith met Dr. Jones in the U.S. on Jan. 5.",
        "The toll rose to 2.5 million.",
        "J. R. Smith left.",
    ]


def test_dotted_abbreviation_before_a_sentence_starter_ends_it():
    assert _texts("Jets came from the U.S. The raid followed.") == ["Jets came from the U.S.", "The raid followed."]


def test_quotes_questions_and_ellipses():
    text = '“The process continues. I would not talk about it,” he said. Was it over? “Yes!” We came ... to meet them.'
    assert _texts(text) == [
        "“The process continues.",
        "I would not talk about it,” he said.",
        "Was it over?",
        "“Yes!”",
        "We came ... to meet them.",
    ]


def test_paragraph_and_line_breaks():
    assert _texts("Headline without stop\nFirst sentence here.\n\nSecond para") == [
        "Headline without stop", "First sentence here.", "Second para"
    ]


def test_hard_wrapped_prose_is_joined():
    line = "word " * 12
    text = f"Shelling hit the {line}\nand then the {line}\ncontinued in the {line}\nuntil dawn."
    assert len(_texts(text)) == 1


def test_arabic_sentences():
    assert _texts("قتل خمسة في حمص. وقال المرصد إن القصف استمر؟ نعم") == [
        "قتل خمسة في حمص.", "وقال المرصد إن القصف استمر؟", "نعم"
    ]


def test_spans_are_respected(shared_seeds):
    text = (shared_seeds / "000_367303c93b758c1a.txt").read_text(encoding="utf-8")
    sentences = split_sentences(text, main_spans(text))
    assert sentences[0].text == "Syria: One-sided talks resume as bomb shakes Homs city"
    assert sentences[1].text.startswith("AT LEAST six people died")
    assert not any("Subscribe" in s.text or "2018" in s.text for s in sentences)
    assert pickle.loads(pickle.dumps(sentences[0])) == sentences[0]


def test_bad_input_and_speed():
    assert split_sentences("") == [] and split_sentences(None) == []  # type: ignore[arg-type]
    assert split_sentences("   ") == []
    text = "Clashes in Homs killed 5 people on Monday. Dr. Ali said so. " * 20_000
    started = time.perf_counter()
    assert len(split_sentences(text)) == 40_000
    assert time.perf_counter() - started < 20
