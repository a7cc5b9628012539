"""The scripts in examples/ run as a user would run them, and print what they promise."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _run(*args: str) -> str:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_resolve_names_explains_its_choices():
    out = _run(str(EXAMPLES / "resolve_names.py"), "Dayr az Zawr", "Raqqa governorate", "Qxqxqxq")
    lines = out.splitlines()
    assert lines[0].startswith("'Dayr az Zawr' -> Deir ez-Zor (populated_place")
    assert any(line.startswith("'Raqqa governorate' -> ") and "(admin1," in line for line in lines)
    assert "'Qxqxqxq': no place found" in lines
    assert "descriptor says admin1" in out


def test_geopy_dataframe_keeps_every_row():
    out = _run(str(EXAMPLES / "geopy_dataframe.py"))
    rows = out.splitlines()[1:]
    assert len(rows) == 7, "one line per input row, misses included"
    assert sum("not found" in r for r in rows) == 2
    assert any("Deir ez-Zor" in r for r in rows)


def test_ucdp_to_map_writes_an_offline_map(ucdp_2016, tmp_path):
    out_html = tmp_path / "syria.html"
    out = _run(str(EXAMPLES / "ucdp_to_map.py"), str(ucdp_2016), str(out_html))
    assert "6170 rows: OK" in out.replace(",", "")
    page = out_html.read_text(encoding="utf-8")
    assert "<script src=\"http" not in page and "<link rel=\"stylesheet\" href=\"http" not in page
    assert "UCDP GED: 6,170 events" in page
