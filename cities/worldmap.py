"""The world map on the cities pages: an inline SVG drawn on the server.

The land outline is Natural Earth's 110m land (public domain) from the world-atlas package,
converted once by cities/data/build_worldmap.py into cities/data/world-land.svgpath, already
projected with `project()` below (equirectangular, Antarctica cut off). Markers and arcs are
computed here from the cities' coordinates; nothing is fetched from another host.
"""

import math
from functools import cache
from pathlib import Path

LAND_FILE = Path(__file__).parent / "data" / "world-land.svgpath"

WIDTH = 1000
NORTH = 84.0
SOUTH = -58.0
SCALE = WIDTH / 360
HEIGHT = round((NORTH - SOUTH) * SCALE, 1)


def project(latitude, longitude):
    """(x, y) in the map's viewBox for a latitude and longitude in degrees."""
    x = (float(longitude) + 180) * SCALE
    y = (NORTH - max(SOUTH, min(NORTH, float(latitude)))) * SCALE
    return round(x, 1), round(y, 1)


@cache
def land_path():
    """The SVG path data of the land outline (read once per process)."""
    return LAND_FILE.read_text(encoding="ascii").strip()


def arc_path(start, end):
    """A gentle curve from one projected point to another, bowed away from the equator."""
    (x1, y1), (x2, y2) = start, end
    length = math.hypot(x2 - x1, y2 - y1)
    mid_x, mid_y = (x1 + x2) / 2, (y1 + y2) / 2
    # Bow upwards (north) by a fifth of the length; that reads as a flight path.
    control_y = max(0.0, mid_y - length / 5)
    return f"M{x1} {y1} Q{round(mid_x, 1)} {round(control_y, 1)} {x2} {y2}"


def world_map(*, home, places):
    """Everything the template needs to draw the map.

    `home` is a City (or None); `places` is a list of (city, url, label) for the markers.
    Places without coordinates are left off the map (they are still in the list beside it).
    """
    home_point = project(home.latitude, home.longitude) if home and home.has_coordinates else None
    markers = []
    for city, url, label in places:
        if not city.has_coordinates:
            continue
        x, y = project(city.latitude, city.longitude)
        markers.append(
            {
                "x": x,
                "y": y,
                "url": url,
                "label": label,
                "arc": arc_path(home_point, (x, y)) if home_point else "",
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "land": land_path(),
        "home": (
            {"x": home_point[0], "y": home_point[1], "label": home.label} if home_point else None
        ),
        "markers": markers,
    }
