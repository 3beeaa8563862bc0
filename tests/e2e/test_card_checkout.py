"""A visitor buys two tickets by card, paying on the fake Stripe's hosted page."""

from decimal import Decimal

import pytest
from django.core import mail

from tests.events.factories import make_event, make_ticket_type
from tickets.models import Order

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_buys_two_tickets_by_card_and_lands_on_a_paid_order(
    live_server, page, axe_check, fake_stripe, settings
):
    settings.SITE_URL = live_server.url
    fake_stripe.webhook_url = live_server.url + "/payments/stripe/webhook/"
    event = make_event(title="Harbour Lunch", slug="harbour-lunch")
    make_ticket_type(event, name="Lunch", price=Decimal("30.00"), quantity=10)

    page.goto(f"{live_server.url}/events/{event.slug}/tickets/")
    page.get_by_label("Lunch").first.fill("2")
    page.get_by_label("Your name").fill("Ada Card")
    page.get_by_label("Email").fill("ada.card@example.org")
    page.get_by_label("Pay by card").check()
    axe_check(page)
    page.get_by_role("button", name="Reserve my tickets").click()

    page.wait_for_url(f"{fake_stripe.url}/pay/**")
    assert "$60.00" in page.content()
    page.get_by_role("button", name="Pay").click()

    page.wait_for_url("**/orders/**")
    assert "Payment received" in page.content()
    order = Order.objects.get(email="ada.card@example.org")
    assert order.status == Order.Status.CONFIRMED
    assert order.paid_at is not None
    assert order.tickets.count() == 2
    assert len(mail.outbox) == 1
    axe_check(page)

    page.get_by_role("link", name="Your receipt").click()
    page.wait_for_url("**/payments/**")
    assert "$60.00" in page.content()
    axe_check(page)
