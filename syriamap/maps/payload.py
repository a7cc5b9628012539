"""Turn an event DataFrame into the compact payload that the map page carries once.

The page holds every event in one columnar structure (see :mod:`.packing`):
integer coordinates of 1e-5 degree, a category index, a time-step index, heat
weights and the popup columns, each in its most compact kind (dates as days,
whole numbers as integers, repeated strings once in a dictionary, the layer's
own column not at all).  It is gzip-compressed and base64-encoded, so data
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
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd


from syriamap.schema import DATE_COARSE_FLAG, GEO_COARSE_FLAG

from .packing import COLUMNS_MAGIC, INT_NA, Packer, int32_or_none, unpack
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


def _factorize_text(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1: missing or blank) and distinct stripped strings, in order of first appearance.

    Factorises the raw values first and strips only the distinct ones, so a column
    of 100k rows costs one hash pass; values equal once stripped share one code.
    """
    raw_codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = pd.Series(uniques, dtype=object).astype("string").str.strip()
    stripped = texts.astype(object).where(texts.notna() & (texts != ""), None).to_numpy(dtype=object)
    present = np.array([v is not None for v in stripped], dtype=bool)
    merged, distinct = pd.factorize(stripped[present])
    remap = np.full(len(stripped) + 1, -1, dtype=np.int64)
    remap[:-1][present] = merged
    return remap[raw_codes], np.asarray(distinct, dtype=object)


def _categories(values: pd.Series, layer_by: str, max_categories: int) -> tuple[list[str], np.ndarray]:
    """Ordered layer names and each row's layer index.

    ``event_type`` keeps ACLED's types in ACLED's order and sends anything else to
    "Other".  Any other column keeps its ``max_categories`` most frequent values
    (ties broken by name, so the order is deterministic) and sends the rest there.
    """
    codes, distinct = _factorize_text(values)
    if layer_by == "event_type":
        present = set(distinct.tolist())
        names = [t for t in ACLED_EVENT_TYPES if t in present]
    else:
        counts = np.bincount(codes[codes >= 0], minlength=len(distinct))
        ranked = sorted(zip(distinct.tolist(), counts.tolist()), key=lambda kv: (-kv[1], kv[0]))
        names = [str(k) for k, _ in ranked[:max_categories] if str(k) != OTHER]
    index = pd.Index(names, dtype=object).get_indexer(distinct)
    unknown = distinct[index < 0]
    if len(unknown):
        logger.info("%d value(s) of %r go to the %r layer, e.g. %r", len(unknown), layer_by, OTHER,
                    sorted(map(str, unknown))[:5])
    row_codes = np.where(codes >= 0, np.append(index, -1)[codes], -1).astype(np.int64)
    if (row_codes < 0).any():
        row_codes[row_codes < 0] = len(names)
        names.append(OTHER)
    return names, row_codes


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


def _labelled(series: pd.Series, labels: dict[int, str] | None) -> list[str | None]:
    """A column of mixed or labelled values as display strings (None where missing), value by value."""
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


def _whole_numbers(series: pd.Series) -> np.ndarray | None:
    """A numeric (not boolean) column as floats when every value is a whole int32 number, else None."""
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return None
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return values if int32_or_none(values) else None


