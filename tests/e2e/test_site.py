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
