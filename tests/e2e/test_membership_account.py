import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Unguessable-Phrase-42"


@pytest.fixture
def signed_in_page(association, live_server, page):
    from membership.models import User

    User.objects.create_user(email="ada@example.org", password=PASSWORD, first_name="Ada")
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")
    return page


@pytest.mark.parametrize(
    "path", ["/account/profile/", "/account/email/", "/account/password/change/"]
)
def test_account_forms_are_accessible(signed_in_page, live_server, axe_check, path):
    signed_in_page.goto(live_server.url + path)
    axe_check(signed_in_page)
    signed_in_page.locator("main form button[type=submit]").click()
    assert signed_in_page.get_by_role("alert").is_visible()
    axe_check(signed_in_page)


def test_password_reset_pages_are_accessible(association, live_server, page, axe_check):
    page.goto(live_server.url + "/account/password/reset/")
    axe_check(page)
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url("**/account/password/reset/sent/")
    assert page.get_by_role("heading", name="Check your email").is_visible()
    axe_check(page)


def test_member_edits_details_from_the_account_page(signed_in_page, live_server):
    page = signed_in_page
    page.get_by_role("link", name="Edit your details").click()
    page.get_by_label("Last name", exact=True).fill("Lovelace")
    page.get_by_label("Address line 1", exact=True).fill("1 Main Street")
    page.get_by_label("City", exact=True).fill("Norfolk")
    page.get_by_label("ZIP code", exact=True).fill("23510")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/account/")
    assert page.get_by_text("Your details are saved.").is_visible()
    assert "Ada Lovelace" in page.locator("main").inner_text()
