import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cities.models import Committee, Milestone, Partnership, Photo

pytestmark = pytest.mark.django_db(transaction=True)

CITIES_PAGES = [
    "/cities/",
    "/cities/virginia/",
    "/cities/kitakyushu/",
    "/cities/kaliningrad/",
    "/cities/kochi/",
]


@pytest.mark.parametrize("path", CITIES_PAGES)
def test_cities_page_has_no_accessibility_violations(demo, live_server, page, axe_check, path):
    page.goto(live_server.url + path)
    axe_check(page)


@pytest.mark.parametrize("path", CITIES_PAGES)
def test_cities_page_at_320px_has_no_horizontal_scroll(demo, live_server, page, path):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize("path", CITIES_PAGES)
def test_cities_page_makes_no_external_request(demo, live_server, page, external_requests, path):
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    assert external_requests == []


def test_visitor_follows_a_map_marker_to_the_partnership_page(demo, live_server, page):
    page.goto(live_server.url + "/cities/")
    marker = page.get_by_role(
        "link", name="Toulon, Provence-Alpes-Côte d'Azur, France: Sister city"
    )
    assert marker.evaluate("el => el.closest('svg') !== null")
    marker.click()
    page.wait_for_url("**/cities/toulon/")
    assert page.get_by_role("heading", level=1).inner_text() == "Toulon"


def test_map_markers_are_reachable_with_the_keyboard(demo, live_server, page):
    page.goto(live_server.url + "/cities/")
    marker = page.locator("a.worldmap-marker").first
    marker.focus()
    assert marker.evaluate("el => el === document.activeElement")


def test_visitor_reads_the_paused_partnership_note(demo, live_server, page):
    page.goto(live_server.url + "/cities/")
    paused = page.get_by_role("region", name="Paused partnerships")
    assert "invasion of Ukraine" in paused.inner_text()
    paused.get_by_role("link", name="Kaliningrad").click()
    page.wait_for_url("**/cities/kaliningrad/")
    assert "Paused" in page.get_by_role("complementary").inner_text()


def test_visitor_jumps_to_a_locality_in_the_virginia_directory(demo, live_server, page):
    page.goto(live_server.url + "/cities/virginia/")
    page.get_by_role("navigation", name="Localities").get_by_role("link", name="Richmond").click()
    assert page.evaluate("location.hash") == "#richmond-virginia"
    section = page.get_by_role("region", name="Richmond 5 partners")
    assert "Windhoek, Khomas, Namibia" in section.inner_text()


def test_a_fully_furnished_partnership_page_has_no_accessibility_violations(
    demo, live_server, page, axe_check
):
    def jpeg():
        buffer = BytesIO()
        Image.new("RGB", (800, 600), (30, 90, 140)).save(buffer, "JPEG")
        return SimpleUploadedFile("sample.jpg", buffer.getvalue(), content_type="image/jpeg")

    toulon = Partnership.objects.get(slug="toulon")
    toulon.story = "First paragraph.\n\nSecond paragraph."
    toulon.year_established = 1989
    toulon.origins = ["historical"]
    toulon.image = jpeg()
    toulon.image_alt = "A blue test image"
    toulon.save()
    Committee.objects.create(
        partnership=toulon, name="Education", current_project="Pen pals", contact="a@example.org"
    )
    Photo.objects.create(partnership=toulon, image=jpeg(), caption="Harbour", credit="Staff")
    Milestone.objects.create(partnership=toulon, date=datetime.date(1989, 6, 1), title="Signing")
    toulon.change_status(status="active", note="Renewed.", on=datetime.date(2023, 1, 5))
    page.goto(live_server.url + "/cities/toulon/")
    assert page.get_by_role("heading", name="Committees").is_visible()
    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


PICTURE_PAGES = ["/", "/cities/", "/cities/kitakyushu/", "/cities/ningbo-beilun/"]


def every_image_loaded(page) -> bool:
    return page.evaluate(
        "[...document.querySelectorAll('main img')].every(i => i.complete && i.naturalWidth > 0)"
    )


@pytest.mark.parametrize("style", ["map", "flag"])
@pytest.mark.parametrize("path", PICTURE_PAGES)
def test_drawn_pictures_load_and_pass_axe_in_either_style(
    demo, live_server, page, axe_check, settings, style, path
):
    settings.CITY_PICTURE_STYLE = style
    page.goto(live_server.url + path)
    for image in page.locator("main img").all():
        image.scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    assert every_image_loaded(page)
    pictures = page.locator("main img[src$='map.svg'], main img[src$='flag.svg']")
    assert pictures.count() >= 1
    expected = "Flag of" if style == "flag" else "Map of the region around"
    assert pictures.first.get_attribute("alt").startswith(expected)
    axe_check(page)


def test_home_page_tells_the_partnerships_story(demo, live_server, page, axe_check):
    page.goto(live_server.url + "/")
    section = page.get_by_role("region", name="Our sister and friendship cities")
    assert "years of friendship" in section.inner_text()
    assert "latest milestone" in section.inner_text().lower()
    section.get_by_role("link", name="Kitakyushu").first.click()
    page.wait_for_url("**/cities/kitakyushu/")
    timeline = page.get_by_role("region", name="Timeline")
    items = timeline.get_by_role("listitem")
    assert items.first.locator("time").inner_text() == "2019"
    assert items.last.locator("time").inner_text() == "1958"


def test_a_timeline_with_a_milestone_photo_has_no_accessibility_violations(
    demo, live_server, page, axe_check
):
    buffer = BytesIO()
    Image.new("RGB", (800, 600), (200, 60, 40)).save(buffer, "JPEG")
    Milestone.objects.create(
        partnership=Partnership.objects.get(slug="toulon"),
        date=datetime.date(2015, 6, 1),
        precision="month",
        title="The delegation of 22",
        photo=SimpleUploadedFile("d.jpg", buffer.getvalue(), content_type="image/jpeg"),
        photo_alt="Travelers from Norfolk on Toulon's quay",
    )
    page.goto(live_server.url + "/cities/toulon/")
    photo = page.get_by_role("img", name="Travelers from Norfolk on Toulon's quay")
    photo.scroll_into_view_if_needed()
    assert photo.is_visible()
    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
