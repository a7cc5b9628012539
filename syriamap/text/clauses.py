"""Split a sentence into clauses that can each report one happening.

A news sentence often packs several happenings: "Six people died in a bomb attack on
Homs yesterday *as* the latest round of peace talks started in Kazakhstan", or "...
the eastern city of Deir Ezzor, *where* battles with government troops intensified".
Each becomes its own :class:`Clause`, so that classification, dates, places and
actors are read per happening.  A coordinated predicate that shares its subject
("killed three *and* wounded five") stays in one clause.

The rules are generic and cheap (no parser): a boundary is a semicolon, a quotation
opened after a colon, or a subordinating/coordinating word (``where``, ``as``,
``while``, ``, after``, ``, and``...) that opens a new *finite* clause, i.e. a subject
followed by a finite verb before the next comma.  ``when`` never splits: "six were
killed when a bomb exploded" reports one happening.  ``as`` in "known as", "such as",
"as well as" and ``after`` in "after five years" open no clause and split nothing.

This module also holds :func:`words`, the word tokenizer the other text modules
(classification, actors) share, so that they all see the same words.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Clause", "SentenceLike", "split_clauses", "tokenize", "words", "is_finite_verb"]


class SentenceLike(Protocol):
    """What :func:`split_clauses` needs of a sentence (``text.sentences.Sentence``)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Clause:
    """A span of a sentence that can report one happening (absolute offsets)."""

    start: int
    end: int
    text: str


#: A word: a run of letters or digits in lower-cased text (hyphens, apostrophes,
#: quotes and dashes separate words; U+2000-U+206F is general punctuation).
_WORD_RE = re.compile(r"[a-z0-9\u00c0-\u1fff\u2070-\u2fff\u3040-\uffef]+")
_SLOW_WORD_RE = re.compile(r"[^\W_]+")

Words = tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...]]


def tokenize(text: str) -> Words:
    """The words of ``text``: their starts, ends (offsets into ``text``) and lower-cased forms."""
    low = text.lower()
    if len(low) != len(text):  # a few characters lower-case to two ('İ'): map word by word
        matches = list(_SLOW_WORD_RE.finditer(text))
        return (tuple(m.start() for m in matches), tuple(m.end() for m in matches),
                tuple(m.group().lower() for m in matches))
    lowered = _WORD_RE.findall(low)
    starts = []
    pos = 0
    index = low.index
    for word in lowered:
        pos = index(word, pos)
        starts.append(pos)
        pos += len(word)
    return tuple(starts), tuple(s + len(w) for s, w in zip(starts, lowered)), tuple(lowered)


@functools.lru_cache(maxsize=512)
def words(text: str) -> Words:
    """:func:`tokenize`, cached: a clause is read by several modules in turn."""
    return tokenize(text)


#: Finite auxiliaries and common finite verbs that do not end in -ed.
_FINITE = frozenset(
    """
    is are was were has have had will would could can may might shall should must did does do
    am went took hit struck began begun fell shot fought broke came left held led met said told sent
    stood ran won lost saw made gave got put set overran overtook rose spread seized blew drove
    continues continue continued remains remain says say claims claim killed dies die
    """.split()
)
#: Words after which an -ed word is an adjective or participle, not a finite verb.
_DETERMINERS = frozenset("a an the this that these those its their his her our my your some any no".split())
#: Words before ``as`` that make it a preposition ("known as", "such as", "as well as").
_AS_PREPOSITION = frozenset(
    """
    such known same so well referred described regarded seen serve serves served serving act acts acted
    acting identified named dubbed designated listed much many soon long far just twice half
    """.split()
)
#: Clause openers (lower-case) that need a following finite clause to split.
_OPENERS = frozenset(
    "where while whereas as after before since because although though until unless if but and".split()
)
#: Openers that only split after a comma: without one they join phrases ("and"), or
#: tell how the happening came about ("killed after gunmen opened fire"): one event.
_COMMA_ONLY = frozenset({"and", "but", "after", "before"})

_BOUNDARY_RE = re.compile(
    r"\s*;\s*"  # semicolon: always a boundary
    r"|:\s*(?=[\"“'‘])"  # a quotation opened after a colon
    r"|,?\s+(?=(?:where|while|whereas|as|after|before|since|because|although|though|until|unless|if|but|and)\b)",
    re.IGNORECASE,
)
_STOP_RE = re.compile(r"[,;:()\[\]\"“”]")


def is_finite_verb(text: str, start: int, end: int, word: str) -> bool:
    """Whether the word ``text[start:end]`` (lower-cased ``word``) looks like a finite verb."""
    if word in _FINITE:
        return True
    if len(word) > 4 and word.endswith("ed"):
        return start == 0 or text[start - 1] != "-"  # "US-backed" is an adjective
    return False


def _opens_finite_clause(text: str, pos: int, limit: int) -> bool:
    """Whether the words from ``pos`` (after the opener) to the next stop hold subject + finite verb."""
    stop = _STOP_RE.search(text, pos, limit)
    segment = text[pos:stop.start() if stop else limit]
    starts, ends, lowered = tokenize(segment)
    for i in range(1, min(len(lowered), 12)):
        if lowered[i] in ("being", "having"):
            return False
        if is_finite_verb(segment, starts[i], ends[i], lowered[i]):
            if lowered[i].endswith("ed") and lowered[i - 1] in _DETERMINERS:
                continue  # "the armed group"
            return True
    return False


def _has_finite_verb(text: str) -> bool:
    starts, ends, lowered = tokenize(text)
    return any(is_finite_verb(text, s, e, w) for s, e, w in zip(starts, ends, lowered))


def _boundaries(text: str) -> list[tuple[int, int]]:
    """Local ``(cut_end, next_start)`` pairs where ``text`` splits into clauses."""
    cuts: list[tuple[int, int]] = []
    last = 0
    for match in _BOUNDARY_RE.finditer(text):
        a, b = match.start(), match.end()
        if a - last < 8:  # a clause needs a few words before it
            continue
        token = match.group()
        if ";" in token or ":" in token:
            cuts.append((a, b))
            last = b
            continue
        opener_end = b
        while opener_end < len(text) and text[opener_end].isalpha():
            opener_end += 1
        opener = text[b:opener_end].lower()
        if opener not in _OPENERS:
            continue
        comma = "," in token
        if opener in _COMMA_ONLY and not comma:
            continue
        if opener == "as":
            before = tokenize(text[max(last, a - 20):a])[2]
            if before and before[-1] in _AS_PREPOSITION or text.startswith("as well", b):
                continue
        if opener in ("and", "but") and not _has_finite_verb(text[last:a]):
            continue  # "Israeli troops and Palestinian protesters clashed": one subject
        if not _opens_finite_clause(text, opener_end, len(text)):
            continue
        cuts.append((a, b))
        last = b
    return cuts


def _trimmed(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and (text[a].isspace() or text[a] in ",;:"):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in ",;:"):
        b -= 1
    return a, b


def split_clauses(sentence: SentenceLike) -> list[Clause]:
    """The clauses of ``sentence``, in text order, with offsets into the document.

    ``sentence`` is any object with ``start``, ``end`` and ``text`` (``text`` being
    the document's characters from ``start`` to ``end``).  A sentence without a
    boundary is one clause; whitespace-only text gives no clause.
    """
    text = sentence.text
    clauses: list[Clause] = []
    pos = 0
    for cut_end, next_start in [*_boundaries(text), (len(text), len(text))]:
        a, b = _trimmed(text, pos, cut_end)
        if b > a:
            clauses.append(Clause(sentence.start + a, sentence.start + b, text[a:b]))
        pos = next_start
    return clauses
