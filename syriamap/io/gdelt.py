"""Reader for GDELT 2.0 event files (``*.export.CSV``): tab-separated, no header, 61 columns.

Mapping onto the schema
-----------------------
=====================  =================================================================
schema column          GDELT 2.0
=====================  =================================================================
event_id               ``gdelt:<GLOBALEVENTID>``
event_date             ``SQLDATE`` (YYYYMMDD); time_precision 1
event_type,            from the CAMEO ``EventCode`` (see :data:`CAMEO_EVENT_TYPES`:
sub_event_type         the most specific listed prefix of the code wins)
actor1, actor2         ``Actor1Name``, ``Actor2Name``
location, admin1       ``ActionGeo_FullName`` "City, Province, Country": its first
                       part; the province part for cities and provinces, under
                       the gazetteer's name (:mod:`syriamap.io.admin`)
country, iso3          from the FIPS 10-4 ``ActionGeo_CountryCode``
latitude, longitude    ``ActionGeo_Lat``, ``ActionGeo_Long``
geo_precision          ``ActionGeo_Type``: 3 (US city) and 4 (world city) -> 1;
                       2 (US state), 5 (world province) and 1 (country) -> 3;
                       1 is also flagged ``geo_coarse`` (the country's centroid)
source                 the host of ``SOURCEURL`` (``www.example.org``)
url                    ``SOURCEURL``
published              ``DATEADDED`` (YYYYMMDDHHMMSS, UTC)
=====================  =================================================================

All other columns pass through as ``gdelt_<Name>`` (``gdelt_EventCode``,
``gdelt_GoldsteinScale``, ``gdelt_ActionGeo_FullName`` ...).

CAMEO codes and ACLED types
---------------------------
CAMEO codes describe interactions, not only violence.  Codes of material
conflict and protest map onto ACLED types as in :data:`CAMEO_EVENT_TYPES`; any
other code (statements, appeals, cooperation, aid, demands, threats, reduced
relations: roots 01-13 and 16) becomes Strategic developments / Other and is not
a conflict event.  ``read_gdelt(..., conflict_only=True)`` keeps only rows whose
root code is in :data:`CONFLICT_ROOT_CODES` (14, 15, 17-20).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from .. import countries
from ..schema import GEO_COARSE_FLAG, add_flag
from .csvfile import assemble, attach_report, finish, parse_coordinates, parse_dates, passthrough, read_delimited
from .limits import DEFAULT_LIMITS, Limits

logger = logging.getLogger(__name__)

#: The 61 columns of a GDELT 2.0 event file, in order.
GDELT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code",
    "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
)

#: CAMEO code prefix -> (event_type, sub_event_type).  The longest prefix of an
#: EventCode found here decides; codes matching none are Strategic developments / Other.
CAMEO_EVENT_TYPES: dict[str, tuple[str, str]] = {
    "14": ("Protests", "Peaceful protest"),                        # protest, demonstrate
    "145": ("Riots", "Violent demonstration"),                     # protest violently, riot
    "15": ("Strategic developments", "Other"),                     # exhibit military posture
    "17": ("Strategic developments", "Other"),                     # coerce
    "171": ("Strategic developments", "Looting/property destruction"),  # seize or damage property
    "173": ("Strategic developments", "Arrests"),                  # arrest, detain
    "175": ("Violence against civilians", "Attack"),               # violent repression
    "18": ("Violence against civilians", "Attack"),                # assault
    "181": ("Violence against civilians", "Abduction/forced disappearance"),  # abduct, take hostage
    "1821": ("Violence against civilians", "Sexual violence"),     # sexually assault
    "183": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),  # non-military bombing
    "1831": ("Explosions/Remote violence", "Suicide bomb"),        # suicide bombing
    "19": ("Battles", "Armed clash"),                              # fight
    "191": ("Strategic developments", "Other"),                    # impose blockade
    "192": ("Battles", "Armed clash"),                             # occupy territory
    "194": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),  # artillery and tanks
    "195": ("Explosions/Remote violence", "Air/drone strike"),     # aerial weapons
    "20": ("Violence against civilians", "Attack"),                # unconventional mass violence
    "204": ("Explosions/Remote violence", "Chemical weapon"),      # weapons of mass destruction
    "2041": ("Explosions/Remote violence", "Chemical weapon"),     # chemical, biological, radiological
    "2042": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),  # nuclear
}
#: Root codes of conflict events (protest and material conflict).
CONFLICT_ROOT_CODES: frozenset[str] = frozenset({"14", "15", "17", "18", "19", "20"})
#: ActionGeo_Type -> geo_precision
GEO_TYPES: dict[int, int] = {1: 3, 2: 3, 3: 1, 4: 1, 5: 3}
#: ActionGeo_Type codes flagged geo_coarse (a country: the point is its centroid).
COARSE_GEO_TYPES: frozenset[int] = frozenset({1})

_CONSUMED = {"GLOBALEVENTID", "SQLDATE", "Actor1Name", "Actor2Name", "ActionGeo_Lat", "ActionGeo_Long",
             "SOURCEURL", "DATEADDED"}
_CODE_COLUMNS = [c for c in GDELT_COLUMNS if c.endswith(("Code", "FeatureID", "FullName", "Name"))] + [
    "SOURCEURL", "SQLDATE", "DATEADDED"]


def cameo_event_type(code: str | None) -> tuple[str, str]:
    """ACLED (event_type, sub_event_type) of a CAMEO event code."""
    code = (code or "").strip()
    for length in range(len(code), 1, -1):
        if code[:length] in CAMEO_EVENT_TYPES:
            return CAMEO_EVENT_TYPES[code[:length]]
    return ("Strategic developments", "Other")


def _split_fullname(fullname: pd.Series, geo_type: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(location, admin1) from "City, Province, Country" (each distinct name split once)."""
    first: dict[str, str | None] = {}
    province: dict[str, str | None] = {}
    for name in pd.unique(fullname.dropna()):
        parts = [p.strip() for p in str(name).split(",")]
        first[name] = parts[0] or None
        province[name] = parts[-2] if len(parts) >= 2 else None
    admin1 = fullname.map(province).where(geo_type.isin([2, 3, 4, 5]))
    return fullname.map(first), admin1


