"""Hostile and broken event files: no row lost or merged, no traceback, bounded work.

Every case is built here from small files of our own; the UCDP 2016 file is
used (through the ``ucdp_2016`` fixture) only to damage a real file's quoting.
"""
from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syriamap.cli import main
from syriamap.io import EventFileError, Limits, read_csv, read_events, read_geojson, write_events
from syriamap.schema import BAD_NUMBER_FLAG, EVENT_TYPES, conform
from syriamap.validate import validate

HEADER = "event_id,event_date,event_type,location,fatalities\n"


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def _flags(events: pd.DataFrame) -> list[str | None]:
    return [None if pd.isna(f) else f for f in events["flags"]]


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# -- every row accounted for -------------------------------------------------------------------

def test_unterminated_quote_is_one_flagged_row_not_a_merge(tmp_path, caplog, capsys):
    path = _write(tmp_path / "quote.csv", HEADER + 'a:1,2016-01-01,Battles,Homs,1\n'
                  'a:2,2016-01-02,Battles,"Idlib,2\n' 'a:3,2016-01-03,Riots,"Hama",3\n' 'a:4,2016-01-04,Riots,Aleppo,4\n')
    with caplog.at_level(logging.WARNING):
        events = read_events(path)
    assert events["event_id"].tolist() == ["a:1", "a:2", "a:3", "a:4"]
    assert events["location"].tolist()[2:] == ["Hama", "Aleppo"]
    assert _flags(events) == [None, "malformed_row", None, None]
    assert "line 3" in caplog.text
    read = events.attrs["syriamap_read"]
    assert (read["lines"], read["records"], read["rows"], read["repaired"]) == (5, 4, 4, 1)
    assert not validate(events).ok
    code, out, _ = _cli(capsys, "validate", str(path))
    assert code == 1 and "4 row(s); 1 repaired, 0 lost" in out and "4 rows: NOT OK" in out


def test_quote_without_any_later_quote_does_not_swallow_the_file(tmp_path):
    rows = "".join(f"a:{i},2016-01-0{i},Battles,Town{i},{i}\n" for i in range(3, 9))
    path = _write(tmp_path / "runaway.csv", HEADER + 'a:1,2016-01-01,Battles,Homs,1\na:2,2016-01-02,Battles,"Idlib,2\n' + rows)
    events = read_events(path)
    assert len(events) == 8 and events["location"].iloc[-1] == "Town8"
    assert _flags(events).count("malformed_row") == 1


def test_legitimate_multiline_quoted_field_is_kept_whole(tmp_path):
    path = _write(tmp_path / "multi.csv", HEADER + 'a:1,2016-01-01,Battles,"Homs\nold city",1\na:2,2016-01-02,Riots,Hama,2\n')
    events = read_events(path)
    assert events["location"].tolist() == ["Homs\nold city", "Hama"] and events["flags"].isna().all()
    assert events.attrs["syriamap_read"]["lines"] == 4


def test_one_stray_quote_in_ucdp_2016_costs_one_flagged_row(ucdp_2016, tmp_path):
    lines = ucdp_2016.read_bytes().split(b"\n")
    target = 100
    fields = lines[target].split(b",")
    fields[20] = b'"' + fields[20].lstrip(b'"')  # where_coordinates gets an opening quote that never closes
    lines[target] = b",".join(fields)
    path = _write(tmp_path / "ged.csv", b"\n".join(lines))
    events = read_events(path)
    assert len(events) == 6170
    flagged = events["flags"].fillna("").str.contains("malformed_row")
    assert flagged.sum() == 1 and flagged.iloc[target - 1]


def test_blank_lines_and_crlf_are_accounted_for(tmp_path):
    path = _write(tmp_path / "blank.csv", HEADER.replace("\n", "\r\n") + "a:1,2016-01-01,Battles,Homs,1\r\n\r\n"
                  "a:2,2016-01-02,Riots,Hama,2\r\n")
    events = read_events(path)
    read = events.attrs["syriamap_read"]
    assert len(events) == 2 and read["blank_lines"] == 1 and read["repaired"] == 0
    assert events["fatalities"].tolist() == [1, 2]


# -- encodings, per row ------------------------------------------------------------------------

