"""The picture of a partnership without a photo (cities/pictures.py): a map crop or a
drawn flag, chosen by a setting, served once per edit as an SVG with an ETag; an uploaded
photo replaces it."""

import importlib
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from cities import pictures
from cities.models import City, Partnership
from cities.worldmap import HEIGHT, WIDTH, project


def test_the_default_style_is_the_map(settings):
    assert settings.CITY_PICTURE_STYLE == "map"


@pytest.mark.parametrize("value", ["photo", "maps", ""])
def test_an_unknown_style_stops_the_settings(value):
    # The settings module read afresh with the variable set, in a child process so this
    # one's settings stay as they are.
    env = {**os.environ, "CITY_PICTURE_STYLE": value, "DJANGO_SETTINGS_MODULE": "nsca.settings"}
    env.setdefault("SECRET_KEY", "x" * 50)
    result = subprocess.run(
        [sys.executable, "-c", "import nsca.settings"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "CITY_PICTURE_STYLE" in result.stderr
    assert ImproperlyConfigured.__name__ in result.stderr
    assert importlib.import_module("nsca.settings").CITY_PICTURE_STYLE == "map"


def test_map_picture_is_centered_on_the_partner_city_with_the_arc_home(make_partnership):
    partnership = make_partnership("Kitakyushu", country="JP", slug="kitakyushu")
    city = partnership.partner_city
    city.latitude, city.longitude = 33.88, 130.88
    city.save()
    svg = pictures.draw(partnership, "map")
    x, y = project(city.latitude, city.longitude)
    left, top = pictures.crop_box(x, y)
    assert left < x < left + pictures.CROP_WIDTH and top < y < top + pictures.CROP_HEIGHT
    assert abs(x - (left + pictures.CROP_WIDTH / 2)) < 1
    assert f'cx="{x}" cy="{y}"' in svg  # the partner's marker
    assert svg.count("<path") == 2  # the land shown, and the arc from home
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_map_crop_stays_on_the_map_near_its_edges():
    assert pictures.crop_box(2, 2) == (0, 0)
    left, top = pictures.crop_box(WIDTH - 1, HEIGHT - 1)
    assert left + pictures.CROP_WIDTH == pytest.approx(WIDTH, abs=0.1)
    assert top + pictures.CROP_HEIGHT == pytest.approx(HEIGHT, abs=0.1)


def test_map_crop_carries_only_the_land_it_shows(make_partnership):
    partnership = make_partnership("Toulon")
    whole = sum(len(path) for path, _box in pictures.land_subpaths())
    assert len(pictures.draw(partnership, "map")) < whole / 2


@pytest.mark.parametrize(
    ("country", "words"),
    [
        ("JP", "a red disc on a white field"),
        ("DE", "black, red and gold"),
        ("FR", "blue, white and red"),
        ("CA", "maple leaf"),
        ("PH", "golden sun"),
        ("GH", "black star"),
        ("GB", "Union Flag"),
        ("CN", "golden star"),
        ("RU", "white, blue and red"),
        ("IN", "wheel"),
    ],
)
def test_every_partner_country_of_the_demo_has_a_flag_described_in_words(
    make_partnership, country, words
):
    partnership = make_partnership(f"City {country}", country=country)
    picture = pictures.picture_for(partnership, "flag")
    assert picture.style == "flag"
    assert picture.alt.startswith(f"Flag of {partnership.partner_city.country_name}: ")
    assert words in picture.alt
    assert pictures.draw(partnership, "flag").startswith("<svg")


def test_flag_style_is_read_from_the_setting(settings, make_partnership):
    settings.CITY_PICTURE_STYLE = "flag"
    partnership = make_partnership("Toulon")
    assert partnership.picture.style == "flag"
    assert partnership.picture.alt.startswith("Flag of France")


def test_a_country_without_a_drawn_flag_falls_back_to_the_map(settings, make_partnership):
    settings.CITY_PICTURE_STYLE = "flag"
    partnership = make_partnership("Windhoek", country="NA")
    assert partnership.picture.style == "map"
    assert partnership.picture.alt.startswith("Map of the region around Windhoek, Namibia")


def test_a_city_without_coordinates_falls_back_to_the_flag(make_partnership):
    partnership = make_partnership("Toulon")
    partnership.partner_city.latitude = partnership.partner_city.longitude = None
    assert partnership.picture.style == "flag"


def test_a_city_with_neither_has_no_picture_and_the_card_keeps_its_placeholder(
    client, make_partnership
):
    partnership = make_partnership("Nowhere", country="NA")
    City.objects.filter(pk=partnership.partner_city_id).update(latitude=None, longitude=None)
    partnership.refresh_from_db()
    partnership.partner_city.refresh_from_db()
    assert partnership.picture is None
    assert client.get("/cities/nowhere/map.svg").status_code == 404
    html = client.get("/cities/").content.decode()
    assert "partnership-card-placeholder" in html


def test_picture_is_served_as_svg_with_an_etag_and_revalidated(client, make_partnership):
    make_partnership("Toulon")
    response = client.get("/cities/toulon/map.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "max-age=3600" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    etag = response["ETag"]
    again = client.get("/cities/toulon/map.svg", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.head("/cities/toulon/map.svg").status_code == 200
    assert client.post("/cities/toulon/map.svg").status_code == 405


def test_picture_etag_changes_with_the_city(client, make_partnership):
    partnership = make_partnership("Toulon")
    first = client.get("/cities/toulon/map.svg")["ETag"]
    city = partnership.partner_city
    city.latitude = 48.85
    city.save()
    assert client.get("/cities/toulon/map.svg")["ETag"] != first


def test_unknown_partnership_has_no_picture(client, home_city):
    assert client.get("/cities/atlantis/map.svg").status_code == 404


def test_an_uploaded_photo_replaces_the_drawn_picture(client, make_partnership, jpeg_upload):
    partnership = make_partnership("Toulon")
    html = client.get("/cities/").content.decode()
    assert "/cities/toulon/map.svg" in html
    partnership.image = jpeg_upload(size=(800, 600))
    partnership.image_alt = "The harbor at dawn"
    partnership.save()
    for url in ("/cities/", "/cities/toulon/"):
        html = client.get(url).content.decode()
        assert "/cities/toulon/map.svg" not in html
        assert 'alt="The harbor at dawn"' in html
        assert Partnership.objects.get().image_card.url in html


def test_partner_page_shows_the_picture_with_its_text_alternative(client, make_partnership):
    partnership = make_partnership("Toulon")
    html = client.get("/cities/toulon/").content.decode()
    assert 'src="/cities/toulon/map.svg"' in html
    assert f'alt="{partnership.picture.alt}"' in html


def test_each_style_has_its_own_address_and_the_page_links_the_configured_one(
    client, settings, make_partnership
):
    make_partnership("Toulon")
    assert 'src="/cities/toulon/map.svg"' in client.get("/cities/").content.decode()
    settings.CITY_PICTURE_STYLE = "flag"
    assert 'src="/cities/toulon/flag.svg"' in client.get("/cities/").content.decode()
    flag = client.get("/cities/toulon/flag.svg")
    drawn_map = client.get("/cities/toulon/map.svg")
    assert flag.status_code == drawn_map.status_code == 200
    assert flag["ETag"] != drawn_map["ETag"]


def test_a_style_the_city_cannot_be_drawn_in_has_no_address(client, make_partnership):
    make_partnership("Windhoek", country="NA")
    assert client.get("/cities/windhoek/map.svg").status_code == 200
    assert client.get("/cities/windhoek/flag.svg").status_code == 404
    assert client.get("/cities/windhoek/photo.svg").status_code == 404


def test_a_paused_partnership_card_has_its_picture_too(client, make_partnership):
    partnership = make_partnership("Kaliningrad", country="RU", status="paused")
    html = client.get("/cities/").content.decode()
    paused = html[html.index('id="paused-heading"') :]
    assert 'src="/cities/kaliningrad/map.svg"' in paused
    assert f'alt="{partnership.picture.alt}"' in paused
