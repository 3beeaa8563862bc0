"""A picture for every partnership without a photo to license, drawn by our own code.

Two styles, chosen once for the site by `settings.CITY_PICTURE_STYLE`:

- "map": a crop of the server-drawn world map (cities/worldmap.py) centered on the partner
  city, with the arc that links it to the home city;
- "flag": the partner country's flag, drawn here from simple shapes (no downloaded artwork;
  details such as the Philippine sun's rays are simplified, the colors are the official
  ones).

A country without a drawn flag falls back to the map, a city without coordinates to the flag
(and one with neither has no picture). An uploaded photo (`Partnership.image`) replaces the
drawing. Each drawing is an SVG document served by `views.partnership_picture` at an
address that names its style, computed
once per edit and process and sent with an ETag; the pages refer to it by address, so a
card costs no query and no bytes of the page.
"""

import math
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .worldmap import HEIGHT as MAP_HEIGHT
from .worldmap import WIDTH as MAP_WIDTH
from .worldmap import arc_path, land_path, project

MAP = "map"
FLAG = "flag"
STYLES = (MAP, FLAG)

# The pictures' shape: the cards' 640 × 400 (1.6 : 1).
WIDTH, HEIGHT = 640, 400
# The map crop's size in the world map's units (the whole world is 1000 wide).
CROP_WIDTH = 240
CROP_HEIGHT = CROP_WIDTH * HEIGHT / WIDTH

SEA = "#dbe9f4"
LAND = "#b9cfa4"
COAST = "#8faa78"
ARC = "#b3261e"
HOME = "#1d3f6e"
PARTNER = "#b3261e"


@dataclass(frozen=True)
class Picture:
    """What a page shows for a partnership without a photo: an SVG's address and the text
    alternative that says what it shows."""

    style: str
    url: str
    alt: str
    width: int = WIDTH
    height: int = HEIGHT


def configured_style() -> str:
    return settings.CITY_PICTURE_STYLE


def style_for(city, style=None) -> str | None:
    """The style a city's picture is drawn in: the site's, unless the city lacks what it
    needs (a flag drawn for its country, coordinates for the map)."""
    style = style or configured_style()
    has_flag = city.country in FLAGS
    if style == FLAG and has_flag:
        return FLAG
    if city.has_coordinates:
        return MAP
    return FLAG if has_flag else None


def picture_for(partnership, style=None) -> Picture | None:
    """The drawn picture of a partnership (whether or not it has a photo), or None."""
    city = partnership.partner_city
    chosen = style_for(city, style)
    if chosen is None:
        return None
    url = reverse("cities:partnership_picture", kwargs={"slug": partnership.slug, "style": chosen})
    return Picture(style=chosen, url=url, alt=describe(partnership, chosen))


def describe(partnership, style) -> str:
    city = partnership.partner_city
    if style == FLAG:
        flag = FLAGS[city.country]
        return gettext("Flag of %(country)s: %(description)s") % {
            "country": city.country_name,
            "description": flag.description,
        }
    return gettext(
        "Map of the region around %(city)s, %(country)s, with the arc that links it to %(home)s"
    ) % {
        "city": city.name,
        "country": city.country_name,
        "home": partnership.home_city.name,
    }


def draw(partnership, style=None) -> str | None:
    """The SVG document of a partnership's picture in `style` (the site's by default, or
    what the city falls back to), or None when it has none. An explicit style the city
    cannot be drawn in (a flag for a country without one) is None too, not a fallback:
    each picture has one address per style."""
    city = partnership.partner_city
    chosen = style_for(city, style)
    if style is not None and chosen != style:
        return None
    if chosen == FLAG:
        return _document(_flag_canvas(FLAGS[city.country]))
    if chosen == MAP:
        return _document(_map_crop(partnership.home_city, city))
    return None


def _document(body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}">{body}</svg>'
    )


# The map crop -----------------------------------------------------------------------------


@cache
def land_subpaths() -> list[tuple[str, tuple[float, float, float, float]]]:
    """The land outline split into its closed shapes, each with its bounding box (the path
    is "M x y" then relative "l dx dy" steps), so a crop carries only the shapes it shows."""
    shapes = []
    for chunk in land_path().split("M")[1:]:
        numbers = [float(n) for n in chunk.replace("l", " ").replace("z", " ").split()]
        x, y = numbers[0], numbers[1]
        xs, ys = [x], [y]
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
            x += dx
            y += dy
            xs.append(x)
            ys.append(y)
        shapes.append(("M" + chunk, (min(xs), min(ys), max(xs), max(ys))))
    return shapes


