"""A table's seats that staff give back to sale: an unnamed seat the host will not fill
(no refund: the host gave it up; a refund is the refund action's). Its place returns to
the event at once (`orders.release_tickets`, under the event's lock, the counters moved
in the one place that moves them) and the waiting list is offered it in the same run
(`waitlist.offer_places_of`). The order's history says who released which seat.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from . import waitlist
from .models import Order, OrderChange, Ticket
from .orders import release_tickets
from .self_service import record_change


class SeatNotReleased(Exception):
    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


def why_seat_cannot_be_released(ticket: Ticket) -> str:
    """Why staff may not give this seat back to sale (empty when they may)."""
    if not ticket.is_table_seat:
        return _("%(code)s is not a seat of a table.") % {"code": ticket.code}
    if ticket.attendee_name or ticket.is_transferred:
        return _("%(seat)s has a guest named; only an unnamed seat is released.") % {
            "seat": ticket.seat_label
        }
    if ticket.checked_in_at is not None:
        return _("%(seat)s was used at the door.") % {"seat": ticket.seat_label}
    if ticket.order.status != Order.Status.CONFIRMED:
        return _("%(seat)s belongs to an order that is not confirmed.") % {
            "seat": ticket.seat_label
        }
    return ""


def release_unnamed_seat(*, ticket: Ticket, now: datetime.datetime, user) -> None:
    """Give an unnamed table seat back to sale (see the module docstring). Raises
    SeatNotReleased with the reason."""
    with transaction.atomic():
        ticket = Ticket.objects.select_related("order", "order__event").get(pk=ticket.pk)
        reason = why_seat_cannot_be_released(ticket)
        if reason:
            raise SeatNotReleased(reason)
        order = ticket.order
        release_tickets(order=order, ticket_ids=[ticket.pk], now=now)
        record_change(
            order,
            actor=OrderChange.Actor.STAFF,
            user=user,
            now=now,
            ticket_code=ticket.code,
            description=_("%(seat)s (unnamed) released back to sale, not refunded")
            % {"seat": ticket.seat_label},
        )
    waitlist.offer_places_of(event_id=ticket.order.event_id, now=now)
