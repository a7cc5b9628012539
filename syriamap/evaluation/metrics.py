"""Measures shared by the evaluations: distances, shares, span precision and recall."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from syriamap.geo import haversine_km

__all__ = ["SpanScores", "span_scores", "share", "distance_km"]


@dataclass(frozen=True)
class SpanScores:
    """Precision, recall and F1 of predicted character spans against gold spans."""

    true_positives: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: SpanScores) -> SpanScores:
        return SpanScores(self.true_positives + other.true_positives, self.predicted + other.predicted,
                          self.gold + other.gold)


def span_scores(predicted: Iterable[tuple[int, int]], gold: Iterable[tuple[int, int]], *, overlap: bool = False) -> SpanScores:
    """Spans of one text: exact matches (or, with ``overlap``, any overlap) count as true positives.

    Each gold span is matched at most once.
    """
    pred, golds = sorted(set(predicted)), sorted(set(gold))
    used: set[tuple[int, int]] = set()
    tp = 0
    for p in pred:
        for g in golds:
            if g in used:
                continue
            if p == g or (overlap and p[0] < g[1] and g[0] < p[1]):
                used.add(g)
                tp += 1
                break
    return SpanScores(tp, len(pred), len(golds))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km; NaN if any coordinate is missing."""
    values = (lat1, lon1, lat2, lon2)
    if any(v is None or (isinstance(v, float) and np.isnan(v)) for v in values):
        return float("nan")
    return float(haversine_km((float(lat1), float(lon1)), (float(lat2), float(lon2))))


def share(mask: Iterable[bool], total: int) -> float:
    """Share of ``total`` for which ``mask`` holds (0 when total is 0)."""
    hits = sum(bool(m) for m in mask)
    return hits / total if total else 0.0
