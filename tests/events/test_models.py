import datetime

import pytest
import time_machine
from django.core import mail
from django.db.models import Count, Q

from events.models import Event, SalesWindow, Venue
from tickets import notifications, orders
from tickets.models import OfferState, Order, Ticket, TicketType, WaitlistEntry

from . import factories

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
        orders.ReservationRequest(
            event=event,
            lines=[(stale_type, 3)],
            buyer={"name": "Ada", "email": "ada@example.org"},
            idempotency_key=None,
            now=now,
        )
    ).order
    orders.confirm_order(order=order, now=now)

    # What the admin does: edit the copies it loaded earlier, then save what it changed.
    stale_event.summary = "A new summary."
    stale_event.save(update_fields=["summary"])
    stale_type.description = "With a glass of wine."
    stale_type.save(update_fields=["description"])

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
        orders.ReservationRequest(
            event=event,
            lines=[(ticket_type, 2)],
            buyer={"name": "Ada", "email": "ada@example.org"},
            idempotency_key=None,
            now=now,
        )
    ).order
    orders.confirm_order(order=order, now=now)
    stale = Order.objects.get(pk=order.pk)
    Order.objects.filter(pk=order.pk).update(venue_notice_sent_at=now)
    orders.cancel_order(order=order, now=now)

    stale.phone = "757-555-0199"
    stale.save(update_fields=["phone"])

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
        orders.ReservationRequest(
            event=event,
            lines=[(make_ticket_type(event), 1)],
            buyer={"name": "Ada", "email": "ada@example.org"},
            idempotency_key=None,
            now=now,
        )
    ).order
    stale = order.tickets.get()
    Ticket.objects.filter(pk=stale.pk).update(checked_in_at=now)

    stale.attendee_name = "Ada Lovelace"
    stale.save(update_fields=["attendee_name"])

    stale.refresh_from_db()
    assert stale.checked_in_at == now
    assert stale.attendee_name == "Ada Lovelace"


def test_saving_a_stale_waitlist_entry_keeps_its_offer(make_event, now):
    event = make_event()
    entry = WaitlistEntry.objects.create(event=event, name="Wanda", email="wanda@example.org")
    stale = WaitlistEntry.objects.get(pk=entry.pk)
    WaitlistEntry.objects.filter(pk=entry.pk).update(
        offered_at=now, offered_quantity=1, fulfilled_at=now
    )

    stale.name = "Wanda Wait"
    stale.save(update_fields=["name"])

    stale.refresh_from_db()
    assert (stale.offered_at, stale.offered_quantity, stale.fulfilled_at) == (now, 1, now)


def test_a_venue_change_noticed_elsewhere_survives_a_stale_event_save(secret_event, now):
    stale = Event.objects.get(pk=secret_event.pk)
    Event.objects.filter(pk=secret_event.pk).update(venue_changed_at=now)

    stale.summary = "Changed."
    stale.save(update_fields=["summary"])

    stale.refresh_from_db()
    assert stale.venue_changed_at == now


def test_moving_an_event_to_another_venue_after_the_reveal_is_still_noticed(
    public_reveal_event, now
):
    event = Event.objects.get(pk=public_reveal_event.pk)
    event.venue_reveal_at = now - datetime.timedelta(hours=1)
    event.save(update_fields=["venue_reveal_at"])
    before = Event.objects.get(pk=event.pk)
    event.venue = Venue.objects.create(name="New Hall", address="1 Main Street")
    event.save(update_fields=["venue"])
    notifications.record_event_move(event, before=before, now=now)
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
        before = Venue.objects.get(pk=secret_event.venue_id)
        venue = Venue.objects.get(pk=secret_event.venue_id)
        assert "\n" in venue.address and "\r" not in venue.address
        venue.address = venue.address.replace("\n", "\r\n")
        venue.directions = "Gate\r\nSecond door"
        venue.save()
        assert (
            notifications.record_venue_edit(
                venue, before=before, now=at + datetime.timedelta(minutes=30)
            )
            == 0
        )
    secret_event.refresh_from_db()
    assert secret_event.venue_changed_at is None
    assert notifications.send_event_changes(now=at + datetime.timedelta(hours=1)) == 0
    assert mail.outbox == []