def _pack_column(packer: Packer, df: pd.DataFrame, column: str, dates: pd.Series,
                 categories: list[str], cat_codes: np.ndarray) -> dict[str, Any]:
    """One popup column, in the most compact of the page's column kinds.

    ``day``: dates as days since 1970; ``int``: whole numbers (shown as such);
    ``cat``: the layer's own name (nothing to carry); ``dict``: strings that repeat
    (codes into a dictionary); ``text``: other strings (one UTF-8 block).
    Strings are stripped, and blank ones are missing.
    """
    if column == "event_date":
        days = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
        return {"t": "day", "x": packer.array(np.where(dates.notna().to_numpy(), days, INT_NA), "i32")}
    series = df[column]
    labels = {"geo_precision": _GEO_PRECISION, "time_precision": _TIME_PRECISION}.get(column)
    if labels is None:
        whole = _whole_numbers(series)
        if whole is not None:
            return {"t": "int", "x": packer.array(np.where(np.isnan(whole), INT_NA, whole), "i32")}
    textual = labels is None and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")
    if textual and _mostly_distinct(series):
        values = [v.strip() if isinstance(v, str) else "" for v in series.tolist()]
        if column == "url":
            values = [_safe_url(v) or "" for v in values]
        return _pack_text(packer, np.array(values, dtype=object), np.array([not v for v in values], dtype=bool))
    codes, distinct = _factorize_text(series if textual else np.array(_labelled(series, labels), dtype=object))
    if column == "url":
        safe = [_safe_url(v) for v in distinct]
        codes, distinct = _factorize_text(np.where(codes >= 0, np.array(safe + [None], dtype=object)[codes], None))
    if len(categories) and (codes >= 0).all():
        as_category = pd.Index(categories, dtype=object).get_indexer(distinct.astype(object))
        if (as_category >= 0).all() and np.array_equal(as_category[codes], cat_codes):
            return {"t": "cat"}
    if len(distinct) <= _DICTIONARY_MAX_RATIO * max(len(codes), 1):
        return {"t": "dict", "d": [str(u) for u in distinct], "c": packer.uint(codes + 1)}
    return _pack_text(packer, distinct.astype(object)[np.maximum(codes, 0)], codes < 0)


def _mostly_distinct(series: pd.Series, sample: int = 1000) -> bool:
    """Whether a long string column is free text: 90% of an evenly spaced sample of rows are distinct.

    Such a column is carried as text without hashing every row (hashing 100k
    distinct strings costs more than the rest of the column's encoding).
    """
    if len(series) < 2 * sample:
        return False
    picked = series.iloc[np.linspace(0, len(series) - 1, sample).astype(np.int64)]
    return picked.nunique(dropna=True) >= 0.9 * sample


def _pack_text(packer: Packer, values: np.ndarray, missing: np.ndarray) -> dict[str, Any]:
    """Strings (each non-empty, or missing) as one UTF-8 block, split by NUL bytes when none holds one.

    Missing values are empty pieces.  A string holding a NUL byte makes the
    column carry its pieces' lengths instead (``len``: byte length + 1, 0 for missing).
    """
    pieces = np.where(missing, "", values).tolist()
    joined = "\0".join(pieces)
    if joined.count("\0") == max(len(pieces) - 1, 0):
        return {"t": "text", "b": packer.array(np.frombuffer(joined.encode("utf-8"), dtype=np.uint8), "u8")}
    encoded = [piece.encode("utf-8") for piece in pieces]
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    return {"t": "text", "b": packer.array(np.frombuffer(b"".join(encoded), dtype=np.uint8), "u8"),
            "len": packer.uint(np.where(missing, 0, lengths + 1))}


def has_flag(df: pd.DataFrame, flag: str) -> np.ndarray:
    """Rows whose ``flags`` column (codes separated by ``;``) holds ``flag`` (all False without the column)."""
    if "flags" not in df.columns:
        return np.zeros(len(df), dtype=bool)
    pattern = rf"(?:^|;)\s*{re.escape(flag)}\s*(?:;|$)"
    return df["flags"].astype("string").str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)


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

    packer, column_packer = Packer(), Packer(COLUMNS_MAGIC)
    columns = [_pack_column(column_packer, drawn, col, dates, categories, cat_codes) for col in popup_columns]
    header = {
        "n": len(drawn),
        "lat": packer.array(np.rint(lat * COORD_SCALE), "i32"),
        "lon": packer.array(np.rint(lon * COORD_SCALE), "i32"),
        "k": packer.uint(cat_codes),
        "s": packer.array(step_codes, "i16" if len(steps) < 2**15 else "i32"),
        "w": _pack_weights(packer, drawn, heat_weight, popup_columns, columns),
        "cols": columns,
        "names": list(popup_columns),
        "categories": categories,
    }
    encoded = packer.finish(header) + "." + column_packer.finish()

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


