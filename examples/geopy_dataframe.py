"""Geocode a column of place names the geopy way, offline.

`OfflineGazetteer` is a geopy geocoder, so the usual geopy + pandas recipe works
unchanged: wrap `geocode` in geopy's `RateLimiter` (harmless offline, required
once you switch on an online fallback) and apply it to a column.

    python examples/geopy_dataframe.py
"""
from __future__ import annotations

import pandas as pd
from geopy.extra.rate_limiter import RateLimiter

from syriamap import OfflineGazetteer


def main() -> None:
    reports = pd.DataFrame({
        "place": ["Ma'arrat al-Nu'man", "Dayr az Zawr", "Tal Abyad", "Jobar", None, "Qamishlo", "Nowhereville"],
        "killed": [4, 11, 2, 0, 1, 3, 0],
    })
    geocoder = OfflineGazetteer()  # no network; pass fallback="nominatim" to ask online for unknown names
    geocode = RateLimiter(geocoder.geocode, min_delay_seconds=0)
    reports["location"] = reports["place"].apply(lambda name: geocode(name) if isinstance(name, str) else None)
    reports["latitude"] = reports["location"].apply(lambda loc: loc.latitude if loc else None)
    reports["longitude"] = reports["location"].apply(lambda loc: loc.longitude if loc else None)
    reports["address"] = reports["location"].apply(lambda loc: loc.address if loc else "not found")
    print(reports.drop(columns="location").to_string(index=False))


if __name__ == "__main__":
    main()
