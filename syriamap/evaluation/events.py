"""Scoring events extracted from text against coded events (an ACLED or UCDP export).

Each gold row carries the report text and what a human coder made of it.  The
text is run through :func:`syriamap.extract_events` with the row's event date as
the publication date; the first extracted event that has a location (else the
first event) is compared with the row:

* location within 10 km and within 50 km of the coded point;
* admin1 equal (after name normalisation), where the gold has one;
* event_type and sub_event_type equal (ACLED layout only);
* fatalities equal, where the gold has a count;
* event_date equal.

Layouts:

* ``acled``: an ACLED export (``notes`` is the text; ``event_date``,
  ``event_type``, ``sub_event_type``, ``location``, ``latitude``, ``longitude``,
  ``fatalities``, optional ``admin1``);
* ``ucdp``: a UCDP GED export (``source_headline`` is the text; ``date_start``,
  ``where_coordinates``, ``latitude``, ``longitude``, ``best``, ``adm_1``).  UCDP
  headlines are loosely tied to the coded event, so these figures are a floor.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from syriamap.evaluation.metrics import distance_km
from syriamap.normalize import normalize_name

__all__ = ["EventsEvaluation", "evaluate_events", "LAYOUTS"]

logger = logging.getLogger(__name__)

#: For each layout: our field -> the gold column holding it.
LAYOUTS: dict[str, dict[str, str]] = {
    "acled": {"text": "notes", "date": "event_date", "event_type": "event_type",
              "sub_event_type": "sub_event_type", "location": "location", "latitude": "latitude",
              "longitude": "longitude", "fatalities": "fatalities", "admin1": "admin1"},
    "ucdp": {"text": "source_headline", "date": "date_start", "location": "where_coordinates",
             "latitude": "latitude", "longitude": "longitude", "fatalities": "best", "admin1": "adm_1"},
}


@dataclass(frozen=True)
class EventsEvaluation:
    """Per-row results (``rows``) and the summary shares (``summary``)."""

    rows: pd.DataFrame
    summary: dict[str, float]
    layout: str

    def table(self) -> str:
        """The summary as a plain-text table."""
        width = max(len(k) for k in self.summary)
        lines = [f"{'measure':<{width}}  value", f"{'-' * width}  -----"]
        for key, value in self.summary.items():
            shown = f"{value:.1%}" if isinstance(value, float) and key != "median error km" else f"{value}"
            lines.append(f"{key:<{width}}  {shown}")
        return "\n".join(lines)

    def worst(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` located rows farthest from the gold point, then the rows with no event."""
        located = self.rows[self.rows["error_km"].notna()].sort_values("error_km", ascending=False)
        missed = self.rows[self.rows["error_km"].isna()]
        cols = ["gold_location", "predicted_location", "error_km", "predicted_type", "reason"]
        return pd.concat([located, missed]).head(n)[[c for c in cols if c in self.rows.columns]]


def _detect_layout(columns: pd.Index) -> str:
    for name, spec in LAYOUTS.items():
        if spec["text"] in columns and spec["latitude"] in columns:
            return name
    raise ValueError(
        "cannot tell the gold file's layout: expected ACLED columns (notes, latitude, longitude...) "
        f"or UCDP GED columns (source_headline, latitude, longitude...); found {list(columns)[:12]}"
    )


