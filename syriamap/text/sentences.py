"""Sentences with exact offsets, from compiled regexes.

Libraries that split sentences well (pySBD, syntok) run at hundreds to a few
thousand sentences per second, too slow for a pipeline that must read 300+
articles a second; news prose needs few rules, so this module uses compiled
regexes and a handful of checks:

* a sentence ends at ``.``, ``!``, ``?``, ``…`` or Arabic ``؟`` (with any closing
  quotes and brackets) followed by space and something that can start a
  sentence (a capital, a digit, an opening quote, an Arabic letter);
* not after an abbreviation (``Gen.``, ``Dr.``, ``Jan.``, ``U.S.`` before a name),
  an initial (``J. Smith``), or inside a number (``2.5``: no space follows);
* a blank line always ends a sentence; a single line break does too, unless the
  span is hard-wrapped prose (most lines 50-100 characters), where it is a space.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Sentence", "split_sentences", "ABBREVIATIONS"]


@dataclass(frozen=True)
class Sentence:
    """A sentence: ``text == document_text[start:end]`` (trimmed of surrounding space)."""

    start: int
    end: int
    text: str


#: Words that a period follows without ending the sentence (lowercase, no period).
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen col lt sgt capt cpt maj brig adm cmdr cdr gov sen rep pres rev fr st mt ft jr sr
    inc ltd co corp bros dept est approx vs etc no nos vol fig al
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    u.s u.n u.k e.u u.s.a u.a.e a.m p.m i.e e.g
    """.split()
)
# Words that start a sentence after a dotted abbreviation ("in the U.S. The ...").
_STARTERS = frozenset(
    "the a an he she it they we i in on at but and this that these those there his her their its our".split()
)
_BOUNDARY_RE = re.compile(r"([.!?…؟]+)([\"'”’)\]»]*)(\s+)(?=[\"'“‘(\[«]?[^\W_a-z])")
_WORD_BEFORE_RE = re.compile(r"([^\W\d_][\w.]*)$")
_PARAGRAPH_RE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE_RE = re.compile(r"\n")
_WRAPPED_END_RE = re.compile(r"[.!?:;\"”’)…]\s*$")


def _is_wrapped(block: str) -> bool:
    lines = [line for line in block.split("\n") if line.strip()]
    if len(lines) < 3:
        return False
    body = lines[:-1]
    return sum(1 for line in body if 50 <= len(line.strip()) <= 100) >= 0.7 * len(body)


def _pieces(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    """Paragraph pieces of ``text[start:end]``: blank lines and unwrapped line breaks end them."""
    block_start = start
    breaks = [(m.start(), m.end()) for m in _PARAGRAPH_RE.finditer(text, start, end)]
    breaks.append((end, end))
    for break_start, break_end in breaks:
        block = text[block_start:break_start]
        if "\n" in block and not _is_wrapped(block):
            line_start = block_start
            for m in _LINE_RE.finditer(text, block_start, break_start):
                yield line_start, m.start()
                line_start = m.end()
            yield line_start, break_start
        else:
            yield block_start, break_start
        block_start = break_end


def _ends_sentence(text: str, piece_start: int, match: re.Match[str]) -> bool:
    if match.group(1) != ".":
        return True
    before = _WORD_BEFORE_RE.search(text, max(piece_start, match.start() - 20), match.start())
    if before is None:
        return True
    word = before.group(1)
    low = word.lower()
    if low in ABBREVIATIONS:
        if "." in low or low in ("no", "inc", "ltd", "co", "corp", "etc"):
            following = text[match.end():match.end() + 12].split(" ", 1)[0].strip("\"'“‘(").lower()
            return following in _STARTERS
        return False
    if len(word) == 1 and word.isupper():
        return False  # an initial: "J. Smith"
    if "." in word and len(word) <= 6 and word.replace(".", "").isalpha():
        following = text[match.end():match.end() + 12].split(" ", 1)[0].strip("\"'“‘(").lower()
        return following in _STARTERS
    return True


def split_sentences(text: str, spans: Iterable[tuple[int, int]] | None = None) -> list[Sentence]:
    """The sentences of ``text`` inside ``spans`` (the whole text by default), in order."""
    if not isinstance(text, str) or not text:
        return []
    if spans is None:
        spans = [(0, len(text))]
    sentences: list[Sentence] = []
    for span_start, span_end in spans:
        span_start, span_end = max(0, span_start), min(len(text), span_end)
        for piece_start, piece_end in _pieces(text, span_start, span_end):
            sentence_start = piece_start
            for match in _BOUNDARY_RE.finditer(text, piece_start, piece_end):
                if _ends_sentence(text, piece_start, match):
                    _add(sentences, text, sentence_start, match.start(3))
                    sentence_start = match.end()
            _add(sentences, text, sentence_start, piece_end)
    return sentences


def _add(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        sentences.append(Sentence(start, end, text[start:end]))
