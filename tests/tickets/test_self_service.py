"""Attendee self-service: naming a table's guests and changing details until the change
deadline, transfers, cancellations under the event's policy, and what staff do for a
buyer at any time, each recorded on the order."""

import datetime
import secrets
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from events.models import RefundPolicy
from payments.models import Payment
from tests.events.factories import make_order
from tests.tasks import run_tasks
from tickets import checkin as door
from tickets.cancellation import CancellationRefused, cancel_tickets
from tickets.exports import attendee_rows, meal_counts
from tickets.models import Order, OrderChange, Ticket, WaitlistEntry
from tickets.notifications import build_order_confirmation, send_due_venue_notices
from tickets.self_service import ChangeRefused, update_tickets
from tickets.transfers import TransferRefused, transfer_ticket

BUYER = OrderChange.Actor.BUYER
STAFF = OrderChange.Actor.STAFF
KEY = "table-checkout-key-0123456789abcd"


@pytest.fixture
def luncheon(make_event, make_ticket_type, venue, now):
    starts_at = now + datetime.timedelta(days=10)
    event = make_event(
        title="International Luncheon",
        slug="luncheon",
        starts_at=starts_at,
        change_deadline=starts_at - datetime.timedelta(days=3),
        venue=venue,
        venue_reveal_at=starts_at - datetime.timedelta(days=1),
        reveal_audience="ticket_holders",
        meal_options="Chicken\nVegetarian",
        refund_policy=RefundPolicy.FULL,
    )
    make_ticket_type(
        event, name="Seat", price=Decimal("65.00"), member_price=Decimal("55.00"), quantity=100
    )
    make_ticket_type(
        event, name="Table of 10", price=Decimal("500.00"), quantity=50, seats=10, max_per_order=2
    )
    return event


def table_type(event):
    return event.ticket_types.get(seats=10)


@pytest.fixture
def table_order(luncheon, now):
    return make_order(
        luncheon, [(table_type(luncheon), 1)], paid=True, now=now, email="host@example.org"
    )


def seats(order):
    return list(order.tickets.order_by("seat_number"))


# --- Naming guests until the deadline -------------------------------------------------


def confirmation_of(order, now):
    message = build_order_confirmation(order_pk=order.pk, now=now.isoformat())
    return message.body, message.alternatives[0][0]


def test_a_tables_confirmation_says_its_guests_are_named_later_on_the_order_page(table_order, now):
    text, html = confirmation_of(table_order, now)
    for body in (text, html):
        assert "name your table's guests later" in body
        assert "Table 1, seat 7" in body
        assert table_order.get_absolute_url() in body


def test_the_confirmation_of_seats_or_of_a_named_table_says_nothing_of_naming_later(
    luncheon, table_order, now
):
    seat_order = make_order(luncheon, [(luncheon.ticket_types.get(seats=1), 2)], now=now)
    table_order.tickets.update(attendee_name="A Guest")
    late = luncheon.changes_close_at + datetime.timedelta(minutes=1)
    unnamed_table = make_order(luncheon, [(table_type(luncheon), 1)], paid=True, now=now)
    for order, at in ((seat_order, now), (table_order, now), (unnamed_table, late)):
        text, html = confirmation_of(order, at)
        assert "guests later" not in text
        assert "guests later" not in html


