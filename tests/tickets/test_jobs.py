import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from association.registry import periodic_jobs
from events.models import Event, Venue
from outbox.models import OutgoingEmail
from tests.concurrency import race
from tests.events.conftest import SECRET_ADDRESS, SECRET_NAME
from tests.tasks import run_tasks
from tickets.models import Order
from tickets.notifications import (
    queue_order_confirmation,
    record_event_move,
    record_venue_edit,
    send_due_venue_notices,
    send_event_changes,
)
from tickets.orders import ReservationRequest, reserve_tickets


def events_jobs():
    return [job for job in periodic_jobs if job.__module__ == "tickets.tasks"]


def notices_to(email):
    return [m for m in mail.outbox if email in m.to and "location" in m.subject.lower()]


def test_jobs_are_registered_for_run_jobs():
    names = [job.__name__ for job in events_jobs()]
    # Places given back (holds, unpaid reservations) come before the waiting list's offers.
    assert names == [
        "expire_stale_holds",
        "release_unpaid_orders",
        "offer_returned_places",
        "send_payment_reminders",
        "send_due_venue_notices",
        "send_event_changes",
    ]


def test_no_venue_notice_before_reveal(secret_event, buy, now):
    buy(secret_event, 1, now=now)
    mail.outbox.clear()
    assert (
        send_due_venue_notices(now=secret_event.venue_reveal_at - datetime.timedelta(seconds=1))
        == 0
    )
    assert mail.outbox == []


def test_venue_notice_sent_once_at_reveal(secret_event, buy, now):
    order = buy(secret_event, 2, now=now, email="guest@example.org")
    buy(secret_event, 1, now=now, email="other@example.org")
    mail.outbox.clear()
    at = secret_event.venue_reveal_at
    assert send_due_venue_notices(now=at) == 2
    assert send_due_venue_notices(now=at + datetime.timedelta(minutes=1)) == 0
    notices = notices_to("guest@example.org")
    assert len(notices) == 1
    assert SECRET_NAME in notices[0].body
    assert SECRET_ADDRESS in notices[0].alternatives[0][0]
    order.refresh_from_db()
    assert order.venue_notice_sent_at == at


def test_late_run_catches_up(secret_event, buy, now):
    buy(secret_event, 1, now=now, email="guest@example.org")
    mail.outbox.clear()
    assert (
        send_due_venue_notices(now=secret_event.venue_reveal_at + datetime.timedelta(hours=1)) == 1
    )
    assert len(notices_to("guest@example.org")) == 1


def test_cancelled_and_held_orders_get_no_notice(secret_event, buy, now):
    from tickets.orders import cancel_order

    cancel_order(order=buy(secret_event, 1, now=now, email="gone@example.org"), now=now)
    reserve_tickets(
        ReservationRequest(
            event=secret_event,
            lines=[(secret_event.ticket_types.first(), 1)],
            buyer={"name": "Held", "email": "held@example.org"},
            idempotency_key=None,
            now=secret_event.venue_reveal_at - datetime.timedelta(minutes=5),
        )
    )
    mail.outbox.clear()
    assert send_due_venue_notices(now=secret_event.venue_reveal_at) == 0
    assert mail.outbox == []


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_workers_building_confirmations_and_the_reveal_job_tell_each_buyer_once(
    secret_event, buy, settings
):
    """Orders confirmed as the venue is revealed: their confirmations, built by two outbox
    workers at once, race the reveal job; each buyer learns the venue exactly once."""
    settings.TASKS_RUN_AFTER_COMMIT = False
    settings.OUTBOX_BATCH = 2
    at = secret_event.venue_reveal_at + datetime.timedelta(minutes=1)
    emails = [f"guest{number}@example.org" for number in range(8)]
    for email in emails:
        queue_order_confirmation(buy(secret_event, 1, now=at, email=email), now=at)
    outcomes = race(
        3, lambda index: send_due_venue_notices(now=at) if index == 0 else run_tasks(later=True)
    )
    assert not [o for o in outcomes if isinstance(o, Exception)]
    run_tasks(later=True)  # the notices the job queued
    for email in emails:
        received = [m for m in mail.outbox if m.to == [email]]
        assert len([m for m in received if "Your tickets" in m.subject]) == 1
        assert len([m for m in received if SECRET_NAME in m.body]) == 1, email


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_notice_once(secret_event, buy, now):
    for number in range(6):
        buy(secret_event, 1, now=now, email=f"guest{number}@example.org")
    mail.outbox.clear()
    at = secret_event.venue_reveal_at
    counts = race(4, lambda _index: send_due_venue_notices(now=at))
    assert sum(counts) == 6
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(f"guest{n}@example.org" for n in range(6))


