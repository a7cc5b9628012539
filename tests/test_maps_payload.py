"""The packed events payload: what the page reads back is what the DataFrame holds.

Every column kind (dates as days, whole numbers, the layer's own column,
dictionary strings, free text with and without NUL bytes, missing values) and
coordinates at the edges of their range are packed, then read back twice: by
``decode_payload`` (the Python twin of the page's reader) and by the page itself
in Chromium, and compared with the input.  Positions must match to 1e-5 degree.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from syriamap.maps import event_map, save_html
from syriamap.maps.layers import EventSet
from syriamap.maps.packing import Packer, unpack
from syriamap.maps.payload import build_payload, decode_payload

N = 2600  # above the free-text sample (2 x 1000 rows), so the sampled path is taken too


def mixed_events(n: int = N, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lat = rng.uniform(-85.0, 85.0, n)
    lon = rng.uniform(-180.0, 180.0, n)
    lat[:6] = [-90.0, 90.0, 0.0, 36.123456789, -0.000004, 33.5138]
    lon[:6] = [-180.0, 180.0, 0.0, 37.987654321, 0.000006, 36.2765]
    notes = [f"note {i}: \u062d\u0644\u0628 <b>&amp;</b> \U0001F525 " + "x" * int(rng.integers(0, 40)) for i in range(n)]
    notes[1] = "   "          # blank: missing
    notes[2] = None            # missing
    notes[3] = "  padded  "    # stripped
    fatalities = pd.array(rng.integers(0, 5000, n), dtype="Int64")
    fatalities[4] = pd.NA
    dates = pd.Timestamp("1990-01-01") + pd.to_timedelta(rng.integers(0, 15000, n), unit="D")
    return pd.DataFrame({
        "latitude": lat, "longitude": lon,
        "event_date": pd.Series(dates).where(np.arange(n) != 5),
        "event_type": rng.choice(["Battles", "Protests", "Riots"], n),
        "actor1": rng.choice(["A", " A ", "B", "C\u00e9", None, ""], n),
        "fatalities": fatalities,
        "notes": notes,
        "score": rng.normal(0, 1, n).round(2),
    })


def expected_values(df: pd.DataFrame, column: str) -> list[str | None]:
    """What a popup shows for each row: stripped text, blanks missing, whole numbers and ISO dates."""
    out: list[str | None] = []
    for v in df[column].tolist():
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
            out.append(None)
        elif isinstance(v, pd.Timestamp):
            out.append(v.strftime("%Y-%m-%d"))
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v).strip() or None)
    return out


COLUMNS = ["event_date", "event_type", "actor1", "fatalities", "notes", "score"]


@pytest.fixture(scope="module")
def packed() -> tuple[pd.DataFrame, Any]:
    df = mixed_events()
    return df, build_payload(df, popup_columns=COLUMNS, heat_weight="fatalities")


def test_every_column_kind_reads_back(packed: tuple[pd.DataFrame, Any]) -> None:
    df, payload = packed
    header, _, _ = unpack(payload.encoded)
    kinds = [c["t"] for c in header["cols"]]
    assert kinds == ["day", "cat", "dict", "int", "text", "dict"]
    assert header["w"] == {"col": 3}  # heat weights are the fatalities column, not carried twice
    data = decode_payload(payload.encoded)
    rows = payload.rows
    for column, col in zip(COLUMNS, data["cols"]):
        assert col["v"] == expected_values(df.iloc[rows], column), column
    assert np.max(np.abs(np.array(data["lat"]) / 1e5 - df["latitude"].iloc[rows])) <= 0.5e-5 + 1e-12
    assert np.max(np.abs(np.array(data["lon"]) / 1e5 - df["longitude"].iloc[rows])) <= 0.5e-5 + 1e-12
    fat = df["fatalities"].iloc[rows]
    assert data["w"] == [None if pd.isna(v) else int(v) for v in fat]


def test_text_holding_nul_bytes_keeps_its_pieces() -> None:
    df = mixed_events(n=30)
    df.loc[7, "notes"] = "before\x00after"
    data = decode_payload(build_payload(df, popup_columns=["notes"]).encoded)
    assert data["cols"][0]["v"] == expected_values(df, "notes")
    assert data["cols"][0]["v"][7] == "before\x00after"


def test_byte_planes_round_trip_every_type() -> None:
    packer = Packer()
    values = {"u8": np.array([0, 255, 7]), "u16": np.array([0, 65535, 300]), "i16": np.array([-32768, 32767, -1]),
              "i32": np.array([-(2**31), 2**31 - 1, 123456]), "f64": np.array([np.nan, -1.5, 1e300])}
    segs = {kind: packer.array(v, kind) for kind, v in values.items()}
    encoded = packer.finish({"segs": segs}) + "." + Packer(b"SMC2").finish()
    header, read, _ = unpack(encoded)
    for kind, v in values.items():
        np.testing.assert_array_equal(read(header["segs"][kind]), v)


@pytest.mark.browser
@pytest.mark.slow
def test_the_page_reads_back_positions_and_popups(packed: tuple[pd.DataFrame, Any], browser: Any,
                                                  tmp_path: Path) -> None:
    """Chromium's reader gives the input's positions (to 1e-5 degree) and each popup's strings."""
    df, _ = packed
    m = event_map(df, popup_columns=COLUMNS, heat=True, heat_weight="fatalities", tiles=None)
    (events,) = [c for c in m._children.values() if isinstance(c, EventSet)]
    path = save_html(m, tmp_path / "mixed.html", offline=True)
    page = browser.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
               else r.abort())
    page.goto(path.as_uri())
    page.wait_for_function("window.SyriaMap && SyriaMap.sets.length && SyriaMap.sets[0].complete", timeout=60000)
    got = page.evaluate("""() => { const s = SyriaMap.sets[0], d = s.data, out = [];
        for (let i = 0; i < d.n; i++) { const p = s._latLng(i);
          out.push([p.lat, p.lng, d.cols.map(c => c.get(i)), d.w[i]]); }
        return out; }""")
    page.close()
    rows = events.payload.rows
    placed = df.iloc[rows]
    assert len(got) == len(placed) == len(df)
    lat = np.array([g[0] for g in got])
    lon = np.array([g[1] for g in got])
    assert np.max(np.abs(lat - placed["latitude"].to_numpy())) <= 0.5e-5 + 1e-12
    assert np.max(np.abs(lon - placed["longitude"].to_numpy())) <= 0.5e-5 + 1e-12
    for j, column in enumerate(COLUMNS):
        assert [g[2][j] for g in got] == expected_values(placed, column), column
    weights = [None if g[3] is None or np.isnan(g[3]) else g[3] for g in got]  # NaN: no weight
    assert weights == [None if pd.isna(v) else float(v) for v in placed["fatalities"]]
    assert got[3][2][4] == "padded"


@pytest.mark.browser
@pytest.mark.slow
def test_a_browser_without_decompression_streams_says_so(browser: Any, tmp_path: Path) -> None:
    """Where DecompressionStream is missing the map says which browsers can show the events."""
    path = save_html(event_map(mixed_events(n=20), tiles=None), tmp_path / "old.html", offline=True)
    page = browser.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
               else r.abort())
    page.add_init_script("delete window.DecompressionStream;")
    page.goto(path.as_uri())
    page.wait_for_selector(".sm-load-error", timeout=30000)
    text = page.locator(".sm-load-error").inner_text()
    page.close()
    assert "DecompressionStream" in text and "Safari 16.4" in text
