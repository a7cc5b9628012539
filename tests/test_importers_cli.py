"""The importers' command line: ``syriamap import ...`` and ``syriamap gazetteer layers/remove-layer``."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from syriamap.cli.app import main
from syriamap.gazetteer import Gazetteer


def run(argv: list[str]) -> int:
    """Run ``syriamap ARGV`` in this process; returns the exit code."""
    return main(argv)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_import_events_list_and_remove_layers(ucdp_2016, tmp_path, capsys):
    into = tmp_path / "mine.sqlite"
    assert run(["import", "events", str(ucdp_2016), "--into", str(into), "--layer", "ged2016"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 2 and "'ged2016'" in out[0] and str(into) in out[0]
    assert out[1] == f"use it with --gazetteer {into}, or export SYRIAMAP_GAZETTEER={into}"
    assert "ged2016" in {layer["name"] for layer in Gazetteer(into).layers}

    assert run(["gazetteer", "layers", str(into)]) == 0
    listing = capsys.readouterr().out
    assert "ged2016" in listing and "default" in listing

    assert run(["gazetteer", "remove-layer", "ged2016", "--into", str(into)]) == 0
    assert "removed" in capsys.readouterr().out
    assert {layer["name"] for layer in Gazetteer(into).layers} == {"default"}
    assert run(["gazetteer", "remove-layer", "ged2016", "--into", str(into)]) == 1  # a data error
    assert "no layer 'ged2016'" in capsys.readouterr().err


def test_import_defaults_to_the_file_named_by_the_environment(ucdp_2016, tmp_path, monkeypatch, capsys):
    target = tmp_path / "env.sqlite"
    monkeypatch.setenv("SYRIAMAP_GAZETTEER", str(target))
    assert run(["import", "events", str(ucdp_2016), "--format", "ucdp"]) == 0
    assert "use it with" not in capsys.readouterr().out, "already the default: no hint needed"
    assert {layer["name"] for layer in Gazetteer(target).layers} == {"default", "ucdp"}
    assert run(["gazetteer", "layers"]) == 0
    assert str(target) in capsys.readouterr().out


def test_layers_before_any_import_shows_the_embedded_default(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SYRIAMAP_GAZETTEER", str(tmp_path / "not-yet.sqlite"))
    assert run(["gazetteer", "layers"]) == 0
    out = capsys.readouterr().out
    assert "default" in out and "not-yet.sqlite" not in out


def test_import_geonames_and_open_syria(shared_data, tmp_path, capsys):
    geotext = pytest.importorskip("geotext", reason="dev extra geotext ships a GeoNames cities15000.txt")
    cities = Path(geotext.__file__).parent / "data" / "cities15000.txt"
    into = tmp_path / "mine.sqlite"
    admin1 = shared_data / "geonames" / "admin1CodesASCII.txt"
    assert run(["import", "geonames", str(cities), str(admin1), "--countries", "SY,LB", "--into", str(into)]) == 0
    assert run(["import", "open-syria", str(shared_data / "open-syria"), "--into", str(into)]) == 0
    lines = [line for line in capsys.readouterr().out.strip().splitlines() if not line.startswith("use it with")]
    assert len(lines) == 2
    gz = Gazetteer(into, layers=["geonames"])
    assert {p.country_code for p in gz.places()} == {"SY", "LB"}
    assert len(list(Gazetteer(into, layers=["open-syria"]).places(kind="admin1"))) == 14


def test_failed_import_exits_1_with_the_reason_and_leaves_the_file(ucdp_2016, tmp_path, capsys):
    into = tmp_path / "mine.sqlite"
    assert run(["import", "events", str(ucdp_2016), "--into", str(into)]) == 0
    before = sha256(into)
    capsys.readouterr()

    bad = tmp_path / "bad.csv"
    lines = ucdp_2016.read_text(encoding="utf-8").splitlines(keepends=True)
    bad.write_text("".join(lines[:50]) + "1,2,3\n", encoding="utf-8")
    assert run(["import", "events", str(bad), "--into", str(into)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "bad.csv:51:" in captured.err and "unchanged" in captured.err
    assert sha256(into) == before

    assert run(["import", "geonames", str(bad), "--countries", "Syria", "--into", str(into)]) == 2
    assert "two-letter" in capsys.readouterr().err
    assert run(["gazetteer", "layers", str(tmp_path / "none.sqlite")]) == 1  # a missing file is a data error
    assert "not found" in capsys.readouterr().err
    assert sha256(into) == before
