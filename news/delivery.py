"""Sending a mailing to each person exactly once.

- Queueing: a mailing whose `send_at` has come is queued in one transaction that holds its
  row (`FOR UPDATE SKIP LOCKED`), so of two runs only one queues it, and a run killed
  half-way leaves nothing behind. Its audience is streamed (`iterator()`, never loaded
  whole) into one Delivery per lower-cased address (`delivery_once_per_address`).
- Fanning out: in the same transaction, the deliveries are cut into batches of
  `NEWS_SEND_BATCH` by their ids (read in chunks, never all at once), and each batch is a
  procrastinate task (news/tasks.py, `send_deliveries`): workers send a 5,000-address
  mailing in parallel, and no process holds its addresses in memory.
- Sending: each delivery is claimed with `SELECT ... FOR UPDATE SKIP LOCKED` in its own
  transaction, its message written to the site's outbox (with its sending task), and
  marked sent before the lock is let go, all in that transaction: two runners at once take
  different rows, each delivery becomes exactly one outbox row, and a runner killed
  half-way leaves the rest queued (the periodic job sends what is left). The outbox's task
  hands the message to the mail server, retries while that fails, and shows staff what
  finally failed (outbox/delivery.py), as for every email.
- Consent is asked again at the moment of sending (news/consent.py), so an unsubscribe
  skips deliveries still queued.
- A delivery whose message cannot be written (a rendering error, a bug: retrying would
  fail the same way) is marked failed with the reason, for staff.
"""

import datetime
import logging
from collections.abc import Iterator
from itertools import islice

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from membership.models import Membership, User
from tickets.models import Order

from .consent import may_be_mailed
from .emails import MailingRenderer
from .models import Delivery, Mailing, Subscriber

logger = logging.getLogger(__name__)

QUEUE_CHUNK = 1000


def audience_addresses(
    mailing: Mailing, *, now: datetime.datetime
) -> Iterator[tuple[str, str, str]]:
    """(email, name, language) for each person in the mailing's audience, streamed from the
    database (the language their emails are written in: association/languages.py)."""
    if mailing.audience == Mailing.Audience.SUBSCRIBERS:
        rows = Subscriber.objects.may_receive_marketing().values_list("email", "name", "language")
        yield from rows.order_by("pk").iterator(chunk_size=QUEUE_CHUNK)
    elif mailing.audience == Mailing.Audience.MEMBERS:
        standing = Membership.objects.in_good_standing(timezone.localdate(now))
        if mailing.plan_id:
            standing = standing.filter(plan_id=mailing.plan_id)
        users = User.objects.filter(is_active=True, memberships__in=standing).distinct()
        for email, first, last, language in (
            users.values_list("email", "first_name", "last_name", "language")
            .order_by("pk")
            .iterator(chunk_size=QUEUE_CHUNK)
        ):
            yield email, f"{first} {last}".strip(), language
    else:
        # Ticket holders as the venue gate counts them: an unpaid reservation is not one.
        orders = Order.objects.holding_tickets().filter(event_id=mailing.event_id)
        ticket_types = list(mailing.ticket_types.values_list("pk", flat=True))
        if ticket_types:
            orders = orders.filter(tickets__ticket_type__in=ticket_types).distinct()
        rows = orders.values_list("email", "buyer_name", "language").order_by("pk")
        yield from rows.iterator(chunk_size=QUEUE_CHUNK)


def reach(mailing: Mailing, *, now: datetime.datetime) -> int:
    """How many people the mailing would reach if sent at `now`: its audience's addresses,
    each once whatever its letter case, less those who opted out (the deliveries would
    skip them, `consent.may_be_mailed`). What "Send now" asks staff to confirm."""
    addresses = audience_addresses(mailing, now=now)
    try:
        emails = {email.strip().lower() for email, *_rest in addresses}
    finally:
        addresses.close()
    if mailing.audience != Mailing.Audience.SUBSCRIBERS:  # those are consenting already
        opted_out = Subscriber.objects.opted_out().values_list("email", flat=True)
        emails -= {email.strip().lower() for email in opted_out}
    return len(emails)


