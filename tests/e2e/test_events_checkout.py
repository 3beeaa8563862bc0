"""A visitor buys two tickets to the secret-venue dinner, in a real browser."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Event
from tickets import order_payments
from tickets.models import Order

pytestmark = pytest.mark.django_db(transaction=True)

DINNER = "/events/sample-secret-venue-dinner/"


def test_visitor_buys_two_tickets_and_sees_the_venue_only_after_reveal(
    demo, live_server, page, axe_check, external_requests
):
    event = Event.objects.select_related("venue").get(slug="sample-secret-venue-dinner")
    venue_name = event.venue.name

    page.goto(live_server.url + "/events/")
    axe_check(page)
    page.get_by_role("link", name=event.title).click()
    page.wait_for_url(f"**{DINNER}")
    assert "The location will be revealed to ticket holders on" in page.content()
    assert venue_name not in page.content()
    axe_check(page)

    page.get_by_role("link", name="Buy tickets").click()
    page.get_by_label(re.compile(r"^Dinner ticket")).fill("2")
    axe_check(page)
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Name on ticket 1").fill("Ada Guest")
    page.get_by_label("Meal for ticket 1").select_option("Vegetarian")
    page.get_by_label("Name on ticket 2").fill("Bo Guest")
    page.get_by_label("Meal for ticket 2").select_option("Fish")
    page.get_by_label("Dietary notes for ticket 2").fill("No shellfish")
    page.get_by_label("Your name").fill("Ada Guest")
    page.get_by_label("Email").fill("ada.guest@example.org")
    page.get_by_label("Pay by check or at the door").check()
    axe_check(page)
    page.get_by_role("button", name="Reserve my tickets").click()

    page.wait_for_url("**/orders/**")
    order = Order.objects.get(email="ada.guest@example.org")
    assert order.tickets.count() == 2
    assert page.locator("svg.ticket-qr").count() == 2
    assert venue_name not in page.content()
    assert "will be revealed to ticket holders" in page.content()
    axe_check(page)

    # Move the clock (the live server runs in this process) past the reveal: a reservation
    # not yet paid is no ticket holder, so the reloaded page still keeps the venue; once
    # staff record the check, the same page shows it. The event itself is left as it was.
    with time_machine.travel(event.venue_reveal_at + datetime.timedelta(minutes=1)):
        page.reload()
        assert venue_name not in page.content()
        assert "Once your payment has reached us" in page.content()
        order_payments.record_offline_payment(order=order, now=timezone.now())
        page.reload()
        assert venue_name in page.content()
        assert "will be revealed" not in page.content()
        assert page.locator("svg.ticket-qr").count() == 2
    assert external_requests == []


def test_event_pages_at_320px_have_no_horizontal_scroll(demo, live_server, page):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/events/", DINNER, DINNER + "tickets/"):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path


def test_free_class_registration_and_sold_out_pages_are_accessible(
    demo, live_server, page, axe_check
):
    page.goto(live_server.url + "/events/sample-online-class-materials-by-post/tickets/")
    axe_check(page)
    page.goto(live_server.url + "/events/sample-sold-out-evening/")
    assert "Sold out" in page.content()
    axe_check(page)
    page.goto(live_server.url + "/events/past/")
    axe_check(page)


def test_buyer_cancels_their_order_from_the_order_page(demo, live_server, page):
    # The order page once sent `Referrer-Policy: no-referrer`, so Chromium posted the
    # cancel form with `Origin: null` and Django's CSRF check refused it (403).
    page.goto(live_server.url + DINNER + "tickets/")
    page.get_by_label(re.compile(r"^Dinner ticket")).fill("1")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Name on ticket 1").fill("Cy Guest")
    page.get_by_label("Meal for ticket 1").select_option("Vegetarian")
    page.get_by_label("Your name").fill("Cy Guest")
    page.get_by_label("Email").fill("cy.guest@example.org")
    page.get_by_label("Pay by check or at the door").check()
    page.get_by_role("button", name="Reserve my tickets").click()
    page.wait_for_url("**/orders/**")
    order_url = page.url

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel this order").click()
    page.wait_for_load_state()

    assert page.url == order_url
    assert "Your order is cancelled" in page.content()
    assert Order.objects.get(email="cy.guest@example.org").status == Order.Status.CANCELLED


def lunch_event():
    from decimal import Decimal

    from tests.events.factories import make_event, make_ticket_type

    event = make_event(title="Harbour Lunch", slug="harbour-lunch")
    make_ticket_type(event, name="Lunch", price=Decimal("30.00"), quantity=10)
    return event


def test_the_total_shows_live_as_the_quantities_change(live_server, page, axe_check, association):
    event = lunch_event()
    page.goto(f"{live_server.url}/events/{event.slug}/tickets/")
    total = page.locator("[data-checkout-total]")
    expect(total).to_have_text("Total: $0.00")
    page.get_by_label("Lunch").first.fill("2")
    expect(total).to_have_text("Total: $60.00")
    page.get_by_label("Lunch").first.fill("3")
    expect(total).to_have_text("Total: $90.00")
    axe_check(page)
    # The total is shown: the order is placed from the form itself.
    page.get_by_label("Your name").fill("Ada Live")
    page.get_by_label("Email").fill("ada.live@example.org")
    page.get_by_label("Pay by check or at the door").check()
    page.get_by_role("button", name="Reserve my tickets").click()
    page.wait_for_url("**/orders/**")
    assert Order.objects.get().total == 90


def test_without_javascript_the_total_shows_on_a_review_step(
    live_server, browser, browser_context_args, association
):
    event = lunch_event()
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/events/{event.slug}/tickets/")
        page.get_by_label("Lunch").first.fill("2")
        page.get_by_label("Your name").fill("Ada Plain")
        page.get_by_label("Email").fill("ada.plain@example.org")
        page.get_by_label("Pay by check or at the door").check()
        page.get_by_role("button", name="Review my order").click()
        expect(page.get_by_role("heading", name="Review your order")).to_be_visible()
        expect(page.locator("table.order-summary tfoot")).to_contain_text("$60.00")
        assert not Order.objects.exists()
        page.get_by_role("button", name="Reserve my tickets").click()
        page.wait_for_url("**/orders/**")
        assert Order.objects.get().total == 60
    finally:
        context.close()


def test_the_review_step_is_accessible(live_server, page, axe_check, association):
    event = lunch_event()
    page.goto(f"{live_server.url}/events/{event.slug}/tickets/")
    page.get_by_label("Lunch").first.fill("2")
    page.get_by_label("Your name").fill("Ada Plain")
    page.get_by_label("Email").fill("ada.plain@example.org")
    # As a browser without JavaScript sends it: with the review field the script removed.
    page.evaluate(
        """() => { const input = document.createElement("input");
        input.type = "hidden"; input.name = "review"; input.value = "1";
        document.querySelector("form.checkout-form").append(input); }"""
    )
    page.get_by_role("button", name="Reserve my tickets").click()
    expect(page.get_by_role("heading", name="Review your order")).to_be_visible()
    axe_check(page)


def test_on_a_phone_buy_tickets_is_at_the_top_of_the_event_page(demo, live_server, page):
    page.set_viewport_size({"width": 400, "height": 700})
    page.goto(live_server.url + DINNER)
    link = page.get_by_role("link", name="Buy tickets").first
    expect(link).to_be_visible()
    assert link.bounding_box()["y"] + link.bounding_box()["height"] <= 700
    link.click()
    page.wait_for_url(f"**{DINNER}tickets/")
