"""Hostile and broken input to the gazetteer importers, with real files and real processes.

Every case is built here from our own small files (invented places with
invented geonameids): an empty or header-only input never replaces a layer, an
import killed with SIGKILL leaves a temporary copy that the next open deletes
(but never a live writer's), a symbolic link is written through and the file's
permissions kept, a 1.5 GiB dump with no line break is refused early with
little memory, and every malformed dump is refused as ``file:line: message``
with exit code 1 and the gazetteer file unchanged.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syriamap.gazetteer import Gazetteer, store
from syriamap.gazetteer.importers import GazetteerImportError, import_events, import_geonames
from syriamap.gazetteer.importers.geonames import parse_place_line
from syriamap.gazetteer.importers.opensyria import import_open_syria
from syriamap.cli import main as syriamap_main

ACLED_HEADER = (
    "event_id_cnty,event_date,year,event_type,sub_event_type,country,admin1,admin2,location,latitude,"
    "longitude,geo_precision,fatalities\n"
)


def gn_row(gid: object, name: str, lat: object, lon: object, cc: str = "SY", pop: str = "0") -> str:
    """One line of a GeoNames place file (19 tab-separated columns) for a populated place."""
    cols = [str(gid), name, name, "", str(lat), str(lon), "P", "PPL", cc, "",
            "01", "", "", "", pop, "", "", "Asia/Damascus", "2024-01-01"]
    return "\t".join(cols)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def temp_copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".*.tmp"))


@pytest.fixture(scope="module")
def base_gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user gazetteer (embedded default + a 3-place ``geonames`` layer), built once."""
    folder = tmp_path_factory.mktemp("base")
    dump = folder / "XX.txt"
    dump.write_text("\n".join([
        gn_row(9800001, "Qirbat Testuna", 35.10, 38.20),
        gn_row(9800002, "Tall Zibrana", 35.20, 38.30),
        gn_row(9800003, "Ayn Fuzzara", 35.30, 38.40),
    ]) + "\n", encoding="utf-8")
    into = folder / "mine.sqlite"
    import_geonames([dump], into)
    return into


@pytest.fixture()
def gazetteer_file(base_gazetteer: Path, tmp_path: Path) -> Path:
    """A private copy of the base gazetteer for one test."""
    into = tmp_path / "mine.sqlite"
    shutil.copyfile(base_gazetteer, into)
    return into


def layer_places(path: Path, layer: str) -> int | None:
    conn = store.connect(path)
    try:
        return next((int(r["places"]) for r in store.layers(conn) if r["name"] == layer), None)
    finally:
        conn.close()


# -- empty inputs never replace a layer ----------------------------------------

EMPTY_CASES = {
    "empty geonames file": ("geonames", "XX.txt", "", "no data rows"),
    "blank-lines geonames file": ("geonames", "XX.txt", "\n\n  \n", "no data rows"),
    "geonames rows all filtered out": ("geonames", "XX.txt", gn_row(9800009, "Far Town", 1.0, 2.0, cc="BR") + "\n",
                                       "places in other countries"),
    "header-only ACLED file": ("events", "acled.csv", ACLED_HEADER, "no data rows"),
}