def test_stray_byte_is_one_flagged_row_and_arabic_survives(tmp_path, caplog):
    data = (HEADER + "a:1,2016-01-01,Battles,حلب,1\na:2,2016-01-02,Battles,Homs,2\n").encode()
    data += b"a:3,2016-01-03,Battles,Ha\xffma,3\n"
    path = _write(tmp_path / "stray.csv", data)
    with caplog.at_level(logging.WARNING):
        events = read_events(path)
    assert events["location"].tolist() == ["حلب", "Homs", "Ha\ufffdma"]
    assert _flags(events) == [None, None, "invalid_utf8"]
    assert "line(s) 4" in caplog.text and "cp1256" not in caplog.text
    assert not validate(events).ok


def test_file_in_windows_arabic_is_decoded_and_said(tmp_path, caplog):
    path = _write(tmp_path / "cp.csv", (HEADER + "a:1,2016-01-01,Battles,حلب,1\na:2,2016-01-02,Battles,إدلب,2\n").encode("cp1256"))
    with caplog.at_level(logging.WARNING):
        events = read_events(path)
    assert events["location"].tolist() == ["حلب", "إدلب"] and events["flags"].isna().all()
    assert "read as cp1256" in caplog.text


@pytest.mark.parametrize("value", ["99999999999999999999999", "1e400", "-1e400", "abc", "nan-ish"])
def test_unreadable_or_out_of_range_numbers_become_missing_with_a_flag(tmp_path, value):
    path = _write(tmp_path / "n.csv", HEADER + f"a:1,2016-01-01,Battles,Homs,{value}\na:2,2016-01-02,Riots,Hama,7\n")
    events = read_events(path)
    assert pd.isna(events["fatalities"].iloc[0]) and events["fatalities"].iloc[1] == 7
    assert _flags(events) == [BAD_NUMBER_FLAG, None]
    assert BAD_NUMBER_FLAG in set(validate(events).problems["problem"])


# -- bounded work ------------------------------------------------------------------------------

def test_megabyte_header_of_empty_columns_is_refused(tmp_path):
    path = _write(tmp_path / "wide.csv", "," * (1 << 20) + "\n1\n")
    with pytest.raises(EventFileError, match="columns in the header, more than the limit") as err:
        read_events(path)
    assert str(path) in str(err.value)


def test_overlong_line_is_refused_with_its_line(tmp_path):
    path = _write(tmp_path / "long.csv", HEADER + "a:1,2016-01-01,Battles," + "x" * 5000 + ",1\n")
    with pytest.raises(EventFileError, match="line 2.*Limits.max_line_bytes"):
        read_csv(path, limits=Limits(max_line_bytes=4096))


def test_200kb_field_is_read_in_both_paths(tmp_path):
    big = "x" * 200_000
    path = _write(tmp_path / "big.csv", HEADER + f'a:1,2016-01-01,Battles,{big},1\na:2,2016-01-02,Riots,"{big}\nmore",2\n')
    events = read_events(path)
    assert events["location"].tolist() == [big, big + "\nmore"] and events["flags"].isna().all()


def test_gzip_named_csv_is_read_and_a_bomb_is_refused(tmp_path, caplog):
    path = _write(tmp_path / "z.csv", gzip.compress((HEADER + "a:1,2016-01-01,Battles,Homs,1\n").encode()))
    with caplog.at_level(logging.WARNING):
        assert read_events(path)["location"].tolist() == ["Homs"]
    assert "gzip" in caplog.text
    bomb = _write(tmp_path / "bomb.csv", gzip.compress(HEADER.encode() + b"0" * (1 << 22)))
    with pytest.raises(EventFileError, match="decompresses to more than"):
        read_csv(bomb, limits=Limits(max_decompressed_bytes=1 << 20))


def test_other_binary_formats_are_named(tmp_path):
    path = _write(tmp_path / "x.csv", b"PK\x03\x04" + bytes(100))
    with pytest.raises(EventFileError, match="zip archive"):
        read_events(path)


def test_duplicate_and_empty_column_names_are_kept_apart(tmp_path, caplog):
    path = _write(tmp_path / "dup.csv", "event_id,event_date,event_type,note,note,\na:1,2016-01-01,Battles,first,second,third\n")
    with caplog.at_level(logging.WARNING):
        events = read_events(path)
    assert events[["note", "note_5", "column_6"]].iloc[0].tolist() == ["first", "second", "third"]
    assert "repeated column name" in caplog.text and "empty column name" in caplog.text


