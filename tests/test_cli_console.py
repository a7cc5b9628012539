"""Every command through the installed ``syriamap`` console script, in a subprocess.

Exit codes are part of the interface: 0 success, 1 a data error (or a name not
found), 2 a usage error.  Every failure is one ``syriamap: error:`` line on
stderr, never a traceback.  The bad inputs are real files in ``tmp_path``: a
missing file, a PNG named ``.csv``, text in UTF-16 without a byte-order mark,
unknown columns (and ``--columns`` fixing them), an empty file, and an output
under a regular file (which no user, root included, can create).

The runs share one built gazetteer (``SYRIAMAP_CACHE_DIR`` from the environment,
else a session folder) and each test gets its own config and data folders, so
nothing touches the user's real ones.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = shutil.which("syriamap", path=str(Path(sys.executable).parent))
HEAVY = ("pandas", "numpy", "folium", "pyarrow", "scipy", "branca", "jinja2")

#: A few events in our schema (made-up ids; real towns at their well-known coordinates).
EVENTS_CSV = (
    "event_id,event_date,event_type,location,admin1,country,latitude,longitude,fatalities\n"
    "t:1,2016-03-01,Battles,Homs,Homs,Syria,34.73,36.72,3\n"
    "t:2,2016-03-02,Explosions/Remote violence,Aleppo,Aleppo,Syria,36.20,37.16,5\n"
    "t:3,2016-03-05,Violence against civilians,Idlib,Idlib,Syria,35.93,36.63,1\n"
)
#: The same events as a user's spreadsheet names its columns.
SPREADSHEET_CSV = (
    "id,date,type,town,lat,lon\n"
    "s:1,2016-03-01,Battles,Homs,34.73,36.72\n"
    "s:2,2016-03-02,Battles,Aleppo,36.20,37.16\n"
)
SPREADSHEET_COLUMNS = "id=event_id,date=event_date,type=event_type,town=location,lat=latitude,lon=longitude"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cache folder every run shares (the built gazetteer lives there)."""
    given = os.environ.get("SYRIAMAP_CACHE_DIR")
    return Path(given) if given else tmp_path_factory.mktemp("cache")


@pytest.fixture
def env(cache_dir: Path, tmp_path: Path) -> dict[str, str]:
    """The environment of a run: the shared cache, this test's own config and data folders."""
    if SCRIPT is None:
        pytest.fail(f"no syriamap console script next to {sys.executable}: install the package (pip install -e .)")
    out = {k: v for k, v in os.environ.items() if not k.startswith("SYRIAMAP_")}
    out.update(SYRIAMAP_CACHE_DIR=str(cache_dir), SYRIAMAP_CONFIG_DIR=str(tmp_path / "config"),
               SYRIAMAP_DATA_DIR=str(tmp_path / "data"), PYTHONIOENCODING="utf-8")
    return out


@pytest.fixture
def sm(env: dict[str, str], tmp_path: Path):
    """Run ``syriamap ARGS`` (stdin from ``input``); checks no traceback ever reaches the user."""
    def run(*args: str, input: str | bytes | None = None, extra_env: dict[str, str] | None = None,
            code: int | None = None) -> subprocess.CompletedProcess[str]:
        data = input.encode() if isinstance(input, str) else input
        proc = subprocess.run([SCRIPT, *args], input=data if data is not None else b"", capture_output=True,
                              cwd=tmp_path, env={**env, **(extra_env or {})}, timeout=600)
        done = subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                           proc.stderr.decode("utf-8", "replace"))
        assert "Traceback" not in done.stderr + done.stdout, done.stderr
        if code is not None:
            assert done.returncode == code, (args, done.returncode, done.stderr)
        return done
    return run


