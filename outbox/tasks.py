"""The outbox's tasks: each queued email is sent by its own procrastinate job, deferred in
the transaction that queued it (outbox/backends.py, outbox/builds.py); sent emails are
forgotten after `OUTBOX_KEEP_SENT_DAYS`, since they hold what no one should keep for ever
(password-reset links, private order links). Failed ones stay until staff deal with them."""

import datetime

from asgiref.sync import async_to_sync
from django.conf import settings
from procrastinate import BaseRetryStrategy, RetryDecision
from procrastinate.contrib.django import app

from association.registry import periodic_jobs

from .delivery import retry_delay, send_queued
from .models import OutgoingEmail


class NotSentYet(Exception):
    """This attempt failed (the row says why); the job is retried after a pause."""


class GrowingPauses(BaseRetryStrategy):
    """Retry a failed send after `retry_delay(attempts)`: 1, 2, 4... times
    OUTBOX_RETRY_SECONDS, capped; the row stops the retries after OUTBOX_MAX_ATTEMPTS."""

    def get_retry_decision(self, *, exception, job):
        if not isinstance(exception, NotSentYet):
            return None
        return RetryDecision(retry_in={"seconds": retry_delay(job.attempts + 1).total_seconds()})


@app.task(name="outbox.send_email", queue="email", retry=GrowingPauses(), pass_context=False)
def send_email(email_id: int) -> None:
    if send_queued(email_id):
        return
    if OutgoingEmail.objects.filter(pk=email_id, status=OutgoingEmail.Status.QUEUED).exists():
        raise NotSentYet(email_id)


def defer_sending(rows) -> None:
    """Defer the sending of `rows`, in the caller's transaction."""
    ids = [{"email_id": row.pk} for row in rows]
    if ids:
        send_email.batch_defer(*ids)


@periodic_jobs.register
def forget_sent_email(*, now):
    """Sent emails, and procrastinate's finished jobs, after OUTBOX_KEEP_SENT_DAYS (failed
    jobs are kept, as failed emails are, for staff)."""
    cutoff = now - datetime.timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS)
    deleted, _ = OutgoingEmail.objects.sent_before(cutoff).delete()
    async_to_sync(app.job_manager.delete_old_jobs)(
        nb_hours=settings.OUTBOX_KEEP_SENT_DAYS * 24, include_failed=False
    )
    return f"{deleted} sent email(s) forgotten"
