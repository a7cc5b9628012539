"""Place-name normalisation: the one place where spelling variants are made to meet.

Syrian place names reach us in many transliterations (Deir ez-Zor, Deir Ezzor,
Dayr az Zawr, Deir al-Zour, دير الزور).  Three functions make them comparable:

* :func:`normalize_name` folds case, diacritics, apostrophe-like marks, hyphens,
  the Arabic article in its Latin spellings (al-, el-, ar-, ash-, az-, ...) and in
  Arabic script (ال), and Arabic letter variants (alef forms, taa marbuta, alef
  maqsura, hamza carriers, tatweel, harakat).  Two spellings with the same
  normalised form are the same name.
* :func:`phonetic_key` goes further, to a consonant skeleton that absorbs the
  usual transliteration swaps (q/k, ou/u/o, doubled letters, final -h, ei/ay):
  ``Raqqa``, ``Raqqah`` and ``Rakka`` share a key.  Matches on this key are weaker
  evidence and are scored lower.
* :func:`parse_descriptor` splits what event datasets write around a name
  ("Khan Shaykhun town", "eastern Deir-ez-Zor", "Raqqa governorate", "T4 airbase")
  into the core name and hints about the kind of place meant.
"""
from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = [
    "normalize_name",
    "phonetic_key",
    "parse_descriptor",
    "Descriptor",
    "script_of",
    "MAX_NAME_LENGTH",
    "fold_text",
    "fold_with_offsets",
    "FoldedText",
]

#: Longer inputs are not place names; they are truncated before any work.
MAX_NAME_LENGTH = 200

# Marks that transliterations use for ayn and hamza, and apostrophes.
_MARKS = "ʿʾʻʼ‘’`´'′ʹʽ\u02bf\u02be"
_MARKS_RE = re.compile(f"[{re.escape(_MARKS)}]")
_SEPARATORS_RE = re.compile(r"[\s\-‐‑‒–—_./,;:()\[\]{}\"«»“”!?*+&#|\\]+")
_NON_WORD_RE = re.compile(r"[^\w ]+")

# The Arabic article as Latin transliterations write it, standing alone after
# hyphens became spaces: al-Bab, el-Bab, ar-Raqqa, ash-Shaddadi, az-Zabadani...
_ARTICLES = frozenset(
    {"al", "el", "il", "ul", "ar", "er", "ad", "ed", "as", "es", "ash", "esh", "at", "et",
     "az", "ez", "an", "en", "ath", "adh"}
)
# ...and glued to a doubled sun letter: Arraqqa, Ezzor, Azzawr, Assuwayda.
_GLUED_ARTICLE_RE = re.compile(r"^[ae]([tdrzsnl])\1(?=[a-z]{2})")

# Arabic script.
_ARABIC_DIACRITICS_RE = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ؤ": "و",
        "ئ": "ي",
        "ء": "",
        "ک": "ك", "ی": "ي",
    }
)
_ARABIC_RE = re.compile("[\u0600-\u06ff]")


def script_of(text: str) -> str:
    """The main script of ``text``: ``"Arab"``, ``"Latn"`` or ``""`` (other/none)."""
    arabic = latin = 0
    for ch in text:
        if "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f":
            arabic += 1
        elif ch.isascii() and ch.isalpha() or "\u00c0" <= ch <= "\u024f":
            latin += 1
    if not arabic and not latin:
        return ""
    return "Arab" if arabic >= latin else "Latn"


def _strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _normalize_arabic_word(word: str) -> str:
    word = word.translate(_ARABIC_LETTERS)
    if word.startswith("ال") and len(word) > 3:
        word = word[2:]
    elif word.startswith("وال") and len(word) > 4:  # "and the ..."
        word = word[3:]
    return word