def error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The one error line of a failed run (warnings may come before it)."""
    lines = [line for line in done.stderr.splitlines() if line.startswith("syriamap: error: ")]
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.fixture
def events_csv(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(EVENTS_CSV, encoding="utf-8")
    return path


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    """Inputs no command can use: missing, an image, unreadable text, empty."""
    folder = tmp_path / "bad"
    folder.mkdir()
    files = {"missing": folder / "missing.csv", "png": folder / "picture.csv", "utf16": folder / "utf16.csv",
             "empty": folder / "empty.csv"}
    files["png"].write_bytes(PNG)
    files["utf16"].write_bytes(EVENTS_CSV.encode("utf-16-le"))  # no byte-order mark: nothing says how to read it
    files["empty"].write_bytes(b"")
    return files


# --------------------------------------------------------------------------- start-up and usage


def test_help_imports_no_heavy_library(sm, env):
    """``--help`` must not import pandas, numpy, folium...: the parser stays light (a check, not a timing)."""
    done = subprocess.run([sys.executable, "-X", "importtime", SCRIPT, "--help"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0 and "resolve" in done.stdout
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    assert "syriamap" in imported, "importtime saw the package"
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def test_resolve_imports_no_pandas(sm, env):
    """A lookup uses the gazetteer only: no pandas, numpy or folium."""
    code = ("import sys\n"
            "from syriamap.cli.app import main\n"
            "code = main(['resolve', 'Homs'])\n"
            f"print('HEAVY', sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
            "sys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Homs" in done.stdout and "HEAVY []" in done.stdout, done.stdout


def test_every_command_help_ends_with_an_example(sm):
    from syriamap.cli.app import build_parser

    def commands(parser, prefix=()):
        for action in parser._subparsers._group_actions if parser._subparsers else ():
            for name, sub in action.choices.items():
                yield (*prefix, name), sub
                yield from commands(sub, (*prefix, name))

    found = dict(commands(build_parser()))
    expected = {("resolve",), ("locate",), ("reverse",), ("extract",), ("map",), ("convert",), ("validate",),
                ("import", "geonames"), ("import", "open-syria"), ("import", "events"), ("gazetteer", "build"),
                ("gazetteer", "fetch"), ("gazetteer", "info"), ("gazetteer", "search"), ("gazetteer", "layers"),
                ("gazetteer", "use"), ("gazetteer", "remove-layer"), ("evaluate", "gazetteer"),
                ("evaluate", "events"), ("evaluate", "mentions"), ("online-cache",), ("demo",)}
    assert expected <= set(found), sorted(expected - set(found))
    for name, parser in found.items():
        help_text = parser.format_help()
        assert "example: syriamap " in help_text or "examples:\n  syriamap " in help_text, name
    done = sm("gazetteer", "search", "--help", code=0)
    assert "example: syriamap gazetteer search" in done.stdout


def test_usage_errors_exit_2(sm, events_csv, tmp_path):
    assert "usage: syriamap" in sm(code=2).stderr
    assert "invalid choice" in sm("frobnicate", code=2).stderr
    assert "unrecognized arguments" in sm("resolve", "Homs", "--no-such-option", code=2).stderr
    done = sm("convert", str(events_csv), str(tmp_path / "o.csv"), "--columns", "latitude", code=2)
    assert "OLD=NEW" in error_line(done)
    done = sm("resolve", "Homs", "--layers", "no-such-layer", code=2)
    assert "no-such-layer" in error_line(done)
    done = sm("import", "events", str(events_csv), "--layer", "default", code=2)
    assert "--layer" in error_line(done)
    done = sm("convert", str(events_csv), str(events_csv), code=2)
    assert "input" in error_line(done)


def test_quiet_and_verbose(sm, tmp_path):
    report = "Heavy clashes were reported in Homs on Monday, killing five people."
    loud = sm("extract", "-", "--published", "2016-03-07", "-o", str(tmp_path / "a.csv"), input=report, code=0)
    assert "written to" in loud.stderr
    quiet = sm("-q", "extract", "-", "--published", "2016-03-07", "-o", str(tmp_path / "b.csv"), input=report, code=0)
    assert quiet.stderr == ""
    assert (tmp_path / "b.csv").read_bytes() == (tmp_path / "a.csv").read_bytes()
    assert "usage" in sm("-q", "-v", "demo", code=2).stderr, "--quiet and --verbose exclude each other"


# --------------------------------------------------------------------------- lookups


def test_resolve_names_from_arguments_and_stdin(sm):
    done = sm("resolve", "Homs", "Aleppo", code=0)
    lines = done.stdout.splitlines()
    assert lines[0].split()[:3] == ["name", "place", "kind"] and len(lines) == 3
    assert "34.7" in lines[1] and "36.2" in lines[2]
    done = sm("resolve", "-", "--format", "csv", input="Homs\n\nIdlib\n", code=0)
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["name"] for r in rows] == ["Homs", "Idlib"] and all(r["country"] == "SY" for r in rows)
    done = sm("resolve", "Homs", "--format", "jsonl", "--why", "2", code=0)
    assert json.loads(done.stdout.splitlines()[0])["place"] == "Homs"
    assert "score" in done.stdout and "exact" in done.stdout


def test_resolve_a_name_not_found_exits_1(sm):
    done = sm("resolve", "Homs", "Qxqzzyvillebad", code=1)
    assert "no match" in done.stdout and done.stderr == ""


def test_locate_and_reverse(sm):
    done = sm("locate", "Aleppo", code=0)
    assert "Aleppo" in done.stdout and "36.2" in done.stdout
    assert sm("locate", "Qxqzzyvillebad", code=1).stdout.count("not found") == 1
    done = sm("reverse", "34.73,36.72", "--limit", "2", "--format", "csv", code=0)
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 2 and "Homs" in rows[0]["address"]
    done = sm("reverse", "-", input="36.2,37.16\n", code=0)
    assert "Aleppo" in done.stdout
    done = sm("reverse", "not-a-point", code=2)
    assert "not-a-point" in error_line(done)


# --------------------------------------------------------------------------- gazetteer files


def test_gazetteer_build_info_search_layers(sm):
    assert "embedded gazetteer ready" in sm("gazetteer", "build", code=0).stdout
    info = sm("gazetteer", "info", "--top", "1000", code=0).stdout
    for word in ("file", "size", "fingerprint", "layers", "places by kind", "populated_place", "places by country",
                 "SY"):
        assert word in info, word
    found = sm("gazetteer", "search", "Homs", "--limit", "3", code=0).stdout
    assert found.splitlines()[0].split()[:2] == ["rank", "place"]
    assert "#1 Homs" in found and "exact match" in found
    rows = [json.loads(line) for line in sm("gazetteer", "search", "Homs", "--format", "jsonl", code=0).stdout.splitlines()]
    assert rows[0]["rank"] == 1 and rows[0]["reasons"] and len(rows) <= 5
    assert "no candidate" in sm("gazetteer", "search", "Qxqzzyvillebad", code=1).stdout
    assert "default" in sm("gazetteer", "layers", code=0).stdout


def test_what_import_writes_is_what_lookups_read(sm, tmp_path):
    """No option, no variable: ``import`` creates the user's file and the next lookup reads it."""
    table = tmp_path / "acled-like.csv"
    table.write_text("place,latitude,longitude,geo_precision,admin1,country\n"
                     "Zorbatiyya Qibliyya,35.1111,37.2222,1,Hama,Syria\n"
                     "Zorbatiyya Qibliyya,35.1113,37.2224,1,Hama,Syria\n", encoding="utf-8")
    done = sm("import", "events", str(table), "--format", "acled", code=1)
    assert "unchanged" in error_line(done) and "location" in error_line(done)
    done = sm("import", "events", str(table), "--format", "acled", "--columns", "town=location", code=1)
    assert "'town'" in error_line(done) and "place, latitude" in error_line(done), "names the columns that exist"
    sm("import", "events", str(table), "--format", "acled", "--columns", "place=location", "--layer", "mine", code=0)
    written = tmp_path / "data" / "gazetteer.sqlite"
    assert written.is_file()
    done = sm("resolve", "Zorbatiyya Qibliyya", "--format", "csv", code=0)
    row = next(csv.DictReader(io.StringIO(done.stdout)))
    assert row["place_id"].startswith("mine:") and abs(float(row["latitude"]) - 35.1112) < 1e-3
    assert "mine" in sm("gazetteer", "layers", code=0).stdout
    assert str(written) in sm("gazetteer", "info", code=0).stdout
    sm("gazetteer", "remove-layer", "mine", code=0)
    done = sm("resolve", "Zorbatiyya Qibliyya", "--format", "csv")
    assert not next(csv.DictReader(io.StringIO(done.stdout)))["place_id"].startswith("mine:")
    assert "no layer 'mine'" in error_line(sm("gazetteer", "remove-layer", "mine", code=1))


