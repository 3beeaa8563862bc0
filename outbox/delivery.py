"""Sending what the outbox holds: each row once, by its procrastinate task
(outbox/tasks.py), retried with growing pauses while the mail server fails, and marked
failed for staff after `OUTBOX_MAX_ATTEMPTS`.

- Building (rows queued with a builder, outbox/builds.py) is its own savepoint before
  sending: the builder's own claims and the stored message commit together, so a retry
  resends the same message instead of building (and claiming) again.
- A failed attempt (building or sending) waits `OUTBOX_RETRY_SECONDS` doubled after each
  failure, capped at `OUTBOX_RETRY_MAX_SECONDS`; the error is kept for staff (the admin).
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .builds import build
from .messages import deserialize, recipients_for_display, serialize
from .models import OutgoingEmail

logger = logging.getLogger(__name__)


def retry_delay(attempts: int) -> datetime.timedelta:
    """The pause after the `attempts`-th failed attempt: 1, 2, 4, ... times
    `OUTBOX_RETRY_SECONDS`, never more than `OUTBOX_RETRY_MAX_SECONDS`."""
    seconds = settings.OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def record_failure(row: OutgoingEmail, error: Exception, *, now: datetime.datetime) -> None:
    """One more failed attempt: retried after a longer pause, or failed for good."""
    row.attempts += 1
    row.last_error = f"{type(error).__name__}: {error}"[:2000]
    if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        row.status = OutgoingEmail.Status.FAILED
        logger.error("Gave up on email %s after %s attempts: %s", row.pk, row.attempts, error)
    else:
        row.next_attempt_at = now + retry_delay(row.attempts)
        logger.warning("Email %s failed (attempt %s): %s", row.pk, row.attempts, error)
    row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


def build_message(row: OutgoingEmail, *, now: datetime.datetime) -> bool:
    """Build a deferred row and store its message, in one transaction (a savepoint when
    the caller has one) with whatever the builder wrote; False when building failed."""
    try:
        with transaction.atomic():
            message = build(row)
            row.message = serialize(message)
            row.subject = str(message.subject)[:500]
            row.recipients = recipients_for_display(message)
            row.save(update_fields=["message", "subject", "recipients"])
    except Exception as error:  # noqa: BLE001 - a builder's failure is retried like a send's
        logger.exception("Could not build email %s (%s)", row.pk, row.builder)
        row.message = None
        record_failure(row, error, now=now)
        return False
    return True


def send_queued(email_id: int, *, now: datetime.datetime | None = None) -> bool:
    """Build (if need be) and send the queued email `email_id`, once; True when it went,
    False when it is not queued any more (sent, failed for good or forgotten) or this
    attempt failed (recorded on the row). The row is locked from before sending until it
    is marked sent, so no second runner sends it meanwhile; a process killed between the
    mail server's acceptance and the commit leaves it queued: that one message goes again
    (no mail server takes part in our transaction)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            OutgoingEmail.objects.select_for_update()
            .filter(pk=email_id, status=OutgoingEmail.Status.QUEUED)
            .first()
        )
        if row is None:
            return False
        if not row.is_built and not build_message(row, now=now):
            return False
        database = transaction.get_connection()
        if database.vendor == "postgresql":
            # The talk with the mail server happens inside this transaction, as long as the
            # mail server takes: the server's idle-in-transaction limit (nsca/settings.py)
            # must not end it between sending and marking, or it would be sent again.
            with database.cursor() as cursor:
                cursor.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
        try:
            connection = get_connection(settings.OUTBOX_DELIVERY_BACKEND, fail_silently=False)
            if not connection.send_messages([deserialize(row.message)]):
                raise RuntimeError("The mail server accepted no recipient.")
        except Exception as error:  # noqa: BLE001 - any failure of the mail server
            record_failure(row, error, now=now)
            return False
        OutgoingEmail.objects.filter(pk=row.pk).update(
            status=OutgoingEmail.Status.SENT,
            attempts=F("attempts") + 1,
            sent_at=timezone.now(),
            last_error="",
        )
    return True