def _host(url: str | None) -> str | None:
    if not url:
        return None
    return urlsplit(url).hostname


def read_gdelt(
    path: str | Path, *, conflict_only: bool = False, encoding: str | None = None, limits: Limits = DEFAULT_LIMITS,
    canonical_admin: bool = True, columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a GDELT 2.0 event file (see the module docstring).

    ``columns`` renames GDELT's column names (old -> new) before they are read.
    """
    table = read_delimited(
        path, default_sep="\t", names=list(GDELT_COLUMNS), quoting=False, string_columns=_CODE_COLUMNS,
        encoding=encoding, limits=limits, columns=columns,
    )
    src = table.frame
    flags = table.flags
    table.frame["ActionGeo_Lat"], flags = parse_coordinates(table, "ActionGeo_Lat", flags)
    table.frame["ActionGeo_Long"], flags = parse_coordinates(table, "ActionGeo_Long", flags)
    date, flags = parse_dates(table, "SQLDATE", flags, ("%Y%m%d",))
    added = pd.to_datetime(src["DATEADDED"].astype("str"), format="%Y%m%d%H%M%S", errors="coerce", utc=True)

    codes = src["EventCode"].astype("str")
    kinds = {c: cameo_event_type(c) for c in pd.unique(codes.dropna())}
    geo_type = pd.to_numeric(src["ActionGeo_Type"], errors="coerce")
    location, admin1 = _split_fullname(src["ActionGeo_FullName"].astype("str"), geo_type)
    fips = src["ActionGeo_CountryCode"].astype("str")
    iso2 = fips.map({f: countries.iso2_from_fips(f) for f in pd.unique(fips.dropna())})
    coarse = geo_type.isin(list(COARSE_GEO_TYPES)).to_numpy(dtype=bool)
    if coarse.any():
        # coarse precision is a property of the data, not a fault of the file: flagged, logged as info
        logger.info("%s: %d row(s) placed only at country level (ActionGeo_Type 1); flagged %r",
                       table.path, int(coarse.sum()), GEO_COARSE_FLAG)
        flags = add_flag(flags, coarse, GEO_COARSE_FLAG)
    urls = src["SOURCEURL"].astype("str")
    events = pd.DataFrame(
        {
            "event_id": "gdelt:" + src["GLOBALEVENTID"].astype("str"),
            "event_date": date,
            "time_precision": 1,
            "event_type": codes.map({c: k[0] for c, k in kinds.items()}),
            "sub_event_type": codes.map({c: k[1] for c, k in kinds.items()}),
            "actor1": src["Actor1Name"],
            "actor2": src["Actor2Name"],
            "location": location,
            "admin1": admin1,
            "country": iso2.map(countries.name_of),
            "iso3": iso2.map(countries.iso3_of),
            "latitude": src["ActionGeo_Lat"],
            "longitude": src["ActionGeo_Long"],
            "geo_precision": geo_type.map(GEO_TYPES),
            "source": urls.map({u: _host(u) for u in pd.unique(urls.dropna())}),
            "url": urls,
            "published": added,
            "flags": flags,
        }
    )
    out = finish(assemble(events, passthrough(src, _CONSUMED, "gdelt")), table, canonical_admin=canonical_admin)
    if conflict_only:
        root = out["gdelt_EventRootCode"].astype("str").str.zfill(2)
        keep = root.isin(CONFLICT_ROOT_CODES)
        logger.info("%s: kept %d of %d events with a conflict root code", table.path, int(keep.sum()), len(out))
        out = out[keep.to_numpy()].reset_index(drop=True)
        if table.report is not None:
            table.report.dropped_on_request = int((~keep).sum())
            attach_report(out, table.report)
    logger.info("%s: read %d GDELT events", table.path, len(out))
    return out


def looks_like_gdelt(first_line: str) -> bool:
    """Whether a first line is a GDELT 2.0 event record."""
    fields = first_line.rstrip("\r\n").split("\t")
    return len(fields) == len(GDELT_COLUMNS) and fields[0].strip().isdigit()


__all__ = ["read_gdelt", "looks_like_gdelt", "cameo_event_type", "GDELT_COLUMNS", "CAMEO_EVENT_TYPES",
           "CONFLICT_ROOT_CODES", "GEO_TYPES", "COARSE_GEO_TYPES"]
