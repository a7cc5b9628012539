"""Geocoding events that have a place name but no coordinates, with the gazetteer.

:func:`geocode_events` looks up each distinct (location, admin1, country) of the
rows that lack coordinates (all rows with ``overwrite=True``) once, so a million
rows naming five thousand places cost five thousand lookups.  A resolved row gets
the place's latitude, longitude, ``place_id`` and ``geo_precision``, the match's
confidence as ``confidence``, and the place's admin1/admin2/country where the row has
none; a row resolved to a whole country is flagged ``geo_coarse``.  What could not be resolved is reported, with the reason and the number of
rows, in :attr:`GeocodeResult.unresolved`; those rows are kept unchanged.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from . import countries
from .schema import GEO_COARSE_FLAG, add_flag, conform

logger = logging.getLogger(__name__)

_KEY = ["location", "admin1", "country"]


@dataclass
class GeocodeResult:
    """The geocoded table and what could not be geocoded.

    ``unresolved`` has one line per distinct (location, admin1, country) left
    without coordinates: ``rows`` (how many rows name it) and ``reason``.
    """

    events: pd.DataFrame
    unresolved: pd.DataFrame
    attempted: int
    resolved: int

    def __str__(self) -> str:
        return (
            f"geocoded {self.resolved} of {self.attempted} rows without coordinates; "
            f"{len(self.unresolved)} distinct place(s) unresolved ({int(self.unresolved['rows'].sum())} rows)"
        )


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else str(value)


def geocode_events(
    df: pd.DataFrame,
    gazetteer=None,
    *,
    overwrite: bool = False,
    min_confidence: float | None = None,
    progress: bool | None = None,
) -> GeocodeResult:
    """Fill coordinates from place names (see the module docstring).

    ``gazetteer`` defaults to :func:`syriamap.gazetteer.default_gazetteer`.
    Answers whose confidence is below ``min_confidence`` (default: the
    gazetteer's :data:`~syriamap.gazetteer.DEFAULT_MIN_CONFIDENCE`) are not
    used: a doubtful place is reported, not written into the row.  ``progress`` shows a tqdm
    bar (by default when there are more than 1,000 distinct places).
    """
    if gazetteer is None:
        from .gazetteer import default_gazetteer

        gazetteer = default_gazetteer()
    from .gazetteer import DEFAULT_MIN_CONFIDENCE

    threshold = DEFAULT_MIN_CONFIDENCE if min_confidence is None else min_confidence
    events = conform(df)
    todo = events[["latitude", "longitude"]].isna().any(axis=1).to_numpy()
    if overwrite:
        todo = events["location"].notna().to_numpy() | todo
    country = events["country"].where(events["country"].notna(), events["iso3"])
    keys = pd.DataFrame({"location": events["location"], "admin1": events["admin1"], "country": country})[todo]
    distinct = keys.drop_duplicates().reset_index(drop=True)
    show = progress if progress is not None else len(distinct) > 1000
    found: list[dict[str, object]] = []
    for location, admin1, ctry in tqdm(
        distinct.itertuples(index=False, name=None), total=len(distinct), desc="geocoding", unit="place", disable=not show
    ):
        location, admin1, ctry = _text(location), _text(admin1), _text(ctry)
        row: dict[str, object] = {"location": location, "admin1": admin1, "country": ctry}
        if location is None:
            row["reason"] = "no location"
        else:
            try:
                best = gazetteer.resolve(location, country=ctry, admin1=admin1)
            except ValueError as exc:  # a hint the gazetteer cannot use (an unknown country)
                best, row["reason"] = None, str(exc)
            if best is None:
                row.setdefault("reason", "no match in the gazetteer")
            elif best.confidence < threshold:
                doubts = "; ".join(best.caveats) or "weak match"
                row["reason"] = (f"best match {best.place.name!r} ({best.place.id}) has confidence "
                                 f"{best.confidence:.2f} < {threshold} ({doubts})")
            else:
                p = best.place
                row.update(
                    reason=None, _lat=p.latitude, _lon=p.longitude, _place=p.id, _prec=p.geo_precision, _kind=p.kind,
                    _score=best.confidence, _admin1=p.admin1, _admin2=p.admin2,
                    _country=countries.name_of(p.country_code), _iso3=countries.iso3_of(p.country_code),
                )
        found.append(row)
    table = pd.DataFrame(found, columns=_KEY + ["reason", "_lat", "_lon", "_place", "_prec", "_kind", "_score",
                                                "_admin1", "_admin2", "_country", "_iso3"])
    for column in _KEY:
        table[column] = table[column].astype("str")
    matched = keys.reset_index().merge(table, on=_KEY, how="left").set_index("index")
    ok = matched["reason"].isna() & matched["_lat"].notna()
    rows = matched.index[ok.to_numpy()]
    hit = matched[ok]
    out = events.copy()
    out.loc[rows, "latitude"] = hit["_lat"].astype(float).to_numpy()
    out.loc[rows, "longitude"] = hit["_lon"].astype(float).to_numpy()
    out.loc[rows, "place_id"] = hit["_place"].to_numpy()
    out.loc[rows, "geo_precision"] = hit["_prec"].astype("Int8").to_numpy()
    out.loc[rows, "confidence"] = hit["_score"].astype(float).to_numpy()
    country_level = np.zeros(len(out), dtype=bool)
    country_level[out.index.get_indexer(rows[(hit["_kind"] == "country").to_numpy()])] = True
    out["flags"] = add_flag(out["flags"], country_level, GEO_COARSE_FLAG)
    for column, source in (("admin1", "_admin1"), ("admin2", "_admin2"), ("country", "_country"), ("iso3", "_iso3")):
        fill = out.loc[rows, column].isna().to_numpy() & hit[source].notna().to_numpy()
        out.loc[rows[fill], column] = hit[source].to_numpy()[fill]
    missed = matched[~ok]
    unresolved = (
        missed.groupby(_KEY + ["reason"], dropna=False).size().rename("rows").reset_index()
        .sort_values(["rows", "location"], ascending=[False, True], kind="stable").reset_index(drop=True)
    )
    result = GeocodeResult(conform(out), unresolved, int(todo.sum()), len(rows))
    logger.info("%s", result)
    return result
