"""Open-Syria geography import, on the real release files in ``../shared/data/open-syria``."""
from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from syriamap.gazetteer import Gazetteer
from syriamap.gazetteer.importers import GazetteerImportError, import_open_syria, read_open_syria


@pytest.fixture(scope="module")
def release(shared_data: Path) -> Path:
    folder = shared_data / "open-syria"
    if not (folder / "subdistricts.json").is_file():
        pytest.skip("Open-Syria files missing")
    return folder


@pytest.fixture(scope="module")
def records(release: Path) -> dict[str, list[dict]]:
    return {name: json.loads((release / f"{name}.json").read_text(encoding="utf-8"))
            for name in ("governorates", "districts", "subdistricts")}


@pytest.fixture(scope="module")
def imported(release: Path, tmp_path_factory) -> Path:
    into = tmp_path_factory.mktemp("opensyria") / "gazetteer.sqlite"
    import_open_syria(release, into)
    return into


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_counts_kinds_and_ids(imported, records):
    gz = Gazetteer(imported, layers=["open-syria"])
    places = list(gz.places())
    assert Counter(p.kind for p in places) == {"admin1": 14, "admin2": 62, "admin3": 272}
    expected = {f"os:{r['externalIds']['ochaPcode']}" for level in records.values() for r in level}
    assert {p.id for p in places} == expected
    assert all(p.country_code == "SY" for p in places)


def test_parents_exist_and_admin_names_come_from_them(imported, records):
    gz = Gazetteer(imported, layers=["open-syria"])
    for place in gz.places(kind="admin3"):
        district = gz.get(place.parent_id)
        assert district is not None and district.kind == "admin2", place.id
        governorate = gz.get(district.parent_id)
        assert governorate is not None and governorate.kind == "admin1", district.id
        assert (place.admin1, place.admin2) == (governorate.name, district.name)
    for place in gz.places(kind="admin1"):
        assert place.parent_id is None and place.admin1 == place.name
    # The JSON's own links agree with the parents the import set.
    pcode = {r["id"]: r["externalIds"]["ochaPcode"] for level in records.values() for r in level}
    for record in records["subdistricts"]:
        assert gz.get(f"os:{record['externalIds']['ochaPcode']}").parent_id == f"os:{pcode[record['districtId']]}"


def test_centroids_and_names_follow_the_records(imported, records):
    gz = Gazetteer(imported, layers=["open-syria"])
    for record in records["districts"]:
        place = gz.get(f"os:{record['externalIds']['ochaPcode']}")
        assert place.name == record["name"]["en"].strip()
        assert place.point == (record["centroid"]["latitude"], record["centroid"]["longitude"])
        aliases = {a.name: a for a in place.aliases}
        assert aliases[record["name"]["ar"]].lang == "ar"
        assert {a["value"].strip() for a in record["aliases"]} - {place.name} <= set(aliases)


@pytest.mark.parametrize("level, kind", [("governorates", "admin1"), ("districts", "admin2"), ("subdistricts", "admin3")])
def test_arabic_names_are_indexed(imported, records, level, kind):
    """Each Arabic name that is unique within its level finds its own place
    (ريف دمشق included: the governorate, not Damascus)."""
    gz = Gazetteer(imported, layers=["open-syria"])
    counts = Counter(r["name"]["ar"] for r in records[level])
    unique = [r for r in records[level] if counts[r["name"]["ar"]] == 1]
    assert len(unique) >= 0.8 * len(records[level])
    for record in unique:
        best = gz.resolve(record["name"]["ar"], kind=kind)
        assert best is not None and best.place.id == f"os:{record['externalIds']['ochaPcode']}", record["name"]


def test_malformed_release_names_the_problem_and_leaves_the_file_unchanged(release, tmp_path):
    into = tmp_path / "gazetteer.sqlite"
    import_open_syria(release, into)
    before = sha256(into)

    broken = tmp_path / "broken"
    shutil.copytree(release, broken)
    subdistricts = json.loads((broken / "subdistricts.json").read_text(encoding="utf-8"))
    subdistricts[5]["districtId"] = "sy-nowhere"
    (broken / "subdistricts.json").write_text(json.dumps(subdistricts), encoding="utf-8")
    with pytest.raises(GazetteerImportError, match=r"^subdistricts.json: record 5 .*districtId 'sy-nowhere'"):
        import_open_syria(broken, into)

    shutil.copy(release / "subdistricts.json", broken / "subdistricts.json")
    districts = json.loads((broken / "districts.json").read_text(encoding="utf-8"))
    districts[3]["centroid"]["latitude"] = "north"
    (broken / "districts.json").write_text(json.dumps(districts), encoding="utf-8")
    with pytest.raises(GazetteerImportError, match=r"^districts.json: record 3 .*centroid.latitude 'north'"):
        import_open_syria(broken, into)

    text = (release / "governorates.json").read_text(encoding="utf-8")
    (broken / "governorates.json").write_text(text.replace("}", "", 1), encoding="utf-8")
    with pytest.raises(GazetteerImportError, match=r"^governorates.json:\d+: not valid JSON"):
        import_open_syria(broken, into)

    (broken / "governorates.json").unlink()
    with pytest.raises(GazetteerImportError, match=r"^governorates.json: file missing"):
        read_open_syria(broken)
    assert sha256(into) == before
