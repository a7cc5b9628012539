"""Importing GeoNames dump files into a gazetteer layer.

Accepts, in one call, any of the files (or their ``.zip`` archives) that GeoNames
publishes in its dump folder:

* **place files**, 19 tab-separated columns: ``SY.txt``, ``allCountries.txt``,
  ``cities500.txt``, ``cities15000.txt``... (geonameid, name, asciiname,
  alternatenames, latitude, longitude, feature class, feature code, country
  code, cc2, admin1, admin2, admin3, admin4, population, elevation, dem,
  timezone, modification date);
* ``admin1CodesASCII.txt`` and ``admin2Codes.txt`` (code, name, ascii name,
  geonameid): the names of the admin1/admin2 codes, given to each place;
* ``alternateNamesV2.txt`` (or the older 8-column ``alternateNames.txt``):
  aliases with their language and, in V2, the years (``from``/``to``) a name was
  in use.  Codes rather than names (languages ``link``, ``wkdt``, ``post``,
  ``iata``, ``icao``, ``faac``, ``fr_1793``, ``abbr``, ``unlc``) and names in
  scripts other than Latin and Arabic are left out.

Files are recognised by their names (``admin1Codes*``, ``admin2Codes*``,
``alternateNames*``; anything else is read as a place file).  They are streamed
line by line into temporary tables of the gazetteer file being written, so
``allCountries.txt`` (1.5 GB) and ``alternateNamesV2.txt`` need little memory;
``countries`` keeps only places of those countries.

Place ids are ``gnd:<geonameid>``: distinct from the embedded default's ``gn:``
ids, so a dump import stacks on the default instead of replacing its places.

Feature codes and the kinds they become (other codes are skipped and counted):

============================================  ================  =====================
GeoNames feature code                         kind              feature
============================================  ================  =====================
``PCL``, ``PCLI``, ``PCLD``, ... (not PCLH)   country
``ADM1`` / ``ADM2`` / ``ADM3``                admin1/2/3
``PPLX``                                      neighbourhood     section of populated place
``PPL``, ``PPLA``... ``PPLC``, ``PPLQ``...    populated_place   the feature code
``STM`` and ``STM*``                          river
``AIRB`` / ``AIRF`` / ``AIRH`` / ``AIRP``     site              airbase / airfield / heliport / airport
``DAM`` / ``PRN``                             site              dam / prison
``CMP`` / ``CMPRF``                           site              camp / refugee camp
``PSTB`` / ``INSM``                           site              border post / military installation
``RGN``, ``AREA``, ``VAL``, ``MTS``,          region            the feature code
``PLN``, ``DSRT``
============================================  ================  =====================
"""
from __future__ import annotations

import itertools
import logging
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from syriamap.gazetteer.importers.common import (
    GazetteerImportError,
    ImportReport,
    check_layer_name,
    target,
    text_lines,
    write_import_layer,
)
from syriamap.gazetteer.model import Alias, Place
from syriamap.normalize import script_of

logger = logging.getLogger(__name__)

#: Columns of a GeoNames place file, in order.
PLACE_COLUMNS: tuple[str, ...] = (
    "geonameid", "name", "asciiname", "alternatenames", "latitude", "longitude", "feature class",
    "feature code", "country code", "cc2", "admin1 code", "admin2 code", "admin3 code", "admin4 code",
    "population", "elevation", "dem", "timezone", "modification date",
)
#: Columns of ``alternateNamesV2.txt`` (the older ``alternateNames.txt`` has the first 8).
ALTERNATE_NAME_COLUMNS: tuple[str, ...] = (
    "alternateNameId", "geonameid", "isolanguage", "alternate name", "isPreferredName",
    "isShortName", "isColloquial", "isHistoric", "from", "to",
)
#: Pseudo-languages of alternate names that hold codes or links, not names.
SKIPPED_LANGUAGES = frozenset({"link", "wkdt", "post", "iata", "icao", "faac", "fr_1793", "abbr", "unlc"})