def test_deep_json_is_a_clear_error(tmp_path):
    path = _write(tmp_path / "deep.geojson", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(EventFileError, match="nested too deeply"):
        read_geojson(path)


def test_broken_geojson_features_are_flagged_rows(tmp_path):
    point = {"type": "Point", "coordinates": [36.7, 35.9]}
    features = [
        {"type": "Feature", "geometry": None, "properties": {"event_id": "g:1"}},
        {"type": "Feature", "properties": {"event_id": "g:2"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": None}, "properties": {"event_id": "g:3"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": {"x": 1}}, "properties": {"event_id": "g:4"}},
        {"type": "Feature", "geometry": "POINT (36 35)", "properties": {"event_id": "g:5"}},
        {"type": "Feature", "geometry": point, "properties": ["not", "an", "object"]},
        42,
        {"type": "Feature", "geometry": point, "properties": {"event_id": "g:8", "tags": ["a", {"b": 1}]}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [True, 35]}, "properties": {"event_id": "g:9"}},
    ]
    path = _write(tmp_path / "junk.geojson", json.dumps({"type": "FeatureCollection", "features": features}))
    events = read_geojson(path)
    assert len(events) == len(features)
    assert _flags(events) == [None, None, "bad_geometry", "bad_geometry", "bad_geometry", "bad_feature", "bad_feature",
                              None, "bad_geometry"]
    assert events["latitude"].iloc[7] == 35.9 and json.loads(events["tags"].iloc[7]) == ["a", {"b": 1}]
    assert events.attrs["syriamap_read"]["rows"] == 9


HOSTILE_FILES = {
    "quote.csv": HEADER + 'a:1,2016-01-01,Battles,"Idlib,1\na:2,2016-01-02,Riots,Hama,2\n',
    "wide.csv": "," * (1 << 20) + "\n",
    "deep.geojson": "[" * 100_000 + "]" * 100_000,
    "deep.json": '{"type": "FeatureCollection", "features": [' + "[" * 50_000 + "]" * 50_000 + "]}",
    "junk.geojson": json.dumps({"type": "FeatureCollection", "features": [1, "x", {"geometry": "y"}, {"properties": []}]}),
    "gzip.csv": gzip.compress((HEADER + "a:1,2016-01-01,Battles,Homs,1\n").encode()),
    "zip.csv": b"PK\x03\x04" + bytes(64),
    "empty.csv": "",
    "numbers.csv": HEADER + "a:1,2016-01-01,Battles,Homs,1e400\n",
    "stray.csv": (HEADER + "a:0,2016-01-01,Battles,حلب,1\na:1,2016-01-01,Battles,Ho").encode() + b"\xff\xfems,1\n",
    "dup.csv": "a,a,,\n1,2,3,4\n",
    "notjson.geojson": "{not json",
    "string.geojson": '"FeatureCollection"',
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_no_traceback_reaches_the_command_line(tmp_path, capsys, name):
    path = _write(tmp_path / name, HOSTILE_FILES[name])
    code, _, err = _cli(capsys, "validate", str(path))
    assert code == 1 or name in ("gzip.csv", "numbers.csv")  # a lost number is a flagged warning
    if "error:" in err:  # a file that cannot be read at all: one line naming it
        assert "syriamap: error: " in err and str(path) in err
    code, _, err = _cli(capsys, "convert", str(path), str(tmp_path / "out.parquet"))
    assert code in (0, 1)  # a file that cannot be read is a data error (exit 1)


# -- outputs never overwrite inputs ----------------------------------------------------------

def test_outputs_never_overwrite_the_input(tmp_path, capsys):
    path = _write(tmp_path / "e.csv", HEADER + "a:1,2016-01-01,Battles,Homs,-1\n")
    before = path.read_bytes()
    code, _, err = _cli(capsys, "validate", str(path), "--problems", str(path))
    assert code == 2 and "input" in err
    code, _, err = _cli(capsys, "convert", str(path), str(path))
    assert code == 2 and "input" in err
    code, _, err = _cli(capsys, "convert", str(path), str(tmp_path / "." / "e.csv"))
    assert code == 2
    assert path.read_bytes() == before


# -- formula escaping ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["e.csv", "e.acled.csv"])
def test_csv_writers_neutralise_formulas_and_read_them_back(tmp_path, name):
    values = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-", "@SUM(A1)", "\tx", "\rx", "'=already", "plain", "-3 km"]
    df = pd.DataFrame({"event_id": [f"f:{i}" for i in range(len(values))], "event_date": "2016-01-01",
                       "event_type": "Battles", "notes": values, "fatalities": -1})
    path = write_events(df, tmp_path / name)
    text = path.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "''=already" in text and ",-1" in text  # numbers are not text: not escaped
    back = read_events(path)
    assert back["notes"].tolist() == values and back["fatalities"].tolist() == [-1] * len(values)
    raw = write_events(df, tmp_path / ("raw-" + name), escape_formulas=False).read_text(encoding="utf-8")
    assert "'=HYPERLINK" not in raw and "=HYPERLINK" in raw


# -- property test: every writer's output reads back identically ---------------------------

SPECIAL_TEXT = ["=1+1", "+x", "-", "@a", "\tlead", "\rlead", "'=x", "''+y", "حلب", "Idlib \"old\" town",
                "line\nbreak", "crlf\r\ninside", "a,b;c|d", " padded ", "NA", "null", "None", "#N/A", "'"]
TEXT = st.one_of(
    st.none(),
    st.sampled_from(SPECIAL_TEXT),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=12)
    .filter(lambda t: t.strip() != ""),
)
FLAG = st.one_of(st.none(), st.lists(st.sampled_from(["bad_date", "decimal_comma", "x_y"]), min_size=1, max_size=2,
                                     unique=True).map(";".join))