def queue_deliveries(mailing: Mailing, *, now: datetime.datetime) -> int:
    """Create the mailing's deliveries; how many audience rows were offered (an address
    twice in the audience, in any case, still gets one delivery)."""
    offered = 0
    addresses = audience_addresses(mailing, now=now)
    try:
        while chunk := list(islice(addresses, QUEUE_CHUNK)):
            offered += len(chunk)
            Delivery.objects.bulk_create(
                [
                    Delivery(
                        mailing=mailing,
                        email=email.strip().lower(),
                        name=name,
                        language=language,
                        next_attempt_at=now,
                    )
                    for email, name, language in chunk
                ],
                ignore_conflicts=True,
            )
    finally:
        # Close the server-side cursor now, inside the transaction, not whenever the
        # generator is collected (by then the transaction may be gone).
        addresses.close()
    return offered


def defer_batches(mailing: Mailing) -> int:
    """Defer one `send_deliveries` task per `NEWS_SEND_BATCH` queued deliveries of the
    mailing, each naming its range of ids (keyset: only each range's ends are kept); how
    many were deferred."""
    from .tasks import send_deliveries  # noqa: PLC0415 (tasks import this module)

    size = settings.NEWS_SEND_BATCH
    ids = (
        mailing.deliveries.filter(status=Delivery.Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=QUEUE_CHUNK)
    )
    deferred = 0
    try:
        while batch := list(islice(ids, size)):
            send_deliveries.defer(mailing_id=mailing.pk, first_id=batch[0], last_id=batch[-1])
            deferred += 1
    finally:
        ids.close()
    return deferred


def queue_due_mailings(*, now: datetime.datetime) -> int:
    """Queue every scheduled mailing whose time has come; how many were queued.

    Each mailing is queued in one transaction holding its row (`FOR UPDATE SKIP LOCKED`):
    a second run skips a mailing being queued, and a run killed half-way leaves it
    scheduled with no delivery at all, for the next run to queue whole. A mailing that
    would reveal a venue still secret is put back to draft instead."""
    due = Mailing.objects.filter(status=Mailing.Status.SCHEDULED, send_at__lte=now)
    queued = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            mailing = (
                due.filter(pk=pk)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("event__venue", "post__event__venue")
                .first()
            )
            if mailing is None:
                continue
            if mailing.reveals_secret_venue(now):
                mailing.status = Mailing.Status.DRAFT
                mailing.save(update_fields=["status"])
                continue
            queue_deliveries(mailing, now=now)
            defer_batches(mailing)
            mailing.status = Mailing.Status.SENDING
            mailing.queued_at = now
            mailing.save(update_fields=["status", "queued_at"])
            queued += 1
    return queued


def send_next_delivery(*, now: datetime.datetime, renderers: dict, among=None) -> bool:
    """Claim, send and record one due delivery (of `among`, a Delivery queryset, by
    default all); False when none is left to claim."""
    with transaction.atomic():
        delivery = (
            (Delivery.objects.all() if among is None else among)
            .due(now)
            .filter(mailing__queued_at__isnull=False)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("mailing", "mailing__event")
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if delivery is None:
            return False
        mailing = delivery.mailing
        if not may_be_mailed(email=delivery.email, audience=mailing.audience):
            delivery.status = Delivery.Status.SKIPPED
            delivery.save(update_fields=["status"])
            return True
        if mailing.pk not in renderers:
            renderers[mailing.pk] = MailingRenderer(mailing)
        delivery.attempts += 1
        try:
            # A savepoint: a message that cannot be written leaves the delivery to record it.
            with transaction.atomic():
                renderers[mailing.pk].message(
                    email=delivery.email, name=delivery.name, language=delivery.language
                ).send()
        except Exception as error:  # noqa: BLE001 - recorded for staff
            logger.exception("Could not write the mailing to %s", delivery.email)
            delivery.error = f"{type(error).__name__}: {error}"[:2000]
            delivery.status = Delivery.Status.FAILED
        else:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = timezone.now()
            delivery.error = ""
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "sent_at", "error"])
        return True


def send_due_deliveries(*, now: datetime.datetime, limit: int | None = None, among=None) -> int:
    """Send up to `limit` due deliveries (default: the configured batch) of `among` (all
    by default); how many were handled."""
    limit = settings.NEWS_SEND_BATCH if limit is None else limit
    renderers: dict = {}
    handled = 0
    while handled < limit and send_next_delivery(now=now, renderers=renderers, among=among):
        handled += 1
    return handled


def finish_sent_mailings(*, now: datetime.datetime) -> int:
    """A sending mailing with every delivery handled is sent."""
    return (
        Mailing.objects.filter(status=Mailing.Status.SENDING, queued_at__isnull=False)
        .exclude(deliveries__status=Delivery.Status.QUEUED)
        .update(status=Mailing.Status.SENT, finished_at=now)
    )
