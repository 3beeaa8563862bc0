"""Payment methods: free, offline (check or at the door), and card (Stripe Checkout).

The three methods are registered here, in code, in the order they are offered
(`METHODS`); which are offered is each method's rule (`is_available_for`): free for
nothing owed, offline for an amount owed unless `PAYMENT_OFFLINE_ENABLED` is off, card for
an amount owed while both Stripe keys are set.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from association.formats import format_money

from . import stripe_api
from .confirmation import mark_failed
from .models import Payment
from .stripe_api import LineItem, StripeUnavailable

logger = logging.getLogger(__name__)


class PaymentUnavailable(Exception):
    """The method cannot take this payment right now (the card provider is unreachable)."""


@dataclass(frozen=True)
class PaymentOutcome:
    """What happened when a payment began."""

    paid: bool
    """True when nothing more is owed (a free order, or a provider that confirmed payment)."""
    instructions: str = ""
    """What the payer must still do; shown on the page and in the confirmation email."""
    redirect_url: str | None = None
    """Where to send the payer next (a card provider's page); None to stay on the site."""


class PaymentMethod:
    code: str = ""
    label: str = ""

    def is_available_for(self, *, amount: Decimal) -> bool:
        raise NotImplementedError

    def begin(
        self,
        *,
        amount: Decimal,
        reference: str,
        description: str,
        email: str,
        purpose: str = "",
        object_id: str = "",
        payer_name: str = "",
        lines: tuple[LineItem, ...] | list[LineItem] = (),
        hold_expires_at: datetime.datetime | None = None,
        return_url: str = "",
        now: datetime.datetime | None = None,
    ) -> PaymentOutcome:
        """Begin paying. `purpose` and `object_id` name what is paid for (a registered
        purpose, see payments/purposes.py); a method that sends the payer elsewhere (card)
        needs them, and `lines`, `hold_expires_at`, `return_url` and `now` too."""
        raise NotImplementedError

    def record_payment(
        self,
        *,
        purpose: str,
        object_id,
        reference: str,
        description: str,
        payer_name: str,
        email: str,
        amount: Decimal,
        **fields,
    ) -> Payment:
        """The payment row of what this method began, in this method's name (its code is
        the row's `method`)."""
        return Payment.objects.create(
            purpose=purpose,
            object_id=str(object_id),
            reference=reference,
            description=description[:300],
            payer_name=payer_name,
            payer_email=email,
            amount=amount,
            method=self.code,
            **fields,
        )


class FreePayment(PaymentMethod):
    """Nothing to pay: the order or membership is settled at once."""

    code = "free"
    label = _("Free")

    def is_available_for(self, *, amount):
        return amount == 0

    def begin(self, *, amount, reference, description, email, **_details):
        return PaymentOutcome(paid=True)


class OfflinePayment(PaymentMethod):
    """Pay by check or at the door; staff mark the payment received in the admin, which
    confirms it through `payments.confirmation.confirm_offline_payment`. With a `purpose`
    and `object_id` the payment is recorded at once (pending), so the payments list and
    the treasurer's CSV hold offline money as they hold card money."""

    code = "offline"
    label = _("Pay by check or at the door")

    def is_available_for(self, *, amount):
        return amount > 0 and settings.PAYMENT_OFFLINE_ENABLED

    def begin(
        self,
        *,
        amount,
        reference,
        description,
        email,
        purpose="",
        object_id="",
        payer_name="",
        **_details,
    ):
        if purpose and object_id:
            self.record_payment(
                purpose=purpose,
                object_id=object_id,
                reference=reference,
                description=description,
                payer_name=payer_name,
                email=email,
                amount=amount,
            )
        instructions = settings.PAYMENT_OFFLINE_INSTRUCTIONS or _(
            "Please pay {amount} by check or at the door (reference {reference}). "
            "Your place is reserved; we will mark it paid when we receive your payment."
        )
        return PaymentOutcome(
            paid=False,
            instructions=str(instructions).format(amount=format_money(amount), reference=reference),
        )


class CardPayment(PaymentMethod):
    """Pay by card on Stripe's hosted Checkout page; offered only when Stripe is configured.
    What is paid for stays pending (held) until the payment is confirmed
    (payments/confirmation.py)."""

    code = "card"
    label = _("Pay by card")

    def is_available_for(self, *, amount):
        return amount > 0 and stripe_api.card_payments_enabled()

    def begin(
        self,
        *,
        amount,
        reference,
        description,
        email,
        purpose="",
        object_id="",
        payer_name="",
        lines=(),
        hold_expires_at=None,
        return_url="",
        now=None,
    ):
        if not (purpose and object_id and return_url and now and hold_expires_at):
            raise ValueError("A card payment needs its purpose, object, return address and hold.")
        lines = list(lines) or [LineItem(name=description, unit_amount=amount, quantity=1)]
        separator = "&" if "?" in return_url else "?"
        # The payment and its Checkout Session are committed together: a worker that dies
        # while Stripe is asked (or a database that fails the last write) leaves no pending
        # payment without a session. Only the new row is locked meanwhile, and for at most
        # STRIPE_TIMEOUT: Stripe is asked once.
        failure = None
        with transaction.atomic():
            payment = self.record_payment(
                purpose=purpose,
                object_id=object_id,
                reference=reference,
                description=description,
                payer_name=payer_name,
                email=email,
                amount=amount,
                expires_at=hold_expires_at,
            )
            try:
                session = stripe_api.create_checkout_session(
                    payment=payment,
                    lines=lines,
                    success_url=f"{return_url}{separator}checkout=done",
                    cancel_url=f"{return_url}{separator}checkout=cancelled",
                    expires_at=stripe_api.session_expiry(hold_expires_at=hold_expires_at, now=now),
                )
                url = session["url"]
                payment.checkout_session_id = session["id"]
            except Exception as error:  # noqa: BLE001 - any failure is told to the payer
                # Stripe hung, refused, or answered something we cannot use: the payer is
                # told card payments are unavailable (never a 500); staff see why on the
                # failed payment.
                if not isinstance(error, StripeUnavailable):
                    logger.exception("Stripe's answer to payment %s was unusable", payment.pk)
                failure = error
                mark_failed(payment=payment, problem=str(error)[:1000] or repr(error))
            else:
                payment.checkout_url = url
                payment.save(update_fields=["checkout_session_id", "checkout_url", "updated_at"])
        if failure is not None:
            raise PaymentUnavailable(str(failure)) from failure
        return PaymentOutcome(paid=False, redirect_url=url)


METHODS: tuple[PaymentMethod, ...] = (FreePayment(), OfflinePayment(), CardPayment())
"""Every method the site knows, in the order they are offered."""


def available_methods(*, amount: Decimal) -> list[PaymentMethod]:
    """The methods a payer may choose for this amount, in the order they are offered."""
    return [method for method in METHODS if method.is_available_for(amount=amount)]


def get_method(code: str, *, amount: Decimal) -> PaymentMethod:
    """The method with this code if it may be used for this amount; LookupError otherwise."""
    for method in available_methods(amount=amount):
        if method.code == code:
            return method
    raise LookupError(f"Payment method {code!r} is not available for {amount}.")
