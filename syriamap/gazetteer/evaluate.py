"""Measuring a gazetteer against gold coordinates.

A gold table has a place name and its true latitude/longitude per row, and
optionally the admin1 and country it lies in (passed to the lookup as hints, as
an analyst's table would) and a weight.  :func:`evaluate_gazetteer` resolves
every name and reports the share resolved, the share within 10 km and within
161 km (100 miles, the usual geoparsing "accuracy@161"), the median error and
the worst misses; and, for several confidence thresholds, the share of rows
answered at or above it and the accuracy of those answered rows, which is what
an analyst who abstains below the threshold gets.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from syriamap.errors import DataError
from syriamap.gazetteer.gazetteer import Gazetteer, bad_name_reason
from syriamap.gazetteer.ranking import DEFAULT_MIN_CONFIDENCE
from syriamap.geo import haversine_km_arrays

logger = logging.getLogger(__name__)

GOLD_COLUMNS = ("name", "latitude", "longitude", "admin1", "country", "weight")
REQUIRED = ("name", "latitude", "longitude")
#: Confidence thresholds of the answered-vs-accuracy table (the default one is added).
THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


class GoldFileError(DataError, ValueError):
    """A gold table that cannot be evaluated (file and column named)."""


@dataclass(frozen=True)
class EvaluationResult:
    """The figures of one evaluation, and the per-row table behind them."""

    rows: int
    resolved: float
    within_10km: float
    within_161km: float
    median_km: float
    table: pd.DataFrame
    min_confidence: float = DEFAULT_MIN_CONFIDENCE

    def thresholds(self, levels: tuple[float, ...] = THRESHOLDS) -> pd.DataFrame:
        """For each confidence threshold: the share of rows answered at or above it, and the
        share of those answered rows within 10 km, within 161 km and more than 50 km off."""
        t = self.table
        w = t["weight"].to_numpy(float)
        total = w.sum() or 1.0
        err = t["error_km"].to_numpy(float)
        conf = pd.to_numeric(t["confidence"]).to_numpy(float)
        out = []
        for level in sorted({*levels, self.min_confidence}):
            answered = ~np.isnan(err) & (conf >= level)
            wa = w[answered].sum()
            out.append({
                "min_confidence": level,
                "answered": wa / total,
                "within_10km": w[answered & (err <= 10)].sum() / wa if wa else float("nan"),
                "within_161km": w[answered & (err <= 161)].sum() / wa if wa else float("nan"),
                "over_50km": w[answered & (err > 50)].sum() / wa if wa else float("nan"),
                "default": level == self.min_confidence,
            })
        return pd.DataFrame(out)

    def worst(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` rows with the largest error (unresolved rows first)."""
        t = self.table.assign(_miss=self.table["error_km"].isna())
        return t.sort_values(["_miss", "error_km", "weight"], ascending=[False, False, False]).drop(columns="_miss").head(n)

    def summary(self) -> str:
        """The figures as a few lines of text."""
        return (
            f"rows           {self.rows:,}\n"
            f"resolved       {self.resolved:.1%}\n"
            f"within 10 km   {self.within_10km:.1%}\n"
            f"within 161 km  {self.within_161km:.1%}\n"
            f"median error   {self.median_km:.1f} km\n\n"
            + self.thresholds_text()
        )

    def thresholds_text(self) -> str:
        """The answered-vs-accuracy table as text; the default threshold is starred."""
        lines = ["min confidence  answered  within 10 km  within 161 km  over 50 km   (of answered rows)"]
        for r in self.thresholds().itertuples(index=False):
            mark = "*" if r.default else " "
            lines.append(
                f"{r.min_confidence:>13.2f}{mark}  {r.answered:>8.1%}  {r.within_10km:>12.1%}  "
                f"{r.within_161km:>13.1%}  {r.over_50km:>10.1%}"
            )
        lines.append(f"(* default threshold, syriamap.gazetteer.ranking.DEFAULT_MIN_CONFIDENCE = {self.min_confidence})")
        return "\n".join(lines)


