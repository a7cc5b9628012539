"""Turn an event DataFrame into the compact payload that the map page carries once.

The page holds every event in one columnar structure: integer coordinates, a
category index, a time-step index and the popup columns, repeated strings stored
once in a dictionary.  The JSON is gzip-compressed and base64-encoded, so data
strings reach the page as inert base64 (they are decoded in the browser and put
into the page with ``textContent``, never parsed as HTML).

Rows without usable coordinates are skipped and counted; rows without a date are
kept (drawn, outside the time slider); unknown categories go to :data:`OTHER`.
"""
from __future__ import annotations

import base64
import gzip
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd


from syriamap.schema import DATE_COARSE_FLAG, GEO_COARSE_FLAG

from .style import ACLED_EVENT_TYPES, OTHER

logger = logging.getLogger(__name__)

COORD_SCALE = 100_000
"""Coordinates are stored as integers of 1e-5 degree (about one metre)."""

TIME_STEPS = {"day": "D", "week": "W-SUN", "month": "M"}
"""Slider step name -> pandas period frequency (weeks run Monday to Sunday)."""

POPUP_LABELS: dict[str, str] = {
    "event_date": "Date",
    "event_type": "Type",
    "sub_event_type": "Sub-type",
    "actor1": "Actor 1",
    "actor2": "Actor 2",
    "fatalities": "Fatalities",
    "location": "Place",
    "admin2": "District",
    "admin1": "Governorate",
    "geo_precision": "Location precision",
    "time_precision": "Date precision",
    "source_sentence": "Source sentence",
    "notes": "Notes",
    "source": "Source",
    "url": "Link",
}
"""Default popup columns (those present are used, in this order) and their labels."""


_GEO_PRECISION = {1: "1 (exact place)", 2: "2 (near / part of a region)", 3: "3 (larger region)"}
_TIME_PRECISION = {1: "1 (day)", 2: "2 (week)", 3: "3 (month)"}
_DICTIONARY_MAX_RATIO = 0.5
"""A string column is dictionary-encoded when it has at most this many distinct values per row."""


@dataclass
class EventPayload:
    """Everything the page needs about the events, plus the counts the caption reports."""

    categories: list[str]
    counts: list[int]
    n_rows: int
    n_drawn: int
    n_missing_coords: int
    n_undated: int
    n_geo_coarse: int
    n_date_coarse: int
    date_min: str | None
    date_max: str | None
    steps: list[str]
    bounds: list[list[float]] | None
    encoded: str
    popup_columns: list[str] = field(default_factory=list)
    popup_labels: list[str] = field(default_factory=list)
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Position (in the input DataFrame) of each drawn event, in the page's order."""

    def meta(self) -> dict[str, Any]:
        """The small, uncompressed part: what legend, slider and caption show."""
        return {
            "categories": self.categories,
            "counts": self.counts,
            "steps": self.steps,
            "n_undated": self.n_undated,
        }


def _categories(values: pd.Series, layer_by: str, max_categories: int) -> tuple[list[str], np.ndarray]:
    """Ordered layer names and each row's layer index.

    ``event_type`` keeps ACLED's types in ACLED's order and sends anything else to
    "Other".  Any other column keeps its ``max_categories`` most frequent values
    (ties broken by name, so the order is deterministic) and sends the rest there.
    """
    text = values.astype("string").str.strip()
    text = text.mask(text == "")
    if layer_by == "event_type":
        present = set(text.dropna().unique())
        names = [t for t in ACLED_EVENT_TYPES if t in present]
    else:
        counts = text.value_counts(dropna=True)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        names = [str(k) for k, _ in ranked[:max_categories] if str(k) != OTHER]
    index = {name: i for i, name in enumerate(names)}
    codes = np.array([index.get(v, -1) if isinstance(v, str) else -1 for v in text.to_numpy(dtype=object)],
                     dtype=np.int64)
    if (codes < 0).any():
        unknown = text[codes < 0].dropna().unique()
        if len(unknown):
            logger.info("%d value(s) of %r go to the %r layer, e.g. %r", len(unknown), layer_by, OTHER,
                        sorted(map(str, unknown))[:5])
        codes[codes < 0] = len(names)
        names.append(OTHER)
    return names, codes


