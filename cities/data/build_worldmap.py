"""Regenerate world-land.svgpath from Natural Earth's 110m land outline.

Source: the world-atlas npm package (TopoJSON of Natural Earth data; the data is public
domain, the package ISC licensed). Get it once without installing anything:

    cd "$(mktemp -d)" && npm pack world-atlas@2 && tar xzf world-atlas-*.tgz
    .venv/bin/python cities/data/build_worldmap.py /tmp/.../package/land-110m.json

The outline is projected with cities.worldmap.project (so the file and the markers always
agree) and written as one SVG path with coordinates rounded to whole viewBox units.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cities.worldmap import LAND_FILE, SOUTH, project  # noqa: E402


def decode_arcs(topology):
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring_points(ring, arcs):
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def polygons(geometry):
    if geometry["type"] == "Polygon":
        yield geometry["arcs"]
    elif geometry["type"] == "MultiPolygon":
        yield from geometry["arcs"]
    elif geometry["type"] == "GeometryCollection":
        for child in geometry["geometries"]:
            yield from polygons(child)


def unwrapped(points):
    """Longitudes made continuous across the antimeridian (they may leave -180..180)."""
    result = []
    for lon, lat in points:
        if result:
            previous = result[-1][0]
            while lon - previous > 180:
                lon -= 360
            while previous - lon > 180:
                lon += 360
        result.append((lon, lat))
    return result


def ring_to_path(points):
    projected = []
    for lon, lat in points:
        x, y = project(lat, lon)
        point = (round(x), round(y))  # whole viewBox units: under a pixel on any screen
        if not projected or point != projected[-1]:
            projected.append(point)
    if len(projected) < 3:
        return ""
    (x, y), rest = projected[0], projected[1:]
    parts = [f"M{x} {y}"]
    for next_x, next_y in rest:
        parts.append(f"l{next_x - x} {next_y - y}")
        x, y = next_x, next_y
    return "".join(parts) + "z"


def main(source):
    topology = json.loads(Path(source).read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    paths = []
    for polygon in polygons(topology["objects"]["land"]):
        for ring in polygon:
            points = ring_points(ring, arcs)
            if max(lat for _lon, lat in points) < SOUTH:
                continue  # Antarctica lies below the map's southern edge
            points = unwrapped(points)
            # A ring that crosses the antimeridian is drawn on both edges; the SVG viewBox
            # clips whatever falls outside.
            shifts = [0]
            if max(lon for lon, _lat in points) > 180:
                shifts.append(-360)
            if min(lon for lon, _lat in points) < -180:
                shifts.append(360)
            for shift in shifts:
                path = ring_to_path([(lon + shift, lat) for lon, lat in points])
                if path:
                    paths.append(path)
    LAND_FILE.write_text("".join(paths) + "\n", encoding="ascii")
    print(f"Wrote {LAND_FILE} ({LAND_FILE.stat().st_size} bytes, {len(paths)} rings).")


if __name__ == "__main__":
    main(sys.argv[1])
