"""Confirming a payment: one idempotent function, whatever way the news arrives.

The webhook, the buyer's return from Stripe and the reconciling job all end in
`confirm_payment`. It locks the payment row, checks the amount and currency against what
is owed (a mismatch changes nothing and is noted for staff), marks it paid and calls the
purpose's `fulfil` exactly once, inside the same transaction. A payment already confirmed
is left alone, so duplicate and concurrent deliveries confirm once.

Payment after expiry (the late-payment rule): `fulfil` says whether the thing can still
be had. An order that expired or was cancelled cannot (it is never revived: its buyer
was told, its places went back on sale); a gift always can. If not, the payment is
refunded in full at once, the payer is told why through the purpose, and staff see it on
the payment. A refund Stripe did not take then is asked again when the same news arrives
again (Stripe retries the webhook) and by the job (`refund_if_owed`): such money is never
kept.

`settle_from_stripe` asks Stripe where a Checkout Session stands and confirms through the
same function; it is what the return page and the job call, and what the webhook calls
for an event that only names a payment. A card payment whose Checkout Session was never
recorded (Stripe did not answer when it began) cannot be paid: `mark_failed` closes it.
`confirm_offline_payment` is what staff's "mark paid" calls for a check or cash: the same
function, with what is owed as the amount.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import purposes, stripe_api
from .models import Payment
from .refunds import refund_payment

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    CONFIRMED = "confirmed"
    ALREADY = "already"
    MISMATCH = "mismatch"
    REFUSED = "refused"
    NOT_PAID = "not_paid"
    EXPIRED = "expired"
    FAILED = "failed"


@dataclass(frozen=True)
class Confirmation:
    outcome: Outcome
    payment: Payment


def confirm_payment(
    *,
    payment_id: int,
    amount_minor: int,
    currency: str,
    payment_intent_id: str = "",
    now: datetime.datetime,
) -> Confirmation:
    """Record that `amount_minor` in `currency` was paid for this payment; fulfil once."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.paid_at is not None:
            if payment.refund_owed:
                # Refused before, and Stripe did not take the refund then: ask it again
                # (refund_payment locks the row again and refunds what is left, once).
                return _refuse(payment, now=now)
            return Confirmation(Outcome.ALREADY, payment)
        if amount_minor != payment.amount_in_minor_units or (
            (currency or "").lower() != payment.currency.lower()
        ):
            note = _("Stripe reported %(got)s %(cur)s paid; %(owed)s %(owed_cur)s is owed.") % {
                "got": f"{amount_minor / 100:.2f}",
                "cur": (currency or "?").upper(),
                "owed": f"{payment.amount:.2f}",
                "owed_cur": payment.currency.upper(),
            }
            if note not in payment.problem:
                payment.problem = f"{payment.problem}\n{note}".strip()
                payment.save(update_fields=["problem", "updated_at"])
            logger.warning("Payment %s: amount mismatch: %s", payment.pk, note)
            return Confirmation(Outcome.MISMATCH, payment)
        payment.status = Payment.Status.PAID
        payment.paid_at = now
        if payment_intent_id:
            payment.payment_intent_id = payment_intent_id
        # Saved paid before fulfilling: what the purpose queues (an order's confirmation,
        # which links the receipt) reads the payment as paid, however soon it is built.
        payment.save(update_fields=["status", "paid_at", "payment_intent_id", "updated_at"])
        accepted = purposes.get(payment.purpose).fulfil(payment=payment, now=now)
        if accepted:
            payment.fulfilled_at = now
        else:
            payment.problem = f"{payment.problem}\n" + _(
                "Paid when what it pays for could no longer be had (its hold had lapsed, or "
                "it was cancelled): refunded in full."
            )
            payment.problem = payment.problem.strip()
        payment.save(
            update_fields=[
                "status",
                "paid_at",
                "payment_intent_id",
                "fulfilled_at",
                "problem",
                "updated_at",
            ]
        )
    if accepted:
        return Confirmation(Outcome.CONFIRMED, payment)
    return _refuse(payment, now=now)


