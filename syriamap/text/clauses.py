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
killed when a bomb exploded" reports one happening; nor does an opener followed by
a pronoun ("shot him *as he* stood outside the hotel": the circumstances of one
happening), nor ", and" before a count ("six were killed, and at least ten others
were wounded": one toll).  ``as`` in "known as", "such as",
"as well as" and ``after`` in "after five years" open no clause and split nothing.

This module also holds :func:`words`, the word tokenizer the other text modules
(classification, actors) share, so that they all see the same words.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Clause", "SentenceLike", "split_clauses", "tokenize", "words", "is_finite_verb", "scan_phrases"]


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
    matches = list(_WORD_RE.finditer(low))
    return tuple(map(re.Match.start, matches)), tuple(map(re.Match.end, matches)), tuple(map(re.Match.group, matches))


def scan_phrases(
    lowered: tuple[str, ...],
    longest: dict[str, int],
    take: Callable[[int, int], bool | None],
) -> None:
    """Offer the phrases of a lexicon found in ``lowered``, longest first, not overlapping.

    ``longest`` maps each word that starts a phrase of the lexicon to the
    length (in words) of its longest phrase.  For each such word, in text order,
    ``take(i, size)`` is called for sizes from the longest down: True takes the
    phrase (the scan resumes after it), None tries a shorter one, False gives up
    on this word.  The actor and event-cue lexicons share this scan.
    """
    n = len(lowered)
    resume = 0
    for i in [i for i, w in enumerate(lowered) if w in longest]:
        if i < resume:
            continue
        for size in range(min(longest[lowered[i]], n - i), 0, -1):
            taken = take(i, size)
            if taken:
                resume = i + size
            if taken is not None:
                break


#: Words of recently read texts (sentences, clauses), shared by the text modules.
_WORDS_CACHE: dict[str, Words] = {}
_WORDS_CACHE_SIZE = 256


def _remember(text: str, tokens: Words) -> Words:
    if len(_WORDS_CACHE) >= _WORDS_CACHE_SIZE:
        _WORDS_CACHE.clear()  # recent texts are all that is asked for again
    _WORDS_CACHE[text] = tokens
    return tokens


def words(text: str) -> Words:
    """:func:`tokenize`, cached: a sentence and its clauses are read by several modules in turn."""
    cached = _WORDS_CACHE.get(text)
    return cached if cached is not None else _remember(text, tokenize(text))


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
#: Subjects that tie a subordinate clause to the main one ('as he returned', 'where they were held').
_PRONOUNS = frozenset("he she they it we i you his her their its".split())
#: First words of a casualty count continued after 'and' ('and at least ten others were wounded').
_COUNT_WORDS = frozenset(
    """
    at around about some more many several dozens hundreds scores others nearly almost over up two three four
    five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty a an one
    """.split()
)
#: Clause openers (lower-case) that need a following finite clause to split.
_OPENERS = frozenset(
    "where while whereas as after before since because although though until unless if but and".split()
)
#: Openers that only split after a comma: without one they join phrases ("and"), or
#: tell how the happening came about ("killed after gunmen opened fire"): one event.
_COMMA_ONLY = frozenset({"and", "but", "after", "before"})

#: Boundaries that need no verb check: a semicolon, a quotation opened after a colon.
_HARD_BOUNDARY_RE = re.compile(r"\s*;\s*|:\s*(?=[\"“'‘])")
_STOP_CHARS = frozenset(",;:()[]\"“”")


def is_finite_verb(text: str, start: int, end: int, word: str) -> bool:
    """Whether the word ``text[start:end]`` (lower-cased ``word``) looks like a finite verb."""
    if word in _FINITE:
        return True
    if len(word) > 4 and word.endswith("ed"):
        return start == 0 or text[start - 1] != "-"  # "US-backed" is an adjective
    return False


def _opens_finite_clause(text: str, tokens: Words, opener: int) -> bool:
    """Whether the words after the opener, up to the next stop, hold a subject and a finite verb."""
    starts, ends, lowered = tokens
    last = min(len(lowered), opener + 12)
    for i in range(opener + 1, last):
        if i > opener + 1:
            if _STOP_CHARS.intersection(text[ends[i - 1]:starts[i]]):
                return False
            if lowered[i] in ("being", "having"):
                return False
            if is_finite_verb(text, starts[i], ends[i], lowered[i]):
                if lowered[i].endswith("ed") and lowered[i - 1] in _DETERMINERS:
                    continue  # "the armed group"
                return True
    return False


def _boundaries(text: str, tokens: Words) -> list[tuple[int, int]]:
    """Local ``(cut_end, next_start)`` pairs where ``text`` splits into clauses."""
    starts, ends, lowered = tokens
    candidates: list[tuple[int, int, int]] = [(m.start(), m.end(), -1) for m in _HARD_BOUNDARY_RE.finditer(text)]
    candidates += [(ends[k - 1], starts[k], k) for k, w in enumerate(lowered) if w in _OPENERS and k > 0]
    candidates.sort()
    cuts: list[tuple[int, int]] = []
    last, last_word = 0, 0
    for a, b, k in candidates:
        if a - last < 8:  # a clause needs a few words before it
            continue
        if k >= 0:
            opener = lowered[k]
            comma = "," in text[a:b]
            if opener in _COMMA_ONLY and not comma:
                continue
            if opener == "as" and (lowered[k - 1] in _AS_PREPOSITION or lowered[k + 1:k + 2] == ("well",)):
                continue
            following = lowered[k + 1] if k + 1 < len(lowered) else ""
            if opener not in _COMMA_ONLY and following in _PRONOUNS:
                continue  # 'shot him as he stood outside the hotel': the circumstances of one happening
            if opener == "and" and (following.isdigit() or following in _COUNT_WORDS):
                continue  # 'six were killed, and around ten others were injured': one toll
            if opener in ("and", "but") and not any(
                    is_finite_verb(text, starts[j], ends[j], lowered[j]) for j in range(last_word, k)):
                continue  # "Israeli troops and Palestinian protesters clashed": one subject
            if not _opens_finite_clause(text, tokens, k):
                continue
        cuts.append((a, b))
        last = b
        last_word = k if k >= 0 else bisect.bisect_left(starts, b)
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
    boundary is one clause; whitespace-only text gives no clause.  The words of
    each clause are left in :func:`words`' cache for the modules that read it next.
    """
    text = sentence.text
    tokens = words(text)
    clauses: list[Clause] = []
    pos = 0
    for cut_end, next_start in [*_boundaries(text, tokens), (len(text), len(text))]:
        a, b = _trimmed(text, pos, cut_end)
        if b > a:
            clauses.append(Clause(sentence.start + a, sentence.start + b, text[a:b]))
            _seed(text[a:b], tokens, a, b)
        pos = next_start
    return clauses


def _seed(clause_text: str, tokens: Words, a: int, b: int) -> None:
    """Cache the words of ``text[a:b]`` from those of the whole ``text`` (no second tokenization)."""
    if clause_text in _WORDS_CACHE:
        return
    starts, ends, lowered = tokens
    i, j = bisect.bisect_left(starts, a), bisect.bisect_right(ends, b)
    _remember(clause_text, (tuple(s - a for s in starts[i:j]), tuple(e - a for e in ends[i:j]), lowered[i:j]))
