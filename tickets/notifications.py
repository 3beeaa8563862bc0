"""Emails to buyers: the order confirmation, the venue notice at the reveal, updates when
an event moves (its time or its revealed venue: `record_event_move` decides who is told),
the reminder to pay a pay-later reservation, and cancellations (staff's, the buyer's, or
the release of an unpaid reservation).

Exactly once. Each notice is claimed with one conditional UPDATE per order (`... SET
venue_notice_sent_at = now WHERE venue_notice_sent_at IS NULL`) in the same transaction
that writes its email to the outbox: of two runs at the same moment only one claims a
given order, a run that starts late still finds every unclaimed order, and a claim is
never kept without its email (nor an email without its claim). The outbox then delivers
it, retrying while the mail server fails (outbox/delivery.py). What an email shows of the
venue is decided by the reveal gate at `now`, like every other surface.

The order confirmation, with a QR image per ticket, is built by the outbox's worker, not
by the request that confirmed the order: `queue_order_confirmation` only writes a row
naming `build_order_confirmation`, registered from `EventsConfig.ready`.
"""

import datetime
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from association.emails import association_email, queue_email
from association.languages import speaking_to
from association.models import Association
from events.calendar import event_calendar
from events.models import Event, Venue
from events.reveal import (
    can_see_online_link,
    can_see_venue,
    public_location,
    reveal_message,
    visible_venue,
)
from outbox.builds import queue_build

from .models import Order, Ticket
from .qr import ticket_qr_png
from .receipts import order_receipt_url
from .transfers import holder_context


def venue_will_be_emailed(order: Order, *, now: datetime.datetime) -> bool:
    """Whether the reveal job will still email this order the venue, so its page and
    confirmation may promise it: only before the reveal, and only to an order that holds
    tickets (the job tells no held, cancelled or expired order)."""
    return order.holds_tickets and not order.event.venue_is_revealed(now)


def _order_context(order, *, now) -> dict:
    event = order.event
    # A ticket given to someone else is theirs: its code goes to them alone.
    tickets = list(order.tickets.filter(transferred_at__isnull=True).select_related("ticket_type"))
    return {
        "order": order,
        "event": event,
        "tickets": tickets,
        # A table's host names the guests later, on the order page, until changes close.
        "seats_to_name": sum(1 for t in tickets if t.is_table_seat and not t.attendee_name)
        if event.changes_are_open(now)
        else 0,
        "location": public_location(event, order=order, at=now),
        "venue": visible_venue(event, order=order, at=now),
        "online_link": event.online_link if can_see_online_link(event, order=order, at=now) else "",
        "reveal_message": reveal_message(event, order=order, at=now),
        "venue_will_be_emailed": venue_will_be_emailed(order, now=now),
        "order_url": settings.SITE_URL + order.get_absolute_url(),
        "receipt_url": order_receipt_url(order),
        "association": Association.kept(),
        # What the buyer may do if they cannot come (never a cancellation they cannot make).
        "can_cancel": order.buyer_may_cancel(now),
        "cannot_cancel": order.why_buyer_may_not_cancel(now),
    }


def _order_notice_context(order) -> dict:
    """What a short notice about an order (no tickets, no venue) shows: a cancellation, a
    payment reminder."""
    return {
        "order": order,
        "event": order.event,
        "ticket_count": order.tickets.count(),
        "site_url": settings.SITE_URL,
        "order_url": settings.SITE_URL + order.get_absolute_url(),
        "event_url": settings.SITE_URL + order.event.get_absolute_url(),
        "association": Association.kept(),
    }


def _message(
    name: str, *, order, subject: str, context: dict, images=(), attachments=()
) -> EmailMultiAlternatives:
    """The text and HTML email; `images` are (content id, PNG) pairs the HTML shows with
    `cid:` links; `attachments` are (file name, content, MIME type) files."""
    message = association_email(
        f"tickets/{name}",
        to=order.email,
        language=order.language,
        subject=subject,
        context=context,
        association=context.get("association"),
    )
    for attachment in attachments:
        message.attach(*attachment)
    if images:
        # Related parts, not attachments: mail programs show them inside the HTML.
        message.mixed_subtype = "related"
        for content_id, png in images:
            image = MIMEImage(png, "png")
            image.add_header("Content-ID", f"<{content_id}>")
            filename = content_id.partition("@")[0] + ".png"
            image.add_header("Content-Disposition", "inline", filename=filename)
            message.attach(image)
    return message