#: Feature codes imported as a kind other than by prefix: code -> (kind, feature word).
FEATURE_KINDS: dict[str, tuple[str, str | None]] = {
    "ADM1": ("admin1", None),
    "ADM2": ("admin2", None),
    "ADM3": ("admin3", None),
    "PPLX": ("neighbourhood", "section of populated place"),
    "AIRB": ("site", "airbase"),
    "AIRF": ("site", "airfield"),
    "AIRH": ("site", "heliport"),
    "AIRP": ("site", "airport"),
    "DAM": ("site", "dam"),
    "PRN": ("site", "prison"),
    "CMP": ("site", "camp"),
    "CMPRF": ("site", "refugee camp"),
    "PSTB": ("site", "border post"),
    "INSM": ("site", "military installation"),
    "RGN": ("region", "RGN"),
    "AREA": ("region", "AREA"),
    "VAL": ("region", "VAL"),
    "MTS": ("region", "MTS"),
    "PLN": ("region", "PLN"),
    "DSRT": ("region", "DSRT"),
}
#: Codes that a prefix below would take but that are not imported: PCLH is a
#: historical political entity, not a country today.
SKIPPED_CODES = frozenset({"PCLH"})
#: Feature code prefixes and their kinds, where no exact code above applies.
PREFIX_KINDS: tuple[tuple[str, str], ...] = (("PCL", "country"), ("PPL", "populated_place"), ("STM", "river"))

#: GeoNames files this importer does not read (named so the error says so).
_UNSUPPORTED = ("hierarchy", "countryinfo", "featurecodes", "timezones", "iso-languagecodes", "shapes",
                "usertags", "admincode5", "deletes", "alternatenamesdeletes")
_YEAR_RE = re.compile(r"^-?\d{1,4}")
_BATCH = 5000


def feature_kind(code: str) -> tuple[str, str | None] | None:
    """``(kind, feature)`` for a GeoNames feature code, or ``None`` if not imported."""
    if code in FEATURE_KINDS:
        return FEATURE_KINDS[code]
    if code in SKIPPED_CODES:
        return None
    for prefix, kind in PREFIX_KINDS:
        if code.startswith(prefix):
            return kind, code
    return None


def file_role(path: Path) -> str:
    """What a GeoNames file holds, from its name: ``admin1``, ``admin2``, ``alternate_names`` or ``places``."""
    name = path.name.lower()
    if name.startswith(_UNSUPPORTED):
        raise GazetteerImportError(path, None, "this GeoNames file is not one the importer reads"
                                   " (place files, admin1CodesASCII, admin2Codes, alternateNamesV2)")
    if name.startswith("admin1codes"):
        return "admin1"
    if name.startswith("admin2codes"):
        return "admin2"
    if name.startswith("alternatenames"):
        return "alternate_names"
    return "places"


def read_admin_codes(path: str | Path) -> dict[str, str]:
    """``admin1CodesASCII.txt`` or ``admin2Codes.txt`` as ``{"SY.11": "Homs", ...}``."""
    path = Path(path)
    depth = 2 if file_role(path) == "admin1" else 3
    names: dict[str, str] = {}
    for lineno, line in text_lines(path):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 4:
            raise GazetteerImportError(path, lineno, f"expected 4 tab-separated columns, found {len(fields)}")
        code, name, ascii_name, _ = fields
        if len(code.split(".")) != depth or not all(code.split(".")):
            example = "SY.11" if depth == 2 else "SY.11.163532"
            raise GazetteerImportError(path, lineno, f"{code!r:.60} is not a code like {example!r}", column="code")
        names[code] = name.strip() or ascii_name.strip()
    return names


