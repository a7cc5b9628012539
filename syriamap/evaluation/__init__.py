"""Measuring syriamap against gold data: events extracted from text, and place mentions.

:mod:`~syriamap.evaluation.metrics` holds the shared measures (shares within a
distance, span precision/recall); :mod:`~syriamap.evaluation.events` scores
extracted events against an ACLED or UCDP export; :mod:`~syriamap.evaluation.mentions`
scores place mentions on geoparsing corpora and event-location spans.
(The gazetteer alone is measured by :mod:`syriamap.gazetteer.evaluate`.)
"""
from __future__ import annotations

from syriamap.evaluation.events import EventsEvaluation, evaluate_events
from syriamap.evaluation.mentions import MentionsEvaluation, evaluate_event_locations, evaluate_mentions

__all__ = [
    "EventsEvaluation",
    "evaluate_events",
    "MentionsEvaluation",
    "evaluate_mentions",
    "evaluate_event_locations",
]