def _send(name: str, *, order, subject: str, context: dict) -> None:
    """Write the email to the outbox, in the caller's transaction."""
    _message(name, order=order, subject=subject, context=context).send()


def _ticket_qr_images(order, tickets) -> list[tuple[str, bytes]]:
    """Each ticket's QR code as an inline PNG (as on the order page); sets
    `ticket.qr_content_id` for the template."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "localhost"
    images = []
    for ticket in tickets:
        ticket.qr_content_id = f"ticket-{ticket.code}@{host}"
        images.append((ticket.qr_content_id, ticket_qr_png(ticket, event=order.event)))
    return images


CONFIRMATION_BUILDER = "events.order_confirmation"


def queue_order_confirmation(order: Order, *, now: datetime.datetime, resend: bool = False):
    """Queue the order's confirmation, in the caller's transaction, for the outbox's worker
    to build (`build_order_confirmation`) and send: the request that confirmed the order
    spends nothing on it (the order page shows everything it says)."""
    return queue_build(
        CONFIRMATION_BUILDER,
        recipients=order.email,
        order_pk=order.pk,
        now=now.isoformat(),
        resend=resend,
    )


def build_order_confirmation(
    *, order_pk: int, now: str, resend: bool = False
) -> EmailMultiAlternatives:
    """The order's confirmation (HTML and text): tickets and their codes with a link to
    the order page (QR codes), payment instructions, and the venue if the gate allows at
    `now`, the moment the order was confirmed (an ISO 8601 string, as queued).

    When the venue is in it, the order counts as told: the reveal job will not send it a
    second notice. The first confirmation claims the notice like the job does, so when the
    job won that race a moment earlier this email leaves the venue to the job's email
    (told once, never twice). The worker builds it in one transaction with storing the
    message, so a build that fails gives the claim back with it (never zero times); once
    built, the same message is retried until it goes. A copy staff resend (`resend=True`)
    always carries it and claims nothing."""
    now = datetime.datetime.fromisoformat(now)
    order = Order.objects.select_related("event", "event__venue").get(pk=order_pk)
    # Built by the worker: in the buyer's language, whatever the worker's.
    with speaking_to(order):
        return _build_order_confirmation(order, now=now, resend=resend)


def _build_order_confirmation(order, *, now, resend) -> EmailMultiAlternatives:
    context = _order_context(order, now=now)
    if context["venue"] is not None and not resend:
        told_here = _claimed(
            Q(venue_notice_sent_at__isnull=True),
            order_pk=order.pk,
            field="venue_notice_sent_at",
            now=now,
        )
        if not told_here:
            context["venue"] = None
            context["location"] = _(
                "Sent to you in a separate email; it is also on your order page."
            )
    subject = _("Your tickets for %(event)s (order %(ref)s)") % {
        "event": order.event.title,
        "ref": order.reference,
    }
    images = _ticket_qr_images(order, context["tickets"])
    return _message(
        "order_confirmation", order=order, subject=subject, context=context, images=images
    )


def send_order_cancelled(order: Order, *, now: datetime.datetime) -> bool:
    """Tell the buyer their order is cancelled, whoever cancelled it (staff or the buyer).

    Once per cancellation: only the call whose `now` cancelled the order sends, since
    `cancel_order` stamps `cancelled_at` once; a second click or a staff action on an order
    already closed finds another time there. The email names no venue: a cancelled order
    is not a ticket holder. The email goes through the outbox, so no mail server can fail
    the page or action that cancelled it. Returns whether it was queued."""
    order = Order.objects.select_related("event").get(pk=order.pk)
    if order.status != Order.Status.CANCELLED or order.cancelled_at != now:
        return False
    with speaking_to(order):
        _send_order_cancelled(order)
    return True


def _send_order_cancelled(order: Order) -> None:
    context = {
        **_order_notice_context(order),
        # Released because the payment never came (the job, or staff's bulk release).
        "released_unpaid": order.pay_by is not None and order.paid_at is None,
    }
    subject = _("Your order %(ref)s for %(event)s is cancelled") % {
        "ref": order.reference,
        "event": order.event.title,
    }
    _send("order_cancelled", order=order, subject=subject, context=context)


def send_payment_reminders(*, now: datetime.datetime) -> int:
    """Remind each unpaid pay-later reservation once, before it is released. Each order
    is claimed (`payment_reminder_sent_at`) in one transaction with writing its email to
    the outbox. Returns how many this run queued."""

    def remind(order):
        context = {
            **_order_notice_context(order),
            "can_cancel": order.buyer_may_cancel(now),
            "cannot_cancel": order.why_buyer_may_not_cancel(now),
        }
        subject = _("Reminder: please pay for order %(ref)s, %(event)s") % {
            "ref": order.reference,
            "event": order.event.title,
        }
        _send("payment_reminder", order=order, subject=subject, context=context)

    due = Order.objects.payment_reminders_due(now).select_related("event").order_by("pk")
    return sum(
        _claim_and_queue(
            order,
            still_due=Q(payment_reminder_sent_at__isnull=True),
            field="payment_reminder_sent_at",
            now=now,
            queue=remind,
        )
        for order in due
    )


def _claimed(queryset_filter: Q, *, order_pk, field: str, now) -> bool:
    return bool(Order.objects.filter(queryset_filter, pk=order_pk).update(**{field: now}))


def _claim_and_queue(order, *, still_due: Q, field: str, now, queue) -> bool:
    """Claim the order's notice (`field` set to `now` while `still_due` holds) and queue
    its email (`queue(order)`) in one transaction: of two runs at once only one claims
    it, and an email that cannot be queued gives the claim back with it. False when
    another run has it."""
    with transaction.atomic():
        if not _claimed(still_due, order_pk=order.pk, field=field, now=now):
            return False
        with speaking_to(order):
            queue(order)
    return True


def due_venue_notices(*, now: datetime.datetime):
    """Ticket holders (`Order.objects.holding_tickets()`: a pay-later reservation once it
    is paid) of events whose secret venue has been revealed, not yet told."""
    return (
        Order.objects.holding_tickets()
        .filter(
            venue_notice_sent_at__isnull=True,
            event__status=Event.Status.PUBLISHED,
            event__venue__isnull=False,
            event__venue_reveal_at__isnull=False,
            event__venue_reveal_at__lte=now,
            event__ends_at__gt=now,
        )
        .exclude(event__format=Event.Format.ONLINE)
        # A buyer who gave every ticket away is no longer told (their holders are).
        .filter(Exists(Ticket.objects.filter(order=OuterRef("pk"), transferred_at__isnull=True)))
        .select_related("event", "event__venue")
        .order_by("pk")
    )


def due_holder_venue_notices(*, now: datetime.datetime):
    """Transferred tickets whose holders are owed the venue notice: their orders are ticket
    holders of events revealed now, and they were not told (at the transfer, or since)."""
    return (
        Ticket.objects.filter(
            transferred_at__isnull=False,
            venue_notice_sent_at__isnull=True,
            order__in=Order.objects.holding_tickets(),
            order__event__status=Event.Status.PUBLISHED,
            order__event__venue__isnull=False,
            order__event__venue_reveal_at__isnull=False,
            order__event__venue_reveal_at__lte=now,
            order__event__ends_at__gt=now,
        )
        .exclude(order__event__format=Event.Format.ONLINE)
        .select_related("order", "order__event", "order__event__venue", "ticket_type")
        .order_by("pk")
    )


def send_due_holder_venue_notices(*, now: datetime.datetime) -> int:
    """At or after the reveal, tell each transferred ticket's holder the venue, once (the
    same conditional claim as an order's, on the ticket). Returns how many were queued."""
    sent = 0
    for ticket in due_holder_venue_notices(now=now):
        order = ticket.order
        if not (
            order.event.venue_is_revealed(now) and can_see_venue(order.event, order=order, at=now)
        ):
            continue
        with transaction.atomic():
            claimed = Ticket.objects.filter(
                pk=ticket.pk, venue_notice_sent_at__isnull=True, transferred_at__isnull=False
            ).update(venue_notice_sent_at=now)
            if not claimed:
                continue
            subject = _("The location of %(event)s") % {"event": order.event.title}
            queue_email(
                "tickets/holder_venue_notice",
                to=ticket.attendee_email,
                subject=subject,
                context=holder_context(ticket, now=now),
            )
        sent += 1
    return sent


