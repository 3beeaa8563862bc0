"""Ticket orders as something payments can take money for (the `events.order` purpose).

Registered with `payments.purposes` from `EventsConfig.ready`, so payments never imports
events. `fulfil` is called once per payment, under the payment row's lock: a held order is
confirmed paid. An order that expired (its hold lapsed and the job released its places) or
was cancelled before the money came is never revived, whatever places are left: its
buyer was told it ended and may have ordered again, and its Checkout Session should have
been expired with it. The payment is refused (the late-payment rule: payments refunds it
in full and `tell_buyer_payment_refused` says why). The confirmation email is queued
in the outbox in the same transaction, so it goes once, exactly when the payment is
confirmed; the outbox's worker builds and sends it.

`card_payment_state` is what the order page says about a card payment; coming back from
Stripe it asks Stripe (through `payments.confirmation.settle_from_stripe`, the same path
as the webhook) and never marks anything paid by itself.
"""

import datetime
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from association.emails import queue_email
from association.models import Association
from payments import purposes
from payments.confirmation import (
    CardPaymentState,
    Outcome,
    confirm_offline_payment,
    latest_card_payment,
    settle_on_return,
)
from payments.models import Payment
from payments.refunds import RefundRefused, refund_payment
from payments.stripe_api import LineItem, StripeUnavailable

from .models import Order
from .notifications import queue_order_confirmation
from .orders import cancel_order, mark_order_paid, release_tickets
from .receipts import ORDER_PURPOSE, order_receipt_url

PURPOSE = ORDER_PURPOSE


def order_line_items(order: Order, *, tickets=()) -> list[LineItem]:
    """One line per ticket type and price this buyer pays (a member price, a full one).
    `tickets`: the order's tickets with their types when the caller has just made them (a
    checkout's reservation); otherwise they are read."""
    if not tickets:
        tickets = order.tickets.select_related("ticket_type").order_by("pk")
    counts = Counter()
    tables = {}
    for ticket in tickets:
        if ticket.table_number is None:
            counts[(ticket.ticket_type.name, ticket.price)] += 1
        else:  # a table is one line at its price, not a line per seat
            key = (ticket.ticket_type.name, ticket.table_number)
            tables[key] = tables.get(key, Decimal(0)) + ticket.price
    for (name, _table), price in tables.items():
        counts[(name, price)] += 1
    return [
        LineItem(name=f"{order.event.title}: {name}", unit_amount=price, quantity=quantity)
        for (name, price), quantity in counts.items()
    ]


def fulfil(*, payment: Payment, now: datetime.datetime) -> bool:
    order = Order.objects.get(pk=int(payment.object_id))
    if order.status == Order.Status.PENDING:
        mark_order_paid(order=order, now=now)
        queue_order_confirmation(order, now=now)
        return True
    if order.status == Order.Status.CONFIRMED:
        if order.paid_at is None:
            mark_order_paid(order=order, now=now)
        return True
    # Expired, cancelled or refunded: refused, and refunded in full.
    return False


def describe(*, payment: Payment) -> str:
    order = Order.objects.select_related("event").filter(pk=int(payment.object_id)).first()
    if order is None:
        return _("Tickets (order %(ref)s)") % {"ref": payment.reference}
    count = order.tickets.count()
    return _("%(n)s ticket(s) to %(event)s, order %(ref)s") % {
        "n": count,
        "event": order.event.title,
        "ref": order.reference,
    }


def goods_value(*, payment: Payment) -> Decimal | None:
    """What the tickets bought in goods and services (a dinner): the sum of their types'
    values; None when no type of the order states one."""
    values = list(
        Order.objects.filter(pk=int(payment.object_id)).values_list(
            "tickets__ticket_type__goods_value", flat=True
        )
    )
    if all(value is None for value in values):
        return None
    return sum((value or Decimal(0) for value in values), Decimal(0))


def on_refunded(*, payment: Payment, amount: Decimal, tickets, now: datetime.datetime) -> None:
    """Money went back: the refunded tickets (`tickets`, ids) return to sale; a whole
    refund closes the order and all its tickets return to sale."""
    order = Order.objects.get(pk=int(payment.object_id))
    if tickets:
        release_tickets(order=order, ticket_ids=list(tickets), now=now)
    elif payment.amount_refunded >= payment.amount and not order.is_closed:
        cancel_order(order=order, now=now, status=Order.Status.REFUNDED)
    _tell_buyer(order, payment, "refunded", amount=amount)


