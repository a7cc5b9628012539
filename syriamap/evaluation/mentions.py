"""Scoring place mentions: geoparsing corpora and event-location spans.

Two gold formats, one JSON object a line:

* **geoparsing corpora** (TR-News, GeoVirus in the layout of the "Pragmatic
  Guide to Geoparsing Evaluation"): ``text`` and ``toponyms``, each with
  character ``start``/``end`` and gold ``lat``/``lon``.  Measured: span
  precision and recall of :class:`~syriamap.text.mentions.MentionFinder`
  (exact spans, and overlapping spans), and the share of gold toponyms resolved
  within 161 km (100 miles, the field's usual threshold) when the resolver is
  given the gold spans and the document's context.
* **event-location sentences** (Halterman's corpus): ``text``, ``answer`` and
  ``spans`` labelled ``LOCATION`` (where the event happened).  Measured: span
  precision and recall of the locations of the events that
  :func:`syriamap.extract_events` finds, over the accepted sentences (gold
  spans shorter than two characters, which the corpus uses for "no place", are
  not places).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from syriamap.evaluation.metrics import SpanScores, distance_km, span_scores

__all__ = ["MentionsEvaluation", "evaluate_mentions", "evaluate_event_locations", "read_jsonl"]

logger = logging.getLogger(__name__)

ACCURACY_KM = 161.0


@dataclass(frozen=True)
class MentionsEvaluation:
    """Span scores (exact and overlapping) and, for geoparsing corpora, accuracy at 161 km."""

    exact: SpanScores
    overlap: SpanScores
    documents: int
    resolved_within_161km: float | None = None
    gold_toponyms: int = 0

    def table(self) -> str:
        lines = [
            f"documents                   {self.documents}",
            f"span precision (exact)      {self.exact.precision:.1%}",
            f"span recall (exact)         {self.exact.recall:.1%}",
            f"span F1 (exact)             {self.exact.f1:.1%}",
            f"span precision (overlap)    {self.overlap.precision:.1%}",
            f"span recall (overlap)       {self.overlap.recall:.1%}",
        ]
        if self.resolved_within_161km is not None:
            lines.append(f"gold toponyms               {self.gold_toponyms}")
            lines.append(f"accuracy@161 km (gold spans) {self.resolved_within_161km:.1%}")
        return "\n".join(lines)


def read_jsonl(path: str | Path, limit: int | None = None) -> Iterator[dict]:
    """The JSON objects of a JSON-lines file, with a clear error naming a bad line."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if limit is not None and number > limit:
                return
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}, line {number}: not JSON ({exc.msg})") from None
            if not isinstance(obj, dict):
                raise ValueError(f"{path}, line {number}: expected a JSON object")
            yield obj


def evaluate_mentions(path: str | Path, *, gazetteer: object | None = None, limit: int | None = None) -> MentionsEvaluation:
    """Span P/R and accuracy@161 km on a geoparsing corpus (see module doc)."""
    from syriamap.text.mentions import Mention
    from syriamap.text.pipeline import _finder, _gazetteer
    from syriamap.text.resolve import resolve_mentions

    gaz = _gazetteer(gazetteer)  # type: ignore[arg-type]
    finder = _finder(gaz)
    exact = overlap = SpanScores(0, 0, 0)
    docs = hits = total = 0
    for doc in read_jsonl(path, limit):
        text = doc.get("text") or ""
        toponyms = [t for t in doc.get("toponyms") or [] if isinstance(t, dict) and "start" in t and "end" in t]
        gold = [(int(t["start"]), int(t["end"])) for t in toponyms]
        found = [(m.start, m.end) for m in finder.find(text) if m.role != "demonym"]
        exact += span_scores(found, gold)
        overlap += span_scores(found, gold, overlap=True)
        docs += 1
        gold_mentions = [
            Mention(start=s, end=e, surface=text[s:e], name=text[s:e], role="place", kind_hint=None, reasons=("gold span",))
            for s, e in gold
        ]
        for t, res in zip(toponyms, resolve_mentions(text, gold_mentions, gaz)):
            if t.get("lat") is None or t.get("lon") is None:
                continue
            total += 1
            if res.place is not None and distance_km(float(t["lat"]), float(t["lon"]), res.place.latitude,
                                                     res.place.longitude) <= ACCURACY_KM:
                hits += 1
    return MentionsEvaluation(exact=exact, overlap=overlap, documents=docs,
                              resolved_within_161km=hits / total if total else 0.0, gold_toponyms=total)


def evaluate_event_locations(path: str | Path, *, gazetteer: object | None = None, limit: int | None = None) -> MentionsEvaluation:
    """Span P/R of event locations on accepted event-location sentences (see module doc)."""
    from syriamap.text.pipeline import extract_events

    exact = overlap = SpanScores(0, 0, 0)
    docs = 0
    for doc in read_jsonl(path, limit):
        if doc.get("answer") != "accept":
            continue
        text = doc.get("text") or ""
        gold = [(int(s["start"]), int(s["end"])) for s in doc.get("spans") or []
                if isinstance(s, dict) and s.get("label") == "LOCATION" and int(s["end"]) - int(s["start"]) >= 2]
        events = extract_events(text, gazetteer=gazetteer)  # type: ignore[arg-type]
        spans = events[["char_start", "char_end"]].dropna()
        found = {(int(a), int(b)) for a, b in spans.itertuples(index=False)}
        exact += span_scores(found, gold)
        overlap += span_scores(found, gold, overlap=True)
        docs += 1
    return MentionsEvaluation(exact=exact, overlap=overlap, documents=docs)
