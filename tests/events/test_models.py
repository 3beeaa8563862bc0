import datetime

import pytest
import time_machine
from django.core import mail
from django.db.models import Count, Q

from events import notifications, orders
from events.models import Event, Order, Ticket, TicketType, Venue, WaitlistEntry

pytestmark = pytest.mark.django_db


def _tickets_in_holding_orders(*, now, **ticket_filter):
    return Ticket.objects.filter(
        Q(order__status=Order.Status.CONFIRMED)
        | Q(order__status=Order.Status.PENDING, order__hold_expires_at__gt=now),
        **ticket_filter,
    ).count()


def test_saving_a_stale_event_or_ticket_type_keeps_the_reserved_counters(
    make_event, make_ticket_type, now
):
    event = make_event(capacity=20)
    make_ticket_type(event, quantity=10)
    stale_event = Event.objects.get(pk=event.pk)
    stale_type = TicketType.objects.get(event=event)

    order = orders.reserve_tickets(
        event=event,
        lines=[(stale_type, 3)],
        buyer={"name": "Ada", "email": "ada@example.org"},
        idempotency_key=None,
        now=now,
    ).order
    orders.confirm_order(order=order, now=now)

    # What the admin does: edit the copies it loaded earlier, then save them whole.
    stale_event.summary = "A new summary."
    stale_event.save()
    stale_type.description = "With a glass of wine."
    stale_type.save()

    fresh_event = Event.objects.get(pk=event.pk)
    fresh_type = TicketType.objects.get(pk=stale_type.pk)
    assert fresh_event.reserved == 3 == _tickets_in_holding_orders(now=now, order__event=event)
    assert fresh_type.reserved == 3 == _tickets_in_holding_orders(now=now, ticket_type=fresh_type)
    # The staff's own edits are saved.
    assert fresh_event.summary == "A new summary."
    assert fresh_type.description == "With a glass of wine."


def test_saving_a_stale_order_keeps_its_status_and_notice_marks(make_event, make_ticket_type, now):
    event = make_event()
    ticket_type = make_ticket_type(event, quantity=10)
    order = orders.reserve_tickets(
        event=event,
        lines=[(ticket_type, 2)],
        buyer={"name": "Ada", "email": "ada@example.org"},
        idempotency_key=None,
        now=now,
    ).order
    orders.confirm_order(order=order, now=now)
    stale = Order.objects.get(pk=order.pk)
    Order.objects.filter(pk=order.pk).update(venue_notice_sent_at=now)
    orders.cancel_order(order=order, now=now)

    stale.phone = "757-555-0199"
    stale.save()

    stale.refresh_from_db()
    ticket_type.refresh_from_db()
    # A cancelled order that came back as confirmed would be released twice later on.
    assert stale.status == Order.Status.CANCELLED
    assert stale.venue_notice_sent_at == now  # or the venue notice goes out again
    assert stale.phone == "757-555-0199"
    assert ticket_type.reserved == 0


def test_saving_a_stale_ticket_keeps_its_check_in(make_event, make_ticket_type, now):
    event = make_event()
    order = orders.reserve_tickets(
        event=event,
        lines=[(make_ticket_type(event), 1)],
        buyer={"name": "Ada", "email": "ada@example.org"},
        idempotency_key=None,
        now=now,
    ).order
    stale = order.tickets.get()
    Ticket.objects.filter(pk=stale.pk).update(checked_in_at=now)

    stale.attendee_name = "Ada Lovelace"
    stale.save()

    stale.refresh_from_db()
    assert stale.checked_in_at == now
    assert stale.attendee_name == "Ada Lovelace"


def test_saving_a_stale_waitlist_entry_keeps_its_offer(make_event, now):
    event = make_event()
    entry = WaitlistEntry.objects.create(event=event, name="Wanda", email="wanda@example.org")
    stale = WaitlistEntry.objects.get(pk=entry.pk)
    WaitlistEntry.objects.filter(pk=entry.pk).update(offered_at=now, fulfilled_at=now)

    stale.name = "Wanda Wait"
    stale.save()

    stale.refresh_from_db()
    assert (stale.offered_at, stale.fulfilled_at) == (now, now)


def test_a_venue_change_noticed_elsewhere_survives_a_stale_event_save(secret_event, now):
    stale = Event.objects.get(pk=secret_event.pk)
    Event.objects.filter(pk=secret_event.pk).update(venue_changed_at=now)

    stale.summary = "Changed."
    stale.save()

    stale.refresh_from_db()
    assert stale.venue_changed_at == now


def test_moving_an_event_to_another_venue_after_the_reveal_is_still_noticed(
    public_reveal_event, now
):
    event = Event.objects.get(pk=public_reveal_event.pk)
    event.venue_reveal_at = now - datetime.timedelta(hours=1)
    event.save()
    event.venue = Venue.objects.create(name="New Hall", address="1 Main Street")
    event.save()
    event.refresh_from_db()
    assert event.venue_changed_at is not None


def test_a_full_save_of_a_new_row_writes_every_column(make_event):
    event = make_event()
    copy = TicketType(event=event, name="Copied", quantity=5, reserved=0)
    copy.save()
    assert TicketType.objects.filter(pk=copy.pk, name="Copied", quantity=5).exists()


def test_saving_a_venue_unchanged_from_a_browser_is_not_a_venue_change(secret_event, buy, now):
    buy(secret_event, 1, now=now, email="guest@example.org")
    at = secret_event.venue_reveal_at
    notifications.send_due_venue_notices(now=at)
    mail.outbox.clear()
    # The address was stored with LF (demo data, a shell); the admin's textarea sends it
    # back with CRLF although staff changed nothing.
    Venue.objects.filter(pk=secret_event.venue_id).update(directions="Gate\nSecond door")
    with time_machine.travel(at + datetime.timedelta(minutes=30), tick=False):
        venue = Venue.objects.get(pk=secret_event.venue_id)
        assert "\n" in venue.address and "\r" not in venue.address
        venue.address = venue.address.replace("\n", "\r\n")
        venue.directions = "Gate\r\nSecond door"
        venue.save()
    secret_event.refresh_from_db()
    assert secret_event.venue_changed_at is None
    assert notifications.send_venue_updates(now=at + datetime.timedelta(hours=1)) == 0
    assert mail.outbox == []


def test_venue_text_is_stored_with_plain_line_breaks(db):
    venue = Venue.objects.create(name="Hall", address="1 Main St\r\nNorfolk", directions="A\rB")
    venue.refresh_from_db()
    assert (venue.address, venue.directions) == ("1 Main St\nNorfolk", "A\nB")


def test_stale_saves_leave_the_counters_of_every_ticket_type_true(
    make_event, make_ticket_type, now
):
    event = make_event()
    first = make_ticket_type(event, name="A", quantity=5)
    second = make_ticket_type(event, name="B", quantity=5)
    stale = list(TicketType.objects.filter(event=event))
    for ticket_type in (first, second):
        orders.reserve_tickets(
            event=event,
            lines=[(ticket_type, 2)],
            buyer={"name": "Ada", "email": "ada@example.org"},
            idempotency_key=None,
            now=now,
        )
    for ticket_type in stale:
        ticket_type.save()
    counts = dict(Ticket.objects.values_list("ticket_type").annotate(n=Count("id")).order_by())
    assert dict(TicketType.objects.values_list("pk", "reserved")) == counts