def test_gazetteer_use_and_a_file_that_is_not_one(sm, tmp_path, bad_files):
    other = tmp_path / "other.sqlite"
    built = Path(sm("gazetteer", "build", code=0).stdout.split(": ", 1)[1].split(" (")[0])
    shutil.copyfile(built, other)
    assert str(other) in sm("gazetteer", "use", str(other), code=0).stdout
    assert str(other) in sm("gazetteer", "info", code=0).stdout
    sm("gazetteer", "use", "--embedded", code=0)
    assert error_line(sm("gazetteer", "use", str(bad_files["png"]), code=1))
    assert "not found" in error_line(sm("gazetteer", "info", "--gazetteer", str(bad_files["missing"]), code=1))
    assert "missing.csv" in error_line(sm("resolve", "Homs", "--gazetteer", str(bad_files["missing"]), code=1))


def test_online_cache_info(sm, tmp_path):
    done = sm("online-cache", "info", "--cache", str(tmp_path / "online.sqlite"), code=0)
    assert "online.sqlite" in done.stdout
    assert sm("online-cache", "clear", "--cache", str(tmp_path / "online.sqlite"), code=0).stdout.endswith("answer(s)\n")


# --------------------------------------------------------------------------- event files


def test_convert_validate_and_map(sm, events_csv, tmp_path):
    out = tmp_path / "events.geojson"
    done = sm("convert", str(events_csv), str(out), code=0)
    assert "3 events" in done.stderr and len(json.loads(out.read_text())["features"]) == 3
    assert "3 rows: OK" in sm("validate", str(out), code=0).stdout
    html = tmp_path / "map.html"
    done = sm("map", str(events_csv), "-o", str(html), "--tiles", "none", code=0)
    assert "3 events ->" in done.stdout and html.stat().st_size > 1000


