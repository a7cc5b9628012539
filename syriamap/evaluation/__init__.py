"""Measuring syriamap against gold data: events extracted from text, and place mentions.

:mod:`~syriamap.evaluation.metrics` holds the shared measures (shares within a
distance, span precision/recall); :mod:`~syriamap.evaluation.events` scores
extracted events against an ACLED or UCDP export; :mod:`~syriamap.evaluation.mentions`
scores place mentions on geoparsing corpora and event-location spans.
(The gazetteer alone is measured by :mod:`syriamap.gazetteer.evaluate`.)
"""
from __future__ import annotations

import importlib
from typing import Any

#: Public name -> module; loaded on first use, so ``syriamap evaluate --help`` imports no pandas.
_EXPORTS = {
    "EventsEvaluation": "syriamap.evaluation.events",
    "evaluate_events": "syriamap.evaluation.events",
    "MentionsEvaluation": "syriamap.evaluation.mentions",
    "evaluate_mentions": "syriamap.evaluation.mentions",
    "evaluate_event_locations": "syriamap.evaluation.mentions",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'syriamap.evaluation' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