def crop_box(x: float, y: float) -> tuple[float, float]:
    """The crop's top-left corner: centered on (x, y), kept within the world map."""
    left = min(max(x - CROP_WIDTH / 2, 0), MAP_WIDTH - CROP_WIDTH)
    top = min(max(y - CROP_HEIGHT / 2, 0), MAP_HEIGHT - CROP_HEIGHT)
    return round(left, 1), round(top, 1)


def _map_crop(home, city) -> str:
    x, y = project(city.latitude, city.longitude)
    left, top = crop_box(x, y)
    right, bottom = left + CROP_WIDTH, top + CROP_HEIGHT
    land = "".join(
        path
        for path, (x0, y0, x1, y1) in land_subpaths()
        if x1 >= left and x0 <= right and y1 >= top and y0 <= bottom
    )
    scale = WIDTH / CROP_WIDTH
    parts = [
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{SEA}"/>',
        f'<g transform="scale({scale:.4f}) translate({-left} {-top})">',
        f'<path d="{land}" fill="{LAND}" stroke="{COAST}" stroke-width="0.4"/>',
    ]
    if home is not None and home.has_coordinates:
        home_point = project(home.latitude, home.longitude)
        parts.append(
            f'<path d="{arc_path(home_point, (x, y))}" fill="none" stroke="{ARC}" '
            'stroke-width="1.1" stroke-dasharray="3 2" stroke-linecap="round"/>'
        )
        parts.append(
            f'<circle cx="{home_point[0]}" cy="{home_point[1]}" r="3" fill="{HOME}" '
            'stroke="#fff" stroke-width="0.8"/>'
        )
    parts.append(f'<circle cx="{x}" cy="{y}" r="6.5" fill="none" stroke="{PARTNER}"/>')
    parts.append(
        f'<circle cx="{x}" cy="{y}" r="3.2" fill="{PARTNER}" stroke="#fff" stroke-width="0.8"/>'
    )
    parts.append("</g>")
    return "".join(parts)


# Flags --------------------------------------------------------------------------------------

# Every flag is drawn on a 90 × 60 field (3 : 2), placed on a plain background.
FW, FH = 90, 60


@dataclass(frozen=True)
class Flag:
    description: str
    shapes: str


def _bands(colors, *, vertical=False) -> str:
    size = (FW if vertical else FH) / len(colors)
    out = []
    for index, color in enumerate(colors):
        if vertical:
            out.append(
                f'<rect x="{index * size:g}" width="{size:g}" height="{FH}" fill="{color}"/>'
            )
        else:
            out.append(
                f'<rect y="{index * size:g}" width="{FW}" height="{size:g}" fill="{color}"/>'
            )
    return "".join(out)


def _star(cx, cy, radius, color, *, points=5, inner=0.382, rotation=-90.0) -> str:
    coords = []
    for index in range(points * 2):
        r = radius if index % 2 == 0 else radius * inner
        angle = math.radians(rotation + index * 180 / points)
        coords.append(f"{cx + r * math.cos(angle):.2f},{cy + r * math.sin(angle):.2f}")
    return f'<polygon points="{" ".join(coords)}" fill="{color}"/>'


def _polygon(points, *, cx, cy, size, color) -> str:
    coords = " ".join(f"{cx + px * size:.2f},{cy + py * size:.2f}" for px, py in points)
    return f'<polygon points="{coords}" fill="{color}"/>'


# A maple leaf of our own drawing, in a square from -1 to 1 (y down).
MAPLE_LEAF = [
    (0, -0.92), (0.14, -0.62), (0.32, -0.7), (0.26, -0.24), (0.56, -0.5), (0.5, -0.32),
    (0.88, -0.36), (0.72, -0.08), (0.82, 0.02), (0.42, 0.32), (0.48, 0.48), (0.06, 0.42),
    (0.06, 0.9), (-0.06, 0.9), (-0.06, 0.42), (-0.48, 0.48), (-0.42, 0.32), (-0.82, 0.02),
    (-0.72, -0.08), (-0.88, -0.36), (-0.5, -0.32), (-0.56, -0.5), (-0.26, -0.24),
    (-0.32, -0.7), (-0.14, -0.62),
]  # fmt: skip


