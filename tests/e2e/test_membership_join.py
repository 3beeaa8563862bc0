from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from membership.models import Membership, User

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Unguessable-Phrase-42"


def fill_join_form(page):
    page.get_by_label("Email address", exact=True).fill("grace@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("First name", exact=True).fill("Grace")
    page.get_by_label("Last name", exact=True).fill("Hopper")
    page.get_by_label("Address line 1", exact=True).fill("1 Main Street")
    page.get_by_label("City", exact=True).fill("Norfolk")
    page.get_by_label("State").fill("VA")
    page.get_by_label("ZIP code", exact=True).fill("23510")
    page.get_by_label("Send me the association's newsletter").check()
    page.get_by_label("Pay by check", exact=True).check()


def join_and_confirm(page, live_server, axe_check=None):
    """Send the filled-in join form, then follow the link emailed to the new address (the
    email is sent once the answer has gone; the live server runs in this process, so it
    lands in mail.outbox)."""
    page.get_by_role("button", name="Join and pay").click()
    page.wait_for_url("**/membership/join/*/sent/")
    assert page.get_by_role("heading", name="Check your email").is_visible()
    if axe_check:
        axe_check(page)
    (confirmation,) = [m for m in mail.outbox if m.to == ["grace@example.org"]]
    link = next(line for line in confirmation.body.splitlines() if "/confirm/" in line)
    page.goto(live_server.url + urlsplit(link.strip()).path)
    if axe_check:
        axe_check(page)
    page.get_by_role("button", name="Confirm and continue").click()


STAFF_PASSWORD = "Staff-Unguessable-Phrase-7"


def mark_dues_paid_in_admin(browser, browser_context_args, live_server, membership):
    """What the membership secretary does when the check arrives: in their own browser,
    sign in to the admin and run "Mark dues paid" on the membership."""
    User.objects.create_superuser(email="secretary@example.org", password=STAFF_PASSWORD)
    context = browser.new_context(**browser_context_args)
    try:
        staff = context.new_page()
        staff.goto(live_server.url + "/admin/membership/membership/?status__exact=pending")
        staff.get_by_label("Email address").fill("secretary@example.org")
        staff.get_by_label("Password").fill(STAFF_PASSWORD)
        staff.get_by_role("button", name="Log in").click()
        staff.wait_for_url("**/admin/membership/membership/**")
        staff.locator(f'input[name="_selected_action"][value="{membership.pk}"]').check()
        staff.locator('select[name="action"]').select_option("mark_dues_paid")
        staff.get_by_role("button", name="Go").click()
        expect(staff.get_by_text("1 membership marked paid.")).to_be_visible()
    finally:
        context.close()


def test_visitor_joins_pays_offline_and_becomes_active(
    demo, live_server, page, axe_check, browser, browser_context_args
):
    page.goto(live_server.url + "/membership/")
    assert page.get_by_text("Sample prices.").is_visible()
    axe_check(page)

    page.get_by_role("link", name="Join with the Individual plan").click()
    page.wait_for_url("**/membership/join/individual/")
    axe_check(page)
    fill_join_form(page)
    join_and_confirm(page, live_server, axe_check)
    page.wait_for_url("**/account/memberships/*/")
    assert "Please pay $35.00 by check" in page.content()
    axe_check(page)

    page.goto(live_server.url + "/account/")
    assert page.get_by_text("Pending payment").is_visible()
    axe_check(page)

    membership = Membership.objects.get(user__email="grace@example.org")
    mark_dues_paid_in_admin(browser, browser_context_args, live_server, membership)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    page.reload()
    membership_section = page.locator("#membership")
    assert membership_section.get_by_text("Active").is_visible()
    assert "Pending payment" not in membership_section.inner_text()


def test_visitor_joins_by_card_and_the_link_opened_elsewhere_goes_to_payment(
    demo, live_server, page, axe_check, browser, browser_context_args, fake_stripe, settings
):
    """The link opened in another browser (a phone's mail app) still begins the membership
    chosen on the join page, and goes straight on to pay by card."""
    settings.SITE_URL = live_server.url
    fake_stripe.webhook_url = live_server.url + "/payments/stripe/webhook/"
    page.goto(live_server.url + "/membership/join/individual/")
    fill_join_form(page)
    page.get_by_label("Pay by card", exact=True).check()
    page.get_by_role("button", name="Join and pay").click()
    page.wait_for_url("**/membership/join/*/sent/")

    (confirmation,) = [m for m in mail.outbox if m.to == ["grace@example.org"]]
    link = next(line for line in confirmation.body.splitlines() if "/confirm/" in line)
    context = browser.new_context(**browser_context_args)
    try:
        phone = context.new_page()
        phone.goto(live_server.url + urlsplit(link.strip()).path)
        axe_check(phone)
        phone.get_by_role("button", name="Confirm and pay by card").click()
        phone.wait_for_url(f"{fake_stripe.url}/pay/**")
        assert "$35.00" in phone.content()
        phone.get_by_role("button", name="Pay").click()
        phone.wait_for_url("**/account/memberships/*/**")
        assert "Payment received" in phone.content()
    finally:
        context.close()
    membership = Membership.objects.get(user__email="grace@example.org")
    assert membership.status == Membership.Status.ACTIVE


def test_join_form_errors_are_announced_and_accessible(demo, live_server, page, axe_check):
    page.goto(live_server.url + "/membership/join/household/")
    page.get_by_role("button", name="Join and pay").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_text("This field is required.").first.is_visible()
    axe_check(page)


def test_login_page_is_accessible_and_signs_in(live_server, page, axe_check, association):
    from membership.models import User

    User.objects.create_user(email="ada@example.org", password=PASSWORD)
    page.goto(live_server.url + "/account/login/")
    axe_check(page)
    page.get_by_label("Email address", exact=True).fill("ADA@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")
    assert page.get_by_role("heading", level=1).inner_text() == "My account"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server.url + "/")


def test_membership_pages_fit_320px(demo, live_server, page):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/membership/", "/membership/join/household/", "/account/login/"):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