def refund_if_owed(*, payment_id: int, now: datetime.datetime) -> Confirmation | None:
    """A refused payment whose refund Stripe did not take (`Payment.refund_owed`) is
    refunded now; None when nothing is owed (refunded meanwhile). Under the row's lock, so
    two runs at once refund it once."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if not payment.refund_owed:
            return None
        return _refuse(payment, now=now)


def _refuse(payment: Payment, *, now: datetime.datetime) -> Confirmation:
    """Money came for what could no longer be had: all of it goes back, and the payer is
    told why. StripeUnavailable when Stripe did not take the refund; the payment then
    still owes it (`Payment.refund_owed`) and the next news of it asks again."""
    payment = refund_payment(
        payment=payment,
        amount=payment.amount,
        reason=_("Paid after its hold lapsed"),
        now=now,
        notify_purpose=False,
    )
    purpose = purposes.get(payment.purpose)
    if purpose.on_refused is not None:
        purpose.on_refused(payment=payment, now=now)
    return Confirmation(Outcome.REFUSED, payment)


def confirm_offline_payment(
    *,
    purpose: str,
    object_id,
    amount: Decimal,
    now: datetime.datetime,
    reference: str = "",
    description: str = "",
    payer_name: str = "",
    payer_email: str = "",
) -> Confirmation:
    """Staff received a check (or cash at the door) for this thing: its offline payment
    is confirmed through `confirm_payment`, like a card payment, so the thing is fulfilled
    once and the payment has a receipt. A thing begun before offline payments were
    recorded gets its record now (`amount` is then what is owed)."""
    try:
        with transaction.atomic():
            payment, _created = Payment.objects.get_or_create(
                purpose=purpose,
                object_id=str(object_id),
                method=Payment.Method.OFFLINE,
                defaults={
                    "amount": amount,
                    "reference": reference,
                    "description": description[:300],
                    "payer_name": payer_name,
                    "payer_email": payer_email,
                },
            )
    except IntegrityError:
        # Two staff at once: the other request made the record (one per thing).
        payment = Payment.objects.get(
            purpose=purpose, object_id=str(object_id), method=Payment.Method.OFFLINE
        )
    return confirm_payment(
        payment_id=payment.pk,
        amount_minor=payment.amount_in_minor_units,
        currency=payment.currency,
        now=now,
    )


def confirm_from_session(session, *, now: datetime.datetime) -> Confirmation | None:
    """Confirm through a Checkout Session object (from a webhook or from Stripe's API)."""
    payment = _payment_for_session(session)
    if payment is None:
        return None
    if session.get("payment_status") != "paid":
        return Confirmation(Outcome.NOT_PAID, payment)
    return confirm_payment(
        payment_id=payment.pk,
        amount_minor=int(session.get("amount_total") or 0),
        currency=session.get("currency") or "",
        payment_intent_id=_id_of(session.get("payment_intent")),
        now=now,
    )


def settle_from_stripe(
    *, payment: Payment, now: datetime.datetime, retries: int = 0
) -> Confirmation | None:
    """Ask Stripe where this card payment stands and confirm it if it was paid. None when
    there is nothing to ask (not a card payment, or no Checkout Session was recorded)."""
    if payment.method != Payment.Method.CARD or not payment.checkout_session_id:
        return None
    session = stripe_api.retrieve_session(payment.checkout_session_id, retries=retries)
    return confirm_from_session(session, now=now)


def settle_on_return(*, payment: Payment, now: datetime.datetime) -> Payment:
    """What a page the payer comes back to does with a card payment still pending: ask
    Stripe (through `settle_from_stripe`, never marking anything paid by itself) and
    return the payment as it now stands. Stripe out of reach is logged; the page then
    shows the payment as not yet completed."""
    if payment.status == Payment.Status.PENDING and payment.method == Payment.Method.CARD:
        try:
            settle_from_stripe(payment=payment, now=now)
        except stripe_api.StripeUnavailable:
            logger.warning("Could not ask Stripe about payment %s", payment.pk)
        payment.refresh_from_db()
    return payment


@dataclass(frozen=True)
class CardPaymentState:
    """What a page says about paying by card: received (with the receipt), or not
    completed, with a retry link while the Checkout page is still open."""

    received: bool
    not_completed: bool
    retry_url: str = ""
    receipt_url: str = ""


def latest_card_payment(*, purpose: str, object_id) -> Payment | None:
    return (
        Payment.objects.for_object(purpose=purpose, object_id=object_id)
        .filter(method=Payment.Method.CARD)
        .first()
    )


def mark_expired(*, payment: Payment, now: datetime.datetime) -> Confirmation:
    """A card payment that was never made: its session is closed at Stripe."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status == Payment.Status.PENDING:
            locked.status = Payment.Status.EXPIRED
            locked.save(update_fields=["status", "updated_at"])
    return Confirmation(Outcome.EXPIRED, locked)


def mark_failed(*, payment: Payment, problem: str) -> Confirmation:
    """A card payment that cannot be paid: its Checkout Session could not be made, or was
    never recorded. `problem` says why, for staff. A payment settled meanwhile is left as
    it is."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status == Payment.Status.PENDING:
            locked.status = Payment.Status.FAILED
            locked.problem = f"{locked.problem}\n{problem}".strip()[:2000]
            locked.save(update_fields=["status", "problem", "updated_at"])
    return Confirmation(Outcome.FAILED, locked)


def _id_of(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(value.get("id", ""))


def _payment_for_session(session) -> Payment | None:
    payment = Payment.objects.filter(checkout_session_id=session.get("id")).first()
    if payment is None:
        metadata = session.get("metadata") or {}
        payment_id = str(metadata.get("payment_id", ""))
        if payment_id.isdigit():
            payment = Payment.objects.filter(pk=int(payment_id)).first()
    return payment
