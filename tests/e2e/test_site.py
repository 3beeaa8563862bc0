import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_PAGES = ["/", "/about/", "/no-such-page/"]


@pytest.fixture
def site(demo):
    return demo


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_accessibility_violations(site, live_server, page, axe_check, path):
    page.goto(live_server.url + path)
    axe_check(page)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_makes_no_external_request(site, live_server, page, external_requests, path):
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    assert external_requests == []


def test_home_page_at_320px_has_no_horizontal_scroll(site, live_server, page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320
    assert page.get_by_role("navigation", name="Main").is_visible()


def test_skip_link_moves_focus_to_main_content(site, live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_visitor_reads_about_from_navigation(site, live_server, page):
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="About").click()
    page.wait_for_url("**/about/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("About")
    assert "1976" in page.content()


# How many times a text is shown in the header and the page's own content (the footer
# signs every page with the name too).
SHOWN_TEXT = """text => [...document.querySelectorAll(".site-header *, main *")].filter(el =>
    el.children.length === 0 && el.textContent.trim() === text && el.checkVisibility()
    && el.getBoundingClientRect().width > 1).length"""


@pytest.mark.parametrize("width", [375, 1280])
def test_the_home_page_does_not_repeat_the_name_and_tagline(site, live_server, page, width):
    page.set_viewport_size({"width": width, "height": 800})
    from association.models import Association

    association = Association.current()
    page.goto(live_server.url + "/")
    assert page.evaluate(SHOWN_TEXT, association.name) == 1  # the header's
    # The header's, or on a phone (no room for it in the header) the hero's.
    assert page.evaluate(SHOWN_TEXT, association.tagline) == 1
    assert page.get_by_role("heading", level=1).inner_text() == association.name


def test_on_a_phone_the_header_is_the_name_and_a_menu_that_opens_without_javascript(
    site, live_server, browser, browser_context_args
):
    context = browser.new_context(
        **browser_context_args, java_script_enabled=False, viewport={"width": 375, "height": 700}
    )
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        assert page.locator(".site-header").bounding_box()["height"] <= 90
        nav = page.get_by_role("navigation", name="Main")
        about = nav.get_by_role("link", name="About")
        assert not about.is_visible()
        nav.get_by_text("Menu").click()
        assert about.is_visible()
        about.click()
        page.wait_for_url("**/about/")
    finally:
        context.close()


def test_the_phone_menu_is_accessible_open_and_closed(site, live_server, page, axe_check):
    page.set_viewport_size({"width": 375, "height": 700})
    page.goto(live_server.url + "/events/")
    axe_check(page)
    page.get_by_role("navigation", name="Main").get_by_text("Menu").click()
    link = page.get_by_role("link", name="Events", exact=True)
    assert link.get_attribute("aria-current") == "page"
    axe_check(page)