def _dates(df: pd.DataFrame) -> pd.Series:
    """The event dates as naive datetimes (NaT where missing or unparseable)."""
    if "event_date" not in df.columns:
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    raw = df["event_date"]
    dates = pd.to_datetime(raw, errors="coerce", format="mixed") if not pd.api.types.is_datetime64_any_dtype(raw) \
        else raw
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert(None)
    bad = int((dates.isna() & raw.notna()).sum())
    if bad:
        logger.warning("%d event_date value(s) could not be read as dates; those events stay out of the "
                       "time slider", bad)
    return dates


def _format_column(df: pd.DataFrame, column: str, dates: pd.Series) -> list[str | None]:
    """One popup column as display strings (None where missing)."""
    if column == "event_date":
        return dates.dt.strftime("%Y-%m-%d").astype(object).where(dates.notna(), None).tolist()
    series = df[column]
    labels = {"geo_precision": _GEO_PRECISION, "time_precision": _TIME_PRECISION}.get(column)
    if labels is None and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        # text only (the common case): vectorised strip, blanks and missing values -> None
        text = series.astype("string").str.strip()
        return text.astype(object).where(text.notna() & (text != ""), None).tolist()
    out: list[str | None] = []
    for value in series.to_numpy(dtype=object):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            out.append(None)
        elif labels is not None and isinstance(value, (int, float, np.integer, np.floating)):
            out.append(labels.get(int(value), str(value)))
        elif isinstance(value, pd.Timestamp):
            out.append(value.isoformat())
        elif isinstance(value, (float, np.floating)) and float(value).is_integer():
            out.append(str(int(value)))
        else:
            text = str(value).strip()
            out.append(text or None)
    return out


def has_flag(df: pd.DataFrame, flag: str) -> np.ndarray:
    """Rows whose ``flags`` column (codes separated by ``;``) holds ``flag`` (all False without the column)."""
    if "flags" not in df.columns:
        return np.zeros(len(df), dtype=bool)
    codes = df["flags"].astype("string").str.split(";")
    return np.array([isinstance(c, list) and any(part.strip() == flag for part in c) for c in codes], dtype=bool)


