"""Each queued email's procrastinate task sends it once, retries a mail server that fails
with growing pauses, then fails the email for staff to see."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.mail import EmailMessage, send_mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from outbox import builds
from outbox.delivery import retry_delay
from outbox.models import OutgoingEmail
from outbox.tasks import forget_sent_email, send_email
from tests.concurrency import race
from tests.outbox.mail_servers import REFUSING
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


def queue(count=1):
    for index in range(count):
        send_mail(f"Hello {index}", "Body", None, [f"person{index}@example.org"])


def test_the_task_sends_what_was_queued_once(queued_only):
    queue()
    assert mail.outbox == []  # queued only: nothing is sent until a worker runs
    assert run_tasks().ran == 1
    [sent] = mail.outbox
    assert sent.to == ["person0@example.org"] and sent.subject == "Hello 0"
    row = OutgoingEmail.objects.get()
    assert (row.status, row.attempts, row.last_error) == (OutgoingEmail.Status.SENT, 1, "")
    assert row.sent_at is not None
    # A second run of the same job (a worker killed before it was marked done) sends nothing.
    assert send_email(email_id=row.pk) is None
    assert len(mail.outbox) == 1


def test_an_email_of_a_rolled_back_transaction_is_never_sent():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError("the order failed")
    run_tasks(later=True)
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()


def test_run_jobs_sends_the_queued_email(queued_only):
    queue(3)
    call_command("run_jobs", stdout=StringIO())
    assert sorted(m.to[0] for m in mail.outbox) == [f"person{i}@example.org" for i in range(3)]
    assert not OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT).exists()


def test_a_failing_mail_server_is_retried_with_pauses_then_the_email_fails(queued_only, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_DELIVERY_BACKEND = REFUSING
    queue()
    assert run_tasks().retried == 1
    assert run_tasks().ran == 0  # its retry waits for the pause
    run_tasks(later=True)
    row = OutgoingEmail.objects.get()
    assert (row.status, row.attempts) == (OutgoingEmail.Status.QUEUED, 2)
    run_tasks(later=True)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutgoingEmail.Status.FAILED, 3)
    assert "down" in row.last_error and mail.outbox == []
    assert run_tasks(later=True).ran == 0  # failed: left to staff


def test_pauses_double_after_each_failure_up_to_the_cap(settings):
    settings.OUTBOX_RETRY_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]


@pytest.fixture
def flaky_builder():
    """A registered builder that fails its first build and counts its calls."""
    calls = []

    def build(*, to):
        calls.append(to)
        if len(calls) == 1:
            raise RuntimeError("not today")
        return EmailMessage("Built", "By the worker", None, [to])

    builds.register("tests.flaky", build)
    yield calls
    builds._builders.pop("tests.flaky")


def test_a_deferred_email_is_built_by_the_worker_once_and_then_only_resent(
    queued_only, settings, flaky_builder
):
    row = builds.queue_build("tests.flaky", recipients="ann@example.org", to="ann@example.org")
    assert flaky_builder == []  # queueing builds nothing
    run_tasks()
    row.refresh_from_db()
    assert row.message is None and row.attempts == 1 and "not today" in row.last_error
    settings.OUTBOX_DELIVERY_BACKEND = REFUSING
    run_tasks(later=True)
    row.refresh_from_db()
    assert row.message is not None and row.attempts == 2  # built, then refused
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_tasks(later=True)
    assert len(flaky_builder) == 2  # not built again for the retry
    assert [m.subject for m in mail.outbox] == ["Built"]


def test_an_unknown_builder_is_refused_when_queued():
    with pytest.raises(LookupError):
        builds.queue_build("tests.nobody", x=1)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_send_one_email_twice(settings):
    settings.TASKS_RUN_AFTER_COMMIT = False
    queue(40)
    outcomes = race(4, lambda _index: run_tasks(later=True))
    assert not [o for o in outcomes if isinstance(o, Exception)]
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == 40 and len(set(recipients)) == 40
    # The runners ran 40 jobs between them: none took a job another had fetched.
    assert sum(outcome.ran for outcome in outcomes) == 40
    assert OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT, attempts=1).count() == 40


def test_sent_email_is_forgotten_after_the_keeping_time_and_failed_email_is_kept(
    queued_only, settings
):
    settings.OUTBOX_KEEP_SENT_DAYS = 30
    queue(2)
    now = timezone.now()
    run_tasks(later=True)
    sent_long_ago, sent_lately = OutgoingEmail.objects.order_by("pk")
    OutgoingEmail.objects.filter(pk=sent_long_ago.pk).update(
        sent_at=now - datetime.timedelta(days=31)
    )
    OutgoingEmail.objects.filter(pk=sent_lately.pk).update(
        sent_at=now - datetime.timedelta(days=29)
    )
    failed = OutgoingEmail.objects.create(
        message=sent_lately.message, status=OutgoingEmail.Status.FAILED, created_at=now
    )
    OutgoingEmail.objects.filter(pk=failed.pk).update(created_at=now - datetime.timedelta(days=90))
    assert forget_sent_email(now=now) == "1 sent email(s) forgotten"
    assert set(OutgoingEmail.objects.values_list("pk", flat=True)) == {sent_lately.pk, failed.pk}
