import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from association.registry import periodic_jobs
from membership.models import Membership, RenewalReminder
from membership.reminders import send_due_renewal_reminders
from membership.tasks import send_renewal_reminders
from tests.concurrency import race

D = datetime.date
END = D(2026, 12, 31)


def at(day):
    return datetime.datetime.combine(day, datetime.time(15), tzinfo=datetime.UTC)


@pytest.fixture
def term(member, make_membership):
    return make_membership(member, starts_on=D(2026, 1, 1), ends_on=END)


@pytest.mark.django_db
def test_thirty_day_reminder_sent_once(term):
    assert send_due_renewal_reminders(now=at(END - datetime.timedelta(days=30))) == 1
    assert send_due_renewal_reminders(now=at(END - datetime.timedelta(days=30))) == 0
    assert send_due_renewal_reminders(now=at(END - datetime.timedelta(days=29))) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Your membership ends on December 31, 2026"
    assert "/membership/join/individual/" in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"


@pytest.mark.django_db
def test_no_reminder_before_thirty_days(term):
    assert send_due_renewal_reminders(now=at(END - datetime.timedelta(days=31))) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_seven_day_reminder_sent_once(term):
    send_due_renewal_reminders(now=at(END - datetime.timedelta(days=30)))
    assert send_due_renewal_reminders(now=at(END - datetime.timedelta(days=7))) == 1
    assert send_due_renewal_reminders(now=at(END - datetime.timedelta(days=3))) == 0
    assert send_due_renewal_reminders(now=at(END)) == 0
    kinds = list(RenewalReminder.objects.values_list("kind", flat=True).order_by("sent_at"))
    assert kinds == ["30_days", "7_days"]


@pytest.mark.django_db
def test_lapsed_reminder_sent_once_after_the_end(term, settings):
    settings.MEMBERSHIP_GRACE_DAYS = 30
    assert send_due_renewal_reminders(now=at(END)) == 1  # the 7-day one, on the last day
    assert send_due_renewal_reminders(now=at(END + datetime.timedelta(days=1))) == 1
    assert send_due_renewal_reminders(now=at(END + datetime.timedelta(days=10))) == 0
    assert mail.outbox[-1].subject.startswith("Your membership has ended")
    assert "You keep your member benefits until January 30, 2027" in mail.outbox[-1].body


@pytest.mark.django_db
def test_no_lapsed_reminder_once_the_grace_period_is_over(term, settings):
    settings.MEMBERSHIP_GRACE_DAYS = 30
    assert send_due_renewal_reminders(now=at(END + datetime.timedelta(days=31))) == 0


@pytest.mark.django_db
def test_member_who_renewed_gets_no_reminder(term, member, make_membership):
    make_membership(member, starts_on=END + datetime.timedelta(days=1), ends_on=D(2027, 12, 31))
    assert send_due_renewal_reminders(now=at(END - datetime.timedelta(days=7))) == 0


@pytest.mark.django_db
def test_pending_or_lifetime_memberships_get_no_reminder(member, make_membership, lifetime_plan):
    make_membership(member, starts_on=D(2026, 1, 1), ends_on=END, status=Membership.Status.PENDING)
    make_membership(member, starts_on=D(2026, 1, 1), plan=lifetime_plan)
    assert send_due_renewal_reminders(now=at(END - datetime.timedelta(days=7))) == 0


@pytest.mark.django_db
def test_a_new_term_gets_its_own_reminders(term):
    send_due_renewal_reminders(now=at(END - datetime.timedelta(days=7)))
    Membership.objects.filter(pk=term.pk).update(ends_on=D(2027, 12, 31))
    assert send_due_renewal_reminders(now=at(D(2027, 12, 24))) == 1


@pytest.mark.django_db
def test_failed_send_is_retried_next_run(term, monkeypatch):
    from membership import reminders

    def broken(*args, **kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr(reminders, "send_membership_email", broken)
    assert send_due_renewal_reminders(now=at(END - datetime.timedelta(days=7))) == 0
    assert not RenewalReminder.objects.exists()
    monkeypatch.undo()
    assert send_due_renewal_reminders(now=at(END - datetime.timedelta(days=7))) == 1


@pytest.mark.django_db
def test_run_jobs_twice_sends_one_email(term, settings):
    import time_machine

    with time_machine.travel(at(END - datetime.timedelta(days=7)), tick=False):
        from io import StringIO

        call_command("run_jobs", stdout=StringIO())
        call_command("run_jobs", stdout=StringIO())
    assert len(mail.outbox) == 1
    assert send_renewal_reminders in periodic_jobs
    assert send_renewal_reminders(now=at(END)) == "0 renewal reminder(s) sent"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_one_email(member, make_membership):
    assert connection.vendor == "postgresql"
    make_membership(member, starts_on=D(2026, 1, 1), ends_on=END)
    now = at(END - datetime.timedelta(days=7))
    outcomes = race(2, lambda _index: send_due_renewal_reminders(now=now))
    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    results = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
    assert errors == []
    assert sorted(results) == [0, 1]
    assert len(mail.outbox) == 1
    assert RenewalReminder.objects.count() == 1


@pytest.mark.django_db
def test_a_term_bought_twice_gets_each_reminder_once(member, make_membership):
    # Two paid rows over the same dates (left by the early-renewal double purchase):
    # the member is still told once.
    make_membership(member, starts_on=D(2026, 1, 1), ends_on=END)
    make_membership(member, starts_on=D(2026, 1, 1), ends_on=END)
    assert send_due_renewal_reminders(now=at(END - datetime.timedelta(days=30))) == 1
    assert send_due_renewal_reminders(now=at(END - datetime.timedelta(days=7))) == 1
    assert send_due_renewal_reminders(now=at(END + datetime.timedelta(days=1))) == 1
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_paid_early_renewal_stops_the_reminders_of_the_current_term(
    term, member, plan, make_membership
):
    from membership.dues import begin_membership, confirm_dues_paid

    renewal, _ = begin_membership(
        user=member,
        plan=plan,
        payment_method="offline",
        today=D(2026, 12, 10),
        now=at(D(2026, 12, 10)),
    )
    confirm_dues_paid(renewal, at=at(D(2026, 12, 11)))
    mail.outbox.clear()
    for day in (END - datetime.timedelta(days=7), END + datetime.timedelta(days=1)):
        assert send_due_renewal_reminders(now=at(day)) == 0
    assert send_due_renewal_reminders(now=at(D(2027, 12, 1))) == 1
    assert mail.outbox[0].subject == "Your membership ends on December 31, 2027"


@pytest.mark.django_db
def test_an_unpaid_renewal_does_not_stop_the_reminders(term, member, make_membership):
    # Clicking Renew without paying renews nothing: the member still needs reminding.
    make_membership(
        member,
        starts_on=END + datetime.timedelta(days=1),
        ends_on=D(2027, 12, 31),
        status=Membership.Status.PENDING,
    )
    assert send_due_renewal_reminders(now=at(END - datetime.timedelta(days=7))) == 1
    assert send_due_renewal_reminders(now=at(END + datetime.timedelta(days=1))) == 1
