"""Building the embedded default: cached by fingerprint, rebuilt on change, safe under concurrency."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from syriamap.gazetteer import Gazetteer, GazetteerFileError, Place, build, sources, store


@pytest.fixture()
def small_sources(tmp_path, monkeypatch):
    """A private cache dir and a GeoNames source cut down to two places, so builds take milliseconds.

    The shipped prebuilt default (made from the real sources, with the same
    fingerprint) is hidden, so these builds really build.
    """
    monkeypatch.setenv("SYRIAMAP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(build, "prebuilt_folder", lambda: tmp_path / "no-prebuilt-here")
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


# --------------------------------------------------------------------------- the shipped prebuilt default


def _dump(path: Path) -> list[tuple]:
    conn = store.connect(path)
    try:
        return conn.execute("SELECT id, name, latitude, longitude FROM places ORDER BY id").fetchall()
    finally:
        conn.close()


def test_a_matching_prebuilt_is_unpacked_instead_of_built(small_sources, monkeypatch, tmp_path):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "default-0000000000000000.sqlite.xz").write_bytes(b"an older one")
    prebuilt = build.write_prebuilt(shipped)
    assert [p.name for p in shipped.iterdir()] == [prebuilt.name], "older prebuilt files are removed"
    assert prebuilt.name == f"default-{build.fingerprint()}.sqlite.xz"
    built = build.ensure_embedded()
    expected = _dump(built)
    built.unlink()

    def no_build(path):
        raise AssertionError("built although a matching prebuilt was shipped")

    monkeypatch.setattr(build, "prebuilt_folder", lambda: shipped)
    monkeypatch.setattr(build, "build_default", no_build)
    unpacked = build.ensure_embedded()
    assert unpacked == built and _dump(unpacked) == expected
    assert Gazetteer(unpacked).resolve("Alpha").place.id == "gn:1"


def test_the_prebuilt_is_reproducible(small_sources, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    one = build.write_prebuilt(first).read_bytes()
    build.ensure_embedded().unlink()
    assert build.write_prebuilt(second).read_bytes() == one, "same sources, same bytes"


def test_a_damaged_or_stale_prebuilt_is_not_used(small_sources, monkeypatch, tmp_path, caplog):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    monkeypatch.setattr(build, "prebuilt_folder", lambda: shipped)
    target = build.default_path()
    (shipped / f"default-{build.fingerprint()}.sqlite.xz").write_bytes(b"\xfd7zXZ\x00 truncated")
    path = build.ensure_embedded()  # built from the sources instead, with a warning
    assert "unusable" in caplog.text and path == target
    assert Gazetteer(path).resolve("Beta").place.id == "gn:2"
    assert not list(target.parent.glob("*.tmp")), "no half-unpacked file left"


# --------------------------------------------------------------------------- which file is the default


def test_the_default_file_env_then_choice_then_embedded(small_sources, monkeypatch, tmp_path):
    monkeypatch.setenv("SYRIAMAP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("SYRIAMAP_GAZETTEER", raising=False)
    embedded = build.ensure_embedded()
    assert build.ensure_default() == embedded
    mine = tmp_path / "mine.sqlite"
    Gazetteer.from_places([Place(id="u:1", name="Gamma", kind="populated_place", latitude=1, longitude=2)], mine).close()
    assert build.set_default(mine) == mine.resolve()
    assert build.ensure_default() == mine.resolve()
    assert Gazetteer().resolve("Gamma").place.id == "u:1", "Gazetteer() opens the chosen file"
    other = tmp_path / "other.sqlite"
    shutil.copyfile(mine, other)
    monkeypatch.setenv("SYRIAMAP_GAZETTEER", str(other))
    assert build.ensure_default() == other, "the environment variable comes first"
    monkeypatch.delenv("SYRIAMAP_GAZETTEER")
    build.set_default(None)
    assert build.ensure_default() == embedded
    with pytest.raises(GazetteerFileError):
        build.set_default(tmp_path / "missing.sqlite")


def test_the_embedded_layer_of_the_users_file_follows_the_sources(small_sources, monkeypatch, tmp_path):
    """After an upgrade, the user's default file gets the new embedded layer and keeps its own layers."""
    monkeypatch.setenv("SYRIAMAP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("SYRIAMAP_GAZETTEER", raising=False)
    mine = tmp_path / "mine.sqlite"
    with store.transaction(mine, base=build.ensure_embedded()) as conn:  # as the importers start a file
        store.write_layer(conn, "own", [Place(id="u:1", name="Delta", kind="populated_place", latitude=1, longitude=2)],
                          source="test", priority=1)
    build.set_default(mine)
    assert build.ensure_default() == mine.resolve()
    assert Gazetteer().resolve("Gamma Town") is None
    extra = tmp_path / "extra.tsv"
    extra.write_text(
        "\t".join(sources.PLACE_COLUMNS) + "\n"
        + "\t".join(["sm:gamma", "Gamma", "populated_place", "", "35.5", "38.5", "SY", "", "", "", "", "", "Gamma Town@en", ""])
        + "\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sources, "curated_files", lambda real=sources.curated_files: [*real(), extra])  # the upgrade
    assert build.ensure_default() == mine.resolve()
    gz = Gazetteer()
    assert gz.resolve("Gamma Town").place.id == "sm:gamma" and gz.resolve("Delta").place.id == "u:1"
    assert gz.resolve("Alpha").place.id == "gn:1"
    conn = store.connect(mine)
    try:
        assert store.read_meta(conn)["fingerprint"] == build.fingerprint()
        assert {r["name"] for r in store.layers(conn)} == {"default", "own"}
    finally:
        conn.close()
    before = mine.stat().st_mtime_ns
    build.ensure_default()
    assert mine.stat().st_mtime_ns == before, "a current file is not rewritten"


def test_the_build_shows_a_progress_line_on_stderr(small_sources, capsys):
    build.ensure_embedded()
    captured = capsys.readouterr()
    assert "building the embedded gazetteer" in captured.err and "places" in captured.err
    assert captured.out == "", "library code never prints to stdout"