def read_gold(path: str | Path, columns: Mapping[str, str] | None = None, query: str | None = None) -> pd.DataFrame:
    """Read a gold CSV, renaming source columns to ours (``{"name": "where_coordinates"}``).

    ``query`` is a pandas query run on the file's own columns first (e.g.
    ``"where_prec == 1"``).
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise GoldFileError(f"{path}: no such file") from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise GoldFileError(f"{path}: not a readable UTF-8 CSV ({exc})") from None
    if query:
        typed = df.copy()
        for col in typed.columns:
            converted = pd.to_numeric(typed[col], errors="coerce")
            if converted.notna().all():
                typed[col] = converted
        try:
            df = df.loc[typed.query(query).index]
        except Exception as exc:  # pandas raises many types for a bad expression
            raise GoldFileError(f"{path}: cannot apply filter {query!r}: {exc}") from None
    mapping = dict(columns or {})
    rename = {src: ours for ours, src in mapping.items()}
    missing = [src for src in rename if src not in df.columns]
    if missing:
        raise GoldFileError(f"{path}: no column(s) {missing}; the file has {list(df.columns)}")
    df = df.rename(columns=rename)
    absent = [c for c in REQUIRED if c not in df.columns]
    if absent:
        raise GoldFileError(
            f"{path}: missing required column(s) {absent} (rename them with --columns, e.g. where_coordinates=name)"
        )
    out = pd.DataFrame({c: df[c] for c in GOLD_COLUMNS if c in df.columns})
    for col in ("latitude", "longitude"):
        out[col] = pd.to_numeric(out[col].str.replace(",", ".", regex=False), errors="coerce")
    bad = out[["latitude", "longitude"]].isna().any(axis=1)
    if bad.any():
        logger.warning("%s: %d row(s) without usable gold coordinates are not scored", path, int(bad.sum()))
        out = out[~bad]
    out["weight"] = pd.to_numeric(out["weight"], errors="coerce").fillna(1.0) if "weight" in out else 1.0
    return out.reset_index(drop=True)


def evaluate_gazetteer(gold: pd.DataFrame, gazetteer: Gazetteer, *, use_hints: bool = True,
                       progress: bool = True) -> EvaluationResult:
    """Resolve each gold name and compare with its gold point.

    With ``use_hints`` the row's admin1 and country go to the lookup as priors.
    Distinct (name, admin1, country) keys are resolved once.
    """
    keys = ["name"] + [c for c in ("admin1", "country") if use_hints and c in gold.columns]
    distinct = gold[keys].drop_duplicates()
    found: dict[tuple, tuple] = {}
    for row in tqdm(distinct.itertuples(index=False), total=len(distinct), disable=not progress,
                    desc="resolving", unit="name"):
        values = row._asdict()
        name = values["name"]
        hints = {k: v for k, v in values.items() if k != "name" and isinstance(v, str) and v.strip()}
        reason = bad_name_reason(name)
        best = None
        if not reason:
            try:
                best = gazetteer.resolve(name, **hints)
            except ValueError as exc:  # a hint the gazetteer cannot use (an unknown country)
                reason = str(exc)
        if best is None:
            found[tuple(row)] = (None, None, None, None, None, None, None, None, reason or "no match")
        else:
            p = best.place
            found[tuple(row)] = (p.id, p.name, p.kind, p.latitude, p.longitude, best.confidence, best.match,
                                 "; ".join(best.caveats) or None, None)
    res = pd.DataFrame(
        [found[tuple(r)] for r in gold[keys].itertuples(index=False)],
        columns=["place_id", "place", "kind", "pred_latitude", "pred_longitude", "confidence", "match", "caveats",
                 "reason"],
        index=gold.index,
    )
    table = pd.concat([gold, res], axis=1)
    table["error_km"] = haversine_km_arrays(
        table["latitude"].to_numpy(float), table["longitude"].to_numpy(float),
        pd.to_numeric(table["pred_latitude"]).to_numpy(float), pd.to_numeric(table["pred_longitude"]).to_numpy(float),
    )
    w = table["weight"].to_numpy(float)
    total = w.sum() or 1.0
    err = table["error_km"].to_numpy(float)
    ok = ~np.isnan(err)
    return EvaluationResult(
        rows=len(table),
        resolved=float(w[ok].sum() / total),
        within_10km=float(w[ok & (err <= 10)].sum() / total),
        within_161km=float(w[ok & (err <= 161)].sum() / total),
        median_km=float(np.median(err[ok])) if ok.any() else float("nan"),
        table=table,
    )
