"""The checkout with mistakes in it stays accessible and says what is wrong."""

import re

import pytest

from tickets.models import Order

pytestmark = pytest.mark.django_db(transaction=True)

DINNER = "/events/sample-secret-venue-dinner/"


def test_checkout_errors_are_announced_accessibly_and_nothing_is_ordered(
    demo, live_server, page, axe_check
):
    page.goto(live_server.url + DINNER + "tickets/")
    page.get_by_label(re.compile(r"^Dinner ticket")).fill("1")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Pay by check or at the door").check()
    # The browser's own checks would stop the form; let the server judge it.
    page.evaluate("document.querySelector('form.checkout-form').noValidate = true")
    page.get_by_role("button", name="Reserve my tickets").click()
    assert page.get_by_role("alert").first.is_visible()
    assert "Enter a valid email address" in page.content()
    axe_check(page)
    assert not Order.objects.filter(email="not-an-email").exists()
    assert Order.objects.filter(event__slug="sample-secret-venue-dinner").count() == 0
