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
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "normalize_name",
    "phonetic_key",
    "parse_descriptor",
    "Descriptor",
    "script_of",
    "MAX_NAME_LENGTH",
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