def _map_page(sm, events_csv: Path, tmp_path: Path) -> str:
    """The page `syriamap map` writes with no option but --tiles none."""
    html = tmp_path / "plain.html"
    sm("map", str(events_csv), "-o", str(html), "--tiles", "none", code=0)
    return html.read_text(encoding="utf-8")


def test_map_choropleth_and_png(sm, events_csv, tmp_path):
    """--choropleth colours the shipped governorate outlines; --png writes a real image of the map."""
    pytest.importorskip("playwright")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium is missing: install Debian's chromium")
    html, png = tmp_path / "map.html", tmp_path / "map.png"
    done = sm("map", str(events_csv), "-o", str(html), "--aggregate", "admin1", "--choropleth", "--png", str(png),
              "--tiles", "none", code=0)
    assert f"image -> {png}" in done.stdout
    page = html.read_text(encoding="utf-8")
    assert "SyriaMap.choropleth(" in page and "SyriaMap.choropleth(" not in _map_page(sm, events_csv, tmp_path)
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(head[16:20], "big") == 1280 and int.from_bytes(head[20:24], "big") == 900
    assert "image over its input" in error_line(sm("map", str(events_csv), "--png", str(events_csv), code=2))


def test_stdin_and_stdout(sm, events_csv):
    done = sm("convert", "-", "-", input=events_csv.read_bytes(), code=0)
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["event_id"] for r in rows] == ["t:1", "t:2", "t:3"] and rows[0]["latitude"].startswith("34.73")
    done = sm("convert", "-", "-", "--to", "geojson", input=events_csv.read_bytes(), code=0)
    assert json.loads(done.stdout)["type"] == "FeatureCollection"
    bad = EVENTS_CSV.replace("34.73,36.72", "134.73,36.72")
    done = sm("validate", "-", "--problems", "-", input=bad, code=1)
    problems = list(csv.DictReader(io.StringIO(done.stdout)))
    assert problems and "latitude" in done.stdout and "rows" in done.stderr, "the report goes to stderr"


def test_columns_fix_a_users_spreadsheet(sm, tmp_path):
    sheet = tmp_path / "mine.csv"
    sheet.write_text(SPREADSHEET_CSV, encoding="utf-8")
    done = sm("validate", str(sheet), code=1)
    assert "missing required column" in error_line(done)
    done = sm("validate", str(sheet), "--columns", "lat=latitude,nope=x", code=1)
    line = error_line(done)
    assert "'nope'" in line and "id, date, type, town, lat, lon" in line, "names the columns that exist"
    assert "2 rows: OK" in sm("validate", str(sheet), "--columns", SPREADSHEET_COLUMNS, code=0).stdout
    halves = SPREADSHEET_COLUMNS.split(",")
    done = sm("convert", str(sheet), "-", "--columns", ",".join(halves[:3]), "--columns", ",".join(halves[3:]), code=0)
    assert next(csv.DictReader(io.StringIO(done.stdout)))["location"] == "Homs", "--columns is repeatable"
    html = tmp_path / "mine.html"
    sm("map", str(sheet), "-o", str(html), "--tiles", "none", "--columns", SPREADSHEET_COLUMNS, code=0)
    assert html.is_file()


