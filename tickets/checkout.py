"""Checkout: turn a valid checkout form into an order, through orders and payments.

Reserving is `orders.reserve_tickets`; paying goes through `payments.methods`, one small
interface, so card payments can be added later without touching this module's callers: a
method whose `begin()` returns a `redirect_url` leaves the order pending (held) until the
provider confirms it; free and offline methods confirm it at once.

Pay later (the offline method, `PAY_LATER`) is the event's choice: offered only while
`Event.pay_later_is_offered(now)`, refused here otherwise whatever was posted. An order
placed that way is confirmed unpaid until `Event.pay_by_for(now)` (then released by the
job), and the buyer's unpaid places at the event are limited (`limits`).
"""

import datetime
import logging
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from association.formats import format_event_time
from payments.methods import FreePayment, PaymentUnavailable, get_method

from .availability import InvalidSelection
from .models import Order
from .notifications import queue_order_confirmation
from .order_payments import PURPOSE, order_line_items
from .orders import (
    ReservationRequest,
    cancel_order,
    confirm_order,
    mark_order_paid,
    reserve_tickets,
)

logger = logging.getLogger(__name__)

PAY_LATER = "offline"
"""The payment method that confirms an order before any money comes (check, at the door):
the events side decides when it may be used, so payments stays a leaf."""


# The checkout shows the total before an order is placed: live, by a script, as quantities
# change; without JavaScript, on a review step. The form carries REVIEW_FIRST, which the
# script removes once it shows the total; a form sent with it is answered with the review
# (the order's lines and total), whose button places the order; CHANGE_ORDER goes back.
REVIEW_FIRST = "review"
CHANGE_ORDER = "change"


def pay_later_refused_message() -> str:
    return _("Paying later is not offered for this event; please choose another way to pay.")


class CardPaymentsNotAnswering(InvalidSelection):
    """Stripe could not begin the card payment (it hung past `STRIPE_TIMEOUT`, or failed):
    nothing was charged and the order was let go, so trying again is a new order."""


def card_not_answering_message(event, *, now: datetime.datetime) -> str:
    if event.pay_later_is_offered(now):
        return _(
            "Card payments are not answering just now, so nothing was charged and your "
            "places were not kept. Please try again in a few minutes, or choose to pay "
            "later by check."
        )
    return _(
        "Card payments are not answering just now, so nothing was charged and your places "
        "were not kept. Please try again in a few minutes."
    )


@dataclass(frozen=True)
class CheckoutResult:
    order: Order
    redirect_url: str | None = None


def place_order(request: ReservationRequest, *, payment_method: str) -> CheckoutResult:
    """Reserve what `request` asks for, begin payment by `payment_method`, confirm and
    email (a free order: all in one transaction). Sending the same submission again
    returns the first order without paying or emailing twice (and uncounted by the
    checkout limits: see `ReservationRequest.client_ip`). The confirmation is queued in
    the transaction that confirms the order, and built and sent by the outbox's worker:
    this request neither builds nor sends it, and no mail server can fail it."""
    event = request.event
    now = request.now
    pays_later = payment_method == PAY_LATER
    if pays_later and not event.pay_later_is_offered(now):
        raise InvalidSelection(pay_later_refused_message())
    # Nothing to pay: confirmed, and its confirmation queued, in the reservation's own
    # transaction (a free event's rush), the order's total permitting.
    settles_at_once = payment_method == FreePayment.code
    reservation = reserve_tickets(
        replace(
            request,
            pays_later=pays_later,
            confirm_if_free=payment_method if settles_at_once else None,
        )
    )
    order = reservation.order
    if not reservation.created or order.status == Order.Status.CONFIRMED:
        return CheckoutResult(order=order)
    try:
        method = get_method(payment_method, amount=order.total)
    except LookupError:
        cancel_order(order=order, now=now, status=Order.Status.EXPIRED)
        raise InvalidSelection(_("Please choose how you will pay.")) from None
    try:
        outcome = method.begin(
            amount=order.total,
            reference=order.reference,
            description=str(event),
            email=order.email,
            purpose=PURPOSE,
            object_id=str(order.pk),
            payer_name=order.buyer_name,
            lines=order_line_items(order, tickets=reservation.tickets),
            hold_expires_at=order.hold_expires_at,
            return_url=settings.SITE_URL + order.get_absolute_url(),
            now=now,
        )
    except PaymentUnavailable:
        logger.exception("Could not begin a %s payment for order %s", method.code, order.reference)
        cancel_order(order=order, now=now, status=Order.Status.EXPIRED)
        raise CardPaymentsNotAnswering(card_not_answering_message(event, now=now)) from None
    pay_by = None
    instructions = outcome.instructions
    if method.code == PAY_LATER and not outcome.paid:
        pay_by = event.pay_by_for(now)
        instructions = " ".join(
            part
            for part in (
                instructions,
                _("If it has not reached us by %(when)s, your places are released.")
                % {"when": format_event_time(pay_by)},
            )
            if part
        )
    order.payment_method = method.code
    order.payment_instructions = instructions
    if outcome.redirect_url:
        order.save(update_fields=["payment_method", "payment_instructions", "updated_at"])
        return CheckoutResult(order=order, redirect_url=outcome.redirect_url)
    # One transaction: the order is confirmed (and paid) exactly when its confirmation is
    # queued, and the worker, which builds it once this commits, sees it whole. One write
    # confirms it and records how it is paid.
    with transaction.atomic():
        confirm_order(
            order=order,
            now=now,
            pay_by=pay_by,
            payment_method=method.code,
            payment_instructions=instructions,
        )
        if outcome.paid and order.total:
            mark_order_paid(order=order, now=now)
        queue_order_confirmation(order, now=now)
    return CheckoutResult(order=order)