@lru_cache(maxsize=200_000)
def normalize_name(name: str) -> str:
    """Fold ``name`` to the form under which spelling variants meet.

    Returns ``""`` for a name with no letters or digits.  The result is lowercase
    ASCII for Latin-script names and normalised Arabic letters for Arabic ones,
    words separated by single spaces, the article dropped.

    >>> normalize_name("Deir ez-Zor") == normalize_name("Deir Ezzor") == normalize_name("DEIR EZ ZOR")
    True
    >>> normalize_name("Ma‘arrat al-Nu‘man")
    'maarrat numan'
    """
    if not isinstance(name, str):
        return ""
    text = name[:MAX_NAME_LENGTH]
    if _ARABIC_RE.search(text):
        text = _ARABIC_DIACRITICS_RE.sub("", text)
    text = _MARKS_RE.sub("", text)
    text = _strip_diacritics(text).casefold()
    # Letters NFKD leaves alone but transliterations use.
    text = text.replace("ı", "i").replace("ł", "l").replace("ø", "o").replace("ß", "ss").replace("đ", "d")
    text = _SEPARATORS_RE.sub(" ", text)
    text = _NON_WORD_RE.sub("", text)
    words = []
    for word in text.split():
        if _ARABIC_RE.search(word):
            word = _normalize_arabic_word(word)
        elif word in _ARTICLES:
            continue
        else:
            word = _GLUED_ARTICLE_RE.sub(r"\1", word)
            if word.startswith("al") and len(word) > 5 and word[2] in "bdfghjkmqwy":
                # "Albukamal", "Alqaim": article glued to a moon letter.
                word = word[2:]
        if word:
            words.append(word)
    if not words:
        # A name made only of an article ("Al") is still a name.
        words = text.split()
    return " ".join(words)


_PHONETIC_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"([a-z])\1+", r"\1"),  # doubled letters: Raqqa, Ezzor
        (r"q", "k"),
        (r"ck", "k"),
        (r"c(?=[aou])", "k"),
        (r"ph", "f"),
        (r"dj", "j"),
        (r"(?<=[a-z])h\b", ""),  # final -h: Raqqah, Hamah
        (r"(?<=[aeiou])[yw](?=[^aeiou]|\b)", ""),  # Dayr/Deir, Zawr/Zor
        (r"\b([aeiou])", r"\1"),  # keep a leading vowel: Idlib, Afrin
        (r"(?<=\w)[aeiouy]", ""),  # drop inner vowels
        (r"([a-z])\1+", r"\1"),
    )
)


@lru_cache(maxsize=200_000)
def phonetic_key(name: str) -> str:
    """A consonant skeleton of ``name`` that absorbs transliteration swaps.

    Used to find candidates, never as proof on its own: the lookup confirms a
    phonetic match with a similarity score.

    >>> phonetic_key("Raqqa") == phonetic_key("Rakka") == phonetic_key("Raqqah")
    True
    """
    norm = normalize_name(name)
    if not norm or _ARABIC_RE.search(norm):
        return norm
    key = norm
    for pattern, repl in _PHONETIC_RULES:
        key = pattern.sub(repl, key)
    return key


@dataclass(frozen=True, slots=True)
class Descriptor:
    """A location string split into its core name and hints.

    ``kinds`` are the gazetteer kinds the descriptor points to, best first
    (empty when there is no descriptor); ``words`` are the descriptor words found.
    """

    core: str
    kinds: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


