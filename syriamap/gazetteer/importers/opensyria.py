"""Importing the Open-Syria geography JSON (Syria's admin levels 1-3) into a gazetteer layer.

The Open-Syria data-geography release (CC BY 4.0, attribution to OpenSyria and
its sources: OCHA COD-AB via geoBoundaries and HDX, GeoNames, Wikidata, the US
Census Bureau) has three files, each a JSON list of records:

* ``governorates.json``: ``id``, ``name`` (``{"en": ..., "ar": ...}``),
  ``aliases`` (``[{"value", "language", "type"}]``), ``centroid``
  (``{"latitude", "longitude"}``), ``population`` (``{"value", "year"}`` or
  null), ``externalIds`` (``ochaPcode``, ``geonames``, ``wikidata``...);
* ``districts.json``: the same plus ``governorateId``;
* ``subdistricts.json``: the same plus ``governorateId`` and ``districtId``.

They become places ``os:<P-code>`` of kinds admin1, admin2 and admin3, with the
English name as the name, the Arabic name and every alias as aliases, the
centroid as the point, the parent's P-code as ``parent_id``, and the admin1 and
admin2 names filled in from the parents.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

from syriamap.gazetteer.importers.common import (
    GazetteerImportError,
    ImportReport,
    check_layer_name,
    target,
    write_import_layer,
)
from syriamap.gazetteer.model import Alias, Place
from syriamap.normalize import script_of

logger = logging.getLogger(__name__)

#: Largest release file read (the real ones are well under a megabyte).
MAX_JSON_BYTES = 64 << 20
#: The files of a release, their kind, and the field naming each level's parent.
LEVELS: tuple[tuple[str, str, str | None], ...] = (
    ("governorates.json", "admin1", None),
    ("districts.json", "admin2", "governorateId"),
    ("subdistricts.json", "admin3", "districtId"),
)
_FEATURES = {"admin1": "governorate", "admin2": "district", "admin3": "subdistrict"}
SOURCE = "Open-Syria data-geography (CC BY 4.0; OCHA COD-AB, GeoNames, Wikidata, US Census Bureau)"


def read_open_syria(directory: str | Path) -> list[Place]:
    """The places of an Open-Syria release folder, governorates first.

    Raises :class:`GazetteerImportError` naming the file and the record (or the
    JSON line) of anything that does not follow the layout above.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise GazetteerImportError(directory, None, "not a folder (expected the Open-Syria folder holding "
                                   + ", ".join(name for name, _, _ in LEVELS) + ")")
    by_key: dict[str, Place] = {}  # Open-Syria id -> place
    ids: set[str] = set()
    for filename, kind, parent_field in LEVELS:
        path = directory / filename
        for index, record in enumerate(_load(path)):
            key = str(_field(path, index, record, "id"))
            place = _place(path, index, record, kind, parent_field, by_key)
            if key in by_key or place.id in ids:
                raise GazetteerImportError(path, None, f"record {index} ({key}): id or P-code given twice")
            by_key[key] = place
            ids.add(place.id)
    return list(by_key.values())


def import_open_syria(
    directory: str | Path, into: str | Path | None = None, *, layer: str = "open-syria", allow_empty: bool = False
) -> ImportReport:
    """Import an Open-Syria release folder as ``layer`` of the gazetteer file ``into``.

    ``into`` defaults to the user's gazetteer.  On a malformed file, or files
    with no record (unless ``allow_empty``), nothing is written and
    :class:`GazetteerImportError` says where the problem is.
    """
    check_layer_name(layer)
    places = read_open_syria(directory)
    with target(into) as (path, conn):
        report = ImportReport(layer=layer, path=path, rows=len(places), used=len(places))
        report.aliases = sum(len(p.aliases) for p in places)
        report.places = write_import_layer(
            conn, report, places, file=Path(directory), allow_empty=allow_empty, source=SOURCE,
            description="Syria's governorates, districts and subdistricts",
        )
    logger.info("%s", report.summary())
    return report


def _load(path: Path) -> list[dict]:
    """The records of one release file; a malformed, huge or absurdly nested file is a clear error."""
    if not path.is_file():
        raise GazetteerImportError(path, None, "file missing from the Open-Syria folder")
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        raise GazetteerImportError(
            path, None, f"{size:,} bytes: too big for an Open-Syria file (at most {MAX_JSON_BYTES:,})"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise GazetteerImportError(path, None, "JSON nested too deeply to be an Open-Syria file") from None
    except UnicodeDecodeError as exc:
        raise GazetteerImportError(path, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise GazetteerImportError(path, exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise GazetteerImportError(path, None, "expected a JSON list of records (objects)")
    return data


def _field(path: Path, index: int, record: dict, *keys: str) -> object:
    """``record[k1][k2]...``, or an error naming the record and the missing field."""
    value: object = record
    for depth, key in enumerate(keys):
        if not isinstance(value, dict) or value.get(key) in (None, ""):
            name = record.get("id", "?")
            raise GazetteerImportError(path, None, f"record {index} ({name}): missing field {'.'.join(keys[:depth + 1])!r}")
        value = value[key]
    return value


def _place(
    path: Path, index: int, record: dict, kind: str, parent_field: str | None, by_key: dict[str, Place]
) -> Place:
    pcode = str(_field(path, index, record, "externalIds", "ochaPcode"))
    name = str(_field(path, index, record, "name", "en")).strip()
    coords = []
    for axis, limit in (("latitude", 90), ("longitude", 180)):
        value = _field(path, index, record, "centroid", axis)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not -limit <= value <= limit:
            raise GazetteerImportError(path, None, f"record {index} ({record['id']}): centroid.{axis} {value!r:.60}"
                                       " is not a coordinate")
        coords.append(float(value))
    parent = None
    if parent_field is not None:
        parent_key = _field(path, index, record, parent_field)
        parent = by_key.get(str(parent_key))
        if parent is None:
            raise GazetteerImportError(path, None, f"record {index} ({record['id']}): {parent_field} {parent_key!r:.60}"
                                       " names no record of the level above")
    population = record.get("population")
    value = population.get("value") if isinstance(population, dict) else None
    return Place(
        id=f"os:{pcode}",
        name=name,
        kind=kind,
        latitude=coords[0],
        longitude=coords[1],
        country_code="SY",
        admin1=name if parent is None else parent.admin1,
        admin2=name if kind == "admin2" else parent.admin2 if parent else None,
        parent_id=parent.id if parent else None,
        population=int(value) if isinstance(value, (int, float)) and value > 0 else None,
        feature=_FEATURES[kind],
        source=f"Open-Syria {path.name}",
        aliases=tuple(_aliases(path, index, record, name)),
    )


def _aliases(path: Path, index: int, record: dict, name: str) -> Iterator[Alias]:
    """The Arabic name, then every listed alias, once each (the English name is the place's name)."""
    seen = {name}
    arabic = (record.get("name") or {}).get("ar")
    entries = [{"value": arabic, "language": "ar"}] if arabic else []
    aliases = record.get("aliases") or []
    if not isinstance(aliases, list):
        raise GazetteerImportError(path, None, f"record {index} ({record['id']}): 'aliases' is not a list")
    entries.extend(aliases)
    for entry in entries:
        value = entry.get("value") if isinstance(entry, dict) else None
        if not isinstance(value, str):
            raise GazetteerImportError(path, None, f"record {index} ({record['id']}): alias {entry!r:.60} has no text value")
        value = value.strip()
        if value and value not in seen:
            seen.add(value)
            yield Alias(value, str(entry.get("language") or ""), script_of(value))
