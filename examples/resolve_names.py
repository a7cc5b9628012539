"""Resolve the place names of a report with the offline gazetteer, and say why.

    python examples/resolve_names.py "Deir Ezzor" "Homs countryside" "Tripoli"
    python examples/resolve_names.py --country LY Tripoli

Prints the best place for each name with its kind, governorate and coordinates,
then the runner-up candidates and the reasons behind each score.
"""
from __future__ import annotations

import argparse

from syriamap.gazetteer import default_gazetteer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+")
    parser.add_argument("--country", help="ISO2 code or name: only places in that country")
    args = parser.parse_args()

    gazetteer = default_gazetteer()
    for name in args.names:
        candidates = gazetteer.lookup(name, country=args.country, limit=3)
        if not candidates:
            print(f"{name!r}: no place found")
            continue
        best = candidates[0].place
        print(f"{name!r} -> {best.name} ({best.kind}, {best.admin1 or '-'}, {best.country_code}) "
              f"at {best.latitude:.4f}, {best.longitude:.4f}")
        for cand in candidates:
            print(f"    {cand.score:.3f}  {cand.place.name}, {cand.place.country_code}: {'; '.join(cand.reasons)}")


if __name__ == "__main__":
    main()
