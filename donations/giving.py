"""Giving: what a donor may give, and beginning a donation through a payment method.

The limits are settings (`DONATIONS_MIN`, `DONATIONS_MAX`, `DONATIONS_PRESET_AMOUNTS`),
read here only. A donation begins pending: by card the donor is sent to Stripe Checkout and
the gift is received when payments confirms it (`donation_payments.fulfil`); by check a
pending payment record waits for staff to record the check (admin), which confirms it
through the same path, so receipts and the treasurer's list cover checks too.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from association.formats import format_money
from association.languages import speaking_to
from association.models import Association
from payments.methods import OfflinePayment, PaymentUnavailable, available_methods, get_method
from payments.models import Payment
from payments.stripe_api import LineItem

from .emails import send_donation_email
from .models import Designation, Donation

# What payments calls a donation (donation_payments.py registers it); how long the card
# payment page stays open before run_jobs closes it.
DONATION_PURPOSE = "donations.donation"
CARD_SESSION_HOURS = 1


class DonationRefused(Exception):
    """The donation could not begin now; the message says why."""


class CardUnavailable(DonationRefused):
    """Stripe could not be reached: the donor may try again or give by check."""


def minimum_amount() -> Decimal:
    # A gift is never nothing (the database refuses it), whatever the setting says.
    return max(Decimal(str(settings.DONATIONS_MIN)), Decimal("0.01"))


def maximum_amount() -> Decimal:
    return Decimal(str(settings.DONATIONS_MAX))


def preset_amounts() -> list[Decimal]:
    """The amounts offered as one click, those within the limits."""
    low, high = minimum_amount(), maximum_amount()
    amounts = (Decimal(str(value)) for value in settings.DONATIONS_PRESET_AMOUNTS)
    return [amount for amount in amounts if low <= amount <= high]


def why_not_this_amount(amount: Decimal) -> str | None:
    """Why a gift of this amount cannot be taken; None when it can."""
    low, high = minimum_amount(), maximum_amount()
    if low <= amount <= high:
        return None
    return _("Please give between %(low)s and %(high)s.") % {
        "low": format_money(low),
        "high": format_money(high),
    }


def donation_methods() -> list:
    """How a donor may pay (any gift within the limits is over zero, so never free)."""
    return [m for m in available_methods(amount=minimum_amount()) if m.code != "free"]


def check_is_offered() -> bool:
    """Whether a donor may give by check (the page then says whom to pay and where)."""
    return any(isinstance(method, OfflinePayment) for method in donation_methods())


def method_label(method) -> str:
    # A gift is not paid at the door, whatever the shared offline method calls itself.
    return _("Pay by check") if isinstance(method, OfflinePayment) else str(method.label)


def check_instructions(donation: Donation) -> str:
    """What follows the check-instructions block (templates/includes/check_instructions.html,
    which says whom to pay and where to mail it) for a gift."""
    return _("We will email your receipt when your check arrives.")


def describe(donation: Donation) -> str:
    """What the gift was for, as receipts, Stripe's page and the admin say it."""
    association = Association.current()
    text = _("Donation to %(name)s") % {"name": association.receipt_name}
    if donation.designation_id:
        text += f": {donation.designation.name}"
    if donation.dedication:
        text += f" ({donation.dedication})"
    return text


def begin_donation(
    *,
    donor_name: str,
    donor_email: str,
    amount: Decimal,
    payment_method: str,
    now: datetime.datetime,
    designation: Designation | None = None,
    dedication: str = "",
    user=None,
) -> tuple[Donation, str | None]:
    """Record a pending donation and begin paying it. Returns the donation and where to send
    the donor next (Stripe's page for a card; None to stay on the site). Raises
    DonationRefused when the amount is out of bounds, the method is not offered, or the
    card provider cannot be reached (nothing is kept then)."""
    refusal = why_not_this_amount(amount)
    if refusal:
        raise DonationRefused(refusal)
    try:
        method = get_method(payment_method, amount=amount)
    except LookupError:
        raise DonationRefused(_("Please choose how you will give.")) from None
    with transaction.atomic():
        donation = Donation.objects.create(
            donor_name=donor_name,
            donor_email=donor_email,
            amount=amount,
            designation=designation,
            dedication=dedication,
            payment_method=method.code,
            user=user if user is not None and user.is_authenticated else None,
        )
        description = describe(donation)
        try:
            outcome = method.begin(
                amount=amount,
                reference=donation.reference,
                description=description,
                email=donor_email,
                purpose=DONATION_PURPOSE,
                object_id=str(donation.pk),
                payer_name=donor_name,
                lines=[LineItem(name=description, unit_amount=amount, quantity=1)],
                hold_expires_at=now + datetime.timedelta(hours=CARD_SESSION_HOURS),
                return_url=settings.SITE_URL + donation.get_absolute_url(),
                now=now,
            )
        except PaymentUnavailable:
            raise CardUnavailable(
                _("Card payments are unavailable just now. Please try again or give by check.")
            ) from None
        # Every method records its payment (card: the Checkout Session; check: a pending
        # offline payment staff confirm through payments), so a receipt always follows.
        payment = Payment.objects.for_object(purpose=DONATION_PURPOSE, object_id=donation.pk).get()
        donation.payment = payment
        donation.save(update_fields=["payment"])
        if not outcome.redirect_url:
            # Into the outbox in this transaction: kept exactly when the gift is.
            send_check_instructions(donation)
    return donation, outcome.redirect_url


def send_check_instructions(donation: Donation) -> None:
    with speaking_to(donation):
        send_donation_email(
            "check_instructions",
            to=donation.donor_email,
            subject=_("Your gift to %(name)s: how to send your check")
            % {"name": Association.current().display_short_name},
            context={"donation": donation, "instructions": check_instructions(donation)},
        )
