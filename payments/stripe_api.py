"""The one place the site talks to Stripe, through the official `stripe` library.

Card payments are on when both `STRIPE_SECRET_KEY` and `STRIPE_WEBHOOK_SECRET` are set.
`STRIPE_API_BASE` says where Stripe's API is (tests and staging point it at a fake). Every
call that creates something carries an idempotency key derived from our own payment row,
so a retried request (a timeout, a double click) never charges or refunds twice.

Stripe may hang (accept the connection and never answer). Every call waits at most
`STRIPE_TIMEOUT` seconds (to connect, then between bytes of the answer) and, on a buyer's
or a webhook's request, is made once (`retries=0`, the default): a hung Stripe is a
`StripeNotAnswering` within that time, well before gunicorn's 30 s would kill the worker,
and the buyer is told so. The periodic jobs pass `JOB_RETRIES`; their next run is the
retry after that.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import stripe
from django.conf import settings

# Stripe refuses a Checkout Session that expires sooner than this after it is created.
STRIPE_MIN_SESSION_LIFETIME = datetime.timedelta(minutes=30)
STRIPE_MIN_SESSION_MARGIN = datetime.timedelta(seconds=60)


# A job (no one waiting on it) asks once more before leaving the row for its next run.
JOB_RETRIES = 1


class StripeUnavailable(Exception):
    """Stripe could not be reached or refused the request."""


class StripeNotAnswering(StripeUnavailable):
    """Stripe did not answer at all (no connection, or no answer within `STRIPE_TIMEOUT`):
    asking again at once about something else would wait as long."""


@dataclass(frozen=True)
class LineItem:
    name: str
    unit_amount: Decimal
    quantity: int


def card_payments_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


def minor_units(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


def client(*, retries: int = 0) -> stripe.StripeClient:
    """A client that waits `STRIPE_TIMEOUT` seconds and tries `retries` more times (the
    library's own default, 80 s and two retries, outlives a web worker)."""
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=retries,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT),
    )


def _call(request, *, retries: int = 0):
    """`request(client)`, with Stripe's errors as StripeUnavailable."""
    try:
        return request(client(retries=retries))
    except stripe.APIConnectionError as error:
        raise StripeNotAnswering(str(error)) from error
    except stripe.StripeError as error:
        raise StripeUnavailable(str(error)) from error


def session_expiry(*, hold_expires_at: datetime.datetime, now: datetime.datetime):
    """When the Checkout Session expires: at the hold, unless that is sooner than Stripe
    allows; then at Stripe's earliest, and `run_jobs` expires it when the hold lapses."""
    earliest = now + STRIPE_MIN_SESSION_LIFETIME + STRIPE_MIN_SESSION_MARGIN
    return max(hold_expires_at, earliest)


def create_checkout_session(
    *,
    payment,
    lines: list[LineItem],
    success_url: str,
    cancel_url: str,
    expires_at: datetime.datetime,
):
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": line.quantity,
                "price_data": {
                    "currency": payment.currency,
                    "unit_amount": minor_units(line.unit_amount),
                    "product_data": {"name": line.name[:250]},
                },
            }
            for line in lines
        ],
        "client_reference_id": payment.reference or str(payment.pk),
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(expires_at.timestamp()),
        "metadata": {"payment_id": str(payment.pk), "purpose": payment.purpose},
        "payment_intent_data": {
            "metadata": {"payment_id": str(payment.pk), "purpose": payment.purpose}
        },
    }
    if payment.payer_email:
        params["customer_email"] = payment.payer_email
    return _call(
        lambda api: api.v1.checkout.sessions.create(
            params=params,
            options={"idempotency_key": f"nsca-payment-{payment.pk}-checkout"},
        )
    )


def retrieve_session(session_id: str, *, retries: int = 0):
    return _call(lambda api: api.v1.checkout.sessions.retrieve(session_id), retries=retries)


def expire_session(session_id: str, *, retries: int = 0):
    return _call(lambda api: api.v1.checkout.sessions.expire(session_id), retries=retries)


def retrieve_payment_intent(payment_intent_id: str):
    return _call(lambda api: api.v1.payment_intents.retrieve(payment_intent_id))


def create_refund(*, payment, amount: Decimal, reason: str):
    # The key names the payment and what had been refunded before this one: a retry of the
    # same refund is the same key, a second refund of the same amount is not.
    key = (
        f"nsca-payment-{payment.pk}-refund-{minor_units(payment.amount_refunded)}"
        f"-{minor_units(amount)}"
    )
    params = {
        "payment_intent": payment.payment_intent_id,
        "amount": minor_units(amount),
        "metadata": {"payment_id": str(payment.pk), "reason": reason[:450]},
    }
    return _call(lambda api: api.v1.refunds.create(params=params, options={"idempotency_key": key}))


def construct_event(*, payload: bytes, signature: str):
    """The verified event, or ValueError/stripe.SignatureVerificationError."""
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
