"""Joining, then buying at the member price: membership and events together, in a browser."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from membership.dues import confirm_dues_paid
from membership.models import Membership
from tickets.models import Order

from .test_membership_join import PASSWORD, fill_join_form, join_and_confirm

pytestmark = pytest.mark.django_db(transaction=True)

DINNER = "/events/sample-secret-venue-dinner/"


def test_visitor_joins_and_after_payment_buys_at_the_member_price(
    demo, live_server, page, axe_check
):
    page.goto(live_server.url + "/membership/join/individual/")
    fill_join_form(page)
    join_and_confirm(page, live_server)
    page.wait_for_url("**/account/memberships/*/")

    page.goto(live_server.url + "/account/")
    assert page.get_by_text("Pending payment").is_visible()
    assert page.get_by_role("heading", name="My tickets and orders").is_visible()

    # Staff confirm the payment; the same member now pays the member price.
    membership = Membership.objects.get(user__email="grace@example.org")
    assert confirm_dues_paid(membership, at=timezone.now())
    page.goto(live_server.url + DINNER + "tickets/")
    page.get_by_label(re.compile(r"^Dinner ticket")).fill("1")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Name on ticket 1").fill("Grace Hopper")
    page.get_by_label("Meal for ticket 1").select_option("Fish")
    assert page.get_by_label("Email").input_value() == "grace@example.org"
    page.get_by_label("Pay by check or at the door").check()
    axe_check(page)
    page.get_by_role("button", name="Reserve my tickets").click()
    page.wait_for_url("**/orders/**")

    order = Order.objects.get(email="grace@example.org")
    assert order.total == Decimal("55.00")
    assert order.user.email == "grace@example.org"
    assert "$55.00" in page.content()

    page.goto(live_server.url + "/account/")
    orders = page.locator("#orders")
    assert orders.get_by_role("link", name=order.event.title).first.is_visible()
    assert order.reference in orders.inner_text()
    axe_check(page)
    assert PASSWORD not in page.content()
