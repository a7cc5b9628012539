"""Building the embedded default: cached by fingerprint, rebuilt on change, safe under concurrency."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from syriamap.gazetteer import Gazetteer, GazetteerFileError, Place, build, sources, store


@pytest.fixture()
def small_sources(tmp_path, monkeypatch):
    """A private cache dir and a GeoNames source cut down to two places, so builds take milliseconds."""
    monkeypatch.setenv("SYRIAMAP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(
        sources, "geonames_places",
        lambda overrides, skip_countries=frozenset(), display_names=None: iter([
            Place(id="gn:1", name="Alpha", kind="populated_place", latitude=35.0, longitude=38.0, country_code="SY"),
            Place(id="gn:2", name="Beta", kind="populated_place", latitude=34.0, longitude=37.0, country_code="SY"),
        ]),
    )
    return tmp_path


def test_built_once_then_reused(small_sources):
    first = build.ensure_default()
    mtime = first.stat().st_mtime_ns
    again = build.ensure_default()
    assert again == first and again.stat().st_mtime_ns == mtime
    assert Gazetteer(first).resolve("Alpha").place.id == "gn:1"


def test_rebuilt_when_a_source_changes(small_sources, monkeypatch, tmp_path):
    old = build.ensure_default()
    extra = tmp_path / "extra.tsv"
    extra.write_text(
        "\t".join(sources.PLACE_COLUMNS) + "\n"
        + "\t".join(["sm:gamma", "Gamma", "populated_place", "", "35.5", "38.5", "SY", "", "", "", "", "", "Gamma Town@en", ""])
        + "\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sources, "curated_files", lambda real=sources.curated_files: [*real(), extra])
    new = build.ensure_default()
    assert new != old
    assert old.exists(), "another installed version may still use the older build"
    assert Gazetteer(new).resolve("Gamma Town").place.id == "sm:gamma"


def test_only_the_newest_builds_are_kept(tmp_path):
    for i in range(5):
        f = tmp_path / f"gazetteer-{i:016x}.sqlite"
        f.write_bytes(b"x")
        os.utime(f, (1_000_000 + i, 1_000_000 + i))
    (tmp_path / "gazetteer-0000000000000000.sqlite.abc.tmp").write_bytes(b"in progress")
    build._prune(tmp_path, keep=3)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [
        "gazetteer-0000000000000000.sqlite.abc.tmp",  # another process's build in progress is never touched
        "gazetteer-0000000000000002.sqlite",
        "gazetteer-0000000000000003.sqlite",
        "gazetteer-0000000000000004.sqlite",
    ]


def test_failed_write_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "g.sqlite"
    Gazetteer.from_places(
        [Place(id="a:1", name="Alpha", kind="populated_place", latitude=1.0, longitude=2.0)], path
    ).close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    bad = Place(id="a:2", name="Bad", kind="populated_place", latitude=95.0, longitude=2.0)
    with pytest.raises(GazetteerFileError, match="out of range"):
        with store.transaction(path) as conn:
            store.write_layer(conn, "more", [bad], source="test")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob("*.tmp")), "no temporary file is left behind"


def test_a_file_that_is_not_a_gazetteer_is_refused(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(GazetteerFileError, match="not a syriamap gazetteer"):
        Gazetteer(junk)
    with pytest.raises(GazetteerFileError, match="not found"):
        Gazetteer(tmp_path / "missing.sqlite")


def test_two_processes_building_at_once_get_one_whole_file(tmp_path):
    """The real build, twice at the same moment, in a fresh cache directory."""
    env = {**os.environ, "SYRIAMAP_CACHE_DIR": str(tmp_path / "cache")}
    code = textwrap.dedent(
        """
        from syriamap.gazetteer import Gazetteer
        gz = Gazetteer()
        best = gz.resolve("Deir ez-Zor")
        print(gz.path, best.place.id)
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    lines = {o[0].strip() for o in outs}
    assert len(lines) == 1, lines
    files = list((tmp_path / "cache").glob("gazetteer-*.sqlite"))
    assert len(files) == 1
    assert Path(lines.pop().split()[0]) == files[0]