def import_geonames(
    files: Sequence[str | Path],
    into: str | Path | None = None,
    *,
    layer: str = "geonames",
    countries: Iterable[str] | None = None,
    allow_empty: bool = False,
) -> ImportReport:
    """Import GeoNames dump files as ``layer`` of the gazetteer file ``into``.

    ``into`` defaults to the user's gazetteer
    (:func:`~syriamap.gazetteer.importers.common.user_gazetteer_path`);
    ``countries`` (ISO2 codes) keeps only their places.  The layer replaces any
    earlier layer of that name.  Raises :class:`GazetteerImportError` on a
    malformed file, or when no place would be imported (unless
    ``allow_empty``), leaving the gazetteer file as it was.
    """
    check_layer_name(layer)
    paths = [Path(f) for f in files]
    if not paths:
        raise ValueError("no GeoNames files given")
    roles = {path: file_role(path) for path in paths}
    place_files = [p for p in paths if roles[p] == "places"]
    if not place_files:
        raise GazetteerImportError(paths[0], None, "no GeoNames place file (19 columns, e.g. SY.txt) among the files")
    wanted = _country_set(countries)
    admin_names: dict[str, str] = {}
    for path in paths:
        if roles[path] in ("admin1", "admin2"):
            admin_names.update(read_admin_codes(path))

    with target(into) as (gazetteer_path, conn):
        report = ImportReport(layer=layer, path=gazetteer_path)
        conn.executescript(_STAGE)
        for path in place_files:
            _stage_places(conn, path, wanted, report)
        for path in paths:
            if roles[path] == "alternate_names":
                _stage_alternate_names(conn, path, report)
        conn.execute("CREATE INDEX temp.gn_alias_id ON gn_alias(geonameid)")
        _check_ids_free(conn, layer, gazetteer_path)
        source = "GeoNames dump " + ", ".join(p.name for p in paths) + " (CC BY 4.0, geonames.org)"
        report.places = write_import_layer(
            conn, report, _places(conn, admin_names, report), file=place_files[0], allow_empty=allow_empty,
            source=source,
            description="GeoNames dump import" + (f" ({', '.join(sorted(wanted))})" if wanted else ""),
        )
        conn.executescript("DROP TABLE temp.gn_place; DROP TABLE temp.gn_alias;")
    logger.info("%s", report.summary())
    return report


_STAGE = """
CREATE TEMP TABLE gn_place (
    geonameid INTEGER PRIMARY KEY, name TEXT, asciiname TEXT, alternatenames TEXT,
    latitude REAL, longitude REAL, code TEXT, kind TEXT, feature TEXT, cc TEXT,
    admin1 TEXT, admin2 TEXT, admin3 TEXT, population INTEGER
);
CREATE TEMP TABLE gn_alias (geonameid INTEGER, name TEXT, lang TEXT, valid_from INTEGER, valid_to INTEGER);
"""


def _country_set(countries: Iterable[str] | None) -> frozenset[str]:
    if countries is None:
        return frozenset()
    codes = frozenset(c.strip().upper() for c in countries if c and c.strip())
    bad = sorted(c for c in codes if len(c) != 2 or not c.isalpha())
    if bad:
        raise ValueError(f"countries are ISO 3166 two-letter codes (SY, TR, ...), got {bad}")
    return codes


def _number(path: Path, lineno: int, column: str, text: str, kind: type, low: float, high: float) -> float | int:
    try:
        value = kind(text)
    except (ValueError, OverflowError):
        raise GazetteerImportError(path, lineno, f"{text!r:.60} is not a number", column=column) from None
    if not low <= value <= high:
        raise GazetteerImportError(path, lineno, f"{value} is out of range [{low}, {high}]", column=column)
    return value


def parse_place_line(path: Path, lineno: int, line: str) -> tuple | None:
    """The checked values of one line of a place file, or ``None`` for a blank line.

    ``(geonameid, name, asciiname, alternatenames, latitude, longitude, feature
    code, country code, admin1, admin2, admin3, population or None)``.  Any
    malformed line raises :class:`GazetteerImportError` as ``file:line: message``.
    """
    if not line.strip():
        return None
    fields = line.split("\t")
    if len(fields) != len(PLACE_COLUMNS):
        raise GazetteerImportError(
            path, lineno, f"expected {len(PLACE_COLUMNS)} tab-separated columns, found {len(fields)}"
        )
    gid = _number(path, lineno, "geonameid", fields[0], int, 1, 2**62)
    lat = _number(path, lineno, "latitude", fields[4], float, -90, 90)
    lon = _number(path, lineno, "longitude", fields[5], float, -180, 180)
    population = _number(path, lineno, "population", fields[14], int, 0, 2**62) if fields[14] else 0
    if not fields[1].strip():
        raise GazetteerImportError(path, lineno, "empty name", column="name")
    return (gid, fields[1].strip(), fields[2].strip(), fields[3], lat, lon, fields[7].strip(),
            fields[8].strip().upper(), fields[10].strip(), fields[11].strip(), fields[12].strip(), population or None)


