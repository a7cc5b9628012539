"""Place mentions to places, in the context of the whole document.

A name alone is often ambiguous (Tripoli, Homs the village in Libya, a dozen
Syrian villages called Tell Abyad).  A report is not: it names a country, a
governorate, neighbouring towns.  Resolution therefore runs in two passes:

1. **Local cues** read from the words around each mention: apposition ("the
   Kazakh capital Astana", "the Syrian city of Homs") and containment ("Maskanah
   in Aleppo province", "Douma, Rif Dimashq", "Homs countryside") give the
   mention a country or a governorate, as hints.
2. **Document context**: the places resolved with confidence in the first pass
   (countries the report is about, unambiguous cities) become a
   :class:`~syriamap.gazetteer.Context` for the others, so a homonym near the
   report's other places wins over one far away.

Each mention gets a place (or none), a confidence in [0, 1] and the reasons,
the gazetteer's and ours.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from syriamap.gazetteer import Candidate, Context, Gazetteer, Place
from syriamap.gazetteer.gazetteer import DEFAULT_FOCUS
from syriamap.text.mentions import Mention

__all__ = ["Resolved", "resolve_mentions", "approximate_mentions"]

#: Places below this gazetteer confidence are no answer: a confident wrong place is worse than none.
MIN_CONFIDENCE = 0.5

_APPOSITION_RE = re.compile(
    r"^\s*(?:capital|city|town|village|port|province|governorate|region|district|border town|"
    r"border city|provincial capital|northern city|southern city|eastern city|western city)"
    r"(?:\s+of)?\s*,?\s*(?:the\s+)?$",
    re.IGNORECASE,
)
_CONTAINMENT_RE = re.compile(
    r"^\s*(?:,|in|of|in the|inside|within)\s*(?:the\s+)?$", re.IGNORECASE
)


@dataclass(frozen=True)
class Resolved:
    """A mention and the place it names (``candidate`` is None when no place is good enough)."""

    mention: Mention
    candidate: Candidate | None
    confidence: float
    reasons: tuple[str, ...]

    @property
    def place(self) -> Place | None:
        return None if self.candidate is None else self.candidate.place


def _hints_from_neighbours(text: str, mentions: Sequence[Mention], first: Sequence[Candidate | None]) -> list[dict]:
    """Country/admin1 hints each mention takes from its neighbours' first-pass places."""
    hints: list[dict] = [{} for _ in mentions]
    for i, mention in enumerate(mentions):
        # "the Kazakh capital Astana", "the Syrian city of Homs": a demonym or a country just before.
        if i > 0 and first[i - 1] is not None:
            prev, prev_place = mentions[i - 1], first[i - 1].place  # type: ignore[union-attr]
            between = text[prev.end:mention.start]
            if prev_place.kind == "country" and _APPOSITION_RE.match(between):
                hints[i]["country"] = prev_place.country_code
                hints[i]["why"] = f"apposition: {text[prev.start:mention.end]!r}"
        # "Maskanah in Aleppo province", "Douma, Rif Dimashq": a larger area just after.
        if i + 1 < len(mentions) and first[i + 1] is not None:
            nxt, nxt_place = mentions[i + 1], first[i + 1].place  # type: ignore[union-attr]
            between = text[mention.end:nxt.start]
            if len(between) <= 12 and _CONTAINMENT_RE.match(between):
                if nxt_place.kind == "country":
                    hints[i].setdefault("country", nxt_place.country_code)
                    hints[i].setdefault("why", f"containment: {text[mention.start:nxt.end]!r}")
                elif nxt_place.kind == "admin1":
                    hints[i]["admin1"] = nxt_place.name
                    hints[i]["country"] = nxt_place.country_code
                    hints[i]["why"] = f"containment: {text[mention.start:nxt.end]!r}"
    return hints


def _lookup(gazetteer: Gazetteer, mention: Mention, query: str, *, country: str | None = None,
            admin1: str | None = None, context: Context | None = None) -> list[Candidate]:
    kind = "country" if mention.role == "demonym" else None
    try:
        return gazetteer.lookup(query, country=country, admin1=admin1, kind=kind, context=context, limit=3)
    except ValueError:
        return []


