import re
from types import SimpleNamespace

import pytest

from cities import worldmap


def place(lat, lon, name="Somewhere"):
    return SimpleNamespace(
        latitude=lat, longitude=lon, has_coordinates=lat is not None, label=name, name=name
    )


def test_projection_maps_the_corners_of_the_map():
    assert worldmap.project(worldmap.NORTH, -180) == (0, 0)
    assert worldmap.project(worldmap.SOUTH, 180) == (worldmap.WIDTH, worldmap.HEIGHT)
    assert worldmap.project(0, 0) == (500, round(worldmap.NORTH * worldmap.SCALE, 1))


def test_projection_keeps_far_south_points_on_the_map():
    assert worldmap.project(-89, 0)[1] == worldmap.HEIGHT


def test_land_outline_is_shipped_and_stays_inside_the_map():
    path = worldmap.land_path()
    assert path.startswith("M") and path.count("z") > 100
    assert 20_000 < len(path) < 120_000


def test_world_map_has_a_marker_and_an_arc_per_place_with_coordinates():
    home = place(36.85, -76.29, "Norfolk")
    result = worldmap.world_map(
        home=home,
        places=[
            (place(43.12, 5.93, "Toulon"), "/cities/toulon/", "Toulon, France"),
            (place(None, None, "Nowhere"), "/cities/nowhere/", "Nowhere"),
        ],
    )
    assert result["home"]["label"] == "Norfolk"
    [marker] = result["markers"]
    assert marker["url"] == "/cities/toulon/"
    assert marker["arc"].startswith(f"M{result['home']['x']} {result['home']['y']} Q")
    assert marker["arc"].endswith(f"{marker['x']} {marker['y']}")


def test_world_map_without_home_city_draws_markers_without_arcs():
    result = worldmap.world_map(home=None, places=[(place(10, 10), "/x/", "X")])
    assert result["home"] is None
    assert result["markers"][0]["arc"] == ""


def test_land_outline_has_no_line_across_the_whole_map():
    # A ring crossing the antimeridian must not draw a stroke from one edge to the other.
    for piece in worldmap.land_path().split("l"):
        dx = piece.split(" ")[0].lstrip("M")
        if dx and not piece.startswith("M"):
            assert abs(float(dx)) < worldmap.WIDTH / 2


@pytest.mark.parametrize("prefix", ["", "/de", "/fr", "/ja", "/zh-hans"])
def test_the_map_s_coordinates_are_numbers_an_svg_reads_in_every_language(
    client, make_partnership, prefix
):
    """German and French write a decimal comma ("288,1"); an SVG length with one is an error the
    browser logs, and the dot or the arc lands nowhere."""
    partnership = make_partnership("Toulon")
    html = client.get(f"{prefix}/cities/{partnership.slug}/").content.decode()
    svg = re.search(r'<svg class="worldmap-svg".*?</svg>', html, re.S).group(0)
    numbers = re.findall(r'\b(?:cx|cy|width|height|viewBox)="([^"]*)"', svg)
    assert numbers and all("," not in value for value in numbers), numbers