# Descriptor words and the kinds they hint at.  Order inside a tuple is preference.
_SUFFIX_KINDS: dict[str, tuple[str, ...]] = {
    "town": ("populated_place",),
    "city": ("populated_place",),
    "village": ("populated_place",),
    "villages": ("populated_place",),
    "hamlet": ("populated_place",),
    "camp": ("site", "populated_place", "neighbourhood"),
    "neighbourhood": ("neighbourhood",),
    "neighborhood": ("neighbourhood",),
    "district": ("admin2", "neighbourhood"),
    "subdistrict": ("admin3",),
    "sub district": ("admin3",),
    "nahiya": ("admin3",),
    "nahia": ("admin3",),
    "governorate": ("admin1",),
    "province": ("admin1",),
    "muhafazah": ("admin1",),
    "countryside": ("admin1", "region"),
    "suburbs": ("admin1", "region"),
    "outskirts": ("populated_place",),
    "suburb": ("populated_place", "neighbourhood"),
    "quarter": ("neighbourhood",),
    "military complex": ("site",),
    "complex": ("site",),
    "academy": ("site",),
    "hospital": ("site",),
    "region": ("region",),
    "area": ("region", "populated_place"),
    "plain": ("region",),
    "plains": ("region",),
    "mountains": ("region",),
    "mountain": ("region",),
    "desert": ("region",),
    "valley": ("region",),
    "river": ("river",),
    "airbase": ("site",),
    "air base": ("site",),
    "airport": ("site",),
    "military airport": ("site",),
    "base": ("site",),
    "dam": ("site",),
    "prison": ("site",),
    "crossing": ("site",),
    "border crossing": ("site",),
    "border": ("site",),
    "oil field": ("site",),
    "oil fields": ("site",),
    "gas field": ("site",),
    "gas fields": ("site",),
    "field": ("site",),
    "fields": ("site",),
    "spring": ("site",),
    "springs": ("site",),
    "plateau": ("region",),
    "hill": ("region", "site"),
    "hills": ("region",),
    "farms": ("region", "populated_place"),
    "farm": ("site", "populated_place"),
    "refugee camp": ("site", "neighbourhood", "populated_place"),
    "housing project": ("neighbourhood",),
    "housing complex": ("neighbourhood",),
    "square": ("site",),
    "checkpoint": ("site",),
    "country": ("country",),
}
_PREFIX_KINDS: dict[str, tuple[str, ...]] = {
    "countryside of": ("admin1", "region"),
    "rural": ("admin1", "region"),
    "city of": ("populated_place",),
    "town of": ("populated_place",),
    "village of": ("populated_place",),
    "outskirts of": ("populated_place",),
    "province of": ("admin1",),
    "governorate of": ("admin1",),
    "district of": ("admin2",),
    "the": (),
}
_DIRECTIONS = (
    "north", "south", "east", "west", "northern", "southern", "eastern", "western",
    "northeast", "northwest", "southeast", "southwest", "northeastern", "northwestern",
    "southeastern", "southwestern", "central", "upper", "lower", "greater",
    "north east", "north west", "south east", "south west",
    "north-east", "north-west", "south-east", "south-west",
    "north-eastern", "north-western", "south-eastern", "south-western",
)
_SUFFIX_RE = re.compile(
    r"[\s,\-]+(" + "|".join(sorted((re.escape(w) for w in _SUFFIX_KINDS), key=len, reverse=True)) + r")\s*$",
    re.IGNORECASE,
)
_PREFIX_RE = re.compile(
    r"^\s*(" + "|".join(sorted((re.escape(w) for w in _PREFIX_KINDS), key=len, reverse=True)) + r")\s+",
    re.IGNORECASE,
)
_DIRECTION_RE = re.compile(
    r"^\s*(?:the\s+)?(" + "|".join(sorted((re.escape(w) for w in _DIRECTIONS), key=len, reverse=True))
    + r")(?:\s+(?:of|part of|side of))?[\s\-]+(?=\S)",
    re.IGNORECASE,
)
_ARABIC_PREFIX_KINDS: dict[str, tuple[str, ...]] = {
    "محافظة": ("admin1",),
    "منطقة": ("admin2", "region"),
    "ناحية": ("admin3",),
    "مدينة": ("populated_place",),
    "بلدة": ("populated_place",),
    "قرية": ("populated_place",),
    "ريف": ("admin1", "region"),
    "حي": ("neighbourhood",),
    "مخيم": ("site", "neighbourhood"),
    "مطار": ("site",),
    "سجن": ("site",),
    "سد": ("site",),
    "معبر": ("site",),
    "نهر": ("river",),
}


@lru_cache(maxsize=100_000)
def parse_descriptor(text: str) -> Descriptor:
    """Split descriptor words off a location string, keeping them as kind hints.

    >>> parse_descriptor("Khan Shaykhun town")
    Descriptor(core='Khan Shaykhun', kinds=('populated_place',), words=('town',))
    >>> parse_descriptor("eastern Deir-ez-Zor").core
    'Deir-ez-Zor'
    """
    core = " ".join(text[:MAX_NAME_LENGTH].split())
    kinds: list[str] = []
    words: list[str] = []
    changed = True
    while changed and core:
        changed = False
        if (m := _DIRECTION_RE.match(core)) and len(core) > m.end():
            words.append(m.group(1).lower())
            core = core[m.end():]
            changed = True
        if (m := _PREFIX_RE.match(core)) and len(core) > m.end():
            word = " ".join(m.group(1).lower().split())
            words.append(word)
            kinds.extend(_PREFIX_KINDS[word])
            core = core[m.end():]
            changed = True
        if (m := _SUFFIX_RE.search(core)) and m.start() > 0:
            word = " ".join(m.group(1).lower().split())
            words.append(word)
            kinds.extend(_SUFFIX_KINDS[word])
            core = core[: m.start()]
            changed = True
        first, _, rest = core.partition(" ")
        if rest and first in _ARABIC_PREFIX_KINDS:
            words.append(first)
            kinds.extend(_ARABIC_PREFIX_KINDS[first])
            core = rest
            changed = True
    core = core.strip(" ,-")
    seen: dict[str, None] = dict.fromkeys(kinds)
    return Descriptor(core=core, kinds=tuple(seen), words=tuple(words))


# -- Running text: folding with an offset map ---------------------------------
#
# Names in running text are found by folding the text the way normalize_name
# folds a name, word by word, and matching the folded aliases in it.  The fold
# must keep a map back to the original characters so a match reports offsets
# into the text the caller gave.  The common path is one C-level
# ``str.translate`` with a table in which every character folds to exactly one
# character; the few edits that change lengths (dropped marks and articles,
# expanding letters such as "ß") are applied afterwards as pieces, each piece
# remembering where it came from.