def test_saving_a_venue_in_code_tells_nobody_of_a_change(secret_event, buy, now):
    """No model's save() queues notices: the admin that edits a venue calls
    `notifications.record_venue_edit`; a save in code (a shell, a script) tells nobody."""
    buy(secret_event, 1, now=now, email="guest@example.org")
    at = secret_event.venue_reveal_at
    notifications.send_due_venue_notices(now=at)
    mail.outbox.clear()
    with time_machine.travel(at + datetime.timedelta(minutes=30), tick=False):
        venue = Venue.objects.get(pk=secret_event.venue_id)
        venue.address = "1 New Street\nNorfolk, VA"
        venue.save()
    secret_event.refresh_from_db()
    assert secret_event.venue_changed_at is None
    assert notifications.send_event_changes(now=at + datetime.timedelta(hours=1)) == 0


def test_venue_text_is_stored_with_plain_line_breaks(db):
    venue = Venue.objects.create(name="Hall", address="1 Main St\r\nNorfolk", directions="A\rB")
    venue.refresh_from_db()
    assert (venue.address, venue.directions) == ("1 Main St\nNorfolk", "A\nB")


def test_a_full_save_of_a_loaded_row_is_refused_not_narrowed_in_silence(
    make_event, make_ticket_type, now
):
    event = make_event()
    first = make_ticket_type(event, name="A", quantity=5)
    second = make_ticket_type(event, name="B", quantity=5)
    stale = list(TicketType.objects.filter(event=event))
    for ticket_type in (first, second):
        orders.reserve_tickets(
            orders.ReservationRequest(
                event=event,
                lines=[(ticket_type, 2)],
                buyer={"name": "Ada", "email": "ada@example.org"},
                idempotency_key=None,
                now=now,
            )
        )
    for ticket_type in stale:
        ticket_type.description = "Changed."
        with pytest.raises(TypeError, match="must name update_fields"):
            ticket_type.save()
    counts = dict(Ticket.objects.values_list("ticket_type").annotate(n=Count("id")).order_by())
    assert dict(TicketType.objects.values_list("pk", "reserved")) == counts


# --- Rules about one row, on the model ------------------------------------------------


@pytest.mark.parametrize(
    "fields, window",
    [
        ({}, SalesWindow.OPEN),
        ({"registration_opens_at": 1}, SalesWindow.NOT_YET_OPEN),
        ({"registration_closes_at": -1}, SalesWindow.CLOSED),
        ({"registration_closes_at": 0}, SalesWindow.CLOSED),  # closes at that very moment
        ({"starts_at": -1}, SalesWindow.CLOSED),  # without a closing time, at the start
    ],
)
def test_registration_is_open_inside_its_dates_until_the_start(make_event, now, fields, window):
    event = make_event(
        **{name: now + datetime.timedelta(hours=hours) for name, hours in fields.items()}
    )
    assert event.registration_window(now) == window
    assert event.registration_is_open(now) == (window == SalesWindow.OPEN)


def test_registration_is_open_only_for_a_published_event(make_event, now):
    for status in (Event.Status.DRAFT, Event.Status.CANCELLED):
        assert not make_event(status=status).registration_is_open(now)


def test_a_ticket_type_is_on_sale_inside_its_own_dates(make_event, make_ticket_type, now):
    event = make_event()
    hour = datetime.timedelta(hours=1)
    assert make_ticket_type(event).is_on_sale(now)
    assert make_ticket_type(event, sales_start=now, sales_end=now + hour).is_on_sale(now)
    assert not make_ticket_type(event, sales_start=now + hour).is_on_sale(now)
    assert not make_ticket_type(event, sales_end=now).is_on_sale(now)


