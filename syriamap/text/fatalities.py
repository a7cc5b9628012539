"""Death tolls in news text: '6 people were killed', 'killing at least 12', 'dozens dead'.

:func:`find_fatalities` reads the fatalities a clause reports as one
:class:`FatalityCount` (value, whether it is a lower bound, the span and why), or
None when the clause states no toll; 'no casualties were reported' is a toll of 0.

How a number becomes a toll: a quantity (digits with thousand separators, number
words up to the millions, 'a dozen', ranges, vague plurals) counts only when the
syntax ties it to a death word, in one of four ways:

* subject of a death predicate: '6 people were killed', '3 dead', '14 fighters of
  the factions were killed', 'X fighters died', '40 deaths', '9 bodies were found',
  '38 martyrs', 'five women were among the dead', '40 people including civilians
  were killed' (an aside inside the subject is skipped);
* object of a killing verb or noun: 'killing 6', 'killed at least 12 civilians',
  'claimed the lives of 9', 'claimed 11 lives', 'the bodies of 9', 'the execution of 3';
* a running toll: 'the death toll rose to 40', 'a toll of 12', 'the number of
  fighters killed has risen to 39', 'raise the number to 8';
* 'leaving 6 dead'.

Coordinated groups sharing the predicate are summed ('5 civilians and 3 soldiers
were killed' -> 8; 'killing 5 civilians and 3 soldiers' -> 8), but a group with its
own non-death predicate is not ('killed 6 and 20 were wounded' -> 6).  Subsets are
not added ('12 killed, including 5 children' -> 12; '32 killed, with 18 bodies
pulled from the rubble' -> 32).  Separate tolls in one clause are summed ('two
soldiers were killed and three civilians died' -> 5), except that a running toll
('bringing the death toll to 40') is a total, so the larger reading wins, and the
same number again 40 characters or more further on is a restatement counted once
(a headline run into its own text).

Not tolls: wounded/injured/arrested/displaced/evacuated/captured numbers, combined
counts ('18 killed or wounded', '7 casualties': 'casualties' mixes dead and wounded,
so it is not read as deaths), ages ('a 6-year-old', 'children aged four to 10'),
distances and other units ('5 km', '12 rockets', 'over 3 days', 'six families'),
times, dates and years ('August 24 2014'), and numbers with no death word ('2,500
insurgents and their families to leave').  'IS' (Islamic State) is not the verb 'is'.

Vague quantities are flagged as lower bounds and valued as ACLED codes them:
'dozens' -> 12 and 'hundreds' -> 100; by the same rule 'tens' -> 10, 'scores' -> 20,
'thousands' -> 1000, 'tens of thousands' -> 10000.  'at least', 'more than', 'over',
'upwards of', 'no fewer than' and ranges ('between 10 and 15', '10-15', 'six or
seven': the lower end) are lower bounds too; 'nearly', 'about', 'some', 'up to', 'as
many as' keep the stated number as an estimate.  'several' and 'many' give no number
(None).  A single person ('a soldier was killed', 'killing a 6-year-old boy',
'another civilian was killed') is 1.

Everything is compiled regular expressions over the clause: a clause without any
death cue is rejected by one search (a few microseconds), and the full patterns run
only where a cheap scan finds a number word or digit.  The cost is linear in the
length of the text.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from syriamap.text._trie import chain_before, trie_pattern

__all__ = ["FatalityCount", "find_fatalities", "parse_quantity"]


@dataclass(frozen=True)
class FatalityCount:
    """The deaths a clause reports: absolute offsets of the toll expression, its value
    and whether the value is a lower bound ('at least six', 'dozens')."""

    start: int
    end: int
    surface: str
    value: int
    lower_bound: bool
    reasons: tuple[str, ...] = ()


# --- quantities -------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_MULTIPLIERS = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_VAGUE = {"tens": 10, "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1000}


_WORD = trie_pattern(_UNITS)
_UNIT_WORDS = [w for w, v in _UNITS.items() if v < 20]
_TENS_WORDS = [w for w, v in _UNITS.items() if v >= 20]
# 'twenty-one', 'two hundred and fifty', 'three thousand five hundred', 'a hundred':
# a number-word grammar, so that 'one two three' is not read as one number.
_SMALL = (
    rf"(?:{trie_pattern(_TENS_WORDS)}(?:[-\s]{trie_pattern(w for w in _UNIT_WORDS if 0 < _UNITS[w] < 10)}\b)?"
    rf"|{trie_pattern(_UNIT_WORDS)})"
)
_HUNDREDS = rf"(?:(?:{_SMALL}|a)\s+hundred(?:\s+(?:and\s+)?{_SMALL}\b)?|{_SMALL})"
_WORDNUM = (
    rf"(?:(?:{_HUNDREDS}|a)\s+(?:thousand|million)(?:,?\s+(?:and\s+)?{_HUNDREDS}\b)?|{_HUNDREDS})"
)
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+(?=\s+(?:thousand|million)))?(?:\s+(?:thousand|million))?"
_SIMPLE = rf"(?:(?<![\w.,:/-]){_DIGITS}(?![\w:/]|[.,]\d)|\b{_WORDNUM}\b)"
_SIMPLE_TAIL = rf"(?:{_DIGITS}(?![\w:/]|[.,]\d)|{_WORDNUM}\b)"  # after a range dash
_PERSON = trie_pattern(
    "person people man men woman women child children kid boy girl baby infant toddler teenager teen youth "
    "civilian soldier fighter rebel militant jihadist insurgent gunman gunmen member officer policeman "
    "policemen commander leader chief general colonel journalist reporter photographer doctor nurse medic "
    "paramedic volunteer worker student resident farmer shepherd mother father brother sister son daughter "
    "refugee villager guard trooper serviceman servicemen militiaman militiamen sniper pilot activist "
    "teacher driver".split()
)
_ONE_PERSON = trie_pattern(
    "person man woman child kid boy girl baby infant toddler teenager teen youth civilian soldier fighter "
    "rebel militant jihadist insurgent gunman member officer policeman commander leader chief general "
    "colonel journalist reporter photographer doctor nurse medic paramedic volunteer worker student "
    "resident farmer shepherd mother father brother sister son daughter refugee villager guard trooper "
    "serviceman militiaman sniper pilot activist teacher driver".split()
)
_LOWER = trie_pattern([
    "at least", "at the very least", "more than", "over", "upwards of", "in excess of", "no fewer than",
    "no less than", "not less than", "a minimum of", "at minimum",
])
_APPROX = trie_pattern([
    "as many as", "up to", "nearly", "almost", "about", "around", "some", "roughly", "approximately",
    "an estimated", "estimated", "a total of", "another", "a further", "an additional", "close to", "only",
    "just",
])
# What may stand between a number and its predicate ('14 fighters of the factions').
_QUANTITY_WORD = r"(?:" + _WORD + r"|hundreds?|thousands?|dozens?|scores|tens|millions?)"
_STOP = (
    r"(?:and\s+(?=\d|" + _QUANTITY_WORD + r"\b)|(?-i:is|Is)\b|" + _QUANTITY_WORD + r"\b|" + trie_pattern([
        "were", "was", "are", "am", "have", "has", "had", "been", "being", "be", "will", "would",
        "could", "who", "that", "which", "whom", "but", "while", "when", "where", "after", "before", "as",
        "than", "because", "since", "to", "said", "says", "say", "told", "according", "killed", "kill",
        "kills", "dead", "died", "die", "dies", "wounded", "wound", "wounds", "injured", "injure", "injures",
        "hurt", "arrested", "detained", "captured", "displaced", "evacuated", "kidnapped", "abducted",
        "missing", "rescued", "fled", "left", "leaving", "including", "among", "casualties", "casualty",
        "injuries", "or"]) + ")"
)
# Words a quantity's number can start with.  One cheap scan finds these, and the
# full pattern is tried only there (and at the modifiers just before: 'at least').
_GATE = re.compile(
    r"(?i)(?<![\w’'-])(?:\d|" + trie_pattern(
        list(_UNITS) + ["hundred", "thousand", "million", "a", "an", "another", "half", "between", "tens", "dozens",
                        "scores", "hundreds", "thousands"]) + r"\b)"
)
#: Words of the modifiers before a number ('at least', 'as many as', 'a total of').
_MODIFIER_WORDS = frozenset(
    "at least the very more than over upwards of in excess no fewer less not a minimum as many up to nearly "
    "almost about around some roughly approximately an estimated total another further additional close "
    "only just".split()
)
_SPACE = re.compile(r"\s*")
_QUANT = re.compile(
    rf"""(?ix)
    (?:(?P<lower>{_LOWER})\s+|(?P<approx>{_APPROX})\s+)?
    (?:
        (?P<half>half\s+a\s+dozen)
      | (?P<dozen>(?:(?P<dozen_n>a|{_WORD}|\d+)\s+)dozen)\b(?!s)
      | (?P<couple>a\s+couple\s+of)
      | between\s+(?P<between>{_SIMPLE})(?:\s+and\s+|\s*[-–]\s*){_SIMPLE_TAIL}
      | (?P<range>{_SIMPLE})(?:\s*[-–]\s*(?=\d)|\s+(?:to|or)\s+){_SIMPLE_TAIL}
      | (?P<vague>(?:tens|hundreds)\s+of\s+thousands|tens|dozens|scores|hundreds|thousands)\b
      | (?<!no\s)(?<!any\s)(?<!every\s)(?P<simple>{_SIMPLE})
      | (?P<single>\b(?:an?|another)(?:\s+(?!{_STOP}\b)(?!\d+\b(?!-))[\w’'-]+){{0,2}}?(?=\s+{_ONE_PERSON}\b))
    )
    """
)

_NOUNWORD = rf"(?:(?!{_STOP}\b)(?!\d)[^\s,;:.!?]+)"
_AUX = trie_pattern([
    "were", "was", "are", "is", "have", "has", "had", "been", "being", "be", "got", "get", "reportedly",
    "allegedly", "also", "all", "later", "now", "subsequently", "then", "each", "both", "already", "so far",
    "confirmed", "believed", "said", "thought", "feared", "reported", "found", "to", "who", "that", "which",
    "at least", "in total", "altogether", "themselves", "estimated", "presumed", "assumed", "likely", "known",
])
_DEATH_PRED = trie_pattern([
    "killed", "dead", "died", "die", "dies", "dying", "slain", "executed", "martyred", "massacred",
    "murdered", "beheaded", "assassinated", "perished", "succumbed", "shot dead", "gunned down",
    "stabbed to death", "burned to death", "fatally shot", "fatally wounded", "fatally injured",
    "fatally stabbed", "lost their lives", "lost their life", "lost his life", "lost her life", "lost lives",
    "deaths", "fatalities", "dead bodies", "bodies", "corpses", "victims died", "martyrs", "martyr",
    "among the dead", "among those killed", "among the killed",
])
_INJURY = trie_pattern([
    "wounded", "injured", "hurt", "arrested", "detained", "captured", "displaced", "evacuated", "kidnapped",
    "abducted", "missing", "rescued", "treated", "hospitalised", "hospitalized", "taken prisoner",
    "wounding", "injuring",
])
# The passive forms only: in 'killing a man and a woman, injuring 5' the '-ing' verb
# belongs to the clause, not to 'a woman'.
_INJURED = trie_pattern([
    "wounded", "injured", "hurt", "arrested", "detained", "captured", "displaced", "evacuated", "kidnapped",
    "abducted", "missing", "rescued", "treated", "hospitalised", "hospitalized", "taken prisoner",
])
# An aside inside a subject: '40 people including civilians were killed'.
_ASIDE = (
    rf"(?:including|among\s+them|among\s+whom|mostly|most\s+of\s+them)"
    rf"(?:\s+(?!\d)(?!{_QUANTITY_WORD}\b)(?!{_STOP}\b)[^\s,;:.!?]+){{1,4}}?"
)
_SUBJ_AFTER = re.compile(
    rf"""(?ix)
    (?P<chain>(?:\s+(?:(?:loyal|belonging|affiliated|close)\s+to|{_ASIDE}|{_NOUNWORD})){{0,9}}?)
    (?P<paren>\s*,[^,;.]{{1,80}},)?
    (?P<aux>(?:\s+{_AUX})*)
    \s+(?P<pred>{_DEATH_PRED})(?![\w-])
    """
)
_INJURY_AFTER = re.compile(rf"(?ix)(?:\s+{_NOUNWORD}){{0,6}}?(?:\s+{_AUX})*\s+{_INJURED}\b")
# '18 killed or wounded', 'killed and seriously injured' (but not 'killed and 50 wounded')
_COMBINED_AFTER = re.compile(
    rf"(?i)\s*(?:or|and|/|&)\s*(?:(?!\d|{_QUANTITY_WORD}\b)\w+\s+)?{_INJURY}\b"
)
_ACTIVE_OBJECT = re.compile(
    rf"(?i)\s+(?:\d|(?:a|an|the|his|her|their|its|him|them|us|me|{_WORD}|dozens|hundreds|scores|"
    rf"at\s+least|more\s+than|some|several|many|"
    rf"(?!(?:including|in|on|at|among|near|by|during|after|as|while|when|with|and|or)\b)\w+\s+)?"
    rf"{_PERSON}s?\b|{_WORD}\b|at\s+least|more\s+than)"
)
# Things counted that are not people: a number of these is never a toll.
_NOT_PEOPLE = re.compile(
    r"""(?ix)(?:-|\s+)(?:year|month|week|day)s?[-\s]old\b|\s*(?:%|percent\b|per\s+cent\b)|
    \s+(?:families|households|homes|houses|buildings|
    km|kms|kilomet(?:er|re)s?|miles?|met(?:er|re)s?|m|kg|kilograms?|tonnes?|tons?|feet|ft|
    rockets?|shells?|missiles?|mortars?|rounds?|bombs?|barrels?|barrel\s+bombs?|(?:air\s*)?strikes?|
    airstrikes?|air\s+raids?|raids?|sorties|explosions?|blasts?|attacks?|mines?|drones?|planes?|
    warplanes?|jets?|helicopters?|tanks?|vehicles?|cars?|trucks?|buses|times|years?|months?|weeks?|
    days?|hours?|minutes?|seconds?|am|pm|a\.m\.|p\.m\.|o['’]clock|GMT|villages?|towns?|
    January|February|March|April|May|June|July|August|September|October|November|December|
    Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b""")

# The words before a number that make it a toll: one pattern, searched once per number.
_BEFORE = re.compile(
    r"""(?ix)(?<!\w)(?:
        (?P<object>
            kill(?:s|ed|ing)?|execut(?:es|ed|ing)|massacr(?:es|ed|ing)|murder(?:s|ed|ing)?|
            slaughter(?:s|ed|ing)?|behead(?:s|ed|ing)?|assassinat(?:es|ed|ing)|
            (?:shot|shoots?|shooting)\s+dead|gunned\s+down|gunning\s+down|
            (?:claim(?:s|ed|ing)?|took|tak(?:es|ing)|cost(?:s|ing)?)\s+the\s+lives\s+of|
            (?:the\s+)?(?:dead\s+)?(?:bodies|corpses|remains)\s+of|
            (?:the\s+)?(?:deaths?|killings?|executions?|massacre|murders?)\s+of)
        (?:\s+(?:so\s+far|already|now|reportedly|also|all|the|all\s+the))?
      | (?P<claim>claim(?:s|ed|ing)?|took|tak(?:es|ing)|cost(?:s|ing)?)
      | (?P<left>leav(?:es|ing)|left)
    )\s*$"""
)
_TOLL_BEFORE = re.compile(
    r"""(?ix)\b(?:
        (?:death\s+)?toll
      | (?:number|count|tally)\s+of\s+(?:the\s+)?(?:dead|deaths|fatalities|victims|martyrs
          |[^.;]{0,60}?\b(?:killed|dead))
      | (?:brings?|bringing|raises?|raising|pushes|pushing|takes|taking)\s+(?:the|their)\s+(?:number|tally|count)
        (?!\s+of)
    )(?:[^.;]{0,170}?\b(?:to|at|of|reached|hit|is|was|stands|stood|rose|risen|climbed|jumped|now|surpassed))?
    \s*,?\s*$"""
)
_TOLL_WORD = re.compile(r"[Tt]oll|TOLL|[Nn]umber|NUMBER|[Cc]ount|COUNT|[Tt]ally|TALLY")
_LIVES_AFTER = re.compile(r"(?i)(?:\s+(?:more|other|civilian|innocent|human))?\s+lives\b")
_DEAD_AFTER = re.compile(rf"(?ix)(?:\s+{_NOUNWORD}){{0,3}}?\s+(?:dead|killed)\b")
# Coordinated groups: a few words of their own ('civilians', 'of the regime forces'), no place phrase.
_JOIN = re.compile(
    rf"(?ix)(?:\s+(?!(?:in|on|at|near|by|from|with|during|after|outside|inside)\b){_NOUNWORD}){{0,5}}?"
    r"\s*(?:,|,?\s+and|,?\s+as\s+well\s+as|,?\s+plus)\s+"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_MONTH_BEFORE = re.compile(
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,?\s+$"
)
#: The same toll this many characters or more after the first is a restatement.
_RESTATED_GAP = 40
_AGE_BEFORE = re.compile(r"(?i)\b(?:aged|ages?|age\s+of|the\s+ages\s+of)(?:\s+(?:from|between|of))?\s+$")
_WITH_BEFORE = re.compile(r"(?i)\bwith\s+$")
_SUBSET = re.compile(
    r"(?i)\b(?:including|among\s+them|among\s+whom|of\s+whom|of\s+them|among\s+the\s+(?:dead|victims|killed)|"
    r"among\s+those\s+killed|most\s+of\s+them|mostly)\b"
)
_CUE = re.compile(
    r"(?i)(?<!\w)" + trie_pattern([
        "kill", "dead", "die", "dying", "death", "toll", "bodies", "corpse", "remains", "martyr", "slain",
        "execut", "massacr", "murder", "slaughter", "behead", "assassin", "perish", "succumb", "lives", "fatal",
        "gunned", "no one", "nobody", "none", "casualt", "injur", "without"])
)
_ZERO = re.compile(
    r"""(?ix)\b(?:
        (?:no\s+one|nobody|none)\s+(?:was|were|has\s+been|had\s+been|is)\s+(?:reported\s+)?
            (?:killed|hurt|injured|harmed|wounded)
      | no\s+(?:one|body)\s+died
      | no\s+(?:(?:immediate|reported|human|civilian|other|further)\s+)?
            (?:casualties|deaths|fatalities|injuries|victims|loss\s+of\s+life|lives\s+(?:were\s+)?lost)
      | no\s+(?:immediate\s+)?reports?\s+of\s+(?:any\s+)?(?:casualties|deaths|injuries|fatalities)
      | without\s+(?:causing\s+)?(?:any\s+)?(?:casualties|loss\s+of\s+life|deaths|injuries)
      | (?:killing|killed|injuring|hurting)\s+no\s+one
    )"""
)


def parse_quantity(surface: str) -> tuple[int, bool] | None:
    """Value and lower-bound flag of a quantity phrase ('at least six' -> (6, True)).

    None when the phrase carries no number ('several')."""
    m = _QUANT.fullmatch(surface.strip())
    return _quantity_value(m) if m else None


def _words_value(words: str) -> int:
    total = current = 0
    for token in re.split(r"[\s-]+", words.lower()):
        if token in ("a", "and", ""):
            continue
        if token in _UNITS:
            current += _UNITS[token]
        elif token == "hundred":
            current = (current or 1) * 100
        else:  # thousand, million
            total += (current or 1) * _MULTIPLIERS[token]
            current = 0
    return total + current


def _simple_value(text: str) -> int:
    text = text.strip()
    if text[0].isdigit():
        parts = text.split()
        value = float(parts[0].replace(",", ""))
        if len(parts) > 1:
            value *= _MULTIPLIERS[parts[-1].lower()]
        return int(value)
    return _words_value(text)


def _quantity_value(m: re.Match) -> tuple[int, bool]:
    """Value and lower-bound flag of a match of :data:`_QUANT`."""
    lower = m.group("lower") is not None
    if m.group("half"):
        return 6, lower
    if m.group("dozen"):
        n = m.group("dozen_n").lower()
        return 12 * (1 if n == "a" else _simple_value(n)), lower
    if m.group("couple"):
        return 2, lower
    if m.group("between"):
        return _simple_value(m.group("between")), True
    if m.group("range"):
        return _simple_value(m.group("range")), True
    if m.group("vague"):
        key = re.sub(r"\s+", " ", m.group("vague").lower())
        value = {"tens of thousands": 10_000, "hundreds of thousands": 100_000}.get(key) or _VAGUE[key]
        return value, True
    if m.group("single"):
        return 1, lower
    return _simple_value(m.group("simple")), lower


@dataclass
class _Toll:
    quant: re.Match
    value: int
    lower: bool
    kind: str  # 'subject', 'object', 'toll', 'left', 'joined'
    end: int
    reason: str
    group: int  # index of the group's first quantity: coordinated numbers share one


def _near(positions: list[int], lo: int, hi: int) -> bool:
    """Whether a sorted list of positions has one in [lo, hi)."""
    i = bisect_left(positions, lo)
    return i < len(positions) and positions[i] < hi


def _attach(text: str, q: re.Match, start: int, end: int, cues: list[int],
            tolls: list[int]) -> tuple[str, int] | None:
    """How quantity ``q`` is tied to a death word: (kind, end of the expression).

    ``cues`` and ``tolls`` are the positions of death cues and toll words in the
    span: a pattern is tried only when its cue word is close enough to the number."""
    # The cues before a number are at most a few words long: look in a short window.
    window = max(start, q.start() - 32)
    toll_window = max(start, q.start() - 200)
    if _near(tolls, toll_window, q.start()) and _TOLL_BEFORE.search(text, toll_window, q.start()):
        return "toll", q.end()
    cue_before = _near(cues, window, q.start())
    cue_after = _near(cues, q.end(), q.end() + 200)
    if not (cue_before or cue_after):
        return None
    before = _BEFORE.search(text, window, q.start())
    if before is not None:
        if before.group("object"):
            return "object", q.end()
        if before.group("claim"):
            lives = _LIVES_AFTER.match(text, q.end(), end)
            if lives:
                return "object", lives.end()
        else:
            dead = _DEAD_AFTER.match(text, q.end(), end)
            if dead:
                return "left", dead.end()
    subj = _SUBJ_AFTER.match(text, q.end(), end) if cue_after else None
    if subj:
        pred_end = subj.end()
        if _COMBINED_AFTER.match(text, pred_end, end):
            return None  # '18 killed or wounded'
        active = not subj.group("aux").strip() and subj.group("pred").lower() not in (
            "dead", "died", "deaths", "fatalities", "bodies", "corpses", "dead bodies", "perished", "martyrs",
            "martyr")
        if active and _ACTIVE_OBJECT.match(text, pred_end, end):
            return None  # 'two gunmen killed 6 people': the 6 are the toll, not the gunmen
        return "subject", pred_end
    return None


def _modifier_starts(text: str, lo: int, p: int) -> list[int]:
    """Starts of the run of modifier words ('at least', 'as many as') ending right before ``p``."""
    gap = p - 1
    while gap >= lo and text[gap].isspace():
        gap -= 1
    if gap < lo or gap == p - 1 or not text[gap].isalpha():
        return []  # fast path: no word right before the number
    word_start = gap
    while word_start > lo and text[word_start - 1].isalpha():
        word_start -= 1
    if text[word_start:gap + 1].lower() not in _MODIFIER_WORDS:
        return []
    return chain_before(text, lo, p, _MODIFIER_WORDS, _SPACE)[-4:]  # the longest modifier has four words ('at the very least')


def _quantities(text: str, start: int, end: int) -> list[tuple[re.Match, tuple[int, bool]]]:
    """The quantities of the span that could count people, with their values."""
    quants = []
    resume = start
    for gate in _GATE.finditer(text, start, end):
        p = gate.start()
        if p < resume:
            continue
        q = None
        for candidate in _modifier_starts(text, max(resume, p - 28), p) + [p]:
            q = _QUANT.match(text, candidate, end)
            if q is not None and q.end() > p:
                break
            q = None
        if q is None:
            continue
        resume = q.end()
        if _NOT_PEOPLE.match(text, q.end(), end):
            continue
        if q.group("simple") and _MONTH_BEFORE.search(text, max(start, q.start() - 16), q.start()) and (
                _YEAR.fullmatch(q.group("simple")) or q.end() - q.start() <= 2):
            continue  # 'August 24 2014', 'on November 1, two police officers': a date
        if _AGE_BEFORE.search(text, max(start, q.start() - 24), q.start()):
            continue  # 'children aged four to 10'
        quants.append((q, _quantity_value(q)))
    return quants


def _tolls(text: str, quants: list, attached: list, end: int) -> list[_Toll]:
    """The attached quantities as tolls, coordinated groups gathered under one group id."""

    def joined(i: int) -> bool:
        """Whether quantity i is coordinated with the one before ('5 civilians and 3 soldiers')."""
        return i > 0 and _JOIN.fullmatch(text, quants[i - 1][0].end(), quants[i][0].start()) is not None

    tolls: list[_Toll] = []
    used = [False] * len(quants)
    for i, how in enumerate(attached):
        if how is None or used[i]:
            continue
        kind, expr_end = how
        members = [i]
        if kind == "subject":  # '5 civilians and 3 soldiers were killed': earlier groups share the verb
            j = i
            while j > 0 and joined(j) and attached[j - 1] is None and not used[j - 1]:
                j -= 1
                members.insert(0, j)
        elif kind in ("object", "left"):  # 'killing 5 civilians and 3 soldiers'
            j = i + 1
            while j < len(quants) and joined(j) and not _INJURY_AFTER.match(text, quants[j][0].end(), end):
                if attached[j] is not None and attached[j][0] != "subject":
                    break
                members.append(j)
                expr_end = max(expr_end, attached[j][1] if attached[j] else quants[j][0].end())
                j += 1
        for k in members:
            used[k] = True
            mq, (mvalue, mlower) = quants[k]
            member_kind = kind if k == i else "joined"
            tolls.append(_Toll(mq, mvalue, mlower, member_kind, expr_end if k == members[-1] else mq.end(),
                               f"{mq.group().strip()!r} -> {mvalue}" + (" (lower bound)" if mlower else "")
                               + f" [{member_kind}]", members[0]))
    return tolls


def _combine(text: str, quants: list, tolls: list[_Toll]) -> FatalityCount:
    """One count from the tolls of a span: subsets and restatements dropped, groups summed."""
    # Subsets ('including 5 children') are not added to the toll they belong to.
    first_end = max(t.end for t in tolls if t.group == tolls[0].group)
    subsets = set()
    for t in tolls:
        group_start = quants[t.group][0].start()
        if t.group != tolls[0].group and (
                _SUBSET.search(text, first_end, group_start)
                or _WITH_BEFORE.search(text, max(first_end, group_start - 6), group_start)):
            subsets.add(t.group)
    kept = [t for t in tolls if t.group not in subsets]
    reasons = [t.reason for t in kept]
    # The same number again further on ('raids kill 10 in a camp ... aircraft killed at
    # least 10 people': a headline run into its text) is one toll restated, not two;
    # close by ('two soldiers were killed and two civilians died') it is two groups.
    group_values: dict[int, int] = {}
    group_spans: dict[int, tuple[int, int]] = {}
    for t in kept:
        group_values[t.group] = group_values.get(t.group, 0) + t.value
        s0, e0 = group_spans.get(t.group, (t.quant.start(), t.end))
        group_spans[t.group] = (min(s0, t.quant.start()), max(e0, t.end))
    last_end: dict[int, int] = {}
    restated: set[int] = set()
    for group, group_value in group_values.items():
        previous_end = last_end.get(group_value)
        if previous_end is not None and group_spans[group][0] - previous_end >= _RESTATED_GAP:
            restated.add(group)
            reasons.append(f"{group_value} restated further on: counted once")
        last_end[group_value] = group_spans[group][1]
    kept = [t for t in kept if t.group not in restated]
    # A running toll ('bringing the death toll to 40') is a total: the larger reading wins.
    counts = [t for t in kept if t.kind != "toll"]
    running = [t for t in kept if t.kind == "toll"]
    total = sum(t.value for t in counts)
    chosen = counts
    if running:
        best = max(running, key=lambda t: t.value)
        if best.value >= total:
            chosen = [best]
            if counts:
                reasons.append(f"stated toll {best.value} >= sum of counts {total}: toll kept")
        else:
            reasons.append(f"sum of counts {total} > stated toll {best.value}: counts kept")
    value = sum(t.value for t in chosen)
    if len(chosen) > 1:
        reasons.append(f"distinct groups summed: {value}")
    s = min(t.quant.start() for t in chosen)
    e = max(t.end for t in chosen)
    return FatalityCount(s, e, text[s:e], value, any(t.lower for t in chosen), tuple(reasons))


def find_fatalities(text: str, start: int, end: int) -> FatalityCount | None:
    """The deaths reported in ``text[start:end]`` (absolute offsets), or None if no toll is stated.

    A statement that nobody died ('no casualties were reported') gives value 0.
    """
    start = max(0, start)
    end = min(len(text), end)
    cues = [cue.start() for cue in _CUE.finditer(text, start, end)]
    if not cues:
        return None
    quants = _quantities(text, start, end)
    toll_words = [word.start() for word in _TOLL_WORD.finditer(text, start, end)] if quants else []
    attached = [_attach(text, q, start, end, cues, toll_words) for q, _ in quants]
    tolls = _tolls(text, quants, attached, end)
    if tolls:
        return _combine(text, quants, tolls)
    zero = _ZERO.search(text, start, end)
    if zero:
        return FatalityCount(zero.start(), zero.end(), zero.group(), 0, False,
                             (f"{zero.group()!r}: no deaths reported",))
    return None