def _norm(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    from syriamap.normalize import parse_descriptor

    text = str(value)
    return normalize_name(parse_descriptor(text).core or text)


def evaluate_events(
    gold: pd.DataFrame | str | Path,
    *,
    layout: str | None = None,
    gazetteer: object | None = None,
    limit: int | None = None,
) -> EventsEvaluation:
    """Extract events from each gold row's text and score the first against the row (see module doc)."""
    from syriamap.text.pipeline import extract_events

    if not isinstance(gold, pd.DataFrame):
        gold = pd.read_csv(gold, dtype=str, keep_default_na=False, na_values=[""])
    layout = layout or _detect_layout(gold.columns)
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {sorted(LAYOUTS)}")
    spec = LAYOUTS[layout]
    missing = [spec[k] for k in ("text", "latitude", "longitude") if spec[k] not in gold.columns]
    if missing:
        raise ValueError(f"the gold file lacks column(s) {missing} of the {layout} layout")
    if limit is not None:
        gold = gold.head(limit)
    records = []
    for _, row in gold.iterrows():
        text = row.get(spec["text"])
        date = pd.to_datetime(row.get(spec["date"]), errors="coerce") if spec["date"] in gold.columns else pd.NaT
        published = None if pd.isna(date) else date.date()
        rec: dict[str, object] = {
            "gold_location": row.get(spec["location"]),
            "gold_latitude": pd.to_numeric(row.get(spec["latitude"]), errors="coerce"),
            "gold_longitude": pd.to_numeric(row.get(spec["longitude"]), errors="coerce"),
            "gold_fatalities": pd.to_numeric(row.get(spec["fatalities"]), errors="coerce"),
            "gold_admin1": row.get(spec["admin1"]) if spec["admin1"] in gold.columns else None,
            "gold_date": published,
        }
        if "event_type" in spec:
            rec["gold_type"] = row.get(spec["event_type"])
            rec["gold_subtype"] = row.get(spec["sub_event_type"])
        events = extract_events(text if isinstance(text, str) else "", published=published, gazetteer=gazetteer)
        located = events[events["latitude"].notna()]
        first = located.iloc[0] if len(located) else (events.iloc[0] if len(events) else None)
        if first is None:
            rec["reason"] = "no event extracted"
        else:
            rec.update({
                "predicted_location": first["location"],
                "predicted_latitude": first["latitude"],
                "predicted_longitude": first["longitude"],
                "predicted_admin1": first["admin1"],
                "predicted_type": first["event_type"],
                "predicted_subtype": first["sub_event_type"],
                "predicted_fatalities": first["fatalities"],
                "predicted_date": None if pd.isna(first["event_date"]) else pd.Timestamp(first["event_date"]).date(),
                "reason": None if pd.notna(first["latitude"]) else "event without a location",
            })
        rec["error_km"] = distance_km(rec["gold_latitude"], rec["gold_longitude"],  # type: ignore[arg-type]
                                      rec.get("predicted_latitude"), rec.get("predicted_longitude"))  # type: ignore[arg-type]
        records.append(rec)
    rows = pd.DataFrame(records)
    return EventsEvaluation(rows=rows, summary=_summary(rows, layout), layout=layout)


def _summary(rows: pd.DataFrame, layout: str) -> dict[str, float]:
    n = len(rows)
    if not n:
        return {"rows": 0}
    err = rows["error_km"]
    out: dict[str, float] = {
        "rows": n,
        "with an event": float(rows.get("predicted_type", pd.Series(dtype=object)).notna().sum() / n),
        "location within 10 km": float((err <= 10).sum() / n),
        "location within 50 km": float((err <= 50).sum() / n),
        "median error km": round(float(err.median()), 1) if err.notna().any() else float("nan"),
    }
    if "predicted_type" not in rows.columns:
        return out
    gold_admin = rows["gold_admin1"].map(_norm)
    has_admin = gold_admin != ""
    if has_admin.any():
        pred_admin = rows["predicted_admin1"].map(_norm)
        out["admin1 equal"] = float((pred_admin[has_admin] == gold_admin[has_admin]).sum() / has_admin.sum())
    if layout == "acled":
        out["event_type equal"] = float((rows["predicted_type"].astype(str) == rows["gold_type"].astype(str)).sum() / n)
        out["sub_event_type equal"] = float(
            (rows["predicted_subtype"].astype(str) == rows["gold_subtype"].astype(str)).sum() / n)
    has_toll = rows["gold_fatalities"].notna()
    if has_toll.any():
        pred = pd.to_numeric(rows["predicted_fatalities"], errors="coerce").fillna(0)
        out["fatalities equal"] = float((pred[has_toll] == rows["gold_fatalities"][has_toll]).sum() / has_toll.sum())
    has_date = rows["gold_date"].notna()
    if has_date.any():
        out["event_date equal"] = float((rows["predicted_date"][has_date] == rows["gold_date"][has_date]).sum() / has_date.sum())
    return out