def test_a_member_discount_is_a_member_price_below_the_price(make_event, make_ticket_type):
    event = make_event()
    assert make_ticket_type(event, price=40, member_price=30).has_member_discount
    assert not make_ticket_type(event, price=40, member_price=40).has_member_discount
    assert not make_ticket_type(event, price=40, member_price=None).has_member_discount


def test_the_buyer_may_cancel_an_unpaid_order_until_the_deadline(make_event, make_ticket_type, now):
    event = make_event()
    ticket_type = make_ticket_type(event)
    order = factories.make_order(event, [(ticket_type, 1)], now=now)
    deadline = event.cancellations_close_at
    assert order.buyer_may_cancel(deadline - datetime.timedelta(seconds=1))
    assert not order.buyer_may_cancel(deadline)
    paid = factories.make_order(event, [(ticket_type, 1)], paid=True, now=now)
    assert not paid.buyer_may_cancel(now)
    cancelled = factories.make_order(
        event, [(ticket_type, 1)], status=Order.Status.CANCELLED, now=now
    )
    assert cancelled.is_closed and not cancelled.buyer_may_cancel(now)


def test_the_name_on_a_ticket_is_the_attendee_else_the_buyer(make_event, make_ticket_type, now):
    event = make_event(meal_options="Fish")
    order = factories.make_order(
        event,
        [(make_ticket_type(event), 2)],
        name="Bea Buyer",
        attendees=[{"attendee_name": "Ann Attendee", "meal_choice": "Fish"}, {}],
        now=now,
    )
    assert [t.holder_name for t in order.tickets.order_by("pk")] == ["Ann Attendee", "Bea Buyer"]


def test_confirmed_tickets_of_an_event_leave_out_other_orders_and_events(
    make_event, make_ticket_type, now
):
    event, other = make_event(), make_event()
    kept = factories.make_order(event, [(make_ticket_type(event), 2)], now=now)
    factories.make_order(event, [(event.ticket_types.get(), 1)], status=Order.Status.PENDING)
    factories.make_order(other, [(make_ticket_type(other), 1)], now=now)
    assert set(Ticket.objects.confirmed_for(event)) == set(kept.tickets.all())


def test_each_waiting_list_entry_has_one_state(make_event, now):
    event = make_event()
    hour = datetime.timedelta(hours=1)

    def entry(name, **fields):
        return WaitlistEntry.objects.create(
            event=event, name=name, email=f"{name}@example.org", **fields
        )

    entry("waiting")
    offered = {"offered_quantity": 1}
    entry("open", offered_at=now, offer_expires_at=now + hour, **offered)
    entry("expired", offered_at=now - 2 * hour, offer_expires_at=now, **offered)
    entry("bought", offered_at=now, offer_expires_at=now + hour, fulfilled_at=now, **offered)
    states = dict(WaitlistEntry.objects.with_offer_state(now).values_list("name", "offer_state"))
    assert states == {name: name for name in ("waiting", "open", "expired", "bought")}
    assert [e.name for e in WaitlistEntry.objects.open_offers(now)] == ["open"]
    assert set(OfferState.values) == set(states)
    # Filtered on its condition, each state finds the entries annotated with it, and only
    # them: the annotation and the filters are one rule (offer_state_conditions).
    entry("offered without an end", offered_at=now, **offered)
    states = dict(WaitlistEntry.objects.with_offer_state(now).values_list("name", "offer_state"))
    assert states["offered without an end"] == OfferState.EXPIRED
    for state in OfferState.values:
        found = WaitlistEntry.objects.in_offer_state(state, now=now).values_list("name", flat=True)
        assert sorted(found) == sorted(name for name, s in states.items() if s == state), state
    assert not WaitlistEntry.objects.in_offer_state("no such state", now=now).exists()
