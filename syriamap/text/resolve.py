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

__all__ = ["Resolved", "resolve_mentions"]

#: Candidates below this score are no answer: a confident wrong place is worse than none.
MIN_CONFIDENCE = 0.35
#: A second candidate this close in score, far from the first, makes the answer doubtful.
_AMBIGUOUS_MARGIN = 0.05
_AMBIGUOUS_KM = 50.0

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


def _confidence(cands: Sequence[Candidate]) -> tuple[float, str | None]:
    """Confidence of the best candidate, lowered when a distant rival scores nearly as well."""
    from syriamap.geo import haversine_km

    best = cands[0]
    if len(cands) > 1:
        rival = cands[1]
        if best.score - rival.score < _AMBIGUOUS_MARGIN and haversine_km(best.place.point, rival.place.point) > _AMBIGUOUS_KM:
            return best.score * 0.8, f"ambiguous: {rival.place.name} ({rival.place.country_code}) scores {rival.score:.2f}"
    return best.score, None


def _lookup(gazetteer: Gazetteer, mention: Mention, *, country: str | None = None,
            admin1: str | None = None, context: Context | None = None) -> list[Candidate]:
    kind = "country" if mention.role == "demonym" else None
    try:
        return gazetteer.lookup(mention.surface, country=country, admin1=admin1, kind=kind,
                                context=context, limit=3)
    except ValueError:
        return []


def resolve_mentions(text: str, mentions: Sequence[Mention], gazetteer: Gazetteer) -> list[Resolved]:
    """Resolve every mention of one document; one :class:`Resolved` per mention, in order."""
    first: list[Candidate | None] = []
    for mention in mentions:
        cands = _lookup(gazetteer, mention)
        first.append(cands[0] if cands and cands[0].score >= MIN_CONFIDENCE else None)

    # The document's context: its countries (demonyms count) and its confidently placed towns.
    countries = Counter(c.place.country_code for c in first if c is not None and c.place.country_code)
    anchors = tuple(
        c.place for c in first
        if c is not None and c.score >= 0.6 and c.place.kind not in ("country", "admin1", "region", "river")
    )
    focus = tuple(dict.fromkeys([code for code, _ in countries.most_common(3)] + list(DEFAULT_FOCUS)))
    hints = _hints_from_neighbours(text, mentions, first)

    out: list[Resolved] = []
    for mention, own, hint in zip(mentions, first, hints):
        others = tuple(p for p in anchors if own is None or p.id != own.place.id)
        context = Context(focus=focus, places=others)
        cands = _lookup(gazetteer, mention, country=hint.get("country"), admin1=hint.get("admin1"), context=context)
        reasons: list[str] = [hint["why"]] if "why" in hint else []
        if not cands and hint:
            cands = _lookup(gazetteer, mention, context=context)
            reasons.append("the hint left no candidate; resolved without it")
        if not cands:
            out.append(Resolved(mention, None, 0.0, (*reasons, "no place of this name")))
            continue
        confidence, doubt = _confidence(cands)
        if doubt:
            reasons.append(doubt)
        if confidence < MIN_CONFIDENCE:
            out.append(Resolved(mention, None, confidence,
                                (*reasons, f"best candidate {cands[0].place.name} scores only {confidence:.2f}")))
            continue
        out.append(Resolved(mention, cands[0], round(confidence, 4), (*reasons, *cands[0].reasons)))
    return out
