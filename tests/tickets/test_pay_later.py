"""Pay later (check or at the door) without hoarding: staff choose per event whether and
until when it is offered; an unpaid reservation is reminded once, then released (its places
to the waiting list); staff see unpaid reservations and release them in bulk."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from association.registry import periodic_jobs
from events.models import Event
from tests.concurrency import race
from tests.events.factories import make_event, make_ticket_type, place_free_order
from tickets import notifications, tasks
from tickets.availability import InvalidSelection, with_sales_figures
from tickets.checkout import place_order
from tickets.models import Order, WaitlistEntry
from tickets.orders import ReservationRequest, mark_order_paid, release_unpaid_order

pytestmark = pytest.mark.django_db

KEYS = (f"pay-later-key-{n:04d}-abcdefgh" for n in range(1, 10_000))


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def dinner(now):
    """A paid dinner in ten days that offers pay later, with 7 days to pay."""
    event = make_event(starts_at=now + timedelta(days=10), pay_later_days=7)
    make_ticket_type(event, name="Dinner", price=Decimal("50.00"), quantity=4)
    return event


def url(event):
    return reverse("tickets:checkout", kwargs={"slug": event.slug})


def post_data(event, *, quantity=1, email="pat@example.org", method="offline", key=None):
    ticket_type = event.ticket_types.get()
    return {
        f"qty_{ticket_type.pk}": str(quantity),
        "name": "Pat Buyer",
        "email": email,
        "payment_method": method,
        "submission": key or next(KEYS),
    }


def reserve_unpaid(event, *, now, quantity=1, email="pat@example.org") -> Order:
    return place_order(
        ReservationRequest(
            event=event,
            lines=[(event.ticket_types.get(), quantity)],
            buyer={"name": "Pat Buyer", "email": email},
            attendees=None,
            user=None,
            idempotency_key=next(KEYS),
            now=now,
        ),
        payment_method="offline",
    ).order


# --- staff decide per event whether and until when pay later is offered ---


def test_a_new_event_does_not_offer_pay_later_unless_staff_turn_it_on(now):
    starts = now + timedelta(days=5)
    event = Event.objects.create(
        title="New", slug="new", starts_at=starts, ends_at=starts, status="published"
    )
    assert event.pay_later_allowed is False
    assert not event.pay_later_is_offered(now)


def test_checkout_offers_pay_later_only_while_the_event_allows_it(client, dinner, now):
    page = client.get(url(dinner)).content.decode()
    assert "Pay by check or at the door" in page
    assert "Paying later reserves your places until" in page
    dinner.pay_later_until = now - timedelta(minutes=1)
    dinner.save(update_fields=["pay_later_until"])
    assert "Pay by check or at the door" not in client.get(url(dinner)).content.decode()
    dinner.pay_later_until = None
    dinner.pay_later_allowed = False
    dinner.save(update_fields=["pay_later_until", "pay_later_allowed"])
    assert "Pay by check or at the door" not in client.get(url(dinner)).content.decode()


def test_pay_later_is_never_offered_once_the_release_cutoff_has_come(dinner, settings):
    cutoff = dinner.starts_at - timedelta(hours=settings.EVENTS_PAY_LATER_RELEASE_HOURS)
    assert dinner.pay_later_is_offered(cutoff - timedelta(seconds=1))
    assert not dinner.pay_later_is_offered(cutoff)


@pytest.mark.parametrize("closed_by", ["not_allowed", "until_passed"])
def test_posted_pay_later_outside_its_window_is_a_form_error(client, dinner, now, closed_by):
    if closed_by == "not_allowed":
        dinner.pay_later_allowed = False
    else:
        dinner.pay_later_until = now - timedelta(hours=1)
    dinner.save(update_fields=["pay_later_allowed", "pay_later_until"])
    response = client.post(url(dinner), post_data(dinner))
    assert response.status_code == 422
    assert "not offered for this event" in response.content.decode()
    assert not Order.objects.exists()
    assert dinner.ticket_types.get().reserved == 0


def test_place_order_refuses_pay_later_the_event_does_not_offer(dinner, now):
    dinner.pay_later_allowed = False
    dinner.save(update_fields=["pay_later_allowed"])
    with pytest.raises(InvalidSelection):
        reserve_unpaid(dinner, now=now)
    assert not Order.objects.exists()


def test_free_event_still_confirms_at_once_without_pay_later(client, now):
    event = make_event(pay_later_allowed=False)
    ticket_type = make_ticket_type(event, price=Decimal("0"))
    response = client.post(
        url(event),
        {
            f"qty_{ticket_type.pk}": "1",
            "name": "Fran",
            "email": "fran@example.org",
            "submission": next(KEYS),
        },
    )
    assert response.status_code == 303
    order = Order.objects.get()
    assert order.status == Order.Status.CONFIRMED and order.is_paid and order.pay_by is None


# --- an unpaid reservation: its deadline, one reminder, then released ---


def test_unpaid_reservation_must_be_paid_within_the_events_days(client, dinner, now):
    order = reserve_unpaid(dinner, now=now)
    assert order.status == Order.Status.CONFIRMED and order.awaits_payment
    assert order.pay_by == now + timedelta(days=7)
    assert "your places are released" in order.payment_instructions


def test_pay_by_is_always_before_the_event_starts(now, settings):
    event = make_event(starts_at=now + timedelta(days=2), pay_later_days=30)
    make_ticket_type(event, price=Decimal("20.00"))
    order = reserve_unpaid(event, now=now)
    assert order.pay_by == event.starts_at - timedelta(
        hours=settings.EVENTS_PAY_LATER_RELEASE_HOURS
    )
    assert order.pay_by < event.starts_at


def test_unpaid_reservation_is_reminded_once_before_its_release(dinner, now):
    order = reserve_unpaid(dinner, now=now)
    mail.outbox.clear()
    due = order.payment_reminder_due_at
    assert now < due < order.pay_by
    assert notifications.send_payment_reminders(now=due - timedelta(seconds=1)) == 0
    assert notifications.send_payment_reminders(now=due) == 1
    assert notifications.send_payment_reminders(now=due + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1
    assert order.reference in mail.outbox[0].subject
    assert "will be released" in mail.outbox[0].body


def test_paid_reservation_is_neither_reminded_nor_released(dinner, now):
    order = reserve_unpaid(dinner, now=now)
    mark_order_paid(order=order, now=now + timedelta(hours=1))
    mail.outbox.clear()
    later = order.pay_by + timedelta(minutes=1)
    assert notifications.send_payment_reminders(now=order.payment_reminder_due_at) == 0
    assert tasks.release_unpaid_orders(now=later).startswith("0 ")
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert mail.outbox == []


def test_unpaid_reservation_is_released_at_its_deadline_and_the_buyer_told(dinner, now):
    order = reserve_unpaid(dinner, now=now, quantity=3)
    mail.outbox.clear()
    assert tasks.release_unpaid_orders(now=order.pay_by - timedelta(seconds=1)).startswith("0 ")
    assert tasks.release_unpaid_orders(now=order.pay_by) == "1 unpaid reservation(s) released"
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert dinner.ticket_types.get().reserved == 0
    assert len(mail.outbox) == 1
    assert "cancelled" in mail.outbox[0].subject
    assert "payment had not reached us" in mail.outbox[0].body
    assert tasks.release_unpaid_orders(now=order.pay_by + timedelta(minutes=1)).startswith("0 ")
    assert len(mail.outbox) == 1


def test_released_places_go_to_the_waiting_list_in_the_same_run(dinner, now):
    order = reserve_unpaid(dinner, now=now, quantity=4)  # sold out
    entry = WaitlistEntry.objects.create(event=dinner, name="Wes", email="wes@example.org")
    mail.outbox.clear()
    for job in periodic_jobs:
        if job.__module__ == "tickets.tasks":
            job(now=order.pay_by)
    entry.refresh_from_db()
    assert entry.offered_at == order.pay_by
    assert any("wes@example.org" in m.to for m in mail.outbox)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_job_runs_at_once_release_and_remind_once(now):
    event = make_event(starts_at=now + timedelta(days=10))
    make_ticket_type(event, price=Decimal("50.00"), quantity=4)
    order = reserve_unpaid(event, now=now, quantity=2)
    mail.outbox.clear()
    due = order.payment_reminder_due_at
    assert sorted(race(2, lambda _i: notifications.send_payment_reminders(now=due))) == [0, 1]
    outcomes = race(2, lambda _i: tasks.release_unpaid_orders(now=order.pay_by))
    assert sorted(outcomes) == [
        "0 unpaid reservation(s) released",
        "1 unpaid reservation(s) released",
    ]
    assert event.ticket_types.get().reserved == 0
    event.refresh_from_db()
    assert event.reserved == 0
    assert len(mail.outbox) == 2  # one reminder, one cancellation


# --- staff see unpaid reservations and release them in bulk ---


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_staff_see_each_events_unpaid_reservations(admin_client, dinner, now):
    unpaid = reserve_unpaid(dinner, now=now, quantity=2, email="un@example.org")
    paid = reserve_unpaid(dinner, now=now, quantity=1, email="paid@example.org")
    mark_order_paid(order=paid, now=now)
    figures = with_sales_figures(Event.objects.all(), now=timezone.now(), staff_counts=True).get(
        pk=dinner.pk
    )
    assert figures.figure_unpaid == 2
    events_page = admin_client.get(reverse("admin:events_event_changelist")).content.decode()
    assert "unpaid" in events_page.lower()
    listed = admin_client.get(
        reverse("admin:tickets_order_changelist"),
        {"event__id__exact": dinner.pk, "payment": "unpaid"},
    ).content.decode()
    assert unpaid.reference in listed
    assert paid.reference not in listed
    change = admin_client.get(reverse("admin:events_event_change", args=[dinner.pk]))
    assert "payment=unpaid" in change.content.decode()


def test_staff_release_unpaid_reservations_in_bulk(admin_client, dinner, now):
    unpaid = reserve_unpaid(dinner, now=now, quantity=2, email="un@example.org")
    paid = reserve_unpaid(dinner, now=now, quantity=1, email="paid@example.org")
    mark_order_paid(order=paid, now=now)
    mail.outbox.clear()
    admin_client.post(
        reverse("admin:tickets_order_changelist"),
        {"action": "release_unpaid", "_selected_action": [unpaid.pk, paid.pk]},
    )
    unpaid.refresh_from_db()
    paid.refresh_from_db()
    assert unpaid.status == Order.Status.CANCELLED
    assert paid.status == Order.Status.CONFIRMED
    assert dinner.ticket_types.get().reserved == 1
    assert [m.to for m in mail.outbox] == [["un@example.org"]]


def test_release_leaves_a_paid_or_closed_order_alone(dinner, now):
    order = reserve_unpaid(dinner, now=now)
    mark_order_paid(order=order, now=now)
    assert release_unpaid_order(order=order, now=now) is False
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED


@override_settings(EVENTS_PAY_LATER_REMINDER_HOURS=48)
def test_a_short_time_to_pay_is_reminded_halfway(now):
    event = make_event(starts_at=now + timedelta(days=10), pay_later_days=1)
    make_ticket_type(event, price=Decimal("10.00"))
    order = reserve_unpaid(event, now=now)
    assert order.payment_reminder_due_at == now + timedelta(hours=12)


def test_unpaid_reservation_is_no_ticket_holder_until_it_is_paid(dinner, now):
    """Issue 18, item 1: a reservation confirmed unpaid keeps its places, but is no ticket
    holder (venue, online link, venue emails, mailings) until its money comes."""
    order = reserve_unpaid(dinner, now=now)
    assert order.status == Order.Status.CONFIRMED and not order.holds_tickets
    assert not Order.objects.holding_tickets().filter(pk=order.pk).exists()
    mark_order_paid(order=order, now=now)
    order.refresh_from_db()
    assert order.holds_tickets
    assert Order.objects.holding_tickets().filter(pk=order.pk).exists()


def test_a_free_order_is_a_ticket_holder_without_payment(now):
    event = make_event(starts_at=now + timedelta(days=10))
    make_ticket_type(event, name="Talk", price=Decimal("0"))
    order = place_free_order(event, now=now).order
    assert order.paid_at is None and order.holds_tickets
    assert Order.objects.holding_tickets().filter(pk=order.pk).exists()


def test_a_released_reservation_holds_nothing(dinner, now):
    order = reserve_unpaid(dinner, now=now)
    release_unpaid_order(order=order, now=now + datetime.timedelta(days=8))
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and not order.holds_tickets