def send_due_venue_notices(*, now: datetime.datetime) -> int:
    """At or after the reveal, tell each ticket holder the venue, once (buyers, and the
    holders of tickets given to them). Returns how many emails this run queued."""

    def tell(order):
        subject = _("The location of %(event)s") % {"event": order.event.title}
        _send("venue_notice", order=order, subject=subject, context=_order_context(order, now=now))

    return sum(
        _claim_and_queue(
            order,
            still_due=Q(venue_notice_sent_at__isnull=True),
            field="venue_notice_sent_at",
            now=now,
            queue=tell,
        )
        for order in due_venue_notices(now=now)
        if order.event.venue_is_revealed(now) and can_see_venue(order.event, order=order, at=now)
    ) + send_due_holder_venue_notices(now=now)


def record_event_move(event: Event, *, before: Event, now: datetime.datetime) -> int:
    """What changed, who to tell: staff saved `event` over `before` (as it was loaded).

    A new start or end: every order with valid tickets is told the new time (a pay-later
    reservation too: it must know when to come; what it is shown of the venue is still the
    gate's answer). A new venue: once the venue is revealed, the orders already told the old
    one are told the new one; before the reveal nobody was told it, so nobody is told of
    the change (they learn the new venue at the reveal, and a secret stays kept). Each order
    is told once per change, in one email with the new time and place and a new calendar
    file (`send_event_changes`, run by the jobs). Returns how many orders that will be."""
    if (before.starts_at, before.ends_at) != (event.starts_at, event.ends_at):
        event.record_schedule_change(at=now)
    if before.venue_id != event.venue_id:
        event.record_venue_change(at=now)
    return due_event_changes(now=now).filter(event_id=event.pk).count()