@pytest.mark.parametrize("bad", ["missing", "png", "utf16", "empty"])
@pytest.mark.parametrize("command", ["validate", "convert", "map", "import events", "evaluate events", "extract"])
def test_bad_inputs_are_one_line_and_exit_1(sm, bad_files, tmp_path, command, bad):
    path = bad_files[bad]
    args = {
        "validate": ["validate", str(path)],
        "convert": ["convert", str(path), str(tmp_path / "out.csv")],
        "map": ["map", str(path), "-o", str(tmp_path / "out.html")],
        "import events": ["import", "events", str(path), "--into", str(tmp_path / "g.sqlite")],
        "evaluate events": ["evaluate", "events", str(path)],
        "extract": ["extract", str(path), "-o", str(tmp_path / "out.csv")],
    }[command]
    done = sm(*args)
    if command == "extract" and bad in ("png", "utf16"):
        # a table of articles that holds no text column, or text with no place: a clear message either way
        assert done.returncode in (0, 1), done.stderr
        if done.returncode == 1:
            assert path.name in error_line(done)
        return
    assert done.returncode == 1, (done.returncode, done.stderr)
    line = error_line(done)
    assert path.name in line, line
    if bad == "missing":
        assert "no such file" in line.lower() or "not found" in line.lower()
    if bad == "png" and command in ("validate", "convert", "map"):
        assert "PNG image" in line


@pytest.mark.parametrize("command", ["convert", "extract", "map", "validate --problems", "demo"])
def test_unwritable_output_is_a_data_error(sm, events_csv, tmp_path, command):
    blocker = tmp_path / "file.txt"
    blocker.write_text("a regular file, so nothing can be created under it (not even by root)\n")
    target = blocker / "out"
    args = {
        "convert": ["convert", str(events_csv), f"{target}.csv"],
        "extract": ["extract", "-", "--published", "2016-03-07", "-o", f"{target}.csv"],
        "map": ["map", str(events_csv), "-o", f"{target}.html"],
        "validate --problems": ["validate", str(events_csv.parent / "bad.csv"), "--problems", f"{target}.csv"],
        "demo": ["demo", "-o", f"{target}.html"],
    }[command]
    (events_csv.parent / "bad.csv").write_text(EVENTS_CSV.replace("34.73", "134.73"), encoding="utf-8")
    done = sm(*args, input="Clashes in Homs killed two people.", code=1)
    line = error_line(done)
    assert "file.txt" in line, line


# --------------------------------------------------------------------------- text and evaluation


def test_extract_from_stdin_and_a_table(sm, tmp_path):
    report = "Heavy clashes were reported in Homs on Monday, killing five people."
    done = sm("extract", "-", "--published", "2016-03-07", input=report, code=0)
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows and rows[0]["location"] == "Homs"
    assert "no text" in error_line(sm("extract", "-", input="   \n", code=1))
    articles = tmp_path / "articles.csv"
    articles.write_text('body,published\n"Clashes in Idlib killed three fighters.",2016-03-02\n', encoding="utf-8")
    done = sm("extract", str(articles), "--published", "published", code=1)
    assert "'text'" in error_line(done) and "body, published" in error_line(done)
    done = sm("extract", str(articles), "--published", "published", "--text-column", "body", code=0)
    assert "Idlib" in done.stdout


def test_evaluate_gazetteer_with_columns(sm, tmp_path):
    gold = tmp_path / "gold.csv"
    gold.write_text("town,lat,lon\nHoms,34.73,36.72\nAleppo,36.20,37.16\n", encoding="utf-8")
    done = sm("evaluate", "gazetteer", str(gold), "--columns", "town=name,lat=latitude,lon=longitude", code=0)
    assert "2" in done.stdout and "within" in done.stdout
    done = sm("evaluate", "gazetteer", str(gold), code=1)
    assert "--columns" in error_line(done)
    done = sm("evaluate", "mentions", str(gold), code=1)
    assert error_line(done)


def test_demo_refuses_a_folder_and_a_missing_folder(sm, tmp_path):
    assert "folder" in error_line(sm("demo", "-o", str(tmp_path), code=2))
    assert "does not exist" in error_line(sm("demo", "-o", str(tmp_path / "nowhere" / "m.html"), code=1))


def test_the_cli_format_lists_match_the_readers_and_writers():
    from syriamap.cli import events
    from syriamap.demo import DEFAULT_OUTPUT
    from syriamap.cli import demo
    from syriamap.io import READERS, WRITERS

    assert tuple(sorted(READERS)) == events.READ_FORMATS and tuple(sorted(WRITERS)) == events.WRITE_FORMATS
    assert demo.DEFAULT_OUTPUT == DEFAULT_OUTPUT
