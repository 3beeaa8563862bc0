"""Payment methods: free and offline (cheque or at the door) today, card payments later."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from association.formats import format_money


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
        self, *, amount: Decimal, reference: str, description: str, email: str
    ) -> PaymentOutcome:
        raise NotImplementedError


class FreePayment(PaymentMethod):
    """Nothing to pay: the order or membership is settled at once."""

    code = "free"
    label = _("Free")

    def is_available_for(self, *, amount):
        return amount == 0

    def begin(self, *, amount, reference, description, email):
        return PaymentOutcome(paid=True)


class OfflinePayment(PaymentMethod):
    """Pay by cheque or at the door; staff mark the payment received in the admin."""

    code = "offline"
    label = _("Pay by cheque or at the door")

    def is_available_for(self, *, amount):
        return amount > 0

    def begin(self, *, amount, reference, description, email):
        instructions = getattr(settings, "PAYMENT_OFFLINE_INSTRUCTIONS", "") or _(
            "Please pay {amount} by cheque (write {reference} on it) or at the door. "
            "Your place is reserved; we will mark it paid when we receive your payment."
        )
        return PaymentOutcome(
            paid=False,
            instructions=str(instructions).format(amount=format_money(amount), reference=reference),
        )


def _configured_methods():
    paths = getattr(
        settings,
        "PAYMENT_METHODS",
        ["payments.methods.FreePayment", "payments.methods.OfflinePayment"],
    )
    return [import_string(path)() for path in paths]


def available_methods(*, amount: Decimal) -> list[PaymentMethod]:
    """The methods a payer may choose for this amount, in the configured order."""
    return [method for method in _configured_methods() if method.is_available_for(amount=amount)]


def get_method(code: str, *, amount: Decimal) -> PaymentMethod:
    """The method with this code if it may be used for this amount; LookupError otherwise."""
    for method in available_methods(amount=amount):
        if method.code == code:
            return method
    raise LookupError(f"Payment method {code!r} is not available for {amount}.")