def _pack_weights(packer: Packer, drawn: pd.DataFrame, heat_weight: str | None, popup_columns: Sequence[str],
                  columns: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Heat weights (missing, negative or non-finite: none), or a reference to the popup column holding them."""
    if heat_weight is None:
        return None
    if heat_weight in popup_columns and columns[list(popup_columns).index(heat_weight)]["t"] == "int":
        return {"col": list(popup_columns).index(heat_weight)}
    w = pd.to_numeric(drawn[heat_weight], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    w = np.round(np.where(np.isfinite(w) & (w >= 0), w, np.nan), 3)
    if int32_or_none(w):
        return {"x": packer.array(np.where(np.isnan(w), INT_NA, w), "i32")}
    return {"x": packer.array(w, "f64")}


def encode(value: Any) -> str:
    """JSON, gzip-compressed and base64-encoded: inert text in the page, decoded by ``SyriaMap.decode``."""
    raw = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    # level 4: 10% larger than level 6 on 100k events, in a quarter of the time
    return base64.b64encode(gzip.compress(raw, compresslevel=4, mtime=0)).decode("ascii")


def decode_payload(encoded: str) -> dict[str, Any]:
    """What the page reads from an encoded payload, as plain Python values (for tests and debugging).

    JSON payloads (:func:`encode`) come back as they were.  Events payloads
    (:func:`build_payload`) come back as ``lat``/``lon`` (integers of 1e-5
    degree), ``k``, ``s`` (-1: outside the slider), ``w`` (None: no weight),
    ``names`` and ``cols``, each ``{"v": [display string or None, ...]}``
    as the popups show them.
    """
    if "." not in encoded:
        return json.loads(gzip.decompress(base64.b64decode(encoded)))
    header, read, read_column = unpack(encoded)
    ints = {name: read(header[name]).astype(np.int64).tolist() for name in ("lat", "lon", "k", "s")}
    cols = [{"v": _column_values(col, header, read_column, ints["k"])} for col in header["cols"]]
    weights = None
    if header["w"] is not None:
        w = header["w"]
        x = read_column(header["cols"][w["col"]]["x"]) if "col" in w else read(w["x"])
        x = x.astype(float)
        x[(x == INT_NA) | (x < 0)] = np.nan
        weights = [None if np.isnan(v) else (int(v) if float(v).is_integer() else float(v)) for v in x]
    return {**ints, "w": weights, "cols": cols, "names": header["names"]}


def _column_values(col: dict[str, Any], header: dict[str, Any], read: Any, k: list[int]) -> list[str | None]:
    """Display strings of one packed popup column (what ``columnValue`` in the runtime returns)."""
    kind = col["t"]
    if kind == "cat":
        return [header["categories"][c] for c in k]
    if kind == "dict":
        return [col["d"][c - 1] if c else None for c in read(col["c"]).tolist()]
    if kind == "text":
        blob = read(col["b"]).tobytes()
        if "len" not in col:
            return [piece.decode("utf-8") or None for piece in blob.split(b"\0")]
        out: list[str | None] = []
        pos = 0
        for n in read(col["len"]).tolist():
            out.append(blob[pos:pos + n - 1].decode("utf-8") if n else None)
            pos += max(n - 1, 0)
        return out
    x = read(col["x"]).astype(np.int64)
    if kind == "int":
        return [None if v == INT_NA else str(v) for v in x.tolist()]
    days = x.astype("datetime64[D]").astype(str)
    return [None if v == INT_NA else d for v, d in zip(x.tolist(), days.tolist())]