_DELETED = "\x01"  # the table's mark for a character that folds to nothing
_EXPANDS = "\x02"  # ... and for one that folds to several characters ("ß" -> "ss")
_EXTRA_LETTERS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d"})
_FOLD_RANGES = (
    (0x0000, 0x0700), (0x0750, 0x0780), (0x1E00, 0x1F00),
    (0x2000, 0x2070), (0x2E00, 0x2E80), (0x3000, 0x3040), (0xFB00, 0xFE00), (0xFE70, 0xFF00),
)


def _fold_char(ch: str) -> str:
    """How one character of running text folds: '' (deleted), ' ' (separator), or letters."""
    if _ARABIC_DIACRITICS_RE.match(ch) or unicodedata.combining(ch):
        return ""
    if ch in _MARKS:
        return "'"
    folded = _strip_diacritics(ch.translate(_ARABIC_LETTERS)).casefold().translate(_EXTRA_LETTERS)
    if ch == "ء":
        return ""
    if not folded:
        return ""
    if not all(c.isalnum() for c in folded):
        return " "
    return folded.translate(_ARABIC_LETTERS)


@lru_cache(maxsize=1)
def _fold_tables() -> tuple[dict[int, str], dict[int, str], bytes]:
    """The one-for-one fold table, its expansions, and its ASCII part as bytes.

    Built on first use, not at import, to keep the command line's start fast.
    """
    table: dict[int, str] = {}
    expansions: dict[int, str] = {}
    for low, high in _FOLD_RANGES:
        for code in range(low, high):
            ch = chr(code)
            folded = _fold_char(ch)
            if len(folded) > 1:
                expansions[code] = folded
                folded = _EXPANDS
            elif not folded:
                folded = _DELETED
            if folded != ch:
                table[code] = folded
    # ASCII folds byte for byte, much faster than a str.translate with a dict.
    ascii_table = bytes(
        ord(table.get(code, chr(code))) if code not in (1, 2) else code for code in range(128)
    ) + bytes(range(128, 256))
    return table, expansions, ascii_table


_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")
# The Arabic article in Latin script before a word, in folded text.  Dropped when
# clearly an article: hyphen-attached ("al-Bab", "ez-Zor"), not an English word
# ("al", "el", "ash"...), capitalised ("Al Bab"), or inside a name ("Maarrat an
# Numan").
# (A literal space first lets the regex engine skip ahead fast; fold_text pads.)
_TEXT_ARTICLE_RE = re.compile(r" (?:" + "|".join(sorted(_ARTICLES, key=len, reverse=True)) + r") (?=[^\W\d_]{2})")
_ENGLISH_LOOKING_ARTICLES = frozenset({"as", "at", "an", "ad", "ed", "en", "es", "et", "er"})
# English words too common between two names to be read as a name's article.
_NEVER_INNER_ARTICLES = frozenset({"as", "at"})
_ARABIC_TEXT_ARTICLE_RE = re.compile("(?<![\u0600-\u06ff])(?:[وبفك]?ال)(?=[\u0600-\u06ff]{2})")


def _article_is_dropped(text: str, start: int, end: int) -> bool:
    """Whether the article ``text[start:end]`` (its separator included) is dropped."""
    word, separator = text[start:end - 1], text[end - 1]
    if separator in "-‐‑":
        return True
    if separator not in " \t":
        return False
    if word[0].isupper() or word.lower() not in _ENGLISH_LOOKING_ARTICLES:
        return True
    # "Maarrat an Numan": between two capitalised words.
    if word.lower() in _NEVER_INNER_ARTICLES or not text[end].isupper():
        return False
    before = text[max(0, start - 40):start]
    stripped = before.rstrip(" \t")
    if len(stripped) == len(before) or not stripped:
        return False
    previous = stripped.rsplit(None, 1)[-1]
    return previous[0].isupper() and previous.isalpha()


def _fold_one_for_one(text: str) -> str:
    """Fold each character to exactly one (``_DELETED`` and ``_EXPANDS`` marking the rest)."""
    table, _, ascii_table = _fold_tables()
    if not text.isascii():
        if len(text.encode("utf-8")) - len(text) > len(text) // 8:
            return text.translate(table)  # mostly non-Latin text
        text = _NON_ASCII_RE.sub(lambda m: table.get(ord(m.group()), m.group()), text)
        if not text.isascii():
            return text.translate(table)
    return text.encode("ascii").translate(ascii_table).decode("ascii")