def _encode_column(values: list[str | None]) -> dict[str, Any]:
    """A string column, dictionary-encoded when its values repeat enough to pay off."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    if len(uniques) <= _DICTIONARY_MAX_RATIO * max(len(values), 1):
        return {"d": [str(u) for u in uniques], "c": [int(c) if c >= 0 else None for c in codes]}
    return {"v": values}


def _safe_url(value: str | None) -> str | None:
    """Keep only http(s) links: a ``javascript:`` URL from the data must never become a link."""
    if value and value.lower().startswith(("http://", "https://")):
        return value
    return None


def build_payload(
    df: pd.DataFrame,
    *,
    layer_by: str = "event_type",
    popup_columns: Sequence[str] | None = None,
    heat_weight: str | None = None,
    time_step: str = "month",
    max_categories: int = 20,
    show_coarse: bool = False,
) -> EventPayload:
    """Validate the inputs and build the page payload (see the module docstring).

    Events flagged :data:`GEO_COARSE_FLAG` (placed only at country level or
    coarser) are left out and counted unless ``show_coarse``; events flagged
    :data:`DATE_COARSE_FLAG` are drawn but kept out of the time slider's periods
    (a year-only date would otherwise pile up in its first period).
    """
    if df.empty and not len(df.columns):
        df = pd.DataFrame({"latitude": pd.Series(dtype=float), "longitude": pd.Series(dtype=float)})
    for col in ("latitude", "longitude"):
        if col not in df.columns:
            raise ValueError(f"event_map needs a {col!r} column; the DataFrame has {list(df.columns)}")
    if time_step not in TIME_STEPS:
        raise ValueError(f"time_step must be one of {sorted(TIME_STEPS)}, not {time_step!r}")
    if heat_weight is not None and heat_weight not in df.columns:
        raise ValueError(f"heat_weight column {heat_weight!r} is not in the DataFrame")
    if popup_columns is None:
        popup_columns = [c for c in POPUP_LABELS if c in df.columns]
    else:
        missing = [c for c in popup_columns if c not in df.columns]
        if missing:
            raise ValueError(f"popup_columns not in the DataFrame: {missing}")

    lat = pd.to_numeric(df["latitude"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lon = pd.to_numeric(df["longitude"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    n_missing = int((~ok).sum())
    if n_missing:
        logger.warning("%d of %d events have no usable coordinates and are not drawn", n_missing, len(df))
    coarse = has_flag(df, GEO_COARSE_FLAG) & ok
    n_geo_coarse = int(coarse.sum())
    if n_geo_coarse and not show_coarse:
        logger.info("%d events placed only at country level are not drawn (show_coarse=True draws them)",
                    n_geo_coarse)
        ok = ok & ~coarse
    rows = np.flatnonzero(ok)
    drawn = df.iloc[rows]
    lat, lon = lat[ok], lon[ok]

    if layer_by in drawn.columns:
        categories, cat_codes = _categories(drawn[layer_by], layer_by, max_categories)
    elif layer_by == "event_type":
        categories, cat_codes = [OTHER], np.zeros(len(drawn), dtype=np.int64)
    else:
        raise ValueError(f"layer_by column {layer_by!r} is not in the DataFrame")
    if not len(drawn):
        categories, cat_codes = [], np.zeros(0, dtype=np.int64)
    counts = np.bincount(cat_codes, minlength=len(categories)).tolist() if len(categories) else []

    dates = _dates(drawn)
    date_coarse = has_flag(drawn, DATE_COARSE_FLAG)
    dated = dates.notna().to_numpy() & ~date_coarse
    steps: list[str] = []
    step_codes = np.full(len(drawn), -1, dtype=np.int64)
    if dated.any():
        periods = dates[dated].dt.to_period(TIME_STEPS[time_step])
        first, last = periods.min(), periods.max()
        span = pd.period_range(first, last, freq=TIME_STEPS[time_step])
        steps = [p.start_time.strftime("%Y-%m-%d") if time_step != "month" else p.strftime("%Y-%m") for p in span]
        step_codes[dated] = periods.array.asi8 - first.ordinal
    n_undated = int((~dated).sum())
    n_date_coarse = int((date_coarse & dates.notna().to_numpy()).sum())

    columns = []
    for col in popup_columns:
        values = _format_column(drawn, col, dates)
        if col == "url":
            values = [_safe_url(v) for v in values]
        columns.append(_encode_column(values))

    weights = None
    if heat_weight is not None:
        w = pd.to_numeric(drawn[heat_weight], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        usable = np.isfinite(w) & (w >= 0)
        weights = pd.Series(np.round(w, 3)).astype(object).where(usable, None).tolist()

    body = {
        "lat": np.rint(lat * COORD_SCALE).astype(np.int64).tolist(),
        "lon": np.rint(lon * COORD_SCALE).astype(np.int64).tolist(),
        "k": cat_codes.tolist(),
        "s": step_codes.tolist(),
        "w": weights,
        "cols": columns,
        "names": list(popup_columns),
    }
    encoded = encode(body)

    bounds = None
    if len(drawn):
        bounds = [[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]]
    return EventPayload(
        categories=categories,
        counts=counts,
        n_rows=len(df),
        n_drawn=len(drawn),
        n_missing_coords=n_missing,
        n_undated=n_undated,
        n_geo_coarse=n_geo_coarse,
        n_date_coarse=n_date_coarse,
        date_min=dates[dated].min().strftime("%Y-%m-%d") if dated.any() else None,
        date_max=dates[dated].max().strftime("%Y-%m-%d") if dated.any() else None,
        steps=steps,
        bounds=bounds,
        encoded=encoded,
        popup_columns=list(popup_columns),
        popup_labels=[POPUP_LABELS.get(c, c) for c in popup_columns],
        rows=rows,
    )


def encode(value: Any) -> str:
    """JSON, gzip-compressed and base64-encoded: inert text in the page, decoded by ``SyriaMap.decode``."""
    raw = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    # level 4: 10% larger than level 6 on 100k events, in a quarter of the time
    return base64.b64encode(gzip.compress(raw, compresslevel=4, mtime=0)).decode("ascii")


def decode_payload(encoded: str) -> dict[str, Any]:
    """Inverse of the encoding in :func:`build_payload` (for tests and debugging)."""
    return json.loads(gzip.decompress(base64.b64decode(encoded)))