def _union_flag() -> str:
    return (
        f'<rect width="{FW}" height="{FH}" fill="#012169"/>'
        f'<path d="M0 0L{FW} {FH}M{FW} 0L0 {FH}" stroke="#fff" stroke-width="12"/>'
        f'<path d="M0 0L{FW} {FH}M{FW} 0L0 {FH}" stroke="#c8102e" stroke-width="4"/>'
        f'<path d="M{FW / 2} 0V{FH}M0 {FH / 2}H{FW}" stroke="#fff" stroke-width="18"/>'
        f'<path d="M{FW / 2} 0V{FH}M0 {FH / 2}H{FW}" stroke="#c8102e" stroke-width="11"/>'
    )


def _philippines() -> str:
    sun = "".join(
        f'<line x1="17" y1="30" x2="{17 + 10 * math.cos(math.radians(a)):.2f}" '
        f'y2="{30 + 10 * math.sin(math.radians(a)):.2f}" stroke="#fcd116" stroke-width="1.6"/>'
        for a in range(0, 360, 45)
    )
    return (
        _bands(["#0038a8", "#ce1126"])
        + f'<polygon points="0,0 52,30 0,{FH}" fill="#fff"/>'
        + sun
        + '<circle cx="17" cy="30" r="5.5" fill="#fcd116"/>'
        + _star(5, 6, 3, "#fcd116")
        + _star(5, 54, 3, "#fcd116")
        + _star(44, 30, 3, "#fcd116")
    )


def _india() -> str:
    spokes = "".join(
        f'<line x1="45" y1="30" x2="{45 + 8 * math.cos(math.radians(a)):.2f}" '
        f'y2="{30 + 8 * math.sin(math.radians(a)):.2f}" stroke="#06038d" stroke-width="0.6"/>'
        for a in range(0, 360, 15)
    )
    return (
        _bands(["#ff671f", "#fff", "#046a38"])
        + '<circle cx="45" cy="30" r="8" fill="none" stroke="#06038d" stroke-width="1.4"/>'
        + spokes
    )


def _china() -> str:
    return (
        f'<rect width="{FW}" height="{FH}" fill="#ee1c25"/>'
        + _star(15, 15, 9, "#ffff00")
        + "".join(_star(x, y, 3, "#ffff00") for x, y in ((30, 6), (36, 12), (36, 21), (30, 27)))
    )


FLAGS = {
    "JP": Flag(
        _("a red disc on a white field"),
        f'<rect width="{FW}" height="{FH}" fill="#fff"/><circle cx="45" cy="30" r="18" '
        'fill="#bc002d"/>',
    ),
    "DE": Flag(
        _("three horizontal bands of black, red and gold"),
        _bands(["#000", "#dd0000", "#ffce00"]),
    ),
    "FR": Flag(
        _("three vertical bands of blue, white and red"),
        _bands(["#002654", "#fff", "#ce1126"], vertical=True),
    ),
    "CA": Flag(
        _("a red maple leaf on a white square between two red bands"),
        f'<rect width="{FW}" height="{FH}" fill="#fff"/>'
        f'<rect width="{FW / 4}" height="{FH}" fill="#d52b1e"/>'
        f'<rect x="{FW * 3 / 4}" width="{FW / 4}" height="{FH}" fill="#d52b1e"/>'
        + _polygon(MAPLE_LEAF, cx=45, cy=30, size=19, color="#d52b1e"),
    ),
    "PH": Flag(
        _(
            "a blue band over a red band, with a white triangle at the hoist bearing a "
            "golden sun and three golden stars"
        ),
        _philippines(),
    ),
    "GH": Flag(
        _("three horizontal bands of red, gold and green, with a black star in the middle"),
        _bands(["#ce1126", "#fcd116", "#006b3f"]) + _star(45, 30, 9, "#000"),
    ),
    "GB": Flag(
        _("the Union Flag, red and white crosses on a dark blue field"),
        _union_flag(),
    ),
    "CN": Flag(
        _("a large golden star and four small ones on a red field"),
        _china(),
    ),
    "RU": Flag(
        _("three horizontal bands of white, blue and red"),
        _bands(["#fff", "#0039a6", "#d52b1e"]),
    ),
    "IN": Flag(
        _(
            "three horizontal bands of saffron, white and green, with a navy blue wheel in "
            "the middle"
        ),
        _india(),
    ),
}


def _flag_canvas(flag: Flag) -> str:
    # The flag 360 × 240 in the middle of the 640 × 400 picture, with a thin outline so a
    # white band still shows where the flag ends.
    x, y, w, h = 140, 80, 360, 240
    return (
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#eef2f6"/>'
        f'<svg x="{x}" y="{y}" width="{w}" height="{h}" viewBox="0 0 {FW} {FH}">'
        f"{flag.shapes}</svg>"
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="none" stroke="#9aa5b1" '
        'stroke-width="2"/>'
    )
