"""Cancelling tickets for their buyer: the whole order or some of its tickets (a seat of
a table), under the event's cancellation policy.

Whether the buyer may cancel online now is the order's rule (`Order.buyer_may_cancel`:
until `Event.cancellations_close_at`, and a paid order only when the policy cancels paid
orders online); what they get back is the event's (`Event.refund_on_cancelling`: in full,
minus the fee, or nothing). A card payment is paid back through Stripe by
`payments.refunds.refund_payment`, the one way money goes back; the tickets' places go back
on sale at once (`orders.cancel_order` or `orders.release_tickets`), and the waiting list
is offered them right after (`waitlist.offer_places_of`), not a minute later.

Exactly once. Everything runs in one transaction that locks, in the site's one order, the
card payment (as confirming a payment does), then the event, then the order, and reads the
tickets to cancel under those locks: a double submit (two clicks, two tabs) waits for the
first, then finds its tickets gone (or the order closed) and refunds nothing. When Stripe
refuses or does not answer, nothing is cancelled and the buyer is told to try again.

Staff cancel for a buyer at any time (`staff=True`), with the refund the policy gives, or
the whole amount (`refund_in_full`); the order's history records who did what.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from association.emails import queue_email
from association.formats import format_money
from association.models import Association
from payments.models import Payment
from payments.refunds import RefundRefused, refund_payment
from payments.stripe_api import StripeUnavailable

from . import waitlist
from .availability import lock_event
from .models import Order, OrderChange
from .notifications import send_order_cancelled
from .order_payments import paid_card_payment
from .orders import cancel_order, release_tickets
from .self_service import record_change


class CancellationRefused(Exception):
    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


@dataclass(frozen=True)
class Cancellation:
    tickets: int
    """How many tickets this call cancelled (0: already done, by an earlier submit)."""
    refunded: Decimal
    whole_order: bool


def cancel_tickets(
    *,
    order: Order,
    ticket_ids: list[int] | None,
    now: datetime.datetime,
    actor: str = OrderChange.Actor.BUYER,
    user=None,
    refund_in_full: bool = False,
) -> Cancellation:
    """Cancel these tickets of the order (None: all of them), refunding what the policy
    gives; see the module docstring. A buyer's cancellation is refused (CancellationRefused)
    when the policy does not allow it now; staff's is not. A buyer cancels only the
    tickets still theirs (not those transferred to someone else)."""
    staff = actor == OrderChange.Actor.STAFF
    if not staff and not order.buyer_may_cancel(now):
        raise CancellationRefused(
            order.why_buyer_may_not_cancel(now) or _("This order can no longer be cancelled.")
        )
    payment = paid_card_payment(order) if order.refund_is_automatic else None
    try:
        with transaction.atomic():
            if payment is not None:
                payment = Payment.objects.select_for_update().get(pk=payment.pk)
            lock_event(event_id=order.event_id)
            locked = Order.objects.select_related("event").select_for_update(of=("self",))
            locked = locked.get(pk=order.pk)
            if locked.is_closed:
                return Cancellation(0, Decimal(0), True)
            every = list(locked.tickets.order_by("pk"))
            chosen = [t for t in every if ticket_ids is None or t.pk in set(ticket_ids)]
            if not staff:
                chosen = [t for t in chosen if not t.is_transferred]
            if not chosen:
                return Cancellation(0, Decimal(0), False)
            whole = len(chosen) == len(every)
            if refund_in_full:
                amount = sum((t.price for t in chosen), Decimal(0))
            else:
                amount = locked.refund_on_cancelling(chosen)
            if payment is not None:
                amount = min(amount, payment.amount - payment.amount_refunded)
            else:
                amount = Decimal(0)  # nothing was paid by card: nothing to pay back
            if amount > 0:
                refund_payment(
                    payment=payment,
                    amount=amount,
                    reason=_("Cancelled by the buyer") if not staff else _("Cancelled by staff"),
                    now=now,
                    requested_by=user if staff else None,
                    notify_purpose=False,  # the tickets are released here, below
                )
            if whole:
                status = Order.Status.REFUNDED if amount > 0 else Order.Status.CANCELLED
                cancel_order(order=locked, now=now, status=status)
            else:
                release_tickets(order=locked, ticket_ids=[t.pk for t in chosen], now=now)
            description = ngettext(
                "%(n)s ticket cancelled (%(which)s)",
                "%(n)s tickets cancelled (%(which)s)",
                len(chosen),
            ) % {
                "n": len(chosen),
                "which": ", ".join(t.seat_label or t.holder_name for t in chosen),
            }
            if whole:
                description = _("Whole order cancelled: %(what)s") % {"what": description}
            if amount > 0:
                description += "; " + _("%(amount)s refunded by card") % {
                    "amount": format_money(amount)
                }
            record_change(locked, actor=actor, user=user, now=now, description=description)
            if whole and not amount:
                send_order_cancelled(locked, now=now)  # the usual email: nothing to refund
            else:
                _tell_buyer(locked, chosen, amount=amount, whole=whole)
    except (RefundRefused, StripeUnavailable) as error:
        raise CancellationRefused(
            _(
                "The refund could not be made just now, so nothing was cancelled. Please try "
                "again in a few minutes, or write to us."
            )
        ) from error
    # The places are back on sale: the waiting list is offered them now.
    waitlist.offer_places_of(event_id=order.event_id, now=now)
    return Cancellation(len(chosen), amount, whole)


def _tell_buyer(order: Order, tickets, *, amount: Decimal, whole: bool) -> None:
    context = {
        "order": order,
        "event": order.event,
        "tickets": tickets,
        "whole_order": whole,
        "refunded": amount,
        "order_url": settings.SITE_URL + order.get_absolute_url(),
        "association": Association.kept(),
    }
    subject = _("Tickets cancelled: order %(ref)s, %(event)s") % {
        "ref": order.reference,
        "event": order.event.title,
    }
    queue_email("tickets/tickets_cancelled", to=order.email, subject=subject, context=context)