def record_venue_edit(venue: Venue, *, before: Venue, now: datetime.datetime) -> int:
    """Staff saved `venue` over `before` (as it was loaded): when what the reveal gate hides
    of it changed, every event held there notes a venue change, and the orders already told
    the old details are told the new ones, as when an event moves to another venue
    (`record_event_move`). Called by the admin that saved it, never by `Venue.save`: a
    save in code tells nobody. Returns how many orders will be told."""
    if venue.revealed_details() == before.revealed_details():
        return 0
    moved = [event.pk for event in venue.events.all() if event.record_venue_change(at=now)]
    if not moved:
        return 0
    return due_event_changes(now=now).filter(event_id__in=moved).count()


def orders_with_valid_tickets(event: Event):
    """The orders a change of the event's time or place may concern: those with valid
    tickets, paid or not (what the admin counts before such a change is saved)."""
    return Order.objects.confirmed().filter(event_id=event.pk)


def orders_told_the_venue(venue, *, now: datetime.datetime):
    """The orders an edit of this venue (its name, address, directions or map point) will
    be emailed about, as `record_venue_edit` tells them: those told the venue, of published events
    still to come whose venue is revealed. Before the reveal nobody knew it, so nobody is
    told (what the admin counts before such an edit is saved)."""
    return Order.objects.confirmed().filter(
        Q(event__venue_reveal_at__isnull=True) | Q(event__venue_reveal_at__lte=now),
        event__venue=venue,
        event__status=Event.Status.PUBLISHED,
        event__ends_at__gt=now,
        venue_notice_sent_at__isnull=False,
    )