#: A populated place below this size, in a country the report never names and outside the
#: focus region, is more likely a homonym or a foreign alias ("Essa" is also Saltash in Cornish,
#: "Isa Town" a town of Bahrain): its confidence is scaled down by this factor.
_FOREIGN_TOWN_POPULATION = 500_000
_FOREIGN_TOWN_FACTOR = 0.7

#: A first-pass answer this sure, with no caveat, in one of the report's countries, is kept as it is.
_SURE = 0.9

#: At most this many of the document's places (the most often named) form its context.
_MAX_ANCHORS = 25
_DIRECTION_BEFORE_RE = re.compile(r"\b(northern|southern|eastern|western|central|north-eastern|north-western|"
                                  r"south-eastern|south-western|northeastern|northwestern|southeastern|southwestern|"
                                  r"rural)\s+$", re.IGNORECASE)


_DESCRIPTOR_AFTER_RE = re.compile(
    r"\s+(neighbou?rhood|district|quarter|town|village|city|province|governorate|countryside|camp|"
    r"airbase|air base|airport|dam|river|crossing|prison|subdistrict|region)\b", re.IGNORECASE)


def _query(text: str, mention: Mention) -> str:
    """The name to look up, with the words around it that say what kind of place is meant.

    "northern Hama" means the governorate and "Salah al-Din neighbourhood" a
    quarter: the adjective or the descriptor goes into the query, where the
    gazetteer reads it as a hint.
    """
    if mention.role != "place":
        return mention.surface
    query = mention.surface
    before = _DIRECTION_BEFORE_RE.search(text, max(0, mention.start - 16), mention.start)
    if before:
        query = f"{before.group(1)} {query}"
    after = _DESCRIPTOR_AFTER_RE.match(text, mention.end, mention.end + 16)
    if after and not query.lower().endswith(after.group(1).lower()):
        query = f"{query} {after.group(1)}"
    return query


def resolve_mentions(text: str, mentions: Sequence[Mention], gazetteer: Gazetteer) -> list[Resolved]:
    """Resolve every mention of one document; one :class:`Resolved` per mention, in order.

    Each distinct name (with its hints) is looked up once, so a report naming
    the same towns many times costs no more than naming them once.
    """
    queries = [_query(text, m) for m in mentions]
    first_cache: dict[tuple[str, str], Candidate | None] = {}
    first: list[Candidate | None] = []
    for mention, query in zip(mentions, queries):
        key = (query, mention.role)
        if key not in first_cache:
            cands = _lookup(gazetteer, mention, query)
            first_cache[key] = cands[0] if cands and cands[0].confidence >= MIN_CONFIDENCE else None
        first.append(first_cache[key])

    # The document's context: the countries it names (demonyms count, and towns of the focus
    # region), and its confidently placed towns.  A foreign town does not vouch for its own country.
    countries = Counter(
        c.place.country_code for c in first
        if c is not None and c.place.country_code
        and (c.place.kind in ("country", "admin1") or c.place.country_code in DEFAULT_FOCUS)
    )
    named = Counter(
        c.place for c in first
        if c is not None and c.confidence >= 0.6 and c.place.kind not in ("country", "admin1", "region", "river")
        and c.place.country_code in countries
    )
    anchors = tuple(place for place, _ in sorted(named.items(), key=lambda kv: (-kv[1], kv[0].id))[:_MAX_ANCHORS])
    focus = tuple(dict.fromkeys([code for code, _ in countries.most_common(3)] + list(DEFAULT_FOCUS)))
    hints = _hints_from_neighbours(text, mentions, first)

    cache: dict[tuple, Resolved] = {}
    out: list[Resolved] = []
    for mention, query, own, hint in zip(mentions, queries, first, hints):
        if own is not None and not hint and own.confidence >= _SURE and not own.caveats and (
                own.place.country_code in countries or own.place.kind == "country"):
            # Nothing in the document can change a sure, undisputed answer: skip the second lookup.
            out.append(Resolved(mention, own, round(own.confidence, 4), (*own.reasons, "sure without context")))
            continue
        key = (query, mention.role, hint.get("country"), hint.get("admin1"), hint.get("why"),
               None if own is None else own.place.id)
        if key not in cache:
            cache[key] = _resolve_one(gazetteer, mention, query, own, hint, anchors, focus, frozenset(countries))
        done = cache[key]
        out.append(done if done.mention is mention else Resolved(mention, done.candidate, done.confidence, done.reasons))
    return out


