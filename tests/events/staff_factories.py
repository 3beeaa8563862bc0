"""Rows for the events-staff tests (admin, exports, check-in, waiting list, groups).

Orders are made through the inventory, so the `reserved` counters stay true.
"""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from events import inventory
from events.models import Event, Order, TicketType, Venue
from membership.models import User

_serial = itertools.count(1)


def make_venue(**fields):
    defaults = {
        "name": "The Secret Garden Hall",
        "address": "12 Hidden Lane\nNorfolk, VA 23510",
        "directions": "Side door, second floor.",
    }
    defaults.update(fields)
    return Venue.objects.create(**defaults)


def make_event(**fields):
    n = next(_serial)
    now = timezone.now()
    starts_at = fields.pop("starts_at", now + timedelta(days=10))
    defaults = {
        "title": f"Sample dinner {n}",
        "slug": f"sample-dinner-{n}",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=3),
        "status": Event.Status.PUBLISHED,
        "meal_options": "Chicken\nVegetarian\nFish",
    }
    defaults.update(fields)
    return Event.objects.create(**defaults)


def make_ticket_type(event, **fields):
    defaults = {"name": "Dinner", "price": Decimal("50.00"), "quantity": 20}
    defaults.update(fields)
    return TicketType.objects.create(event=event, **defaults)


def make_order(
    event,
    lines,
    *,
    status=Order.Status.CONFIRMED,
    paid=False,
    name="Alice Buyer",
    email="alice@example.org",
    phone="757-555-0100",
    attendees=None,
    address=None,
    now=None,
):
    """An order made by the inventory, then brought to `status` the way the site would."""
    now = now or timezone.now()
    buyer = {"name": name, "email": email, "phone": phone, **(address or {})}
    order = inventory.reserve_tickets(
        event=event,
        lines=lines,
        buyer=buyer,
        idempotency_key=None,
        now=now,
        attendees=attendees,
    )
    if status == Order.Status.CONFIRMED or paid:
        inventory.confirm_order(order=order, now=now)
    if paid:
        inventory.mark_order_paid(order=order, now=now)
    if status in (Order.Status.CANCELLED, Order.Status.EXPIRED, Order.Status.REFUNDED):
        inventory.cancel_order(order=order, now=now, status=status)
    order.refresh_from_db()
    return order


def make_staff(email="door@example.org", *, group=None, superuser=False, **fields):
    user = User.objects.create_user(
        email=email, password="door-pass-123", is_staff=True, is_superuser=superuser, **fields
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user