def test_the_buyer_names_a_tables_guests_on_the_order_page(client, table_order):
    first, second = seats(table_order)[:2]
    url = reverse("tickets:order_guests", kwargs={"token": table_order.token})
    page = client.get(url)
    assert page.status_code == 200
    assert "Table 1, seat 1" in page.content.decode()
    data = {f"name_{t.pk}": "" for t in seats(table_order)}
    data.update(
        {
            f"name_{first.pk}": "Ana Guest",
            f"meal_{first.pk}": "Vegetarian",
            f"diet_{first.pk}": "No nuts",
            f"email_{first.pk}": "ana@example.org",
            f"name_{second.pk}": "Ben Guest",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 303
    first.refresh_from_db()
    assert (first.attendee_name, first.meal_choice, first.dietary_notes) == (
        "Ana Guest",
        "Vegetarian",
        "No nuts",
    )
    history = list(table_order.changes.order_by("pk"))
    assert len(history) == 2 and all(c.actor == BUYER for c in history)
    assert "Ana Guest" in history[0].description


def test_naming_after_the_deadline_is_refused_and_the_page_is_read_only(
    client, luncheon, table_order
):
    first = seats(table_order)[0]
    url = reverse("tickets:order_guests", kwargs={"token": table_order.token})
    with time_machine.travel(luncheon.changes_close_at + datetime.timedelta(minutes=1)):
        response = client.post(url, {f"name_{first.pk}": "Late Guest"})
        assert response.status_code == 409
        assert "Changes closed on" in response.content.decode()
        page = client.get(table_order.get_absolute_url()).content.decode()
        assert url not in page and "Give to someone else" not in page
        assert "Changes closed on" in page
        with pytest.raises(ChangeRefused):
            update_tickets(
                order=table_order,
                details={first.pk: {"attendee_name": "Late"}},
                now=luncheon.changes_close_at,
                actor=BUYER,
            )
    first.refresh_from_db()
    assert first.attendee_name == ""


def test_staff_change_a_guest_after_the_deadline_and_it_is_in_the_history(
    luncheon, table_order, staff_user
):
    first = seats(table_order)[0]
    late = luncheon.changes_close_at + datetime.timedelta(days=1)
    update_tickets(
        order=table_order,
        details={first.pk: {"attendee_name": "Cy Late", "meal_choice": "Chicken"}},
        now=late,
        actor=STAFF,
        user=staff_user,
    )
    change = table_order.changes.get()
    assert change.actor == STAFF and change.user == staff_user


def test_a_meal_not_on_the_list_is_refused(table_order, now):
    first = seats(table_order)[0]
    with pytest.raises(ChangeRefused):
        update_tickets(
            order=table_order,
            details={first.pk: {"attendee_name": "X", "meal_choice": "Lobster"}},
            now=now,
            actor=BUYER,
        )


def test_exports_count_every_seat_and_name_the_unnamed_ones(luncheon, table_order, now):
    first = seats(table_order)[0]
    update_tickets(
        order=table_order,
        details={first.pk: {"attendee_name": "Ana Guest", "meal_choice": "Chicken"}},
        now=now,
        actor=BUYER,
    )
    rows = list(attendee_rows(luncheon))[1:]
    assert len(rows) == 10
    names = [row[0] for row in rows]
    assert "Ana Guest" in names
    assert "Table 1, seat 7 (unnamed)" in names
    counts = dict(meal_counts(luncheon))
    assert counts["Chicken"] == 1 and counts["(no choice)"] == 9


def test_the_caterers_list_at_the_deadline_is_the_final_one(luncheon, table_order, now):
    deadline = luncheon.changes_close_at
    at_deadline = list(attendee_rows(luncheon))
    meals_at_deadline = meal_counts(luncheon)
    with pytest.raises(ChangeRefused):
        update_tickets(
            order=table_order,
            details={seats(table_order)[0].pk: {"attendee_name": "Late", "meal_choice": "Chicken"}},
            now=deadline,
            actor=BUYER,
        )
    assert list(attendee_rows(luncheon)) == at_deadline
    assert meal_counts(luncheon) == meals_at_deadline


# --- Transfers ------------------------------------------------------------------------


def test_a_transferred_ticket_gets_a_new_code_and_the_old_one_is_refused_at_the_door(
    client, luncheon, table_order, now, staff_user
):
    ticket = seats(table_order)[2]
    old_code = ticket.code
    mail.outbox.clear()
    given = transfer_ticket(
        ticket=ticket, name="Dee New", email="dee@example.org", now=now, actor=BUYER
    )
    run_tasks()
    assert given.code != old_code
    assert door.find_ticket(old_code) is None
    assert door.retired_admission(door.find_retired_code(old_code)).admits is False
    client.force_login(staff_user)
    response = client.post(
        reverse("tickets:checkin", kwargs={"slug": luncheon.slug}), {"code": old_code}
    )
    assert response.status_code == 409
    assert "transferred" in response.content.decode()
    ok = client.post(
        reverse("tickets:checkin", kwargs={"slug": luncheon.slug}), {"code": given.code}
    )
    assert ok.status_code == 302
    # The new holder is emailed their ticket and its page; the page shows its QR code.
    assert [m.to for m in mail.outbox] == [["dee@example.org"]]
    assert given.get_absolute_url() in mail.outbox[0].body
    client.logout()
    page = client.get(given.get_absolute_url())
    assert page.status_code == 200 and given.code in page.content.decode()
    # The buyer's page no longer shows its code.
    order_page = client.get(table_order.get_absolute_url()).content.decode()
    assert given.code not in order_page and "Given to Dee New" in order_page
    assert "transferred" in table_order.changes.get().description


def test_the_venue_notice_goes_only_to_the_new_holder(luncheon, venue, now, make_ticket_type):
    seat = luncheon.ticket_types.get(seats=1)
    order = make_order(luncheon, [(seat, 1)], paid=True, now=now, email="old@example.org")
    transfer_ticket(
        ticket=order.tickets.get(), name="New Holder", email="new@example.org", now=now, actor=BUYER
    )
    run_tasks()
    mail.outbox.clear()
    reveal = luncheon.venue_reveal_at + datetime.timedelta(minutes=1)
    assert send_due_venue_notices(now=reveal) == 1
    assert send_due_venue_notices(now=reveal) == 0  # once, never twice
    run_tasks()
    assert [m.to for m in mail.outbox] == [["new@example.org"]]
    assert venue.name in mail.outbox[0].body


def test_a_transfer_after_the_reveal_carries_the_venue_once(luncheon, venue, table_order):
    reveal = luncheon.venue_reveal_at + datetime.timedelta(minutes=1)
    send_due_venue_notices(now=reveal)
    run_tasks()
    mail.outbox.clear()
    staff_time = reveal + datetime.timedelta(hours=1)  # after the deadline: staff only
    ticket = seats(table_order)[0]
    with pytest.raises(TransferRefused):
        transfer_ticket(
            ticket=ticket, name="Eve", email="eve@example.org", now=staff_time, actor=BUYER
        )
    transfer_ticket(ticket=ticket, name="Eve", email="eve@example.org", now=staff_time, actor=STAFF)
    assert send_due_venue_notices(now=staff_time) == 0
    run_tasks()
    assert [m.to for m in mail.outbox] == [["eve@example.org"]]
    assert venue.name in mail.outbox[0].body


def test_a_transfer_to_someone_who_already_holds_a_ticket_is_refused(
    client, luncheon, table_order, now
):
    seat = luncheon.ticket_types.get(seats=1)
    make_order(luncheon, [(seat, 1)], paid=True, now=now, email="has@example.org")
    ticket = seats(table_order)[0]
    with pytest.raises(TransferRefused, match="already holds a ticket"):
        transfer_ticket(ticket=ticket, name="Has", email="HAS@example.org", now=now, actor=BUYER)
    # Nor to the buyer, who holds the table's other seats.
    with pytest.raises(TransferRefused):
        transfer_ticket(ticket=ticket, name="Host", email="host@example.org", now=now, actor=BUYER)
    url = reverse(
        "tickets:ticket_transfer", kwargs={"token": table_order.token, "ticket_id": ticket.pk}
    )
    response = client.post(url, {"name": "Has", "email": "has@example.org"})
    assert response.status_code == 409
    assert "already holds a ticket" in response.content.decode()
    ticket.refresh_from_db()
    assert not ticket.is_transferred


def test_an_unpaid_reservation_cannot_be_transferred(luncheon, now):
    seat = luncheon.ticket_types.get(seats=1)
    order = make_order(luncheon, [(seat, 1)], now=now)  # confirmed, pay later
    with pytest.raises(TransferRefused):
        transfer_ticket(
            ticket=order.tickets.get(), name="X", email="x@example.org", now=now, actor=BUYER
        )


def test_the_new_holder_changes_their_meal_on_their_page(client, table_order, now):
    given = transfer_ticket(
        ticket=seats(table_order)[0], name="Fay", email="fay@example.org", now=now, actor=BUYER
    )
    response = client.post(
        given.get_absolute_url(), {f"name_{given.pk}": "Fay Holder", f"meal_{given.pk}": "Chicken"}
    )
    assert response.status_code == 303
    given.refresh_from_db()
    assert (given.attendee_name, given.meal_choice, given.attendee_email) == (
        "Fay Holder",
        "Chicken",
        "fay@example.org",
    )


def test_a_ticket_page_with_a_bad_token_is_404(client, db):
    assert client.get("/tickets/not-a-token/").status_code == 404
    assert client.get("/tickets/" + "x" * 32 + "/").status_code == 404


# --- Cancellation under the policy ----------------------------------------------------


def card_paid(order, fake_stripe):
    """Mark the order as paid by card, with a settled Stripe payment to refund."""
    intent = "pi_" + secrets.token_hex(12)
    charge = "ch_" + secrets.token_hex(12)
    cents = int(order.total * 100)
    with fake_stripe.lock:
        fake_stripe.intents[intent] = {"id": intent, "amount": cents, "latest_charge": charge}
        fake_stripe.charges[charge] = {
            "id": charge,
            "amount": cents,
            "amount_refunded": 0,
            "currency": "usd",
            "refunds": {"object": "list", "data": []},
        }
    payment = Payment.objects.create(
        purpose="events.order",
        object_id=str(order.pk),
        amount=order.total,
        method=Payment.Method.CARD,
        status=Payment.Status.PAID,
        paid_at=order.paid_at,
        payment_intent_id=intent,
        payer_email=order.email,
        payer_name=order.buyer_name,
    )
    Order.objects.filter(pk=order.pk).update(payment_method=Payment.Method.CARD)
    order.refresh_from_db()
    return payment


def test_cancelling_one_seat_refunds_its_share_and_offers_it_to_the_waiting_list(
    luncheon, table_order, now, fake_stripe
):
    payment = card_paid(table_order, fake_stripe)
    WaitlistEntry.objects.create(event=luncheon, name="Wai Ter", email="wait@example.org")
    seat = seats(table_order)[9]
    done = cancel_tickets(order=table_order, ticket_ids=[seat.pk], now=now)
    assert (done.tickets, done.refunded, done.whole_order) == (1, Decimal("50.00"), False)
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("50.00")
    assert table_order.tickets.count() == 9
    luncheon.refresh_from_db()
    assert luncheon.reserved == 9
    entry = WaitlistEntry.objects.get()
    assert entry.offered_at == now  # offered in the same run, not a minute later
    assert door.find_refunded_ticket(seat.code) is not None


def test_a_double_submitted_cancellation_refunds_exactly_once(
    luncheon, table_order, now, fake_stripe
):
    payment = card_paid(table_order, fake_stripe)
    seat = seats(table_order)[0]
    first = cancel_tickets(order=table_order, ticket_ids=[seat.pk], now=now)
    second = cancel_tickets(order=table_order, ticket_ids=[seat.pk], now=now)
    assert first.refunded == Decimal("50.00") and second.tickets == 0 and not second.refunded
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("50.00")
    assert payment.refunds.count() == 1
    whole = cancel_tickets(order=table_order, ticket_ids=None, now=now)
    again = cancel_tickets(order=table_order, ticket_ids=None, now=now)
    assert whole.refunded == Decimal("450.00") and again.tickets == 0
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("500.00") and payment.refunds.count() == 2
    table_order.refresh_from_db()
    assert table_order.status == Order.Status.REFUNDED


def test_the_fee_is_kept_and_no_refund_policy_refunds_nothing(
    luncheon, table_order, now, fake_stripe
):
    payment = card_paid(table_order, fake_stripe)
    luncheon.refund_policy = RefundPolicy.MINUS_FEE
    luncheon.cancellation_fee = Decimal("5.00")
    luncheon.save(update_fields=["refund_policy", "cancellation_fee"])
    table_order.event = luncheon
    first, second = seats(table_order)[:2]
    assert cancel_tickets(order=table_order, ticket_ids=[first.pk], now=now).refunded == Decimal(
        "45.00"
    )
    luncheon.refund_policy = RefundPolicy.NO_REFUND
    luncheon.save(update_fields=["refund_policy"])
    done = cancel_tickets(order=table_order, ticket_ids=[second.pk], now=now)
    assert done.tickets == 1 and done.refunded == 0
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("45.00")


def test_the_policy_may_keep_paid_orders_from_being_cancelled_online(
    client, luncheon, table_order, now, fake_stripe
):
    card_paid(table_order, fake_stripe)
    luncheon.refund_policy = RefundPolicy.NOT_ONLINE
    luncheon.save(update_fields=["refund_policy"])
    table_order.event = luncheon
    with pytest.raises(CancellationRefused):
        cancel_tickets(order=table_order, ticket_ids=None, now=now)
    page = client.get(table_order.get_absolute_url()).content.decode()
    assert "Cancel this order" not in page and "Cancel ticket" not in page
    assert "cannot be cancelled online" in page
    response = client.post(reverse("tickets:order_cancel", kwargs={"token": table_order.token}))
    assert response.status_code == 409
    assert table_order.tickets.count() == 10


def test_no_cancellation_online_after_its_deadline(client, luncheon, table_order, fake_stripe):
    card_paid(table_order, fake_stripe)
    late = luncheon.cancellations_close_at + datetime.timedelta(minutes=1)
    with time_machine.travel(late):
        page = client.get(table_order.get_absolute_url()).content.decode()
        assert "Cancel this order" not in page
        assert "too close to the event" in page
        response = client.post(
            reverse("tickets:order_cancel", kwargs={"token": table_order.token}),
            {"ticket": [str(seats(table_order)[0].pk)]},
        )
    assert response.status_code == 409
    assert table_order.tickets.count() == 10


def test_staff_cancel_for_a_buyer_at_any_time(luncheon, table_order, fake_stripe, staff_user):
    payment = card_paid(table_order, fake_stripe)
    late = luncheon.starts_at - datetime.timedelta(hours=1)
    done = cancel_tickets(
        order=table_order,
        ticket_ids=[seats(table_order)[0].pk],
        now=late,
        actor=STAFF,
        user=staff_user,
    )
    assert done.refunded == Decimal("50.00")
    payment.refresh_from_db()
    assert payment.refunds.get().requested_by == staff_user
    assert table_order.changes.get().user == staff_user


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_cancellations_racing_each_other_refund_once(
    make_event, make_ticket_type, now, fake_stripe
):
    from tests.concurrency import race

    event = make_event(refund_policy=RefundPolicy.FULL)
    table = make_ticket_type(event, name="Table", price=Decimal("500.00"), quantity=20, seats=10)
    order = make_order(event, [(table, 1)], paid=True, now=now)
    payment = card_paid(order, fake_stripe)
    seat = order.tickets.order_by("pk").first()

    def cancel(index):
        return cancel_tickets(order=order, ticket_ids=[seat.pk], now=now)

    results = race(6, cancel)
    assert sum(r.tickets for r in results) == 1, results
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("50.00")
    assert payment.refunds.count() == 1


# --- The door: a whole table at once --------------------------------------------------


def test_the_door_checks_in_a_whole_table_or_one_seat(client, luncheon, table_order, staff_user):
    client.force_login(staff_user)
    url = reverse("tickets:checkin", kwargs={"slug": luncheon.slug})
    first, second = seats(table_order)[:2]
    assert client.post(url, {"code": first.code}).status_code == 302
    page = client.get(url, {"code": second.code}).content.decode()
    assert "Check in all of table 1" in page
    response = client.post(url, {"code": second.code, "whole_table": "1"})
    assert response.status_code == 302
    assert Ticket.objects.filter(order=table_order, checked_in_at__isnull=True).count() == 0


# --- Staff, from the admin ------------------------------------------------------------


def test_staff_release_an_unnamed_seat_and_the_waiting_list_is_offered_it(
    client, luncheon, table_order, staff_user, now
):
    WaitlistEntry.objects.create(event=luncheon, name="Wai Ter", email="wait@example.org")
    named, unnamed = seats(table_order)[:2]
    update_tickets(
        order=table_order, details={named.pk: {"attendee_name": "Ana"}}, now=now, actor=BUYER
    )
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:tickets_ticket_changelist"),
        {"action": "release_unnamed_seats", "_selected_action": [str(named.pk), str(unnamed.pk)]},
    )
    assert response.status_code == 302
    assert not table_order.tickets.filter(pk=unnamed.pk).exists()
    assert table_order.tickets.filter(pk=named.pk).exists()  # a named guest stays
    luncheon.refresh_from_db()
    assert luncheon.reserved == 9
    assert WaitlistEntry.objects.get().offered_quantity == 1
    release = table_order.changes.get(actor=STAFF)
    assert "released back to sale" in release.description and release.user == staff_user
    # The order's page in the admin shows its history.
    page = client.get(reverse("admin:tickets_order_change", args=[table_order.pk])).content.decode()
    assert "released back to sale" in page and "History of changes" in page


def test_staff_transfer_a_ticket_from_the_admin(client, table_order, staff_user):
    client.force_login(staff_user)
    ticket = seats(table_order)[0]
    url = reverse("admin:tickets_ticket_transfer", args=[ticket.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Gus New", "email": "gus@example.org"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.is_transferred and ticket.attendee_email == "gus@example.org"
    assert table_order.changes.get().actor == STAFF


def test_a_staff_edit_of_a_guest_in_the_admin_is_in_the_history(table_order, staff_user, client):
    client.force_login(staff_user)
    ticket = seats(table_order)[0]
    ticket.attendee_name = "Hal Staff"
    ticket.save(update_fields=["attendee_name"])
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    response = client.post(
        url,
        {
            "table_number": "1",
            "attendee_name": "Hal Changed",
            "attendee_email": "",
            "meal_choice": "",
            "dietary_notes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    change = table_order.changes.get()
    assert "Hal Changed" in change.description and change.user == staff_user


def test_a_moved_venue_is_told_to_the_new_holder_and_not_to_a_buyer_who_gave_all_away(
    luncheon, now
):
    from tests.tickets.test_jobs import move_venue
    from tickets.notifications import send_event_changes

    seat = luncheon.ticket_types.get(seats=1)
    order = make_order(luncheon, [(seat, 1)], paid=True, now=now, email="old@example.org")
    transfer_ticket(
        ticket=order.tickets.get(), name="New Holder", email="new@example.org", now=now, actor=BUYER
    )
    at = luncheon.venue_reveal_at
    send_due_venue_notices(now=at)
    run_tasks()
    mail.outbox.clear()
    move_venue(luncheon, "Lantern Boathouse", at=at + datetime.timedelta(hours=1))
    later = at + datetime.timedelta(hours=1, minutes=1)
    assert send_event_changes(now=later) == 1
    assert send_event_changes(now=later) == 0
    run_tasks()
    assert [m.to for m in mail.outbox] == [["new@example.org"]]
    assert "Lantern Boathouse" in mail.outbox[0].body