def _resolve_one(gazetteer: Gazetteer, mention: Mention, query: str, own: Candidate | None, hint: dict,
                 anchors: tuple[Place, ...], focus: tuple[str, ...], named: frozenset[str]) -> Resolved:
    others = tuple(p for p in anchors if own is None or p.id != own.place.id)
    context = Context(focus=focus, places=others)
    cands = _lookup(gazetteer, mention, query, country=hint.get("country"), admin1=hint.get("admin1"), context=context)
    reasons: list[str] = [hint["why"]] if "why" in hint else []
    if not cands and hint:
        cands = _lookup(gazetteer, mention, query, context=context)
        reasons.append("the hint left no candidate; resolved without it")
    if not cands:
        return Resolved(mention, None, 0.0, (*reasons, f"no place called {query!r}"))
    best = cands[0]
    confidence = best.confidence
    place = best.place
    if (place.kind == "populated_place" and place.country_code not in named and place.country_code not in focus
            and (place.population or 0) < _FOREIGN_TOWN_POPULATION and "country" not in hint):
        confidence *= _FOREIGN_TOWN_FACTOR
        reasons.append(f"a town in {place.country_code}, a country the report does not name: doubtful")
    if confidence < MIN_CONFIDENCE:
        doubts = "; ".join(best.caveats) or "weak match"
        return Resolved(mention, None, confidence,
                        (*reasons, f"best candidate {place.name} has confidence {confidence:.2f} only ({doubts})"))
    return Resolved(mention, best, round(confidence, 4), (*reasons, *best.reasons, *best.caveats))


_NAME_WORD = r"(?:(?:[Aa][lnrstdz]|[Ee][lnrstdz]|[Aa]sh|[Aa]th)[-‐‑])?[A-Z][\w'’‘ʿʾ]+(?:[-‐‑][\w'’‘ʿʾ]+)*"
#: A capitalised name of up to three words after a word that introduces a place.
_PLACE_PHRASE_RE = re.compile(
    r"\b(?:in|at|near|outside|around|into|towards|toward|across|inside|"
    r"(?:town|village|city|district|neighbou?rhood|countryside|outskirts|suburbs?|province|governorate|"
    r"area|camp|region)\s+of)\s+(?:the\s+)?"
    rf"({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})"
)
#: Approximate names are accepted only this sure, and only in the report's countries.
APPROXIMATE_MIN_CONFIDENCE = 0.6


def approximate_mentions(
    text: str,
    spans: Sequence[tuple[int, int]],
    mentions: Sequence[Mention],
    gazetteer: Gazetteer,
) -> list[Mention]:
    """``mentions`` plus the place names the exact matcher missed, in text order.

    Transliterations vary more than any alias table ("al-Suwaidaa", "Ein Essa"):
    a capitalised name right after a word that introduces a place ("in", "near",
    "the village of") is looked up with the gazetteer's approximate matching, and
    kept when it resolves with confidence in one of the report's countries (or
    the focus region).  A longer name of this kind replaces the exact mentions
    inside it ("Ein Essa" is not "Essa").
    """
    exact = list(mentions)
    countries = set(DEFAULT_FOCUS)
    added: list[Mention] = []
    for start, end in spans:
        for found in _PLACE_PHRASE_RE.finditer(text, start, end):
            s, e = found.span(1)
            inside = [m for m in exact if s <= m.start and m.end <= e]
            if any(m.start == s and m.end == e for m in inside) or any(m.start < s < m.end or m.start < e < m.end for m in exact):
                continue
            phrase = text[s:e]
            if inside and inside[0].start == s:
                continue  # the exact matcher found the name's head: its own rules decide
            try:
                cands = gazetteer.lookup(phrase, limit=2)  # the default focus; cached across documents
            except ValueError:
                continue
            if not cands or cands[0].confidence < APPROXIMATE_MIN_CONFIDENCE:
                continue
            best = cands[0]
            if best.place.country_code not in countries or best.place.kind in ("country",):
                continue
            added.append(Mention(s, e, phrase, best.matched_alias, "place", None,
                                 (f"'{phrase}' after a place word, matched {best.match} to {best.matched_alias!r}",)))
            exact = [m for m in exact if m not in inside]
    return sorted([*exact, *added], key=lambda m: m.start)
