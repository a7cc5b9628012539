"""One name per administrative division, whatever the source's spelling.

UCDP writes 'Idlib Governorate', ACLED 'Idlib' (older exports 'Idleb'), GDELT
'Idlib'; a table combining them would count one governorate two or three times.
:func:`canonicalize_admin` replaces ``admin1`` (for every country the gazetteer
has first-level divisions of) and ``admin2`` (for Syria) by the gazetteer's
name for that division, and keeps each value the source wrote in
``admin1_source`` / ``admin2_source`` (pass-through columns, present once a
reader has canonicalised).  A name the gazetteer does not know as a division of
the row's country (or knows only through a loose fuzzy match) is left as the
source wrote it.

Only the gazetteer's public API is used (:meth:`Gazetteer.resolve` with
``kind='admin1'``/``'admin2'`` and ``country=``), once per distinct
(name, country[, admin1]) and remembered for the process, so a million rows
naming a few hundred divisions cost a few hundred lookups.
"""
from __future__ import annotations

import logging
import threading
import weakref

import numpy as np
import pandas as pd

from .. import countries

logger = logging.getLogger(__name__)

#: Lowest score, and the fuzzy-match floor, for accepting the gazetteer's division.
MIN_SCORE = 0.55
MIN_FUZZY_SCORE = 0.85
#: Countries whose second-level divisions are canonicalised (ISO alpha-3).
ADMIN2_COUNTRIES: frozenset[str] = frozenset({"SYR"})

#: Words that Syrian district names carry in front of the district's own name ("Mintaqat Azaz",
#: region of Azaz; "Markaz Hamah", centre of Hama): tried without them when the whole name fails.
ADMIN_PREFIXES: tuple[str, ...] = ("mintaqat markaz ", "mintaqat ", "markaz ")

#: Per gazetteer (dropped with it): (kind, name, country, admin1) -> (name, admin1) or None.
_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def _canonical(gazetteer, kind: str, name: str, iso2: str, admin1: str | None) -> tuple[str, str | None] | None:
    """(the division's name, its admin1) in the gazetteer, or None (see the module docstring)."""
    found = _resolve(gazetteer, kind, name, iso2, admin1)
    if found is None:
        lowered = name.lower()
        for prefix in ADMIN_PREFIXES:
            if lowered.startswith(prefix) and len(name) > len(prefix) + 2:
                return _resolve(gazetteer, kind, name[len(prefix):], iso2, admin1)
    return found


def _resolve(gazetteer, kind: str, name: str, iso2: str, admin1: str | None) -> tuple[str, str | None] | None:
    key = (kind, name, iso2, admin1)
    with _cache_lock:
        cache = _caches.setdefault(gazetteer, {})
        if key in cache:
            return cache[key]
    try:
        best = gazetteer.resolve(name, kind=kind, country=iso2, admin1=admin1)
    except ValueError:  # a hint the gazetteer cannot use
        best = None
    result = None
    if (best is not None and best.place.kind == kind and best.place.country_code == iso2
            and best.score >= MIN_SCORE and (best.match != "fuzzy" or best.score >= MIN_FUZZY_SCORE)
            and (kind != "admin2" or admin1 is None or best.place.admin1 == admin1)):
        result = (best.place.name, best.place.admin1)
    with _cache_lock:
        cache[key] = result
    return result


def _pairs(first: pd.Series, second: pd.Series) -> tuple[np.ndarray, list[tuple[object, object]]]:
    """Codes of the distinct (first, second) pairs of each row, and the pairs (None for missing).

    Factorises each column, then the pair of codes: far faster than a MultiIndex on a million rows.
    """
    codes1, uniques1 = pd.factorize(first)
    codes2, uniques2 = pd.factorize(second)
    width = len(uniques2) + 1
    keys, inverse = np.unique((codes1.astype(np.int64) + 1) * width + (codes2 + 1), return_inverse=True)
    pairs = [(uniques1[k // width - 1] if k // width else None, uniques2[k % width - 1] if k % width else None)
             for k in keys.tolist()]
    return inverse.reshape(-1), pairs


def _replace(events: pd.DataFrame, column: str, names: np.ndarray) -> pd.DataFrame:
    """Put ``names`` (None = keep) into ``column`` and the source's values into ``<column>_source``."""
    source = f"{column}_source"
    original = events[column]
    if source not in events.columns:
        events[source] = original
    changed = pd.Series(names, index=events.index, dtype=object)
    events[column] = changed.where(changed.notna(), original).astype("str").where(original.notna())
    return events


def canonicalize_admin(events: pd.DataFrame, gazetteer=None) -> pd.DataFrame:
    """``events`` (in the schema) with admin1/admin2 canonicalised (see the module docstring).

    A district is looked up once per distinct name in its country; its name is used
    only on rows whose (canonical) admin1 is the district's governorate, or empty.
    """
    if events.empty or (events["admin1"].isna().all() and events["admin2"].isna().all()):
        return events
    if gazetteer is None:
        from ..gazetteer import default_gazetteer

        gazetteer = default_gazetteer()
    events = events.copy()
    codes, pairs = _pairs(events["admin1"], events["iso3"])
    iso2 = {c: countries.iso2_from_iso3(c) for _, c in pairs if c is not None}
    names = [_canonical(gazetteer, "admin1", n, iso2[c], None) if n is not None and iso2.get(c) else None
             for n, c in pairs]
    names = [found[0] if found else None for found in names]
    admin1 = np.array(names + [None], dtype=object)[codes]
    events = _replace(events, "admin1", admin1)
    changed1 = int(np.count_nonzero(pd.notna(admin1) & (admin1 != events["admin1_source"].to_numpy(dtype=object))))

    changed2 = 0
    eligible = events["iso3"].isin(ADMIN2_COUNTRIES).to_numpy(dtype=bool) & events["admin2"].notna().to_numpy()
    if eligible.any():
        codes, pairs = _pairs(events["admin2"].where(eligible), events["iso3"].where(eligible))
        found = [_canonical(gazetteer, "admin2", n, countries.iso2_from_iso3(c), None)
                 if n is not None and countries.iso2_from_iso3(c) else None for n, c in pairs]
        name = np.array([f[0] if f else None for f in found] + [None], dtype=object)[codes]
        governorate = np.array([f[1] if f else None for f in found] + [None], dtype=object)[codes]
        row_admin1 = events["admin1"].to_numpy(dtype=object)
        fits = pd.isna(row_admin1) | (governorate == row_admin1)
        admin2 = np.where(eligible & fits, name, None)
        events = _replace(events, "admin2", admin2)
        changed2 = int(np.count_nonzero(pd.notna(admin2) & (admin2 != events["admin2_source"].to_numpy(dtype=object))))
    logger.info("canonical division names: %d admin1 and %d admin2 value(s) renamed (source spelling kept in "
                "admin1_source/admin2_source)", changed1, changed2)
    return events


__all__ = ["canonicalize_admin", "ADMIN2_COUNTRIES", "MIN_SCORE"]