@dataclass(frozen=True, slots=True)
class FoldedText:
    """Running text folded for name matching, with the way back to the original.

    ``text`` is the folded text; ``pieces`` lists ``(folded_start, original_start,
    expanded)`` in order: folded characters from ``folded_start`` on come from the
    original characters from ``original_start`` on, one for one, or, when
    ``expanded``, all from the single character at ``original_start``.
    """

    text: str
    pieces: tuple[tuple[int, int, bool], ...]
    _starts: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", tuple(piece[0] for piece in self.pieces))

    def original(self, index: int) -> int:
        """The offset in the original text of folded character ``index``."""
        if len(self._starts) == 1 and not self.pieces[0][1]:
            return index
        f_start, o_start, expanded = self.pieces[bisect_right(self._starts, index) - 1]
        return o_start if expanded else o_start + index - f_start


def fold_text(text: str) -> FoldedText:
    """Fold running ``text`` word by word as :func:`normalize_name` folds a name.

    Case, diacritics, marks (dropped inside a word), Arabic letter variants and
    diacritics, and the Arabic article (``al-``/``el-``/``ez-``... in Latin script,
    ``ال`` in Arabic script) fold as in :func:`normalize_name`, so folded text and
    folded aliases meet.  Differences, because this is running text: every
    character that is not a letter or digit becomes one space (separators are not
    collapsed, so punctuation still separates names: "Homs, Aleppo" ->
    "homs  aleppo"); the possessive "'s" is split off ("Syria's" -> "syria s");
    Latin articles that are also English words ("as", "at", "an"...) are dropped
    only when hyphen-attached, capitalised or between capitalised words; glued
    articles ("Ezzor") are left as written.
    """
    folded = _fold_one_for_one(text)
    edits: list[tuple[int, int, str]] = []
    if "\x01" in folded or "\x02" in folded:
        for m in re.finditer("\x01+|\x02", folded):
            replacement = _fold_tables()[1].get(ord(text[m.start()]), "") if m.group() == _EXPANDS else ""
            edits.append((m.start(), m.end(), replacement))
    if "'" in folded:
        last = len(folded) - 1
        for m in re.finditer("'+", folded):
            i, j = m.start(), m.end()
            if (
                0 < i and j <= last and folded[i - 1].isalnum() and folded[j].isalnum()
                and not (folded[j] == "s" and (j == last or not folded[j + 1].isalnum()))
            ):
                edits.append((i, j, ""))  # a mark inside a word: "Ma'arrat"
    for m in _TEXT_ARTICLE_RE.finditer(" " + folded):
        # Offsets in the padded string are one past those in ``folded``: the
        # article is folded[m.start():m.end() - 1], separator included.
        if _article_is_dropped(text, m.start(), m.end() - 1):
            edits.append((m.start(), m.end() - 1, ""))
    if "ا" in folded:
        edits.extend((m.start(), m.end(), "") for m in _ARABIC_TEXT_ARTICLE_RE.finditer(folded))
    if not edits:
        return FoldedText(folded.replace("'", " "), ((0, 0, False),))
    edits.sort()
    parts: list[str] = []
    pieces: list[tuple[int, int, bool]] = []
    position = 0  # in the original (and in the one-for-one fold)
    length = 0  # of the folded text so far
    for start, end, replacement in edits:
        if start < position:
            continue  # overlaps an earlier edit
        if start > position:
            pieces.append((length, position, False))
            parts.append(folded[position:start])
            length += start - position
        if replacement:
            pieces.append((length, start, True))
            parts.append(replacement)
            length += len(replacement)
        position = end
    pieces.append((length, position, False))
    parts.append(folded[position:])
    return FoldedText("".join(parts).replace("'", " "), tuple(pieces))


def fold_with_offsets(text: str) -> tuple[str, array]:
    """Fold running ``text`` (see :func:`fold_text`) and map each folded character back.

    Returns the folded text and an ``array`` of the same length whose item ``i``
    is the offset in ``text`` of the character that folded character ``i`` came
    from.

    >>> folded, offsets = fold_with_offsets("Near al-Bab, Syria's")
    >>> folded
    'near bab  syria s'
    >>> offsets[folded.index("bab")]
    8
    """
    result = fold_text(text)
    offsets = array("l")
    pieces = result.pieces
    for number, (f_start, o_start, expanded) in enumerate(pieces):
        f_end = pieces[number + 1][0] if number + 1 < len(pieces) else len(result.text)
        if expanded:
            offsets.extend([o_start] * (f_end - f_start))
        else:
            offsets.extend(range(o_start, o_start + f_end - f_start))
    return result.text, offsets