@pytest.mark.parametrize("case", sorted(EMPTY_CASES))
def test_an_empty_input_never_replaces_a_layer_unless_asked(
    case: str, gazetteer_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, name, text, why = EMPTY_CASES[case]
    data = tmp_path / name
    data.write_text(text, encoding="utf-8")
    layer = "geonames"
    argv = ["import", source, str(data), "--into", str(gazetteer_file), "--layer", layer]
    if source == "geonames":
        argv += ["--countries", "SY"]
    before = sha256(gazetteer_file)

    assert syriamap_main(argv) == 1
    err = capsys.readouterr().err
    assert f"{name}: " in err and why in err and "--allow-empty" in err and "kept as it was (3 places)" in err
    assert sha256(gazetteer_file) == before

    assert syriamap_main([*argv, "--allow-empty"]) == 0
    assert layer_places(gazetteer_file, layer) == 0


def test_an_empty_open_syria_release_is_refused(gazetteer_file: Path, tmp_path: Path) -> None:
    release = tmp_path / "open-syria"
    release.mkdir()
    for name in ("governorates.json", "districts.json", "subdistricts.json"):
        (release / name).write_text("[]", encoding="utf-8")
    before = sha256(gazetteer_file)
    with pytest.raises(GazetteerImportError, match="no data rows.*allow_empty=True"):
        import_open_syria(release, gazetteer_file)
    assert sha256(gazetteer_file) == before
    assert import_open_syria(release, gazetteer_file, allow_empty=True).places == 0


def test_a_header_only_file_through_the_api_keeps_the_layer(gazetteer_file: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.csv"
    first.write_text(ACLED_HEADER + "SYR1,2016-01-02,2016,Battles,Armed clash,Syria,Homs,Homs,Qirbat Zaytuna,"
                     "35.11,38.21,1,0\n", encoding="utf-8")
    assert import_events(first, gazetteer_file, layer="mine").places == 1
    header_only = tmp_path / "header.csv"
    header_only.write_text(ACLED_HEADER, encoding="utf-8")
    with pytest.raises(GazetteerImportError, match=r"header\.csv: the file has no data rows.*kept as it was \(1 places\)"):
        import_events(header_only, gazetteer_file, layer="mine")
    assert layer_places(gazetteer_file, "mine") == 1


# -- interrupted imports ------------------------------------------------------

_SLOW_IMPORT = """
import sys
from syriamap.gazetteer.importers import import_geonames
import_geonames([sys.argv[1]], sys.argv[2], layer="big")
"""


def test_kill_9_mid_import_leaves_a_temp_file_that_the_next_open_deletes(
    gazetteer_file: Path, tmp_path: Path
) -> None:
    dump = tmp_path / "XX.txt"
    with dump.open("w", encoding="utf-8") as handle:
        for i in range(200_000):
            handle.write(gn_row(9000000 + i, f"Testplace {i}", 30 + (i % 1000) / 100, 36 + (i % 700) / 100) + "\n")
    before = sha256(gazetteer_file)
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_IMPORT, str(dump), str(gazetteer_file)],
                            env=os.environ.copy(), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not any(p.stat().st_size > 1_000_000 for p in temp_copies(gazetteer_file)):
            assert proc.poll() is None, f"the import ended before it could be killed: {proc.stderr.read()!r}"
            assert time.monotonic() < deadline, "no temporary copy appeared"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    leftovers = temp_copies(gazetteer_file)
    assert len(leftovers) == 1 and leftovers[0].stat().st_size > 1_000_000
    assert sha256(gazetteer_file) == before  # the file itself untouched

    Gazetteer(gazetteer_file).close()  # the next open cleans up
    assert temp_copies(gazetteer_file) == []
    assert sha256(gazetteer_file) == before


def test_a_live_writers_temp_file_is_not_deleted(gazetteer_file: Path) -> None:
    live = gazetteer_file.parent / (gazetteer_file.name + ".abcd1234.tmp")
    other = gazetteer_file.parent / (gazetteer_file.name + ".x.abcd1234.tmp")  # not a name we make
    live.write_bytes(b"live copy")
    other.write_bytes(b"someone else's")
    with FileLock(str(gazetteer_file) + ".lock"):  # another writer holds the lock
        assert store.clean_stale_temps(gazetteer_file) == 0
        Gazetteer(gazetteer_file).close()
        assert live.exists()
    assert store.clean_stale_temps(gazetteer_file) == 1
    assert not live.exists() and other.exists()


def test_a_transaction_cleans_leftovers_before_writing(gazetteer_file: Path, tmp_path: Path) -> None:
    leftover = gazetteer_file.parent / (gazetteer_file.name + ".zz9_k2lq.tmp")
    leftover.write_bytes(b"\0" * 4096)
    store.remove_layer(gazetteer_file, "geonames")
    assert not leftover.exists() and temp_copies(gazetteer_file) == []


# -- symlinks and permissions -------------------------------------------------

def test_importing_into_a_symlink_writes_its_target_and_keeps_the_link(gazetteer_file: Path, tmp_path: Path) -> None:
    link = tmp_path / "links" / "current.sqlite"
    link.parent.mkdir()
    link.symlink_to(gazetteer_file)
    dump = tmp_path / "YY.txt"
    dump.write_text(gn_row(9800100, "Jisr Testiyya", 35.5, 38.5) + "\n", encoding="utf-8")
    import_geonames([dump], link, layer="linked")
    assert link.is_symlink() and link.resolve() == gazetteer_file.resolve()
    assert layer_places(gazetteer_file, "linked") == 1
    assert temp_copies(gazetteer_file) == [] and list(link.parent.glob("*.tmp")) == []


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o664])
def test_importing_keeps_the_files_permissions(gazetteer_file: Path, tmp_path: Path, mode: int) -> None:
    os.chmod(gazetteer_file, mode)
    dump = tmp_path / "YY.txt"
    dump.write_text(gn_row(9800100, "Jisr Testiyya", 35.5, 38.5) + "\n", encoding="utf-8")
    import_geonames([dump], gazetteer_file, layer="perm")
    assert stat.S_IMODE(gazetteer_file.stat().st_mode) == mode
    assert layer_places(gazetteer_file, "perm") == 1


