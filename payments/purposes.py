"""What a payment can be for. Each app that sells something registers a `Purpose` from its
AppConfig.ready, so `payments` never imports the apps that use it:

    from payments import purposes

    purposes.register(purposes.Purpose(
        name="donations.donation",
        label=_("Donation"),
        fulfil=fulfil_donation,        # (payment=..., now=...) -> bool
        describe=describe_donation,    # (payment=...) -> str, for receipts and the admin
    ))

`fulfil` is called exactly once per payment, by `payments.confirmation.confirm_payment`,
inside the transaction that holds the payment row's lock (so it may lock its own rows
after it). It returns True when the thing paid for is now the payer's, False when it can
no longer be had (an order that expired or was cancelled before the money came): the
payment is then refunded in full at once and `on_refused` tells the payer why. The payment
is saved paid before `fulfil` runs. Email sent from `fulfil` is written to the outbox in
that same transaction (the site's email backend), so it goes once, exactly when the
confirmation is stored.

`on_refunded(payment=..., amount=..., tickets=..., now=...)` is called after a refund
(from the admin or from Stripe's dashboard) so the app can give back what was bought.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Purpose:
    name: str
    label: str
    fulfil: Callable[..., bool]
    describe: Callable[..., str]
    on_refunded: Callable[..., None] | None = None
    on_refused: Callable[..., None] | None = None
    goods_value: Callable[..., object] | None = field(default=None)
    """(payment=...) -> Decimal: the value of goods and services received, for receipts."""
    staff_permission: str = ""
    """The permission ("app_label.codename") that lets staff see and refund this purpose's
    payments in the admin (superusers see all): events' for tickets, membership's for dues."""


_registry: dict[str, Purpose] = {}


def register(purpose: Purpose) -> Purpose:
    """Register (or replace, as a reloaded app does) what a purpose name means."""
    _registry[purpose.name] = purpose
    return purpose


def get(name: str) -> Purpose:
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"No payment purpose {name!r} is registered.") from None


def label_of(name: str) -> str:
    """A purpose in words for staff ("Ticket order"); the name itself when nothing
    registered it (an app since removed)."""
    try:
        return str(get(name).label)
    except LookupError:
        return name


def registered() -> list[Purpose]:
    return sorted(_registry.values(), key=lambda purpose: purpose.name)
