"""The events app's test rows, one set for every test (fixtures in conftest.py hand these
out; e2e tests import them). Orders are made through `tickets.orders`, so the `reserved`
counters stay true."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from events.models import Event, Venue
from membership.models import User
from tickets import orders
from tickets.availability import places_left, with_sales_figures
from tickets.models import Order, TicketType

_serial = itertools.count(1)


def make_venue(**fields) -> Venue:
    defaults = {
        "name": "The Secret Garden Hall",
        "address": "12 Hidden Lane\nNorfolk, VA 23510",
        "directions": "Side door, second floor.",
    }
    defaults.update(fields)
    return Venue.objects.create(**defaults)


def make_event(**fields) -> Event:
    """A published event starting in three days (whole seconds, as a form would give)."""
    number = next(_serial)
    now = timezone.now().replace(microsecond=0)
    starts_at = fields.pop("starts_at", now + timedelta(days=3))
    defaults = {
        "title": f"Dinner {number}",
        "slug": f"dinner-{number}",
        "summary": "A dinner among friends.",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=3),
        "status": Event.Status.PUBLISHED,
        # Most tests buy paid tickets by check; the tests of pay later turn it off.
        "pay_later_allowed": True,
        # Changes and cancellations close 48 hours before (the default, 3 days, would
        # close them at once for an event in three days).
        "change_deadline": starts_at - timedelta(hours=48),
    }
    defaults.update(fields)
    return Event.objects.create(**defaults)


def make_ticket_type(event, **fields) -> TicketType:
    defaults = {"name": "Standard", "price": Decimal("40.00"), "quantity": 50}
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
    user=None,
    idempotency_key=None,
    now=None,
) -> Order:
    """An order reserved through `tickets.orders`, then brought to `status` the way the
    site would."""
    now = now or timezone.now()
    buyer = {"name": name, "email": email, "phone": phone, **(address or {})}
    order = orders.reserve_tickets(
        orders.ReservationRequest(
            event=event,
            lines=lines,
            buyer=buyer,
            user=user,
            idempotency_key=idempotency_key,
            now=now,
            attendees=attendees,
        )
    ).order
    if paid:
        # Paid as it is confirmed (as a card payment confirms a held order).
        orders.mark_order_paid(order=order, now=now)
    elif status == Order.Status.CONFIRMED:
        orders.confirm_order(order=order, now=now)
    if status in (Order.Status.CANCELLED, Order.Status.EXPIRED, Order.Status.REFUNDED):
        orders.cancel_order(order=order, now=now, status=status)
    order.refresh_from_db()
    return order


def place_free_order(event, *, now, email="fay@example.org"):
    """One free ticket of the event's only ticket type, through the checkout's own path
    (`place_order`, payment method "free"); the checkout's result."""
    from tickets.checkout import place_order  # noqa: PLC0415 - the checkout, not the orders

    return place_order(
        orders.ReservationRequest(
            event=event,
            lines=[(event.ticket_types.get(), 1)],
            buyer={"name": "Fay Free", "email": email},
            attendees=None,
            user=None,
            idempotency_key=f"free-order-{next(_serial):06d}-abcdefgh",
            now=now,
        ),
        payment_method="free",
    )


def make_staff(email="door@example.org", *, group=None, superuser=False, **fields) -> User:
    user = User.objects.create_user(
        email=email, password="door-pass-123", is_staff=True, is_superuser=superuser, **fields
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def places_left_for(ticket_type, *, now, offer=None) -> int:
    """What can still be sold of this ticket type now, read afresh from the database (as
    a page would after a sale), through the one rule, `availability.places_left`."""
    event = with_sales_figures(Event.objects.all(), now=now, staff_counts=True).get(
        pk=ticket_type.event_id
    )
    return places_left(event, now=now, offer=offer)[ticket_type.pk]