def test_a_new_gazetteer_file_gets_the_umasks_permissions(base_gazetteer: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        into = tmp_path / "new.sqlite"
        store.create(into)
    finally:
        os.umask(old)
    assert stat.S_IMODE(into.stat().st_mode) == 0o644


# -- huge and malformed dumps -------------------------------------------------

def test_a_1_5_gib_single_line_dump_is_refused_early_with_little_memory(
    gazetteer_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "allCountries.txt"
    with dump.open("wb") as handle:
        handle.write(b"9800200\tA" + b"a" * 4096)
        handle.truncate(3 << 29)  # 1.5 GiB, sparse: no line break anywhere
    assert dump.stat().st_size == 3 << 29
    before = sha256(gazetteer_file)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(GazetteerImportError, match=r"allCountries\.txt:1: line longer than 1,048,576 bytes"):
            import_geonames([dump], gazetteer_file)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 30
    assert peak < 16 << 20, f"peak Python memory {peak / 1e6:.1f} MB"
    assert sha256(gazetteer_file) == before

    assert syriamap_main(["import", "geonames", str(dump), "--into", str(gazetteer_file)]) == 1
    assert "allCountries.txt:1: line longer" in capsys.readouterr().err


GOOD = gn_row(9800300, "Good Town", 35.0, 38.0)
MALFORMED_DUMPS: dict[str, tuple[str, bytes, str]] = {
    "too few columns": ("XX.txt", f"{GOOD}\n1\t2\t3\n".encode(), "XX.txt:2: expected 19 tab-separated columns"),
    "latitude 999": ("XX.txt", gn_row(9800301, "Bad", 999, 38).encode() + b"\n", "XX.txt:1: column 'latitude'"),
    "longitude NaN": ("XX.txt", f"{GOOD}\n{gn_row(9800302, 'Bad', 35, 'nan')}".encode(),
                      "XX.txt:2: column 'longitude'"),
    "geonameid text": ("XX.txt", gn_row("abc", "Bad", 35, 38).encode(),
                       "XX.txt:1: column 'geonameid': 'abc' is not a number"),
    "geonameid 5000 digits": ("XX.txt", gn_row("9" * 5000, "Bad", 35, 38).encode(), "XX.txt:1: column 'geonameid'"),
    "population 1e400": ("XX.txt", gn_row(9800304, "Bad", 35, 38, pop="1e400").encode(),
                         "XX.txt:1: column 'population'"),
    "empty name": ("XX.txt", f"{GOOD}\n{GOOD}\n{gn_row(9800305, ' ', 35, 38)}\n".encode(), "XX.txt:3: column 'name'"),
    "NUL bytes": ("XX.txt", f"{GOOD}\n".encode() + b"\x00\x01\x02" * 50 + b"\n", "XX.txt:2: binary data"),
    "bad UTF-8": ("XX.txt", f"{GOOD}\n".encode() + gn_row(9800306, "Bad\xff", 35, 38).encode("latin-1") + b"\n",
                  "XX.txt:2: not UTF-8 text"),
    "gzip named .txt": ("XX.txt", b"\x1f\x8b\x08\x00" + b"\x00" * 64, "XX.txt:1: binary data"),
    "alternate names bad year": ("alternateNamesV2.txt", "1\t9800300\ten\tGoodie\t\t\t\t\tsoon\t\n".encode(),
                                 "alternateNamesV2.txt:1: column 'from': 'soon' is not a year"),
    "admin1 codes bad code": ("admin1CodesASCII.txt", "SY\tDamascus\tDamascus\t1\n".encode(),
                              "admin1CodesASCII.txt:1: column 'code'"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_DUMPS))
def test_a_malformed_dump_is_refused_as_file_line_message(
    case: str, gazetteer_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, data, expected = MALFORMED_DUMPS[case]
    path = tmp_path / name
    path.write_bytes(data)
    files = [path] if name == "XX.txt" else [tmp_path / "ZZ.txt", path]
    if name != "XX.txt":
        (tmp_path / "ZZ.txt").write_text(GOOD + "\n", encoding="utf-8")
    before = sha256(gazetteer_file)
    code = syriamap_main(["import", "geonames", *map(str, files), "--into", str(gazetteer_file)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert expected in err and "Traceback" not in err and len(err) < 600, err
    assert sha256(gazetteer_file) == before


def test_a_zip_with_two_data_files_is_refused(gazetteer_file: Path, tmp_path: Path) -> None:
    archive = tmp_path / "XX.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("one.txt", GOOD + "\n")
        zf.writestr("two.txt", GOOD + "\n")
    with pytest.raises(GazetteerImportError, match="cannot tell which file"):
        import_geonames([archive], gazetteer_file)


def test_deeply_nested_open_syria_json_is_a_clear_error(gazetteer_file: Path, tmp_path: Path) -> None:
    release = tmp_path / "open-syria"
    release.mkdir()
    (release / "governorates.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    for name in ("districts.json", "subdistricts.json"):
        (release / name).write_text(json.dumps([]), encoding="utf-8")
    with pytest.raises(GazetteerImportError, match=r"governorates\.json: .*nested too deeply"):
        import_open_syria(release, gazetteer_file)


# -- fuzz: the place-line parser never crashes --------------------------------

_field = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "0", "-1", "35.5", "999", "nan", "inf", "-inf", "1e400", "9" * 30, "١٢٣", "1_0", " 7 "]),
)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.lists(_field, min_size=17, max_size=21).map("\t".join),
    st.text(max_size=200),
))
def test_fuzz_the_place_line_parser_gives_a_row_or_a_located_error(line: str) -> None:
    try:
        row = parse_place_line(Path("XX.txt"), 7, line)
    except GazetteerImportError as exc:
        assert str(exc).startswith("XX.txt:7: ")
        return
    if row is None:
        assert not line.strip()
        return
    gid, name, _ascii, _alt, lat, lon, *_rest, population = row
    assert gid >= 1 and name and -90 <= lat <= 90 and -180 <= lon <= 180
    assert population is None or population > 0


# -- malformed event tables ---------------------------------------------------

EVENT_ROW = "SYR1,2016-01-02,2016,Battles,Armed clash,Syria,Homs,Homs,Qirbat Zaytuna,35.11,38.21,1,0"
MALFORMED_EVENTS: dict[str, tuple[str, str]] = {
    "unterminated quote": (ACLED_HEADER + EVENT_ROW + '\n"SYR2,2016\n' + EVENT_ROW + "\n" + EVENT_ROW + "\n",
                           "events.csv:5: "),
    "200 KB field": (ACLED_HEADER + EVENT_ROW.replace("Qirbat Zaytuna", '"' + "x" * 200_000 + '"') + "\n",
                     "events.csv:2: unreadable CSV row"),
    "duplicate column": (ACLED_HEADER.rstrip("\n") + ",location\n" + EVENT_ROW + ",Elsewhere\n",
                         "events.csv:1: column 'location': appears twice"),
    "latitude 1e400": (ACLED_HEADER + EVENT_ROW.replace("35.11", "1e400") + "\n", "events.csv:2: column 'latitude'"),
    "1 MB of empty columns": (ACLED_HEADER.rstrip("\n") + "," * 1_000_000 + "\n" + EVENT_ROW + "\n",
                              "events.csv:2: 13 fields, the header has 1000013"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_EVENTS))
def test_a_malformed_event_table_is_refused_as_file_line_message(
    case: str, gazetteer_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, expected = MALFORMED_EVENTS[case]
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    before = sha256(gazetteer_file)
    code = syriamap_main(["import", "events", str(path), "--into", str(gazetteer_file)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert expected in err and "Traceback" not in err and len(err) < 600, err
    assert sha256(gazetteer_file) == before


def test_gzip_data_named_csv_is_refused(gazetteer_file: Path, tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "events.csv"
    path.write_bytes(gzip.compress((ACLED_HEADER + EVENT_ROW + "\n").encode()))
    with pytest.raises(GazetteerImportError, match=r"events\.csv:1: (binary data|not UTF-8)"):
        import_events(path, gazetteer_file)


def test_a_huge_open_syria_file_is_refused_before_reading(gazetteer_file: Path, tmp_path: Path) -> None:
    release = tmp_path / "open-syria"
    release.mkdir()
    with (release / "governorates.json").open("wb") as handle:
        handle.write(b"[")
        handle.truncate(100 << 20)  # sparse
    for name in ("districts.json", "subdistricts.json"):
        (release / name).write_text("[]", encoding="utf-8")
    tracemalloc.start()
    try:
        with pytest.raises(GazetteerImportError, match=r"governorates\.json: 104,857,600 bytes: too big"):
            import_open_syria(release, gazetteer_file)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20