@st.composite
def event_tables(draw) -> pd.DataFrame:
    n = draw(st.integers(0, 6))
    rows = []
    for i in range(n):
        rows.append({
            "event_id": f"t:{i}",
            "event_date": draw(st.one_of(st.none(), st.dates(pd.Timestamp("1950-01-01").date(),
                                                              pd.Timestamp("2030-12-31").date()).map(str))),
            "event_type": draw(st.sampled_from(EVENT_TYPES)),
            "actor1": draw(TEXT), "notes": draw(TEXT), "admin1": draw(TEXT), "source": draw(TEXT),
            "latitude": draw(st.one_of(st.none(), st.floats(-90, 90, allow_nan=False).map(lambda x: round(x, 5)))),
            "longitude": draw(st.one_of(st.none(), st.floats(-180, 180, allow_nan=False).map(lambda x: round(x, 5)))),
            "fatalities": draw(st.one_of(st.none(), st.integers(-5, 10**6))),
            "flags": draw(FLAG),
        })
    columns = ["event_id", "event_date", "event_type", "actor1", "notes", "admin1", "source", "latitude",
               "longitude", "fatalities", "flags"]
    return pd.DataFrame(rows, columns=columns)


@pytest.mark.parametrize("name", ["e.csv", "e.acled.csv", "e.geojson", "e.parquet"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=event_tables())
def test_every_writer_reads_back_identically(tmp_path, name, table):
    expected = conform(table)
    back = read_events(write_events(table, tmp_path / name))
    schema = list(expected.columns)
    got = back[schema]
    if name.endswith("acled.csv"):  # ACLED's layout keeps its own columns; compare the schema's
        got = got.copy()
    pd.testing.assert_frame_equal(got, expected, check_dtype=True, check_categorical=False)


# -- fuzz: the readers never crash --------------------------------------------------------------

BYTES = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from([b"event_id", b"event_date", b"event_type", b",", b";", b"\t", b"\n", b"\r", b'"',
                              b"a:1", b"2016-01-01", b"Battles", b"1e400", b"\xff", b"\xd8\xad", b"'=", b"{", b"}",
                              b"[", b"]", b'"features"', b":", b"null", b"\x00"]), max_size=60).map(b"".join),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
FEATURES = st.lists(st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries({"type": st.just("Feature"), "geometry": JSON_VALUES | st.fixed_dictionaries(
        {"type": st.sampled_from(["Point", "LineString", "Polygon", "GeometryCollection", "x"]),
         "coordinates": JSON_VALUES}), "properties": JSON_VALUES}),
), max_size=6)


@pytest.mark.slow
@pytest.mark.timeout(3600)
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=BYTES, suffix=st.sampled_from([".csv", ".tsv", ".txt", ".acled.csv"]))
def test_fuzz_delimited_readers_never_crash(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    for reader in ("csv", "acled", "ucdp", "gdelt", None):
        try:
            events = read_events(path, format=reader)
        except EventFileError:
            continue
        read = events.attrs["syriamap_read"]
        assert read["rows"] == len(events) == read["records"] - read["dropped_on_request"]
        if reader is None:
            validate(events)


@pytest.mark.slow
@pytest.mark.timeout(3600)
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(features=FEATURES, raw=st.one_of(st.none(), BYTES))
def test_fuzz_geojson_reader_never_crashes(tmp_path, features, raw):
    path = tmp_path / "fuzz.geojson"
    if raw is None:
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    else:
        path.write_bytes(raw)
    try:
        events = read_geojson(path)
    except EventFileError:
        return
    assert len(events) == (len(features) if raw is None else len(events))
    validate(events)
