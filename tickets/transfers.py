"""Transferring a ticket to someone else, by name and email.

The ticket stays on its order (what was paid, and refunds, stay the buyer's), but from the
transfer on it is the new holder's: it gets a new code (a new QR code) and its own private
page (`Ticket.holder_token`); the old code is kept as retired (`RetiredTicketCode`) so the
door refuses it and says why; the new holder is emailed the ticket, with the venue when
the reveal gate lets its order see it (else the venue notice comes to them at the reveal,
`notifications.send_due_holder_venue_notices`), and only they are told from then on: the
buyer's notices leave out the tickets they gave away.

Refused (`TransferRefused`, with a message for the person asking): after the event's
change deadline (staff: any time), for an order that is not a ticket holder (unpaid,
held, closed), for a ticket already used at the door, and to someone who already holds a
ticket for the event (`holds_ticket_for`: a buyer with tickets of their own, or a ticket's
named guest or holder, by email).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from association.emails import queue_email
from association.models import Association
from events.reveal import can_see_online_link, public_location, reveal_message, visible_venue

from .models import (
    Order,
    OrderChange,
    RetiredTicketCode,
    Ticket,
    new_order_token,
    new_ticket_code,
)
from .self_service import changes_closed_reason, record_change


class TransferRefused(Exception):
    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


def holds_ticket_for(event, email: str, *, excluding: Ticket | None = None) -> bool:
    """Whether this email already holds a valid ticket for the event: as the buyer of a
    confirmed order with a ticket still theirs, or as the named guest or holder of one."""
    email = (email or "").strip()
    valid = Ticket.objects.confirmed_for(event)
    if excluding is not None:
        valid = valid.exclude(pk=excluding.pk)
    as_buyer = Q(order__email__iexact=email, transferred_at__isnull=True)
    return valid.filter(as_buyer | Q(attendee_email__iexact=email)).exists()


def transfer_ticket(
    *,
    ticket: Ticket,
    name: str,
    email: str,
    now: datetime.datetime,
    actor: str,
    user=None,
    meal_choice: str = "",
    dietary_notes: str = "",
) -> Ticket:
    """Give the ticket to `name` <`email`>; see the module docstring. Returns it, with its
    new code and page."""
    name, email = (name or "").strip(), (email or "").strip()
    if not name:
        raise TransferRefused(_("Please give the name of the person you give the ticket to."))
    try:
        validate_email(email)
    except ValidationError:
        raise TransferRefused(_("Please give a valid email address.")) from None
    staff = actor == OrderChange.Actor.STAFF
    with transaction.atomic():
        order = (
            Order.objects.select_related("event", "event__venue")
            .select_for_update(of=("self",))
            .get(pk=ticket.order_id)
        )
        reason = changes_closed_reason(order, now=now, staff=staff)
        if reason:
            raise TransferRefused(reason)
        if not order.holds_tickets:
            raise TransferRefused(_("Tickets can be transferred once the order is paid."))
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk, order=order)
        if actor == OrderChange.Actor.BUYER and locked.is_transferred:
            raise TransferRefused(_("This ticket was already given to someone else."))
        if locked.checked_in_at is not None:
            raise TransferRefused(_("This ticket was already used at the door."))
        event = order.event
        if meal_choice and meal_choice not in event.meal_choices:
            raise TransferRefused(_("Please choose a meal from the list."))
        if holds_ticket_for(event, email, excluding=locked):
            raise TransferRefused(
                _(
                    "%(email)s already holds a ticket for %(event)s, so this ticket cannot "
                    "be transferred to them."
                )
                % {"email": email, "event": event.title}
            )
        old_code, old_holder = locked.code, locked.holder_name
        RetiredTicketCode.objects.create(ticket=locked, code=old_code, retired_at=now)
        locked.code = new_ticket_code()
        locked.holder_token = new_order_token()
        locked.attendee_name = name
        locked.attendee_email = email
        locked.meal_choice = meal_choice
        locked.dietary_notes = (dietary_notes or "").strip()
        locked.transferred_at = now
        locked.venue_notice_sent_at = None
        locked.save(
            update_fields=[
                "code",
                "holder_token",
                "attendee_name",
                "attendee_email",
                "meal_choice",
                "dietary_notes",
                "transferred_at",
            ]
        )
        # The holder is told afresh (a ticket given on again: its new holder too).
        Ticket.objects.filter(pk=locked.pk).update(venue_notice_sent_at=None)
        record_change(
            order,
            actor=actor,
            user=user,
            now=now,
            ticket_code=locked.code,
            description=_(
                "%(ticket)s transferred from %(old)s to %(name)s <%(email)s>; old code "
                "%(code)s no longer valid"
            )
            % {
                "ticket": locked.seat_label or locked.ticket_type.name,
                "old": old_holder,
                "name": name,
                "email": email,
                "code": old_code,
            },
        )
        locked.order = order
        tell_new_holder(locked, now=now)
    return locked


def holder_context(ticket: Ticket, *, now: datetime.datetime) -> dict:
    """What a transferred ticket's holder is shown of the event (page and emails): the
    venue through the reveal gate, as for the order's buyer."""
    order = ticket.order
    event = order.event
    return {
        "ticket": ticket,
        "order": order,
        "event": event,
        "location": public_location(event, order=order, at=now),
        "venue": visible_venue(event, order=order, at=now),
        "online_link": event.online_link if can_see_online_link(event, order=order, at=now) else "",
        "reveal_message": reveal_message(event, order=order, at=now),
        "venue_will_be_emailed": order.holds_tickets and not event.venue_is_revealed(now),
        "ticket_url": settings.SITE_URL + ticket.get_absolute_url(),
        "association": Association.kept(),
    }


def tell_new_holder(ticket: Ticket, *, now: datetime.datetime) -> None:
    """The new holder's email, in the transfer's transaction: their ticket's page (its QR
    code), and the venue if they may see it now, which counts as their venue notice."""
    context = holder_context(ticket, now=now)
    if context["venue"] is not None:
        claimed = Ticket.objects.filter(pk=ticket.pk, venue_notice_sent_at__isnull=True).update(
            venue_notice_sent_at=now
        )
        if not claimed:
            context["venue"] = None
    subject = _("A ticket for %(event)s was given to you") % {"event": ticket.order.event.title}
    queue_email(
        "tickets/ticket_transferred", to=ticket.attendee_email, subject=subject, context=context
    )