def _stage_places(conn: sqlite3.Connection, path: Path, wanted: frozenset[str], report: ImportReport) -> None:
    """Validate a place file and copy the rows to import into ``gn_place``."""
    batch: list[tuple] = []
    for lineno, line in text_lines(path):
        row = parse_place_line(path, lineno, line)
        if row is None:
            continue
        report.rows += 1
        gid, name, ascii_name, alternates, lat, lon, code, cc, a1, a2, a3, population = row
        if wanted and cc not in wanted:
            report.skipped["places in other countries"] += 1
            continue
        kind = feature_kind(code)
        if kind is None:
            report.skipped["places of feature codes not imported"] += 1
            continue
        batch.append((gid, name, ascii_name, alternates, lat, lon, code, *kind, cc, a1, a2, a3, population))
        if len(batch) >= _BATCH:
            _insert_places(conn, batch, report)
    _insert_places(conn, batch, report)


def _insert_places(conn: sqlite3.Connection, batch: list[tuple], report: ImportReport) -> None:
    before = conn.total_changes
    conn.executemany("INSERT OR IGNORE INTO gn_place VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
    inserted = conn.total_changes - before
    report.used += inserted
    if len(batch) > inserted:
        report.skipped["places given twice (same geonameid)"] += len(batch) - inserted
    batch.clear()


def _year(path: Path, lineno: int, column: str, text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    match = _YEAR_RE.match(text)
    if match is None:
        raise GazetteerImportError(path, lineno, f"{text!r:.60} is not a year", column=column)
    return int(match.group())


def _script_kept(name: str) -> str | None:
    """The script of a name worth indexing (2-80 characters, not a number, Latin or Arabic), else None."""
    if not 2 <= len(name) <= 80 or name.isdigit():
        return None
    script = script_of(name)
    return script if script in ("Latn", "Arab") else None


def _stage_alternate_names(conn: sqlite3.Connection, path: Path, report: ImportReport) -> None:
    """Validate an alternate-names file and copy the names of staged places into ``gn_alias``."""
    batch: list[tuple] = []
    for lineno, line in text_lines(path):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) not in (8, len(ALTERNATE_NAME_COLUMNS)):
            raise GazetteerImportError(
                path, lineno, f"expected {len(ALTERNATE_NAME_COLUMNS)} (or 8) tab-separated columns, found {len(fields)}"
            )
        report.rows += 1
        gid = _number(path, lineno, "geonameid", fields[1], int, 1, 2**62)
        lang, name = fields[2].strip(), fields[3].strip()
        valid_from = _year(path, lineno, "from", fields[8]) if len(fields) > 8 else None
        valid_to = _year(path, lineno, "to", fields[9]) if len(fields) > 8 else None
        if lang in SKIPPED_LANGUAGES:
            report.skipped["alternate names that are codes or links"] += 1
        else:  # the script is checked when the place is written, for the names of imported places only
            batch.append((gid, name, lang, valid_from, valid_to, gid))
            if len(batch) >= _BATCH:
                _insert_aliases(conn, batch, report)
    _insert_aliases(conn, batch, report)


def _insert_aliases(conn: sqlite3.Connection, batch: list[tuple], report: ImportReport) -> None:
    before = conn.total_changes
    conn.executemany(
        "INSERT INTO gn_alias SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM gn_place WHERE geonameid = ?)", batch
    )
    attached = conn.total_changes - before
    report.used += attached
    if len(batch) > attached:
        report.skipped["alternate names of places not imported"] += len(batch) - attached
    batch.clear()


def _check_ids_free(conn: sqlite3.Connection, layer: str, path: Path) -> None:
    """Refuse an import whose places another layer of the file already holds."""
    clash = conn.execute(
        "SELECT p.id, p.layer FROM gn_place s JOIN places p ON p.id = 'gnd:' || s.geonameid"
        " WHERE p.layer != ? LIMIT 1", (layer,),
    ).fetchone()
    if clash:
        raise GazetteerImportError(
            path, None, f"place {clash[0]} is already in layer {clash[1]!r}: import all GeoNames dumps in one"
            f" call, or remove that layer first (syriamap gazetteer remove-layer {clash[1]})",
        )


def _places(conn: sqlite3.Connection, admin_names: dict[str, str], report: ImportReport) -> Iterator[Place]:
    """The staged places, with aliases, admin names and parents, in geonameid order."""
    admin_ids: dict[tuple[str, ...], int] = {}
    staged_names: dict[str, str] = {}
    for gid, name, kind, cc, a1, a2, a3 in conn.execute(
        "SELECT geonameid, name, kind, cc, admin1, admin2, admin3 FROM gn_place"
        " WHERE kind IN ('country', 'admin1', 'admin2', 'admin3') ORDER BY geonameid"
    ):
        key = _admin_key(kind, cc, a1, a2, a3)
        admin_ids.setdefault(key, gid)
        staged_names.setdefault(".".join(key), name)

    aliases = itertools.groupby(
        conn.execute("SELECT geonameid, name, lang, valid_from, valid_to FROM gn_alias ORDER BY geonameid, rowid"),
        key=lambda row: row[0],
    )
    pending = next(aliases, None)
    for row in conn.execute(
        "SELECT geonameid, name, asciiname, alternatenames, latitude, longitude, kind, feature, cc,"
        " admin1, admin2, admin3, population FROM gn_place ORDER BY geonameid"
    ):
        gid, name, ascii_name, alternates, lat, lon, kind, feature, cc, a1, a2, a3, population = row
        extra: list[tuple] = []
        if pending is not None and pending[0] == gid:
            extra = list(pending[1])
            pending = next(aliases, None)
        place_aliases, dropped = _aliases(name, [ascii_name, *alternates.split(",")], extra)
        if dropped:
            report.used -= dropped
            report.skipped["alternate names not in Latin or Arabic script"] += dropped
        report.aliases += len(place_aliases)
        a1_key, a2_key = f"{cc}.{a1}", f"{cc}.{a1}.{a2}"
        yield Place(
            id=f"gnd:{gid}",
            name=name,
            kind=kind,
            latitude=lat,
            longitude=lon,
            country_code=cc,
            admin1=(admin_names.get(a1_key) or staged_names.get(a1_key)) if a1 and kind != "country" else None,
            admin2=(admin_names.get(a2_key) or staged_names.get(a2_key)) if a2 and kind not in ("country", "admin1") else None,
            parent_id=_parent(admin_ids, kind, cc, a1, a2, a3, gid),
            population=population,
            feature=feature,
            aliases=place_aliases,
        )


def _admin_key(kind: str, cc: str, a1: str, a2: str, a3: str) -> tuple[str, ...]:
    depth = {"country": 1, "admin1": 2, "admin2": 3, "admin3": 4}[kind]
    return (cc, a1, a2, a3)[:depth]


def _parent(admin_ids: dict[tuple[str, ...], int], kind: str, cc: str, a1: str, a2: str, a3: str, gid: int) -> str | None:
    """Id of the smallest staged admin area (or country) that contains the place."""
    codes = (cc, a1, a2, a3)
    depth = {"country": 0, "admin1": 1, "admin2": 2, "admin3": 3}.get(kind, 4)
    for size in range(depth, 0, -1):
        key = codes[:size]
        if all(key) and key in admin_ids and admin_ids[key] != gid:
            return f"gnd:{admin_ids[key]}"
    return None


def _aliases(name: str, plain: list[str], extra: list[tuple]) -> tuple[tuple[Alias, ...], int]:
    """The place's aliases (alternate-names rows, with language and years, before plain
    names), and how many alternate-names rows were dropped for their script."""
    found: dict[tuple[str, int | None, int | None], Alias] = {}
    dropped = 0
    for _gid, alt, lang, valid_from, valid_to in extra:
        script = _script_kept(alt)
        if script is None:
            dropped += 1
        else:
            found.setdefault((alt, valid_from, valid_to), Alias(alt, lang, script, valid_from, valid_to))
    for alt in plain:
        alt = alt.strip()
        if alt and alt != name and (alt, None, None) not in found and (script := _script_kept(alt)):
            found[(alt, None, None)] = Alias(alt, "", script)
    ordered = sorted(found.values(), key=lambda a: (a.name, a.valid_from or 0, a.valid_to or 0, a.lang))
    return tuple(ordered), dropped