def test_order_after_reveal_carries_venue_and_gets_no_second_notice(secret_event, buy, now):
    after = secret_event.venue_reveal_at + datetime.timedelta(hours=2)
    order = buy(secret_event, 1, now=after, email="late@example.org")
    mail.outbox.clear()
    queue_order_confirmation(order, now=after)
    assert SECRET_NAME in mail.outbox[0].body
    assert SECRET_ADDRESS in mail.outbox[0].alternatives[0][0]
    assert send_due_venue_notices(now=after + datetime.timedelta(minutes=1)) == 0
    assert len(mail.outbox) == 1


def test_confirmation_before_reveal_leaves_the_notice_due(secret_event, buy, now):
    order = buy(secret_event, 1, now=now, email="early@example.org")
    queue_order_confirmation(order, now=now)
    order.refresh_from_db()
    assert order.venue_notice_sent_at is None


PROMISE = "We will email it to you then."


def test_confirmation_promises_the_venue_email_only_before_the_reveal(secret_event, buy, now):
    order = buy(secret_event, 1, now=now, email="early@example.org")
    queue_order_confirmation(order, now=now)
    assert PROMISE in mail.outbox[-1].body
    assert PROMISE in mail.outbox[-1].alternatives[0][0]


def test_confirmation_of_a_held_order_promises_no_venue_email(secret_event, now):
    # A held order after the reveal is told "was revealed to ticket holders", not that
    # an email will follow: the reveal job never writes to an order without tickets.
    after = secret_event.venue_reveal_at + datetime.timedelta(hours=2)
    held = reserve_tickets(
        ReservationRequest(
            event=secret_event,
            lines=[(secret_event.ticket_types.get(), 1)],
            buyer={"name": "H", "email": "held@example.org"},
            idempotency_key=None,
            now=after,
        )
    ).order
    mail.outbox.clear()
    queue_order_confirmation(held, now=after)
    assert "The location was revealed to ticket holders on" in mail.outbox[0].body
    assert PROMISE not in mail.outbox[0].body
    assert PROMISE not in mail.outbox[0].alternatives[0][0]


def test_refused_confirmation_after_reveal_keeps_the_venue_and_is_retried(
    secret_event, buy, now, mail_server_down, settings
):
    """Built, the confirmation claims the venue notice with the message that tells it: the
    mail server refusing it leaves that message queued for a retry (the reveal job sends
    no second notice meanwhile), and the retry carries the venue."""
    after = secret_event.venue_reveal_at + datetime.timedelta(hours=2)
    order = buy(secret_event, 1, now=after, email="unlucky@example.org")
    mail.outbox.clear()
    row = queue_order_confirmation(order, now=after)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutgoingEmail.Status.QUEUED, 1)
    assert "mail server is down" in row.last_error
    order.refresh_from_db()
    assert order.venue_notice_sent_at == after
    assert send_due_venue_notices(now=after + datetime.timedelta(minutes=1)) == 0
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_tasks(later=True)
    [sent] = mail.outbox
    assert SECRET_NAME in sent.body and sent.to == ["unlucky@example.org"]


def test_confirmation_that_cannot_be_built_gives_the_venue_notice_back(
    secret_event, buy, now, monkeypatch
):
    """Building and claiming are one transaction: a build that fails claims nothing, so
    the reveal job still tells the order the venue."""
    after = secret_event.venue_reveal_at + datetime.timedelta(hours=2)
    order = buy(secret_event, 1, now=after, email="unlucky@example.org")

    def broken(order, tickets):
        raise RuntimeError("no QR today")

    monkeypatch.setattr("tickets.notifications._ticket_qr_images", broken)
    row = queue_order_confirmation(order, now=after)
    row.refresh_from_db()
    assert row.message is None and "no QR today" in row.last_error
    order.refresh_from_db()
    assert order.venue_notice_sent_at is None
    assert send_due_venue_notices(now=after + datetime.timedelta(minutes=1)) == 1
    assert len(notices_to("unlucky@example.org")) == 1


def move_venue(event, name, *, at) -> int:
    """Staff move the event to a new venue at `at`, as the admin saves it."""
    with time_machine.travel(at, tick=False):
        before = Event.objects.get(pk=event.pk)
        event.refresh_from_db()
        event.venue = Venue.objects.create(name=name, address="9 Pier Road")
        event.save(update_fields=["venue"])
        return record_event_move(event, before=before, now=at)


def test_venue_change_after_reveal_sends_one_update(secret_event, buy, now):
    buy(secret_event, 1, now=now, email="guest@example.org")
    at = secret_event.venue_reveal_at
    send_due_venue_notices(now=at)
    mail.outbox.clear()
    move_venue(secret_event, "Lantern Boathouse", at=at + datetime.timedelta(hours=1))
    secret_event.refresh_from_db()
    assert secret_event.venue_changed_at == at + datetime.timedelta(hours=1)
    later = at + datetime.timedelta(hours=1, minutes=1)
    assert send_event_changes(now=later) == 1
    assert send_event_changes(now=later + datetime.timedelta(minutes=1)) == 0
    assert len(mail.outbox) == 1
    assert "Lantern Boathouse" in mail.outbox[0].body
    assert send_due_venue_notices(now=later) == 0


