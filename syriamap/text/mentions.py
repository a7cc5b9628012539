"""Place mentions in running text: one Aho-Corasick automaton over the gazetteer.

:class:`MentionFinder` folds the text with :func:`syriamap.normalize.fold_text`
(case, diacritics, marks, Arabic letter variants and the article, exactly as
aliases are folded), matches every folded alias of the gazetteer at once with a
`pyahocorasick` automaton, keeps matches on word boundaries, lets the longest
non-overlapping match win, and maps the offsets back to the original text.

Matching names is the easy part; most of this module keeps common words and
people from becoming places.  The rules are generic:

* **Capitalisation.**  A Latin-script name must start with a capital letter in
  the text (all-lowercase text excepted); a short all-caps word ("AT", "US")
  matches only an alias the gazetteer writes in capitals.
* **Stop-lists.**  :data:`COMMON_WORDS` are English words that are also names
  of some place somewhere (GeoNames holds places called "The", "Police",
  "March", "Obama"...); :data:`NOT_PLACES` are people, groups, peoples and
  faiths that news names often and that some village shares ("Assad",
  "Bashar", "Hamas", "Kurdish", "Sunni"); :data:`GENERIC_WORDS` are the generic
  parts of Arabic place names ("Bab", "Tal", "Khan", "Kafr"), places only with
  their article ("al-Bab") or as part of a longer name ("Bab al-Hawa").
* **People.**  A name directly after a title ("President", "Mr", "envoy") or a
  given name ("Bashar"), or directly followed by a capitalised word that is
  neither a place nor a word of an institution's name (a surname:
  "Alexander Lavrentiev"), is a person's name.
* **Word boundaries.**  'Hama' is not found inside 'Hamas'.
* **Roles.**  A national adjective ("Syrian", "Kazakh") is a ``demonym``
  mention of its country; a place name used attributively ("the Homs
  delegation", "the Damascus government", "Aleppo soap", "Idlib-based") is a
  ``modifier``; every other mention is a ``place``.

The automaton is built once per gazetteer file (path and modification time) in
each process; a pickled finder carries only the gazetteer's path.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import sqlite3
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick

from syriamap.normalize import fold_text, normalize_name, parse_descriptor

logger = logging.getLogger(__name__)

__all__ = ["Mention", "MentionFinder", "COMMON_WORDS", "NOT_PLACES", "GENERIC_WORDS"]

ROLES = ("place", "demonym", "modifier")

#: English words that GeoNames also lists as a place name somewhere (often an
#: airport code or an alternate name).  Capitalised at a sentence start or in a
#: title-case headline they would otherwise be found as places.  Curated from the
#: gazetteer's aliases that are common English words.
COMMON_WORDS = frozenset(
    """
    a about above across act add after again against ago aid aim air aka all alt alter am among an and another any
    april are area aren arm army as ask at ate aug august back bad bag ban bank bar barrage basic battleground bay be
    because been before begun being best between bid big bin blast boat body bone border bore born borne both boy
    brick bring bug bus but buy by call came camp can canal capital car care cars cat center central centre chair
    champion charge city coma come crystal culture cup cut da date dawn day de dec december defiance del did die dire
    do does done down downtown drug due dug during each east eat el end er era eve even ever every fall far fate
    february federal few field fire first five fleet fog for forces forest four free freedom friday from front fun
    furnace further gas gay get given go goes gold good got government grand great green grenade guy had hall harm
    has have he her here hero hi him his hit hog holiday hope hot how hub human i if ill in independence inside into
    iron is isn it ite its jan january jul july jun june just key land last late law lay led left leg let lie like
    line little live long lot lung made main make makes male manage man many mar march market marks may me media mid
    middle might mile mine mission mob mobile mon monday more most mosquito much mud must my name near never new
    news next nice nine no non none nor normal north not nov november now number oct october of off officer oil old
    on once one only opportunity or other our out over para parole part pet plain plaza pole police port possession
    pre president progress put raw re reading red republic rest retreat rich rid riding rise risen road rock row run
    said sale salt same sat saturday save saw say says sea second see seen sep sept september set seven sex she shot
    should shut side since six sky slaughter so sole some south spoken spray spring spy square state station still
    street sub suit summit sun sunday sunset surprise swan take tall tank tap tat tea tell ten than that the their
    them then there these they third this those three through thursday till time to today told too top torn tour
    town toy try tsunami tuesday turn two under union united university up upon us van ve very via wall war warn was
    water wave way we wed wednesday wedding week well were west what when where which while white who why will with
    worth would year yes yet you young your zoo airport creek crescent house los las la le les san santa del de
    """.split()
)

#: People, groups, peoples and faiths that news names often and that some place
#: in the gazetteer shares ("Assad", "Hamas", "Kurdish", "Alawite").  Never places
#: on their own; longer names containing them ("Tal Abyad") are unaffected.
NOT_PLACES = frozenset(
    """
    abbas abdullah abu ahmad ahmed alawi alawite alawites ali allah arab arabs assad baath bashar bin bush castro
    christian christians clinton david druze erdogan george god hafez hafiz hamas hassan hezbollah hizbollah hussein
    ibn imam isis isil islam islamic jesus kennedy khalil king kurd kurdish kurds liberal maher mohammad mohammed
    muhammad murphy muslim muslims nazi nusra obama olympic omar prince putin qaeda qaida rami ramadan robert sadr
    salah sami sana sham shia shiite shiites sunni sunnis taliban trump vladimir xinhua yazidi yazidis
    """.split()
)

#: Generic parts of Arabic place names.  Alone they are not a place ("Bab" is a
#: gate, "Tal" a hill); with the article ("al-Bab") or inside a longer name
#: ("Tal Abyad", "Bab al-Hawa") they are.
GENERIC_WORDS = frozenset(
    """
    ain ayn bab bani beit bir dar deir dayr ibn jabal jebel jisr kafr khan mar qasr ras sheikh shaykh
    tal tall tel tell umm wadi
    """.split()
)

# Common words kept because news writes them in capitals for a country: "US".
_KEPT_ABBREVIATIONS = frozenset({"us"})
# Glued articles ("Ezzor", "Arraqqa") are Arabic; elsewhere they are English words
# ("Alliance" -> "liance").  Countries where Arabic names are written so:
_ARABIC_NAMING = frozenset(
    "SY IQ LB JO PS IL SA YE OM AE QA BH KW EG LY TN DZ MA MR SD TR IR".split()
)

# Words before a name that make it a person's name.
_TITLES = frozenset(
    """
    president mr mrs ms miss dr doctor gen general col colonel lt lieutenant capt captain sgt sergeant maj major
    brig brigadier adm admiral cmdr commander sheikh shaykh imam king queen prince princess emir sultan pope saint
    sen senator rep minister premier chancellor secretary spokesman spokeswoman spokesperson envoy ambassador
    professor prof judge justice abu umm bin ibn son brother sister father mother wife husband leader chief cleric
    """.split()
)
_GIVEN_NAMES = frozenset(
    """
    bashar hafez maher asma vladimir recep tayyip donald barack hillary john james michael mohammed mohammad
    muhammad ahmed ahmad ali omar osama hassan hussein abdullah khaled khalid mahmoud mustafa ibrahim yusuf
    sergei sergey alexander staffan kofi ban antonio
    """.split()
)
# Capitalised words that follow a place name in the name of an institution,
# force or feature ("Syrian Army", "Damascus International Airport"): not surnames.
_INSTITUTION_WORDS = frozenset(
    """
    academy administration affairs agency air airbase airport army arab authority base battalion bay border
    brigade brigades bridge camp canal castle center central centre city club coalition command commission
    committee council countryside court crossing dam democratic desert district division east eastern embassy
    federation field fields force forces foreign front gate governorate government guard guards heights highway
    hills hospital interior international islamic island lake liberation media military ministry mosque
    mountain mountains movement national navy network news north northern observatory office opposition
    palace party plain plains police port post prison province radio red region republic resistance revolution
    river road school sea security south southern square state station street television times today tv union
    united university valley village war west western greater upper lower old new rural northeastern
    northwestern southeastern southwestern county
    """.split()
)
# Lowercase nouns that, right after a place name, make it a modifier ("Aleppo
# soap", "Damascus government") even without "the".
_MODIFIED_NOUNS = frozenset(
    """
    accord administration agreement authorities delegation embassy envoy format government leadership officials
    pepper pine process regime soap team
    """.split()
)
# Lowercase words after "the <place>" that keep it a place: descriptors, and
# words that start a new phrase.
_FUNCTION_WORDS = frozenset(
    """
    a about after against along among an and are as at before behind between but by during for from had has have
    in into is near of on or since than that the their this through to toward towards under until was were where
    which while who with within without yesterday today north south east west northern southern eastern western
    northeast northwest southeast southwest
    """.split()
)
_NEXT_WORD_RE = re.compile(r"[ \t]*([^\W\d_][\w'’]*)")
_LATIN_ARTICLE_BEFORE_RE = re.compile(
    r"(?<![\w'’])(?:al|el|il|ul|ar|er|ad|ed|as|es|ash|esh|at|et|az|ez|an|en|ath|adh)(?:[-‐‑]|[ \t]+)$",
    re.IGNORECASE,
)
_ENGLISH_LOOKING_ARTICLES = frozenset({"as", "at", "an", "ad", "ed", "en", "es", "et", "er"})
_ARTICLE_SEPARATORS = frozenset(" \t-‐‑") | frozenset("لا")  # what ends "al-", "Al ", "ال"
_ARABIC_ARTICLE_BEFORE_RE = re.compile("(?:ال|أل|إل)$")
# One-letter Arabic proclitics written onto a name: "and", "in/with", "for", "so".
_ARABIC_PROCLITICS = ("و", "ب", "ل", "ف")
_ARABIC_CHAR_RE = re.compile("[\u0600-\u06ff]")
_LATIN_KEY_RE = re.compile(r"[a-z0-9 ]+$")
_ARABIC_KEY_RE = re.compile("[\u0600-\u06ff0-9 ]+$")
# An article glued to a name ("Ezzor", "Arraqqa", "Albukamal"): such aliases are
# also matched as written, since running text keeps glued articles.
_GLUED_ARTICLE_RE = re.compile(r"(?i)(?<![^\W\d_])(?:[ae]([tdrzsnl])\1[^\W\d_]{2}|al[bdfghjkmqwy][^\W\d_]{3})")
_HARD_PUNCTUATION_RE = re.compile(r"[,;:.!?()\[\]\"“”\n\r]")
# National adjectives ("Syrian", "Kazakh", "Saudi Arabian") end like this.
_DEMONYM_END_RE = re.compile(r"(?:an|ian|ean|ish|ese|i|ic|ch|ss|kh|ak|ek|ot|ois|ine|ene|ar|x)$")
_KIND_ORDER = ("country", "admin1", "admin2", "region", "river", "populated_place", "admin3", "neighbourhood", "site")

#: Longest text searched; longer texts are searched in their first this-many characters.
MAX_TEXT_CHARS = 2_000_000


@dataclass(frozen=True)
class Mention:
    """A place name found in text.

    ``start``/``end`` are offsets into the text searched (``text[start:end] ==
    surface``); ``name`` is the gazetteer alias matched, folded by
    :func:`~syriamap.normalize.normalize_name`; ``role`` is ``'place'``,
    ``'demonym'`` (a national adjective: 'Syrian') or ``'modifier'`` (a place
    used attributively: 'the Homs delegation'); ``kind_hint`` is the kind of
    place the words around suggest ('admin1' for 'Idlib province', 'country' for
    a demonym), else the most prominent kind the alias names; ``reasons`` say why.
    """

    start: int
    end: int
    surface: str
    name: str
    role: str
    kind_hint: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class _Entry:
    """What the automaton knows about one folded alias."""

    norm: str
    kind: str
    demonym_of: str | None
    written_lower: bool  # some alias with this form is written in mixed case ("Homs")
    written_capitals: bool  # a country, province or region writes it in capitals ("US", "UAE")
    generic: bool


@dataclass
class _Automaton:
    latin: Any  # keys in Latin script (and digits)
    arabic: Any  # keys in Arabic script, with one-letter proclitics ("وحمص")
    entries: list[_Entry]
    build_seconds: float
    memory_bytes: int


_CACHE: dict[tuple[str, int], _Automaton] = {}
_CACHE_LOCK = threading.Lock()


# Capitalised descriptors that English writes as part of a proper name.
_NAME_PART_DESCRIPTORS = frozenset({"County", "Province", "Governorate", "District", "Parish", "Prefecture", "Oblast"})


def _descriptor_kinds() -> dict[str, str]:
    """Descriptor words that may follow a name ('province', 'city'...) and the kind they hint at."""
    words = (
        "town city village villages hamlet camp neighbourhood neighborhood district subdistrict governorate "
        "province countryside suburbs outskirts suburb quarter region area plain plains mountains mountain "
        "desert valley river airbase airport base dam prison crossing border field fields plateau hills farms"

    ).split()
    kinds = {"county": "admin2", "parish": "admin2", "prefecture": "admin1", "oblast": "admin1"}
    for word in words:
        parsed = parse_descriptor(f"X {word}")
        if parsed.kinds and parsed.core == "X":
            kinds[word] = parsed.kinds[0]
    return kinds


_DESCRIPTOR_KINDS = _descriptor_kinds()


def _pack(index: int, length: int, skip: int) -> int:
    return (index << 10) | (length << 1) | skip


def _previous_word(text: str, start: int, offset: int) -> str:
    """The word right before ``start`` (only blanks between), or ''."""
    before = text[max(offset, start - 30):start]
    stripped = before.rstrip(" \t")
    if len(stripped) == len(before) or not stripped:
        return ""
    word = stripped.rsplit(None, 1)[-1]
    return word if word[-1].isalnum() or word[-1] == "." else ""


def _demonym(alias: str, place_name: str) -> bool:
    """Whether ``alias`` of a country named ``place_name`` is its national adjective."""
    norm, place = normalize_name(alias), normalize_name(place_name)
    if not norm or norm == place or alias.isupper() or " of " in f" {norm} " or _ARABIC_CHAR_RE.search(alias):
        return False
    last = norm.split()[-1]
    return last != place.split()[-1] and bool(_DEMONYM_END_RE.search(last))


def _build(path: Path) -> _Automaton:
    """Read the folded aliases of the gazetteer at ``path`` and build the automaton."""
    started = time.perf_counter()
    uri = f"file:{path}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        rows = conn.execute(
            "SELECT a.norm, a.name, p.kind, p.name, COALESCE(p.population, 0), p.country_code FROM aliases a "
            "JOIN places p ON p.rowid = a.place"
        )
    except sqlite3.Error as exc:
        raise ValueError(f"cannot read the aliases of gazetteer {path}: {exc}") from exc
    try:
        return _build_from(rows, started)
    finally:
        conn.close()


def _build_from(rows: Iterable[tuple[str, str, str, str, int, str]], started: float) -> _Automaton:
    """Build the automata from alias rows (streamed from SQLite, never all in memory)."""
    best: dict[str, tuple[int, int]] = {}  # norm -> (kind rank, -population)
    demonyms: dict[str, str] = {}
    lowercase_written: set[str] = set()
    capitals_written: set[str] = set()
    written: dict[str, set[str]] = {}  # norm -> folded forms that keep a glued article ("deir ezzor")
    for norm, alias, kind, place_name, population, country in rows:
        if len(norm) < 2 or norm.isdigit():
            continue
        rank = _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)
        key = (rank, -int(population or 0))
        if norm not in best or key < best[norm]:
            best[norm] = key
        if kind == "country" and _demonym(alias, place_name):
            demonyms.setdefault(norm, place_name)
        if not alias.isupper():
            lowercase_written.add(norm)
        elif kind in ("country", "admin1", "region"):
            # Capitals-only forms of other places are mostly airport codes ("SDF", "THE").
            capitals_written.add(norm)
        if country in _ARABIC_NAMING and _GLUED_ARTICLE_RE.search(alias):
            light = " ".join(fold_text(alias).text.split())
            if light and light != norm:
                written.setdefault(norm, set()).add(light)
    # Two automata: a smaller trie scans faster, and Arabic keys are only needed
    # for text with Arabic letters.  Values pack (entry index, key length, skip).
    latin = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    arabic = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    entries: list[_Entry] = []
    for norm in sorted(best):
        is_arabic = bool(_ARABIC_KEY_RE.match(norm))
        if not is_arabic and not _LATIN_KEY_RE.match(norm):
            continue  # other scripts: not in the news we read
        single = " " not in norm
        common = single and norm in COMMON_WORDS
        if common and norm not in _KEPT_ABBREVIATIONS and norm not in demonyms:
            continue  # "AND", "ARE", "CAN" are country codes too, but rarely in news
        if single and (norm in NOT_PLACES or norm in _TITLES) and norm not in demonyms:
            continue
        rank = best[norm][0]
        kind = _KIND_ORDER[rank] if rank < len(_KIND_ORDER) else None
        if norm not in lowercase_written and norm not in capitals_written:
            continue
        entries.append(
            _Entry(
                norm=norm,
                kind="country" if norm in demonyms else kind,
                demonym_of=demonyms.get(norm),
                written_lower=norm in lowercase_written and not common,
                written_capitals=norm in capitals_written,
                generic=single and norm in GENERIC_WORDS,
            )
        )
        index = len(entries) - 1
        if is_arabic:
            arabic.add_word(f" {norm} ", _pack(index, len(norm), 0))
            for proclitic in _ARABIC_PROCLITICS:
                arabic.add_word(f" {proclitic}{norm} ", _pack(index, len(norm) + 1, 1))
        else:
            latin.add_word(f" {norm} ", _pack(index, len(norm), 0))
            for light in sorted(written.get(norm, ())):
                latin.add_word(f" {light} ", _pack(index, len(light), 0))
            if norm in demonyms and norm.endswith(("an", "i")) and f"{norm}s" not in best:
                latin.add_word(f" {norm}s ", _pack(index, len(norm) + 1, 0))  # "Syrians", "Iraqis"
    latin.make_automaton()
    arabic.make_automaton()
    seconds = time.perf_counter() - started
    # The automaton's own size, plus the entries (one small object and a string each).
    memory = sum(int(a.get_stats().get("total_size", 0)) for a in (latin, arabic))
    memory += len(entries) * (sys.getsizeof(entries[0]) + 64) if entries else 0
    logger.info("mention automaton: %d aliases in %.2f s, about %.0f MB", len(entries), seconds, memory / 1e6)
    return _Automaton(latin, arabic, entries, seconds, memory)


def _saved_path(path: Path) -> Path:
    """Where the automaton of the gazetteer at ``path`` is kept between processes.

    The name hashes the gazetteer file's identity (path, size, modification
    time) and the code that builds and reads the automaton, so a changed file or
    a new release never reads an automaton built for another.
    """
    from syriamap import normalize
    from syriamap.gazetteer.build import cache_dir

    digest = hashlib.sha256()
    stat = path.stat()
    digest.update(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{ahocorasick.__name__}".encode())
    for module in (sys.modules[__name__], normalize):
        digest.update(Path(str(module.__file__)).read_bytes())
    return cache_dir() / f"mentions-{digest.hexdigest()[:16]}.pickle"


def _load_or_build(path: Path) -> _Automaton:
    """The automaton saved by an earlier process, or a new one (then saved for the next process).

    Loading takes about a tenth of building.  A damaged or unreadable file is
    rebuilt; a cache that cannot be written only costs the next process a build.
    """
    saved = _saved_path(path)
    if saved.is_file():
        started = time.perf_counter()
        try:
            with saved.open("rb") as handle:
                built = pickle.load(handle)
            if isinstance(built, _Automaton):
                logger.info("mention automaton loaded from %s in %.2f s", saved, time.perf_counter() - started)
                return built
        except Exception as exc:  # noqa: BLE001 - any damage means: build it again
            logger.warning("mention automaton cache %s unreadable (%s); rebuilding", saved, exc)
    built = _build(path)
    temporary: str | None = None
    try:
        saved.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=saved.parent, prefix=saved.name, suffix=".tmp", delete=False) as handle:
            temporary = handle.name
            pickle.dump(built, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, saved)  # whole or not at all, also with two processes saving at once
    except OSError as exc:
        logger.warning("could not keep the mention automaton in %s: %s", saved.parent, exc)
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
    return built


def _automaton_for(path: Path) -> _Automaton:
    key = (str(path.resolve()), path.stat().st_mtime_ns)
    with _CACHE_LOCK:
        built = _CACHE.get(key)
        if built is None:
            for old in [k for k in _CACHE if k[0] == key[0]]:
                del _CACHE[old]
            built = _CACHE[key] = _load_or_build(path)
    return built


def _gazetteer_path(gazetteer: object) -> Path:
    if gazetteer is None:
        from syriamap.gazetteer import default_gazetteer

        gazetteer = default_gazetteer()
    if isinstance(gazetteer, (str, Path)):
        path = Path(gazetteer)
    else:
        path = getattr(gazetteer, "path", None)
        if path is None:
            raise TypeError(f"MentionFinder needs a Gazetteer or a gazetteer file path, not {type(gazetteer).__name__}")
        path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"gazetteer file {path} not found")
    return path


class MentionFinder:
    """Finds place names of a gazetteer in text (see the module docstring for the rules).

    ``gazetteer`` is a :class:`~syriamap.gazetteer.Gazetteer`, the path of a
    gazetteer file, or None for the default gazetteer.  The automaton is built on
    first use and shared by every finder of the same file in the process.
    """

    def __init__(self, gazetteer: object = None) -> None:
        self.path = _gazetteer_path(gazetteer)
        self._built: _Automaton | None = None

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (type(self), (str(self.path),))

    def __repr__(self) -> str:
        return f"MentionFinder({str(self.path)!r})"

    @property
    def _automaton(self) -> _Automaton:
        if self._built is None:
            self._built = _automaton_for(self.path)
        return self._built

    @property
    def build_seconds(self) -> float:
        """Seconds the automaton took to build (once per file and process)."""
        return self._automaton.build_seconds

    @property
    def memory_bytes(self) -> int:
        """Approximate memory held by the automaton and its entries."""
        return self._automaton.memory_bytes

    def find(self, text: str, spans: Sequence[tuple[int, int]] | None = None) -> list[Mention]:
        """The place mentions in ``text`` (or in its ``spans``), in text order, not overlapping."""
        if not isinstance(text, str) or not text:
            return []
        if spans is None:
            spans = [(0, len(text))]
        mentions: list[Mention] = []
        lowercase_text = text == text.lower()
        for start, end in spans:
            start, end = max(0, start), min(end, len(text), MAX_TEXT_CHARS)
            if end > start:
                mentions.extend(self._find_in(text, start, end, lowercase_text))
        mentions.sort(key=lambda m: m.start)
        return mentions

    # -- the work -------------------------------------------------------------

    def _find_in(self, text: str, offset: int, stop: int, lowercase_text: bool) -> list[Mention]:
        built = self._automaton
        entries = built.entries
        part = text[offset:stop]
        folded = fold_text(part)
        padded = f" {folded.text} "
        candidates: list[tuple[int, int, int]] = []
        automata = [built.latin]
        if not part.isascii() and max(padded) >= "\u0600" and _ARABIC_CHAR_RE.search(padded):
            automata.append(built.arabic)
        for automaton in automata:
            for end_index, value in automaton.iter(padded):
                # padded[end_index] is the key's trailing space, so the name is
                # folded[end_index - 1 - length:end_index - 1], less any proclitic.
                index, length, skip = value >> 10, (value >> 1) & 511, value & 1
                candidates.append((end_index - 1 - length + skip, skip - length, index))
        if not candidates:
            return []
        candidates.sort()
        chosen: list[Mention] = []
        taken_until = -1
        identity = folded.pieces == ((0, 0, False),)
        for f_start, negative_length, index in candidates:
            if f_start < taken_until:
                continue
            f_end = f_start - negative_length
            if identity:
                start, end = f_start + offset, f_end + offset
            else:
                start = folded.original(f_start) + offset
                end = folded.original(f_end - 1) + 1 + offset
            if not lowercase_text and text[start].islower():
                continue  # a Latin name starts with a capital
            while end < stop and text[end] >= "\u0300" and (unicodedata.combining(text[end]) or "\u064b" <= text[end] <= "\u0652"):
                end += 1
            mention = self._judge(text, start, end, entries[index], lowercase_text, offset)
            if mention is not None:
                chosen.append(mention)
                taken_until = f_end
        return chosen

    def _judge(
        self, text: str, start: int, end: int, entry: _Entry, lowercase_text: bool, offset: int
    ) -> Mention | None:
        """Apply the rules of the module docstring to one match; None when it is no place."""
        first = text[start]
        arabic = "\u0600" <= first <= "\u06ff"
        if not arabic:
            if not first.isupper() and not lowercase_text:
                return None
            if end < len(text) and text[end] == "." and "." in text[start:end]:
                end += 1  # "U.S." keeps its last period
        surface = text[start:end]
        # Folding turns punctuation into spaces; a name does not run across it.
        if len(surface) != len(entry.norm) and _HARD_PUNCTUATION_RE.search(
            surface.replace(".", "") if "." in surface[:-1] else surface
        ):
            return None
        if not arabic:
            capitals = surface.isupper()
            if capitals and not entry.written_capitals and len(entry.norm) <= 3:
                return None  # "AT", "AN": capitals of a common word, not an abbreviation
            if not entry.written_lower and not capitals:
                return None  # "Us" is not "US"
        # The article, dropped by folding, belongs to the surface ("al-Waer").
        name_start = start
        if start > offset and text[start - 1] in _ARTICLE_SEPARATORS:
            pattern = _ARABIC_ARTICLE_BEFORE_RE if arabic else _LATIN_ARTICLE_BEFORE_RE
            m = pattern.search(text, max(offset, start - 5), start)
            if m is not None and not arabic and m.group()[-1] in " \t":
                if m.group().rstrip().lower() in _ENGLISH_LOOKING_ARTICLES:
                    m = None  # "at Randwick", "an American": English words, not articles
            if m is not None:
                start = m.start()
                surface = text[start:end]
        if entry.generic and start == name_start:
            return None
        before = _previous_word(text, name_start, offset)
        after_match = _NEXT_WORD_RE.match(text, end, end + 40)
        after = after_match.group(1) if after_match is not None and after_match.start(1) > end else ""
        if entry.demonym_of is not None:
            return Mention(start, end, surface, entry.norm, "demonym", "country",
                           (f"alias '{entry.norm}'", f"demonym of {entry.demonym_of}"))
        if not arabic and self._is_person(text, name_start, end, offset, before, after):
            return None
        kind = entry.kind
        low_after = after.lower()
        descriptor = _DESCRIPTOR_KINDS.get(low_after)
        if descriptor is not None:
            if after in _NAME_PART_DESCRIPTORS:
                end = after_match.end(1)  # "Metcalfe County", "Idlib Governorate": part of the name
                surface = text[start:end]
            return Mention(start, end, surface, entry.norm, "place", descriptor,
                           (f"alias '{entry.norm}'", f"followed by '{low_after}'"))
        if _is_modifier(text, end, before, after, low_after):
            return Mention(start, end, surface, entry.norm, "modifier", kind,
                           (f"alias '{entry.norm}'", "used attributively"))
        return Mention(start, end, surface, entry.norm, "place", kind, (f"alias '{entry.norm}'",))

    def _is_person(self, text: str, start: int, end: int, offset: int, before: str, after: str) -> bool:
        if before:
            word = before.rstrip(".").lower()
            if word in _TITLES or (word in _GIVEN_NAMES and before[0].isupper()):
                return True
            if self._is_given_name(text, start, before, word):
                return True
        if not after or not after[0].isupper() or after.isupper():
            return False
        if after.lower().rstrip("'’s") in _INSTITUTION_WORDS or after.lower() in _DESCRIPTOR_KINDS:
            return False
        if text[start:end].isupper() or (not before and start > offset and text[start - 1] not in " \t"):
            return False
        # A capitalised word right after: a surname unless it is itself a place.
        return not self._automaton.latin.exists(f" {normalize_name(after)} ")

    def _is_given_name(self, text: str, start: int, before: str, low: str) -> bool:
        """Whether ``before`` (the word right before a name) is a first name: "Kevin Campbell"."""
        if not before[0].isupper() or not before.isalpha() or before.isupper():
            return False
        if low in COMMON_WORDS or low in _INSTITUTION_WORDS or low in _FUNCTION_WORDS or low in _TITLES:
            return False
        # A capital that only marks a sentence start says nothing.
        head = text[max(0, start - len(before) - 4):start - len(before)].rstrip(" \t")
        if not head or head[-1] in ".!?\"“‘'\n:;(":
            return False
        return not self._automaton.latin.exists(f" {normalize_name(before)} ")


def _is_modifier(text: str, end: int, before: str, after: str, low_after: str) -> bool:
    """A place name used attributively: "Idlib-based", "Aleppo soap", "the Homs delegation"."""
    if end < len(text) and text[end] in "-‐‑":
        return True
    if not after or not after[0].islower():
        return False
    if low_after in _MODIFIED_NOUNS:
        return True
    return before.lower() == "the" and low_after not in _FUNCTION_WORDS and not low_after.endswith(("ed", "ing"))
