"""Sending what the outbox holds: each row once, retried with growing pauses while the
mail server fails, and marked failed for staff after `OUTBOX_MAX_ATTEMPTS`.

- Claiming: due rows are taken with `SELECT ... FOR UPDATE SKIP LOCKED` in a transaction
  that lasts until they are marked; two workers (or a worker and `run_jobs`) at once take
  different rows, and a row is never handed to the mail server twice by two of them. (If
  a process dies between handing a message to the mail server and committing, that one
  message goes again: no mail server takes part in our transaction.)
- Building (rows queued with a builder, outbox/builds.py) is its own short transaction
  before sending: the builder's own claims and the stored message commit together, so a
  retry resends the same message instead of building (and claiming) again.
- Sending uses ONE connection of the real backend (`OUTBOX_DELIVERY_BACKEND`, from
  `EMAIL_URL`) per batch.
- A failed attempt (building or sending) waits `OUTBOX_RETRY_SECONDS` doubled after each
  failure, capped at `OUTBOX_RETRY_MAX_SECONDS`; the error is kept for staff (the admin).

Tests deliver each row as it is queued (`OUTBOX_DELIVER_AT_ONCE`), through these same
functions, so an assertion on `mail.outbox` right after an action still sees the email.
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


def send_messages(rows: list[OutgoingEmail], *, now: datetime.datetime) -> int:
    """Send built rows over one connection of the delivery backend and mark each sent or
    failed; how many were sent. The caller holds the rows (locked, or just created)."""
    connection = get_connection(settings.OUTBOX_DELIVERY_BACKEND, fail_silently=False)
    try:
        connection.open()
    except Exception as error:  # noqa: BLE001 - the mail server is down: retry them all
        for row in rows:
            record_failure(row, error, now=now)
        return 0
    sent = []
    try:
        for row in rows:
            try:
                if not connection.send_messages([deserialize(row.message)]):
                    raise RuntimeError("The mail server accepted no recipient.")
            except Exception as error:  # noqa: BLE001 - any failure of the mail server
                record_failure(row, error, now=now)
                continue
            sent.append(row)
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - the messages are sent; a rude QUIT changes nothing
            logger.warning("Could not close the mail connection cleanly", exc_info=True)
    # One UPDATE for the batch (a mailing sends thousands), in the caller's transaction
    # like the claim, so the rows are marked before their locks are let go.
    if sent:
        sent_at = timezone.now()
        OutgoingEmail.objects.filter(pk__in=[row.pk for row in sent]).update(
            status=OutgoingEmail.Status.SENT,
            attempts=F("attempts") + 1,
            sent_at=sent_at,
            last_error="",
        )
        for row in sent:
            row.status, row.sent_at, row.last_error = OutgoingEmail.Status.SENT, sent_at, ""
            row.attempts += 1
    return len(sent)


def _claim(*, now: datetime.datetime, limit: int, built: bool) -> list[OutgoingEmail]:
    return list(
        OutgoingEmail.objects.due(now)
        .filter(message__isnull=not built)
        .select_for_update(skip_locked=True)[:limit]
    )


def build_due(*, now: datetime.datetime, limit: int) -> int:
    """Build up to `limit` due deferred rows; how many were claimed."""
    with transaction.atomic():
        rows = _claim(now=now, limit=limit, built=False)
        for row in rows:
            build_message(row, now=now)
    return len(rows)


def send_due(*, now: datetime.datetime, limit: int) -> int:
    """Send up to `limit` due built rows; how many were claimed."""
    with transaction.atomic():
        rows = _claim(now=now, limit=limit, built=True)
        if rows:
            database = transaction.get_connection()
            if database.vendor == "postgresql":
                # The batch's talk with the mail server happens inside this transaction,
                # as long as the mail server takes: the server's idle-in-transaction limit
                # (nsca/settings.py) must not end it between sending and marking, or the
                # batch would be sent again. It locks nothing but these outbox rows.
                with database.cursor() as cursor:
                    cursor.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
            send_messages(rows, now=now)
    return len(rows)


def deliver_due(*, now: datetime.datetime, limit: int | None = None) -> int:
    """One round of the worker: build, then send, what is due; how many rows it handled
    (0: nothing was due, or other workers hold it all)."""
    limit = settings.OUTBOX_BATCH if limit is None else limit
    return build_due(now=now, limit=limit) + send_due(now=now, limit=limit)


def drain(*, now: datetime.datetime) -> int:
    """Deliver rounds until nothing due at `now` is left; how many rows were handled.
    A failed row is due again only later, so this ends."""
    handled = 0
    while True:
        count = deliver_due(now=now)
        if not count:
            return handled
        handled += count


def deliver_at_once_if_asked(rows: list[OutgoingEmail]) -> None:
    """With `OUTBOX_DELIVER_AT_ONCE` (the test suite), deliver rows the moment they are
    queued, inside the caller's transaction, through the worker's own steps."""
    if not settings.OUTBOX_DELIVER_AT_ONCE:
        return
    now = timezone.now()
    built = [row for row in rows if row.is_built or build_message(row, now=now)]
    if built:
        send_messages(built, now=now)
