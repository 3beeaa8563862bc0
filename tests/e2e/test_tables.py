"""A table host buys a table of 10 by card, names three guests, gives one seat to
someone else and cancels another within the policy, on the order page (its private
link), with no accessibility violation on the way."""

from decimal import Decimal

import pytest

from events.models import RefundPolicy
from payments.models import Payment
from tests.events.factories import make_event, make_ticket_type
from tickets.models import Order

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_host_buys_a_table_names_guests_transfers_a_seat_and_cancels_one(
    live_server, page, axe_check, fake_stripe, settings
):
    settings.SITE_URL = live_server.url
    fake_stripe.webhook_url = live_server.url + "/payments/stripe/webhook/"
    event = make_event(
        title="International Luncheon",
        slug="luncheon",
        meal_options="Chicken\nVegetarian",
        refund_policy=RefundPolicy.FULL,
    )
    make_ticket_type(event, name="Seat", price=Decimal("65.00"), member_price=Decimal("55.00"))
    make_ticket_type(event, name="Table of 10", price=Decimal("500.00"), quantity=50, seats=10)

    page.goto(f"{live_server.url}/events/{event.slug}/tickets/")
    page.get_by_label("Table of 10").fill("1")
    axe_check(page)
    page.get_by_role("button", name="Continue").click()
    # A table's guests are named later: no guest fields now.
    assert page.get_by_label("Name on ticket 1").count() == 0
    page.get_by_label("Your name").fill("Tess Host")
    page.get_by_label("Email").fill("tess.host@example.org")
    page.get_by_label("Pay by card").check()
    axe_check(page)
    page.get_by_role("button", name="Reserve my tickets").click()
    page.wait_for_url(f"{fake_stripe.url}/pay/**")
    assert "$500.00" in page.content()
    page.get_by_role("button", name="Pay").click()

    page.wait_for_url("**/orders/**")
    order_url = page.url.split("?")[0]
    assert "Payment received" in page.content()
    assert "10 seats still to name" in page.content()
    axe_check(page)

    # Name three guests, with their meals.
    page.get_by_role("link", name="Name your guests").click()
    axe_check(page)
    for seat, (name, meal) in enumerate(
        [("Ana Guest", "Chicken"), ("Ben Guest", "Vegetarian"), ("Cy Guest", "Chicken")]
    ):
        group = page.get_by_role("group", name=f"Table of 10: Table 1, seat {seat + 1}", exact=True)
        group.get_by_label("Name").fill(name)
        group.get_by_label("Meal").select_option(meal)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(order_url)
    assert "Your changes are saved" in page.content()
    assert "7 seats still to name" in page.content()
    axe_check(page)

    # Give seat 3 to someone else.
    page.get_by_role("link", name="Give to someone else (ticket 3)").click()
    axe_check(page)
    page.get_by_label("Their name").fill("Dee Friend")
    page.get_by_label("Their email").fill("dee.friend@example.org")
    page.get_by_role("button", name="Give the ticket").click()
    page.wait_for_url(order_url)
    assert "Given to Dee Friend" in page.content()
    axe_check(page)

    # Cancel seat 10 (unnamed): its share goes back to the card.
    page.get_by_role("button", name="Cancel ticket 10").click()
    page.wait_for_url(order_url)
    assert "$50.00 is refunded to your card" in page.content()
    axe_check(page)

    order = Order.objects.get(email="tess.host@example.org")
    assert order.status == Order.Status.CONFIRMED
    assert order.tickets.count() == 9
    assert order.tickets.get(seat_number=3).attendee_email == "dee.friend@example.org"
    payment = Payment.objects.get(purpose="events.order", object_id=str(order.pk))
    assert payment.amount_refunded == Decimal("50.00")
    event.refresh_from_db()
    assert event.reserved == 9

    # The new holder's own page shows their ticket.
    page.goto(live_server.url + order.tickets.get(seat_number=3).get_absolute_url())
    assert "Dee Friend" in page.content()
    axe_check(page)
