"""Donations as something payments can take money for (the `donations.donation` purpose),
registered from `DonationsConfig.ready` so payments imports no app.

`fulfil` is called exactly once per payment by `payments.confirmation.confirm_payment`,
whatever way the news arrives (webhook, the donor's return, the reconciling job, staff
recording a check): the donation is marked received by one conditional UPDATE and the
thank-you email, with the receipt's link, goes once, after the confirmation is stored. A
gift can always be accepted, so a late payment is never refused (unless the donation was
deleted). A donation provides no goods or services: `goods_value` is zero, which is what
makes the receipt say so (payments/receipts.py).

`donation_payment_state` is what the thank-you page says; coming back from Stripe it asks
Stripe (`settle_from_stripe`) and never marks anything paid by itself.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from association.languages import speaking_to
from association.models import Association
from payments import purposes
from payments.confirmation import Outcome, confirm_payment, settle_on_return
from payments.models import Payment

from .emails import send_donation_email
from .giving import DONATION_PURPOSE, check_instructions, describe
from .models import Donation

logger = logging.getLogger(__name__)

PURPOSE = DONATION_PURPOSE


def _donation_of(payment: Payment) -> Donation | None:
    if not payment.object_id.isdigit():
        return None
    return Donation.objects.select_related("designation").filter(pk=int(payment.object_id)).first()


def fulfil(*, payment: Payment, now: datetime.datetime) -> bool:
    pk = int(payment.object_id)
    # One conditional UPDATE: whichever confirmation comes first marks it, once.
    marked = Donation.objects.filter(pk=pk, paid_at__isnull=True).update(
        paid_at=now, payment=payment
    )
    donation = Donation.objects.filter(pk=pk).first()
    if donation is None:
        return False
    if marked:
        # Into the outbox in the payment's transaction: thanked exactly when it is paid.
        send_thank_you(donation, payment)
    return True


def describe_payment(*, payment: Payment) -> str:
    donation = _donation_of(payment)
    if donation is None:
        return _("Donation %(ref)s") % {"ref": payment.reference}
    return describe(donation)


def goods_value(*, payment: Payment) -> Decimal:
    """A gift buys nothing: no goods or services were provided in exchange."""
    return Decimal(0)


def register() -> None:
    purposes.register(
        purposes.Purpose(
            name=PURPOSE,
            label=gettext_lazy("Donation"),
            fulfil=fulfil,
            describe=describe_payment,
            goods_value=goods_value,
            staff_permission="donations.change_donation",
        )
    )


def receipt_url(payment: Payment) -> str:
    return settings.SITE_URL + payment.get_absolute_url()


def send_thank_you(donation: Donation, payment: Payment) -> None:
    # In the donor's language: a card payment's webhook sends it too.
    with speaking_to(donation):
        send_donation_email(
            "thank_you",
            to=donation.donor_email,
            subject=_("Thank you for your gift to %(name)s")
            % {"name": Association.current().display_short_name},
            context={"donation": donation, "receipt_url": receipt_url(payment)},
        )


def record_check_received(donation: Donation, *, now: datetime.datetime) -> bool:
    """Staff received a donor's check: its pending payment is confirmed through payments'
    one path. False when there was nothing to record (not a check, or already received)."""
    payment = donation.payment
    if (
        payment is None
        or payment.method != Payment.Method.OFFLINE
        or payment.status != Payment.Status.PENDING
    ):
        return False
    result = confirm_payment(
        payment_id=payment.pk,
        amount_minor=payment.amount_in_minor_units,
        currency=payment.currency,
        now=now,
    )
    return result.outcome == Outcome.CONFIRMED


@dataclass(frozen=True)
class DonationState:
    received: bool
    not_completed: bool = False
    retry_url: str = ""
    receipt_url: str = ""
    instructions: str = ""


def donation_payment_state(donation: Donation, *, now: datetime.datetime) -> DonationState:
    """What the thank-you page says: received (with the receipt), a card payment not
    completed (with a retry while Stripe's page is open), or the check's instructions. A
    pending card payment is settled by asking Stripe first."""
    payment = donation.payment
    if payment is not None and payment.is_awaiting_card:
        settle_on_return(payment=payment, now=now)
        donation.refresh_from_db()
    if donation.is_received and payment is not None:
        return DonationState(received=True, receipt_url=payment.get_absolute_url())
    if payment is not None and payment.method == Payment.Method.CARD:
        open_page = payment.status == Payment.Status.PENDING and (
            payment.expires_at is None or payment.expires_at > now
        )
        return DonationState(
            received=False, not_completed=True, retry_url=payment.checkout_url if open_page else ""
        )
    return DonationState(received=False, instructions=check_instructions(donation))
