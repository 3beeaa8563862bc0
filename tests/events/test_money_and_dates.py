"""An amount and an event's time read the same wherever a person sees them: the public
pages, the order page, the confirmation email, the admin and the check-in desk all write
them through association.formats."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from association.formats import format_event_time
from tickets.checkin import admission
from tickets.models import Order
from tickets.notifications import queue_order_confirmation

STARTS_AT = datetime.datetime(2030, 5, 18, 23, 0, tzinfo=datetime.UTC)  # 7 PM in Norfolk
EVENT_TIME = "Saturday, May 18, 2030, 7:00 PM"


@pytest.fixture
def gala(make_event, make_ticket_type):
    event = make_event(
        title="Spring Gala",
        slug="spring-gala",
        starts_at=STARTS_AT,
        ends_at=STARTS_AT + datetime.timedelta(hours=3),
    )
    make_ticket_type(event, name="Gala", price=Decimal("130"))
    return event


@pytest.fixture
def surfaces(client, staff_user, gala, buy, now):
    order = buy(gala, 1, now=now, paid=False)  # the amount to collect shows at the door
    mail.outbox.clear()
    queue_order_confirmation(order, now=now)
    message = mail.outbox[-1]
    texts = {
        "event page": client.get(gala.get_absolute_url()).content.decode(),
        "event list": client.get("/events/").content.decode(),
        "order page": client.get(order.get_absolute_url()).content.decode(),
        "confirmation email (text)": message.body,
        "confirmation email (HTML)": message.alternatives[0][0],
        "check-in verdict": admission(order.tickets.get(), event=gala).message,
    }
    client.force_login(staff_user)
    texts["admin orders"] = client.get("/admin/tickets/order/").content.decode()
    order_url = reverse("admin:tickets_order_change", args=[Order.objects.get().pk])
    texts["admin order"] = client.get(order_url).content.decode()
    texts["admin events"] = client.get("/admin/events/event/").content.decode()
    checkin_url = reverse("tickets:checkin", kwargs={"slug": gala.slug})
    texts["check-in page"] = client.get(
        f"{checkin_url}?code={order.tickets.get().code}"
    ).content.decode()
    return texts


def words(html: str) -> str:
    """The text a person reads, without the markup around it."""
    return re.sub(r"<[^>]+>", "", html)


def test_money_is_written_with_cents_on_every_surface(surfaces):
    for surface, text in surfaces.items():
        if surface in {"event list", "admin events"}:
            continue  # they show the price or revenue, checked below with the others
        assert "$130.00" in text, surface
    for surface, text in surfaces.items():
        assert not re.search(r"\$130(?!\.00)", text), surface
    assert "$130.00" in surfaces["event list"]


def test_the_admin_writes_moments_like_the_pages(surfaces):
    placed = Order.objects.get().created_at
    # The list leaves the time placed to its date hierarchy (it fits at 1280 px); the
    # order's page has it.
    assert format_event_time(placed) in surfaces["admin order"]
    assert EVENT_TIME in surfaces["admin events"]


def test_an_event_time_is_written_one_way_on_pages_and_in_the_email(surfaces):
    for surface in ("event page", "event list", "order page", "confirmation email (text)"):
        assert EVENT_TIME in surfaces[surface], surface
    assert f"{EVENT_TIME} to 10:00 PM" in words(surfaces["order page"])
    assert f"{EVENT_TIME} to 10:00 PM" in words(surfaces["event page"])
    assert f"{EVENT_TIME} to 10:00 PM (Eastern Time)" in surfaces["confirmation email (text)"]
