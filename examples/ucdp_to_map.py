"""From a UCDP GED export to a checked event table and an offline HTML map.

    python examples/ucdp_to_map.py ged-syria.csv syria.html

Reads the file into syriamap's event table, reports what validation finds,
prints counts and fatalities by governorate, and saves a self-contained map
(layers per event type, clusters, heat weighted by fatalities, governorate
circles, a monthly time slider) that opens without network access.
"""
from __future__ import annotations

import argparse

import syriamap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ged_csv")
    parser.add_argument("out_html")
    args = parser.parse_args()

    events = syriamap.read_ucdp(args.ged_csv)
    print(events.syriamap.validate())
    summary = events.syriamap.summary()
    print(summary.by_admin1.to_string())

    m = syriamap.event_map(
        events, heat=True, heat_weight="fatalities", aggregate="admin1", time_step="month",
        title=f"UCDP GED: {len(events):,} events",
    )
    path = syriamap.save_html(m, args.out_html, offline=True)
    print(f"map saved to {path}")


if __name__ == "__main__":
    main()