def _told_the_old_time():
    # The confirmation gave the time as it was then.
    return Q(
        event__schedule_changed_at__isnull=False,
        confirmed_at__lt=F("event__schedule_changed_at"),
    ) & (
        Q(venue_update_sent_at__isnull=True)
        | Q(venue_update_sent_at__lt=F("event__schedule_changed_at"))
    )


def _told_the_old_venue():
    # Only an order told the venue (a ticket holder: its notice or its confirmation), or
    # whose tickets' new holders were told it (tables: a transferred ticket).
    holder_told = Exists(
        Ticket.objects.filter(
            order=OuterRef("pk"),
            transferred_at__isnull=False,
            venue_notice_sent_at__lt=OuterRef("event__venue_changed_at"),
        )
    )
    told = (
        Q(venue_notice_sent_at__isnull=False)
        & Q(venue_notice_sent_at__lt=F("event__venue_changed_at"))
    ) | Q(holder_told)
    return (
        Q(event__venue__isnull=False, event__venue_changed_at__isnull=False)
        & told
        & (
            Q(venue_update_sent_at__isnull=True)
            | Q(venue_update_sent_at__lt=F("event__venue_changed_at"))
        )
    )


def due_event_changes(*, now: datetime.datetime):
    """Orders with valid tickets, of published events still to come, told a time or a
    venue that has changed since, and not told of the change (see `record_event_move`)."""
    return (
        Order.objects.confirmed()
        .filter(
            event__status=Event.Status.PUBLISHED,
            event__ends_at__gt=now,
        )
        .filter(_told_the_old_time() | _told_the_old_venue())
        .annotate(
            told_old_time=ExpressionWrapper(_told_the_old_time(), output_field=BooleanField()),
            told_old_venue=ExpressionWrapper(_told_the_old_venue(), output_field=BooleanField()),
        )
        .select_related("event", "event__venue")
        .order_by("pk")
    )


def send_event_changes(*, now: datetime.datetime) -> int:
    """After staff move an event (its start, end or revealed venue), tell each order that
    knew the old time or place, once per change: the new time and place (as the gate shows
    them to that order) and a new calendar file. Returns how many emails this run queued."""

    def tell(order):
        event = order.event
        context = {
            **_order_context(order, now=now),
            "time_changed": order.told_old_time,
            "place_changed": order.told_old_venue,
            "calendar_url": settings.SITE_URL
            + reverse("tickets:order_ics", kwargs={"token": order.token}),
        }
        if context["venue"] is not None:
            # An order not yet told the venue (its notice still to come) is told it here,
            # once: this email counts as its notice.
            _claimed(
                Q(venue_notice_sent_at__isnull=True),
                order_pk=order.pk,
                field="venue_notice_sent_at",
                now=now,
            )
        if order.told_old_time and order.told_old_venue:
            subject = _("New date and location for %(event)s")
        elif order.told_old_time:
            subject = _("New date or time for %(event)s")
        else:
            subject = _("New location for %(event)s")
        # The tickets given to someone else: their holders are told, and a buyer who gave
        # every ticket away is not (the venue is only their holders' from then on).
        given = list(order.tickets.filter(transferred_at__isnull=False))
        if context["tickets"]:
            calendar = event_calendar(event, order=order, now=now)
            _message(
                "venue_update",
                order=order,
                subject=subject % {"event": event.title},
                context=context,
                attachments=[(f"{event.slug}.ics", calendar, "text/calendar")],
            ).send()
        for ticket in given:
            ticket.order = order
            queue_email(
                "tickets/holder_event_update",
                to=ticket.attendee_email,
                subject=subject % {"event": event.title},
                context={
                    **holder_context(ticket, now=now),
                    "time_changed": order.told_old_time,
                    "place_changed": order.told_old_venue,
                },
            )

    return sum(
        _claim_and_queue(
            order,
            still_due=Q(venue_update_sent_at__isnull=True)
            | Q(venue_update_sent_at__lt=_latest_change(order.event)),
            field="venue_update_sent_at",
            now=now,
            queue=tell,
        )
        for order in due_event_changes(now=now)
    )


def _latest_change(event: Event) -> datetime.datetime:
    return max(moment for moment in (event.schedule_changed_at, event.venue_changed_at) if moment)
