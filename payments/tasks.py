"""Periodic jobs of payments, run by `manage.py run_jobs` before events' own (the order of
INSTALLED_APPS, association/registry.py), so a payment that did arrive is settled before
its hold is expired.

`settle_lapsed_card_payments` asks Stripe about every card payment still pending after
its hold: one that was paid (its webhook missed) is confirmed through `confirm_payment`;
one that was not has its Checkout Session expired at Stripe, so no payment can arrive
later, and is marked expired (events' expiry releases the tickets). One whose session was
never recorded (Stripe did not answer when it began) cannot have been paid: it is closed
as failed without asking Stripe.

Safe to run twice at once: each payment is claimed first (`claim_for_settling`, one
conditional UPDATE), so of two runners only one asks Stripe about it and expires its
session; confirming is idempotent under the payment's lock anyway. One payment that fails
(Stripe refuses, a bug) is logged and left for the next run; the others are still
settled. Only Stripe not answering at all ends the run early: asking about the next
payment would wait as long, and the next run asks again.

`refund_owed_payments` refunds each payment refused (paid for what had lapsed) whose
refund Stripe did not take when it was refused.
"""

import datetime
import logging
from collections import Counter

from django.utils.translation import gettext as _

from association.registry import periodic_jobs

from .confirmation import Outcome, mark_expired, mark_failed, refund_if_owed, settle_from_stripe
from .models import Payment
from .stripe_api import (
    JOB_RETRIES,
    StripeNotAnswering,
    StripeUnavailable,
    expire_session,
    retrieve_session,
)

logger = logging.getLogger(__name__)

# How long a runner may take over one payment before another may claim it: far longer
# than the few Stripe calls it makes, each at most STRIPE_TIMEOUT (retried JOB_RETRIES).
SETTLING_LEASE = datetime.timedelta(minutes=5)

CONFIRMED, EXPIRED, CLOSED, UNCHANGED, LEFT = "confirmed", "expired", "closed", "unchanged", "left"


@periodic_jobs.register
def settle_lapsed_card_payments(*, now):
    counts = Counter()
    lapsed = list(
        Payment.objects.card_pending_past_hold(now).order_by("pk").values_list("pk", flat=True)
    )
    for index, pk in enumerate(lapsed):
        until = Payment.objects.claim_for_settling(pk=pk, now=now, lease=SETTLING_LEASE)
        if until is None:
            continue  # another runner has it, or it was settled meanwhile
        try:
            counts[settle_lapsed_card_payment(Payment.objects.get(pk=pk), now=now)] += 1
        except StripeNotAnswering:
            logger.warning("Stripe is not answering: %s card payment(s) wait", len(lapsed) - index)
            counts[LEFT] += len(lapsed) - index
            break
        except Exception:
            # One payment never stops the others: logged for staff, tried again next run.
            logger.exception("Could not settle card payment %s", pk)
            counts[LEFT] += 1
        finally:
            Payment.objects.release_settling_claim(pk=pk, until=until)
    summary = (
        f"{counts[CONFIRMED]} late card payment(s) settled, "
        f"{counts[EXPIRED]} Checkout Session(s) expired"
    )
    if counts[CLOSED]:
        summary += f", {counts[CLOSED]} without a Checkout Session closed"
    if counts[LEFT]:
        summary += f", {counts[LEFT]} left for the next run"
    return summary


def settle_lapsed_card_payment(payment: Payment, *, now: datetime.datetime) -> str:
    """Settle one card payment past its hold (claimed by the caller); what became of it."""
    if not payment.checkout_session_id:
        mark_failed(
            payment=payment,
            problem=_(
                "No Checkout Session was recorded (Stripe did not answer when the payment "
                "began), so nobody could pay it: closed."
            ),
        )
        return CLOSED
    result = settle_from_stripe(payment=payment, now=now, retries=JOB_RETRIES)
    if result is not None and result.outcome in (Outcome.CONFIRMED, Outcome.REFUSED):
        return CONFIRMED
    if result is not None and result.outcome != Outcome.NOT_PAID:
        return UNCHANGED
    try:
        expire_session(payment.checkout_session_id, retries=JOB_RETRIES)
    except StripeNotAnswering:
        raise
    except StripeUnavailable:
        # Paid in the moment between the two calls, or already expired: Stripe's record
        # decides.
        session = retrieve_session(payment.checkout_session_id, retries=JOB_RETRIES)
        if session.get("status") == "complete":
            settle_from_stripe(payment=payment, now=now, retries=JOB_RETRIES)
            return CONFIRMED
        if session.get("status") != "expired":
            raise
    mark_expired(payment=payment, now=now)
    return EXPIRED


@periodic_jobs.register
def refund_owed_payments(*, now):
    refunded = left = 0
    owed = list(Payment.objects.refunds_owed().order_by("pk").values_list("pk", flat=True))
    for index, pk in enumerate(owed):
        try:
            refunded += refund_if_owed(payment_id=pk, now=now) is not None
        except StripeNotAnswering:
            logger.warning("Stripe is not answering: %s refund(s) wait", len(owed) - index)
            left += len(owed) - index
            break
        except Exception:
            logger.exception("Could not refund refused payment %s", pk)
            left += 1
    return f"{refunded} refused payment(s) refunded" + (
        f", {left} left for the next run" if left else ""
    )