def test_editing_the_venue_address_after_reveal_sends_one_update(secret_event, buy, now, venue):
    buy(secret_event, 1, now=now, email="guest@example.org")
    at = secret_event.venue_reveal_at
    send_due_venue_notices(now=at)
    mail.outbox.clear()
    with time_machine.travel(at + datetime.timedelta(minutes=30), tick=False):
        before = Venue.objects.get(pk=venue.pk)
        venue = Venue.objects.get(pk=venue.pk)
        venue.address = "1 New Street\nNorfolk, VA"
        venue.save()
        assert record_venue_edit(venue, before=before, now=at + datetime.timedelta(minutes=30)) == 1
    assert send_event_changes(now=at + datetime.timedelta(hours=1)) == 1
    assert "1 New Street" in mail.outbox[0].body


def test_venue_change_before_reveal_sends_no_update(secret_event, buy, now):
    buy(secret_event, 1, now=now)
    assert move_venue(secret_event, "Another Hall", at=now) == 0
    secret_event.refresh_from_db()
    assert secret_event.venue_changed_at is None
    mail.outbox.clear()
    assert send_event_changes(now=secret_event.venue_reveal_at + datetime.timedelta(hours=1)) == 0
    send_due_venue_notices(now=secret_event.venue_reveal_at)
    assert "Another Hall" in mail.outbox[0].body


def test_second_change_sends_a_second_update(secret_event, buy, now):
    buy(secret_event, 1, now=now)
    at = secret_event.venue_reveal_at
    send_due_venue_notices(now=at)
    for hours, name in ((1, "First Move Hall"), (2, "Second Move Hall")):
        move_venue(secret_event, name, at=at + datetime.timedelta(hours=hours))
        mail.outbox.clear()
        assert send_event_changes(now=at + datetime.timedelta(hours=hours, minutes=5)) == 1
        assert name in mail.outbox[0].body


def test_run_jobs_expires_holds_and_sends_notices(secret_event, now):
    reserve_tickets(
        ReservationRequest(
            event=secret_event,
            lines=[(secret_event.ticket_types.first(), 2)],
            buyer={"name": "Held", "email": "held@example.org"},
            idempotency_key=None,
            now=now,
        )
    )
    out = StringIO()
    with time_machine.travel(now + datetime.timedelta(hours=1), tick=False):
        call_command("run_jobs", stdout=out)
    assert "1 hold(s) expired" in out.getvalue()
    assert Order.objects.get().status == Order.Status.EXPIRED
    assert secret_event.ticket_types.first().reserved == 0


def test_saving_a_partly_loaded_event_after_reveal_is_no_venue_change(secret_event, venue):
    with time_machine.travel(secret_event.venue_reveal_at + datetime.timedelta(hours=1)):
        event = type(secret_event).objects.only("title").get(pk=secret_event.pk)
        event.title = "Renamed Supper"
        event.save(update_fields=["title"])
        whole = type(secret_event).objects.get(pk=secret_event.pk)
        whole.summary = "New words"
        whole.save(update_fields=["summary"])
        partial = Venue.objects.only("directions").get(pk=venue.pk)
        partial.directions = "Through the blue gate."  # unchanged
        partial.save(update_fields=["directions"])
    secret_event.refresh_from_db()
    assert secret_event.title == "Renamed Supper"
    assert secret_event.venue_changed_at is None


def test_confirmation_racing_the_reveal_job_tells_the_venue_once(secret_event, buy, now):
    after = secret_event.venue_reveal_at + datetime.timedelta(minutes=1)
    order = buy(secret_event, 1, now=after, email="racer@example.org")
    mail.outbox.clear()
    # The job claimed and told this order a moment before the checkout's email went out.
    assert send_due_venue_notices(now=after) == 1
    queue_order_confirmation(order, now=after)
    assert len(mail.outbox) == 2
    venue_emails = [m for m in mail.outbox if SECRET_NAME in m.body]
    assert len(venue_emails) == 1
    assert "separate email" in mail.outbox[1].body
    assert SECRET_ADDRESS not in mail.outbox[1].alternatives[0][0]


def test_confirmation_resent_by_staff_carries_the_venue_again(secret_event, buy, now):
    after = secret_event.venue_reveal_at + datetime.timedelta(hours=2)
    order = buy(secret_event, 1, now=after, email="again@example.org")
    queue_order_confirmation(order, now=after)
    mail.outbox.clear()
    queue_order_confirmation(order, now=after, resend=True)
    assert SECRET_NAME in mail.outbox[0].body
