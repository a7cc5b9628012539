"""The built-in evaluations: span metrics, events against coded rows, mentions on corpora."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from syriamap.evaluation import evaluate_event_locations, evaluate_events, evaluate_mentions
from syriamap.evaluation.metrics import SpanScores, span_scores


def test_span_scores_exact_and_overlap() -> None:
    exact = span_scores([(0, 4), (10, 15), (20, 22)], [(0, 4), (11, 15)])
    assert (exact.true_positives, exact.predicted, exact.gold) == (1, 3, 2)
    assert exact.precision == pytest.approx(1 / 3) and exact.recall == pytest.approx(0.5)
    overlap = span_scores([(0, 4), (10, 15), (20, 22)], [(0, 4), (11, 15)], overlap=True)
    assert overlap.true_positives == 2
    # a gold span is matched once only
    assert span_scores([(0, 3), (1, 4)], [(0, 4)], overlap=True).true_positives == 1
    total = SpanScores(1, 2, 3) + SpanScores(1, 0, 1)
    assert (total.true_positives, total.predicted, total.gold) == (2, 2, 4)
    assert SpanScores(0, 0, 0).f1 == 0.0


def _acled_gold(tmp_path: Path) -> Path:
    rows = [
        {"event_date": "2017-01-07", "event_type": "Explosions/Remote violence", "sub_event_type": "Suicide bomb",
         "location": "Azaz", "admin1": "Aleppo", "latitude": 36.586, "longitude": 37.046, "fatalities": 8,
         "notes": "A suicide bomber blew himself up in a crowded market in the border town of Azaz on Saturday, killing eight people."},
        {"event_date": "2018-06-24", "event_type": "Explosions/Remote violence",
         "sub_event_type": "Shelling/artillery/missile attack", "location": "Daraa", "admin1": "Daraa",
         "latitude": 32.625, "longitude": 36.106, "fatalities": 0,
         "notes": "Regime artillery shelled the outskirts of Daraa on Sunday, wounding seven people."},
        {"event_date": "2018-06-24", "event_type": "Protests", "sub_event_type": "Peaceful protest",
         "location": "Nowhere", "admin1": "", "latitude": 10.0, "longitude": 10.0, "fatalities": 0,
         "notes": "The weather was fine."},
    ]
    path = tmp_path / "acled.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_evaluate_events_acled_layout(tmp_path: Path) -> None:
    result = evaluate_events(_acled_gold(tmp_path))
    assert result.layout == "acled"
    assert result.summary["rows"] == 3
    assert result.summary["location within 10 km"] == pytest.approx(1 / 3, abs=0.34)
    assert result.summary["location within 50 km"] >= 2 / 3 - 1e-9
    assert result.rows.iloc[2]["reason"] == "no event extracted"
    assert "event_type equal" in result.summary and "fatalities equal" in result.summary
    assert "location within 10 km" in result.table()
    worst = result.worst(5)
    assert len(worst) == 3


def test_evaluate_events_refuses_unknown_layout(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="layout"):
        evaluate_events(path)


def test_evaluate_events_on_ucdp_headlines(ucdp_2016: Path) -> None:
    result = evaluate_events(ucdp_2016, limit=150)
    assert result.layout == "ucdp"
    assert result.summary["rows"] == 150
    # headlines are loosely tied to the coded event; this is a floor, not a target
    assert result.summary["location within 50 km"] > 0.2


def test_evaluate_mentions_on_geoparsing_corpus(shared_data: Path) -> None:
    result = evaluate_mentions(shared_data / "geoparsing" / "tr-news-geovirus.jsonl", limit=40)
    assert result.documents == 40
    assert result.exact.recall > 0.5 and result.exact.precision > 0.5
    assert result.resolved_within_161km is not None and result.resolved_within_161km > 0.6


def test_evaluate_event_locations(shared_data: Path) -> None:
    result = evaluate_event_locations(shared_data / "event-location" / "sentences-dev.jsonl", limit=400)
    assert result.documents > 100
    assert result.exact.precision > 0.3 and result.exact.recall > 0.28


def test_evaluate_cli(tmp_path: Path) -> None:
    gold = _acled_gold(tmp_path)
    out = subprocess.run([sys.executable, "-m", "syriamap.cli", "evaluate", "events", str(gold)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "location within 10 km" in out.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"x": 1}) + "\n")
    out = subprocess.run([sys.executable, "-m", "syriamap.cli", "evaluate", "mentions", str(bad)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode != 0 and "Traceback" not in out.stderr
