"""Refunds: asked by staff (Stripe is asked to pay back), or made in Stripe's dashboard
(learnt by webhook). Either way the payment row is locked while its refunded amount and
status change, and the purpose is told so it can give back what was bought.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from . import purposes, stripe_api
from .models import Payment, Refund


class RefundRefused(Exception):
    pass


def _status_after_refunds(payment: Payment) -> str:
    if payment.status == Payment.Status.DISPUTED:
        return payment.status
    if payment.amount_refunded >= payment.amount:
        return Payment.Status.REFUNDED
    if payment.amount_refunded > 0:
        return Payment.Status.PARTLY_REFUNDED
    return payment.status


def refund_payment(
    *,
    payment: Payment,
    amount: Decimal,
    reason: str,
    now: datetime.datetime,
    requested_by=None,
    tickets=None,
    notify_purpose: bool = True,
) -> Payment:
    """Pay back `amount` of a settled payment (a card payment through Stripe). Raises
    RefundRefused when there is nothing (or not that much) left to refund."""
    amount = Decimal(amount)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if not locked.is_settled:
            raise RefundRefused("Nothing was paid.")
        if amount <= 0 or amount > locked.amount - locked.amount_refunded:
            raise RefundRefused("That is more than is left to refund.")
        provider_id = None
        if locked.method == Payment.Method.CARD:
            # Under the row's lock, so two staff clicking at once cannot both refund.
            refund = stripe_api.create_refund(payment=locked, amount=amount, reason=reason)
            provider_id = refund.get("id")
        Refund.objects.create(
            payment=locked,
            amount=amount,
            reason=reason[:300],
            provider_id=provider_id,
            requested_by=requested_by,
        )
        locked.amount_refunded += amount
        locked.status = _status_after_refunds(locked)
        locked.save(update_fields=["amount_refunded", "status", "updated_at"])
        purpose = purposes.get(locked.purpose)
        if notify_purpose and purpose.on_refunded is not None:
            purpose.on_refunded(payment=locked, amount=amount, tickets=tickets, now=now)
    return locked


def record_provider_refunds(*, payment_id: int, charge, now: datetime.datetime) -> Payment:
    """Stripe says the charge has these refunds (some made in its dashboard): record those
    we do not know, and take Stripe's refunded total as the truth."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment_id)
        known = set(locked.refunds.exclude(provider_id=None).values_list("provider_id", flat=True))
        new_total = Decimal(0)
        for item in (charge.get("refunds") or {}).get("data") or []:
            if item.get("id") in known or item.get("status") == "failed":
                continue
            value = Decimal(int(item.get("amount") or 0)) / 100
            if value <= 0:
                continue
            Refund.objects.create(
                payment=locked,
                amount=value,
                reason="Refunded in Stripe's dashboard",
                provider_id=item.get("id"),
            )
            new_total += value
        refunded = Decimal(int(charge.get("amount_refunded") or 0)) / 100
        refunded = min(max(refunded, locked.amount_refunded), locked.amount)
        if refunded != locked.amount_refunded:
            locked.amount_refunded = refunded
            locked.status = _status_after_refunds(locked)
            locked.save(update_fields=["amount_refunded", "status", "updated_at"])
        purpose = purposes.get(locked.purpose)
        if new_total and purpose.on_refunded is not None:
            purpose.on_refunded(payment=locked, amount=new_total, tickets=None, now=now)
    return locked


def record_dispute(*, payment_id: int, now: datetime.datetime) -> Payment:
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment_id)
        if locked.status != Payment.Status.DISPUTED:
            locked.status = Payment.Status.DISPUTED
            locked.problem = f"{locked.problem}\nThe payer disputed this payment.".strip()
            locked.save(update_fields=["status", "problem", "updated_at"])
    return locked
