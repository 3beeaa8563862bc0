"""Periodic jobs of payments, run by `manage.py run_jobs` before events' own (PROJECT_APPS
order), so a payment that did arrive is settled before its hold is expired.

`settle_lapsed_card_payments` asks Stripe about every card payment still pending after
its hold: one that was paid (its webhook missed) is confirmed through `confirm_payment`;
one that was not has its Checkout Session expired at Stripe, so no payment can arrive
later, and is marked expired (events' expiry releases the tickets). Safe to run twice at
once: confirming is idempotent under the payment's lock, and expiring an already expired
session is answered by settling from Stripe's record again.
"""

import logging

from .confirmation import Outcome, mark_expired, settle_from_stripe
from .models import Payment
from .stripe_api import StripeUnavailable, expire_session, retrieve_session

logger = logging.getLogger(__name__)


def settle_lapsed_card_payments(*, now):
    confirmed = expired = failed = 0
    for payment in Payment.objects.card_pending_past_hold(now).order_by("pk"):
        try:
            result = settle_from_stripe(payment=payment, now=now)
            if result is not None and result.outcome in (Outcome.CONFIRMED, Outcome.REFUSED):
                confirmed += 1
                continue
            if result is not None and result.outcome != Outcome.NOT_PAID:
                continue
            try:
                expire_session(payment.checkout_session_id)
            except StripeUnavailable:
                # Paid in the moment between the two calls, or already expired: Stripe's
                # record decides.
                session = retrieve_session(payment.checkout_session_id)
                if session.get("status") == "complete":
                    settle_from_stripe(payment=payment, now=now)
                    confirmed += 1
                    continue
                if session.get("status") != "expired":
                    raise
            mark_expired(payment=payment, now=now)
            expired += 1
        except StripeUnavailable:
            logger.exception("Could not settle card payment %s with Stripe", payment.pk)
            failed += 1
    return f"{confirmed} late card payment(s) settled, {expired} Checkout Session(s) expired" + (
        f", {failed} left for the next run" if failed else ""
    )


JOBS = [settle_lapsed_card_payments]
