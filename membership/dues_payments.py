"""Membership dues as something payments can take money for (the `membership.dues`
purpose), registered from `MembershipConfig.ready` so payments imports no app.

Paying by card: the membership stays pending until the payment is confirmed
(`payments.confirmation.confirm_payment`, whatever way the news arrives), which calls
`fulfil` once: the dues are recorded paid (`dues.confirm_dues_paid`) and the membership is
active. A membership cancelled meanwhile cannot be fulfilled, so the payment is refunded.

`card_dues_state` is what the membership page says about a card payment (received, or
not completed with a retry while its Checkout page is open), as the order page does.
"""

import datetime
import logging
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payments import purposes
from payments.confirmation import (
    CardPaymentState,
    Outcome,
    confirm_offline_payment,
    latest_card_payment,
    settle_on_return,
)
from payments.models import Payment

from .dues import DUES_PURPOSE, confirm_dues_paid, dues_receipt_url
from .models import Membership

logger = logging.getLogger(__name__)

PURPOSE = DUES_PURPOSE


def fulfil(*, payment: Payment, now: datetime.datetime) -> bool:
    membership = Membership.objects.get(pk=int(payment.object_id))
    if membership.status == Membership.Status.ACTIVE:
        return True
    return confirm_dues_paid(membership, at=now, amount=payment.amount)


def describe(*, payment: Payment) -> str:
    membership = Membership.objects.select_related("plan").filter(pk=int(payment.object_id))
    membership = membership.first()
    if membership is None:
        return _("Membership dues")
    return _("Membership dues: %(plan)s") % {"plan": membership.plan.name}


def goods_value(*, payment: Payment) -> Decimal | None:
    membership = Membership.objects.select_related("plan").filter(pk=int(payment.object_id))
    membership = membership.first()
    return None if membership is None else membership.plan.goods_value


def record_offline_dues(membership: Membership, *, now: datetime.datetime) -> bool:
    """Staff received the dues (a check): the membership's offline payment is confirmed
    through payments' one path, whose `fulfil` makes the membership active (and sends the
    welcome), so the payments list, the treasurer's CSV and the receipt know of it. False
    when the membership was not pending. Dues of nothing (a free plan) have no payment
    record: nothing changes hands."""
    if membership.status != Membership.Status.PENDING:
        return False
    if not membership.amount_due:
        return confirm_dues_paid(membership, at=now)
    confirmation = confirm_offline_payment(
        purpose=PURPOSE,
        object_id=membership.pk,
        amount=membership.amount_due,
        now=now,
        reference=membership.reference,
        description=describe_membership(membership),
        payer_name=membership.user.get_full_name(),
        payer_email=membership.user.email,
    )
    membership.refresh_from_db()
    return confirmation.outcome == Outcome.CONFIRMED


def describe_membership(membership: Membership) -> str:
    return _("%(plan)s membership") % {"plan": membership.plan.name}


def register() -> None:
    purposes.register(
        purposes.Purpose(
            name=PURPOSE,
            label=gettext_lazy("Membership dues"),
            fulfil=fulfil,
            describe=describe,
            goods_value=goods_value,
            staff_permission="membership.change_membership",
        )
    )


def card_dues_state(membership: Membership, *, now: datetime.datetime) -> CardPaymentState | None:
    """Back from Stripe (or any visit): "payment received", with the receipt, or "payment
    not completed", with a retry while the Checkout page is still open (its session lasts
    as long as the payment's hold) and the membership still waits for it. A pending payment
    is settled by asking Stripe first, through the same path as the webhook; nothing is
    ever marked paid from here. None when the dues are not paid by card."""
    if membership.payment_method != Payment.Method.CARD:
        return None
    payment = latest_card_payment(purpose=PURPOSE, object_id=membership.pk)
    if payment is None:
        return None
    if payment.status == Payment.Status.PENDING and membership.status == Membership.Status.PENDING:
        settle_on_return(payment=payment, now=now)
        membership.refresh_from_db()
    if payment.is_settled and membership.status == Membership.Status.ACTIVE:
        return CardPaymentState(
            received=True, not_completed=False, receipt_url=dues_receipt_url(membership)
        )
    still_open = (
        membership.status == Membership.Status.PENDING
        and payment.status == Payment.Status.PENDING
        and payment.expires_at is not None
        and payment.expires_at > now
        and bool(payment.checkout_url)
    )
    return CardPaymentState(
        received=False,
        # Only while the membership still waits: a cancelled one has nothing to complete.
        not_completed=not payment.is_settled and membership.status == Membership.Status.PENDING,
        retry_url=payment.checkout_url if still_open else "",
    )
