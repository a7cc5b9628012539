"""Every writer and its reader: the real UCDP 2016 file goes through each and nothing is lost."""
from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from syriamap.io import read_events, read_ucdp, sniff_format, write_events
from syriamap.cli.app import main
from syriamap.schema import COLUMN_NAMES
from syriamap.validate import validate

FORMATS = ["events.csv", "events.parquet", "events.geojson", "events.acled.csv"]


def _comparable(series: pd.Series) -> list:
    if pd.api.types.is_datetime64_any_dtype(series):
        series = series.dt.strftime("%Y-%m-%dT%H:%M:%S")
    return [None if pd.isna(v) else (v.item() if isinstance(v, np.generic) else v) for v in series.astype(object)]


@pytest.fixture(scope="module")
def ucdp_events(ucdp_2016):
    return read_ucdp(ucdp_2016)


@pytest.mark.parametrize("name", FORMATS)
def test_round_trip_loses_nothing(ucdp_events, tmp_path, name):
    path = write_events(ucdp_events, tmp_path / name)
    back = read_events(path)
    assert len(back) == len(ucdp_events) == 6170
    assert list(back.columns[: len(COLUMN_NAMES)]) == list(COLUMN_NAMES)
    for column in ucdp_events.columns:
        assert column in back.columns, column
        assert _comparable(back[column]) == _comparable(ucdp_events[column]), column
    assert Counter(back["admin1"].dropna()) == Counter(ucdp_events["admin1"].dropna())
    assert validate(back).ok


def test_parquet_keeps_dtypes_exactly(ucdp_events, tmp_path):
    back = read_events(write_events(ucdp_events, tmp_path / "e.parquet"))
    pd.testing.assert_frame_equal(back, ucdp_events)


def test_geojson_is_rfc7946_longitude_first(ucdp_events, tmp_path):
    path = write_events(ucdp_events.head(3), tmp_path / "e.geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 3
    first = data["features"][0]
    assert first["geometry"]["coordinates"] == [ucdp_events["longitude"].iloc[0], ucdp_events["latitude"].iloc[0]]
    assert "latitude" not in first["properties"] and first["properties"]["event_id"] == ucdp_events["event_id"].iloc[0]


def test_rows_without_coordinates_survive_geojson(tmp_path):
    df = pd.DataFrame({"event_id": ["a:1", "a:2"], "event_date": ["2016-01-01", "2016-01-02"],
                       "event_type": ["Battles", "Riots"], "latitude": [35.0, None], "longitude": [36.0, 37.5]})
    back = read_events(write_events(df, tmp_path / "e.geojson"))
    assert back["latitude"].tolist()[0] == 35.0 and np.isnan(back["latitude"].iloc[1])
    assert back["longitude"].tolist() == [36.0, 37.5]


def test_sniffing(ucdp_2016, ucdp_events, tmp_path):
    assert sniff_format(ucdp_2016) == "ucdp"
    for name, expected in zip(FORMATS, ["csv", "parquet", "geojson", "acled"]):
        assert sniff_format(write_events(ucdp_events.head(5), tmp_path / name)) == expected


def test_cli_convert_and_validate(ucdp_2016, tmp_path, capsys):
    out = tmp_path / "out.geojson"
    assert main(["convert", str(ucdp_2016), str(out)]) == 0
    assert len(json.loads(out.read_text())["features"]) == 6170
    assert main(["validate", str(out)]) == 0 and "6170 rows: OK" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("event_id,event_date\nx:1,2016-01-01\n")
    assert main(["validate", str(bad)]) == 1 and "'event_type'" in capsys.readouterr().err  # a data error


def test_unknown_output_extension_is_a_clear_error(tmp_path):
    from syriamap.io import EventFileError, write_events
    from syriamap.schema import empty_events

    with pytest.raises(EventFileError, match="cannot tell the output format"):
        write_events(empty_events(), tmp_path / "events.xyz")
    assert not (tmp_path / "events.xyz").exists()
    assert write_events(empty_events(), tmp_path / "events.xyz", format="csv").exists()