def record_offline_payment(*, order: Order, now: datetime.datetime) -> bool:
    """Staff received the money for this order (a check, cash at the door): its offline
    payment is confirmed through payments' one path, which marks the order paid (and
    confirms a held one) and gives the payment a receipt. A free order has no payment
    record (nothing changes hands, and a $0 line would only clutter the treasurer's list):
    it is marked paid directly. False when nothing changed (already paid)."""
    if not order.total:
        if order.paid_at is not None:
            return False
        mark_order_paid(order=order, now=now)
        return True
    confirmation = confirm_offline_payment(
        purpose=PURPOSE,
        object_id=order.pk,
        amount=order.total,
        now=now,
        reference=order.reference,
        description=str(order.event),
        payer_name=order.buyer_name,
        payer_email=order.email,
    )
    order.refresh_from_db()
    return confirmation.outcome == Outcome.CONFIRMED


class CannotRefund(Exception):
    pass


def paid_card_payment(order: Order) -> Payment | None:
    """The settled card payment of an order, if it was paid by card."""
    return (
        Payment.objects.for_object(purpose=PURPOSE, object_id=order.pk)
        .filter(method=Payment.Method.CARD, paid_at__isnull=False)
        .first()
    )


def refund_order(
    *, order: Order, ticket_ids: list[int], reason: str, requested_by, now: datetime.datetime
) -> Decimal:
    """Staff refund some (or all) of a card-paid order's tickets: Stripe pays back what they
    cost, they return to sale, the buyer is emailed. Returns the amount refunded."""
    payment = paid_card_payment(order)
    if payment is None:
        raise CannotRefund(_("Order %(ref)s was not paid by card.") % {"ref": order.reference})
    chosen = list(order.tickets.filter(pk__in=ticket_ids))
    if not chosen:
        raise CannotRefund(_("Please choose the tickets to refund."))
    amount = sum((ticket.price for ticket in chosen), Decimal(0))
    left = payment.amount - payment.amount_refunded
    every_ticket = len(chosen) == order.tickets.count()
    if every_ticket:
        amount = left  # the whole order: whatever was paid and not yet refunded
    if amount <= 0 or amount > left:
        raise CannotRefund(
            _("There is nothing left to refund on order %(ref)s.") % {"ref": order.reference}
        )
    try:
        refund_payment(
            payment=payment,
            amount=amount,
            reason=reason or _("Refunded by staff"),
            now=now,
            requested_by=requested_by,
            # The whole order is closed as refunded and keeps its tickets on record;
            # some tickets leave the order.
            tickets=None if every_ticket else [ticket.pk for ticket in chosen],
        )
    except (RefundRefused, StripeUnavailable) as error:
        raise CannotRefund(str(error)) from error
    return amount


def tell_buyer_payment_refused(*, payment: Payment, now: datetime.datetime) -> None:
    order = Order.objects.get(pk=int(payment.object_id))
    _tell_buyer(order, payment, "refused", amount=payment.amount)


def _tell_buyer(order: Order, payment: Payment, kind: str, *, amount: Decimal) -> None:
    context = {
        "order": order,
        "event": order.event,
        "amount": amount,
        "kind": kind,
        "order_url": settings.SITE_URL + order.get_absolute_url(),
        "association": Association.current(),
    }
    subject = (
        _("Your payment for order %(ref)s was refunded")
        if kind == "refused"
        else _("A refund for order %(ref)s")
    ) % {"ref": order.reference}
    # Into the outbox, in the transaction that recorded the refund.
    queue_email("tickets/payment_refunded", to=order.email, subject=subject, context=context)


def register() -> None:
    purposes.register(
        purposes.Purpose(
            name=PURPOSE,
            label=gettext_lazy("Ticket order"),
            fulfil=fulfil,
            describe=describe,
            on_refunded=on_refunded,
            on_refused=tell_buyer_payment_refused,
            goods_value=goods_value,
            staff_permission="tickets.change_order",
        )
    )


def card_payment_state(order: Order, *, now: datetime.datetime) -> CardPaymentState | None:
    """What the order page says about paying by card: received, or not completed (with a
    retry while the hold lasts). A pending payment is settled by asking Stripe first."""
    if order.payment_method != Payment.Method.CARD:
        return None
    payment = latest_card_payment(purpose=PURPOSE, object_id=order.pk)
    if payment is None:
        return None
    if payment.status == Payment.Status.PENDING:
        settle_on_return(payment=payment, now=now)
        order.refresh_from_db()
    if payment.is_settled and order.paid_at is not None:
        return CardPaymentState(
            received=True, not_completed=False, retry_url="", receipt_url=order_receipt_url(order)
        )
    holding = (
        order.status == Order.Status.PENDING
        and order.hold_expires_at is not None
        and order.hold_expires_at > now
    )
    retry = payment.checkout_url if holding and payment.status == Payment.Status.PENDING else ""
    return CardPaymentState(received=False, not_completed=not payment.is_settled, retry_url=retry)
