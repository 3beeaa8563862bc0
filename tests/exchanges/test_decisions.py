import datetime

import pytest
from django.core import mail

from exchanges.decisions import (
    accept_offer,
    lapse_expired_offers,
    record_decision,
    send_due_decisions,
    withdraw,
)
from exchanges.models import Application
from outbox.models import OutgoingEmail
from tests.concurrency import race

from .conftest import NOW, complete, make_user


def test_the_chair_records_decisions_and_others_cannot(
    client, program, chair, reviewer, applicant, time_machine
):
    time_machine.move_to(NOW)
    application = complete(program, applicant)
    url = f"/exchanges/{program.slug}/review/decide/"
    client.force_login(reviewer)
    assert (
        client.post(url, {"application": application.pk, "decision": "accepted"}).status_code == 404
    )
    client.force_login(chair)
    assert client.post(url, {"application": application.pk, "decision": "maybe"}).status_code == 400
    assert client.post(url, {"application": "x", "decision": "accepted"}).status_code == 400
    assert (
        client.post(url, {"application": application.pk, "decision": "accepted"}).status_code == 302
    )
    application.refresh_from_db()
    assert (application.decision, application.decided_by, application.status) == (
        "accepted",
        chair,
        "complete",
    )


@pytest.mark.django_db
def test_decisions_never_go_before_the_notification_date(
    program, chair, applicant, django_capture_on_commit_callbacks
):
    application = complete(program, applicant)
    record_decision(application, decision="accepted", by=chair, at=NOW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_decisions(now=program.notification_at - datetime.timedelta(seconds=1)) == 0
    application.refresh_from_db()
    assert application.status == Application.Status.COMPLETE and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_decisions(now=program.notification_at) == 1
        assert send_due_decisions(now=program.notification_at + datetime.timedelta(hours=1)) == 0
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    assert application.history.last().changed_by == chair


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_decisions_go_exactly_once_under_two_runners(program, chair):
    applications = [complete(program, make_user(f"a{n}@example.org")) for n in range(6)]
    for n, application in enumerate(applications):
        record_decision(
            application, decision=["accepted", "waitlisted", "declined"][n % 3], by=chair, at=NOW
        )
    before = OutgoingEmail.objects.count()
    outcomes = race(2, lambda _i: send_due_decisions(now=program.notification_at))
    assert sorted(outcomes, key=str) and sum(outcomes) == 6, outcomes
    assert OutgoingEmail.objects.count() - before == 6
    assert Application.objects.filter(decision_notified_at__isnull=False).count() == 6
    for application in applications:
        assert application.history.filter(note="Decision sent.").count() == 1


@pytest.mark.django_db
def test_a_declined_place_is_offered_to_the_first_waitlisted(
    client, program, chair, applicant, django_capture_on_commit_callbacks, time_machine
):
    program.places = 1
    program.save(update_fields=["places"])
    traveler = complete(program, applicant)
    second = complete(program, make_user("second@example.org"))
    first = complete(program, make_user("first@example.org"))
    record_decision(traveler, decision="accepted", by=chair, at=NOW)
    record_decision(second, decision="waitlisted", by=chair, at=NOW, waitlist_rank=2)
    record_decision(first, decision="waitlisted", by=chair, at=NOW, waitlist_rank=1)
    send_due_decisions(now=program.notification_at)
    mail.outbox.clear()
    later = program.notification_at + datetime.timedelta(days=1)
    time_machine.move_to(later, tick=False)
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/exchanges/{program.slug}/apply/withdraw/").status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.offer_expires_at == later + datetime.timedelta(days=program.offer_days)
    assert second.offered_at is None
    assert [m.to for m in mail.outbox] == [["first@example.org"]]
    client.force_login(first.applicant)
    assert (
        "A place is open for you"
        in client.get(f"/exchanges/{program.slug}/apply/").content.decode()
    )
    assert client.post(f"/exchanges/{program.slug}/apply/accept/").status_code == 302
    first.refresh_from_db()
    assert first.status == Application.Status.ACCEPTED


@pytest.mark.django_db
def test_an_offer_not_taken_in_time_lapses_and_goes_to_the_next(program, chair, applicant):
    program.places = 1
    program.save(update_fields=["places"])
    traveler = complete(program, applicant)
    first = complete(program, make_user("first@example.org"))
    second = complete(program, make_user("second@example.org"))
    record_decision(traveler, decision="accepted", by=chair, at=NOW)
    record_decision(first, decision="waitlisted", by=chair, at=NOW, waitlist_rank=1)
    record_decision(second, decision="waitlisted", by=chair, at=NOW, waitlist_rank=2)
    send_due_decisions(now=program.notification_at)
    at = program.notification_at + datetime.timedelta(days=1)
    withdraw(traveler, by=applicant, at=at)
    first.refresh_from_db()
    expires = first.offer_expires_at
    assert lapse_expired_offers(now=expires - datetime.timedelta(seconds=1)) == 0
    assert lapse_expired_offers(now=expires) == 1
    assert lapse_expired_offers(now=expires) == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert not accept_offer(first, by=first.applicant, at=expires)
    assert second.offered_at == expires
    assert accept_offer(second, by=second.applicant, at=expires)


@pytest.mark.django_db
def test_no_offer_while_every_place_is_taken(program, chair, applicant):
    waiting = complete(program, make_user("w@example.org"))
    record_decision(waiting, decision="waitlisted", by=chair, at=NOW)
    leaver = complete(program, applicant)
    record_decision(leaver, decision="accepted", by=chair, at=NOW)
    for n in range(2):
        taken = complete(program, make_user(f"t{n}@example.org"))
        record_decision(taken, decision="accepted", by=chair, at=NOW)
    send_due_decisions(now=program.notification_at)
    # Three accepted for two places (the chair over-admitted): one leaving frees nothing.
    withdraw(leaver, by=applicant, at=program.notification_at)
    waiting.refresh_from_db()
    assert waiting.offered_at is None
