"""Stripe's webhook events, handled once each and safe in any order.

Each event id is stored once (`WebhookEvent`, unique): a second delivery of the same event
is acknowledged and ignored. Each handler goes through the same locked functions as every
other path (`confirmation`, `refunds`), so two different events about one payment, or an
event and the buyer's return, confirm once. Events out of order are settled by asking
Stripe: a refund or dispute about a payment we have not seen confirmed first settles that
payment from Stripe's own record.
"""

import datetime
import logging

from django.db import IntegrityError, transaction

from . import stripe_api
from .confirmation import confirm_from_session, mark_expired, settle_from_stripe
from .models import Payment, WebhookEvent
from .refunds import record_dispute, record_provider_refunds

logger = logging.getLogger(__name__)


def handle_event(event, *, now: datetime.datetime) -> str:
    """Handle a verified event; what happened, for the log and the tests."""
    try:
        with transaction.atomic():
            record = WebhookEvent.objects.create(
                provider_event_id=event["id"], type=event["type"][:100]
            )
    except IntegrityError:
        return "duplicate"
    try:
        result = _dispatch(event, now=now)
    except Exception:
        # Forget it, so Stripe's retry of this very event is handled rather than ignored.
        record.delete()
        raise
    WebhookEvent.objects.filter(pk=record.pk).update(processed_at=now)
    return result


def _dispatch(event, *, now) -> str:
    kind = event["type"]
    obj = event["data"]["object"]
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        confirmation = confirm_from_session(obj, now=now)
        return confirmation.outcome if confirmation else "unknown session"
    if kind == "checkout.session.expired":
        payment = Payment.objects.filter(checkout_session_id=obj.get("id")).first()
        if payment is None:
            return "unknown session"
        return mark_expired(payment=payment, now=now).outcome
    if kind == "charge.refunded":
        payment = _settled_payment_for_intent(_intent_id(obj), now=now)
        if payment is None:
            return "unknown payment"
        record_provider_refunds(payment_id=payment.pk, charge=obj, now=now)
        return "refund recorded"
    if kind in ("charge.dispute.created", "charge.dispute.updated"):
        payment = _settled_payment_for_intent(_intent_id(obj), now=now)
        if payment is None:
            return "unknown payment"
        record_dispute(payment_id=payment.pk, now=now)
        return "dispute recorded"
    return "ignored"


def _intent_id(obj) -> str:
    value = obj.get("payment_intent")
    if isinstance(value, str):
        return value
    return str((value or {}).get("id", ""))


def _settled_payment_for_intent(intent_id: str, *, now) -> Payment | None:
    """The payment of this PaymentIntent, confirmed first if the news of its payment has
    not arrived yet (events out of order)."""
    if not intent_id:
        return None
    payment = Payment.objects.filter(payment_intent_id=intent_id).first()
    if payment is None:
        intent = stripe_api.retrieve_payment_intent(intent_id)
        payment_id = str((intent.get("metadata") or {}).get("payment_id", ""))
        if not payment_id.isdigit():
            return None
        payment = Payment.objects.filter(pk=int(payment_id)).first()
        if payment is None:
            return None
    if not payment.is_settled:
        settle_from_stripe(payment=payment, now=now)
        payment.refresh_from_db()
    return payment
