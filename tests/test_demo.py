"""``syriamap demo`` through the installed console script: dispatches -> events -> offline map."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from syriamap.demo import DEFAULT_OUTPUT, dispatches_path, load_dispatches
from syriamap.geo import haversine_km
from syriamap.maps.payload import COORD_SCALE, decode_payload

SCRIPT = Path(sys.executable).with_name("syriamap")


def _syriamap(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    command = str(SCRIPT) if SCRIPT.is_file() else shutil.which("syriamap")
    assert command, "the syriamap console script is not installed (pip install -e .)"
    return subprocess.run([command, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """One run of ``syriamap demo`` with no arguments, in an empty folder."""
    cwd = tmp_path_factory.mktemp("demo")
    return _syriamap("demo", cwd=cwd), cwd


def test_the_dispatches_ship_inside_the_package():
    path = dispatches_path()
    assert path.is_file() and path.parent.name == "data" and path.parent.parent.name == "syriamap"
    table = load_dispatches()
    assert len(table) == len(path.read_text(encoding="utf-8").splitlines()) >= 10
    assert list(table.columns[:4]) == ["id", "published", "source", "text"]
    assert table["id"].is_unique and table["text"].str.len().gt(50).all()
    assert not (Path(__file__).resolve().parents[1] / "examples" / "dispatches.jsonl").exists(), \
        "one copy of the dispatches: the packaged one"


def test_demo_prints_the_path_of_the_map_it_wrote(demo_run):
    done, cwd = demo_run
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    printed = Path(done.stdout.strip())
    assert printed == (cwd / DEFAULT_OUTPUT).resolve()
    assert printed.is_file() and printed.stat().st_size > 10_000


def test_demo_map_is_offline_and_holds_the_extracted_events(demo_run):
    done, cwd = demo_run
    page = (cwd / DEFAULT_OUTPUT).read_text(encoding="utf-8")
    assert not re.search(r'<script src="https?:', page), "an offline page loads no script from the network"
    assert not re.search(r'<link rel="stylesheet" href="https?:', page)
    counted = re.search(r"(\d+) events \((\d+) located\) extracted", done.stderr)
    assert counted, done.stderr
    located = int(counted.group(2))
    assert located >= len(load_dispatches()) - 3, "most dispatches give a located event"
    assert f'"{located} events, ' in page, "the caption counts the events drawn"
    payload = decode_payload(re.search(r'<script type="text/plain" id="[^"]+-payload">([^<]+)<', page).group(1))
    points = [(a / COORD_SCALE, b / COORD_SCALE) for a, b in zip(payload["lat"], payload["lon"])]
    assert len(points) == located
    # Baghuz, by the Iraqi border, and Khan Shaykhun, in southern Idlib, are named in the dispatches.
    for place in [(34.46, 40.94), (35.44, 36.65)]:
        assert min(haversine_km(p, place) for p in points) < 10, place
    types = {v for col in payload["cols"] for v in col["v"]}
    assert {"Battles", "Explosions/Remote violence", "Protests"} <= types


def test_demo_writes_where_told(tmp_path):
    out = tmp_path / "nested name with spaces.html"
    done = _syriamap("demo", "-o", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == out.resolve() and out.is_file()
    assert not (tmp_path / DEFAULT_OUTPUT).exists()


@pytest.mark.parametrize("target", ["missing-folder/map.html", "."], ids=["missing folder", "a folder"])
def test_demo_bad_output_is_one_clear_line(tmp_path, target):
    done = _syriamap("demo", "-o", target, cwd=tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("syriamap: error:"), done.stderr
    assert "folder" in done.stderr.splitlines()[-1]
    assert done.stdout == ""


def test_demo_help_has_an_example(tmp_path):
    done = _syriamap("demo", "--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "example: syriamap demo" in done.stdout
