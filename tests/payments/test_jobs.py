import datetime

import pytest
from django.utils import timezone

from payments.models import Payment
from payments.tasks import settle_lapsed_card_payments
from tests.concurrency import race

pytestmark = pytest.mark.django_db


def test_lapsed_unpaid_session_is_expired_at_stripe(begin_card_payment, fake_stripe):
    payment = begin_card_payment()
    assert "0 Checkout" in settle_lapsed_card_payments(now=timezone.now())
    later = timezone.now() + datetime.timedelta(minutes=16)
    assert "1 Checkout Session(s) expired" in settle_lapsed_card_payments(now=later)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED
    assert fake_stripe.sessions[payment.checkout_session_id]["status"] == "expired"
    # Twice is harmless.
    assert "0 Checkout" in settle_lapsed_card_payments(now=later)


def test_missed_webhook_is_caught_by_the_job(begin_card_payment, fake_stripe, ledger):
    payment = begin_card_payment()
    fake_stripe.pay(payment.checkout_session_id, deliver=False)
    later = timezone.now() + datetime.timedelta(minutes=16)
    assert "1 late card payment(s) settled" in settle_lapsed_card_payments(now=later)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert ledger.fulfilled == [payment.pk]
    assert fake_stripe.sessions[payment.checkout_session_id]["status"] == "complete"


def lapsed():
    return timezone.now() + datetime.timedelta(minutes=16)


def session_less_payment(**overrides):
    """What a worker killed while Stripe hung used to leave: pending, past its hold, and
    no Checkout Session recorded."""
    fields = {
        "purpose": "tests.thing",
        "object_id": "9",
        "amount": "25.00",
        "method": Payment.Method.CARD,
        "expires_at": timezone.now() + datetime.timedelta(minutes=15),
    }
    return Payment.objects.create(**(fields | overrides))


def test_a_payment_without_its_checkout_session_is_closed_and_the_others_settled(
    begin_card_payment, fake_stripe, ledger
):
    orphan = session_less_payment()
    payment = begin_card_payment(object_id="2")
    summary = settle_lapsed_card_payments(now=lapsed())
    assert "1 Checkout Session(s) expired" in summary
    assert "1 without a Checkout Session closed" in summary
    orphan.refresh_from_db()
    payment.refresh_from_db()
    assert orphan.status == Payment.Status.FAILED
    assert "No Checkout Session was recorded" in orphan.problem
    assert payment.status == Payment.Status.EXPIRED
    assert fake_stripe.sessions[payment.checkout_session_id]["status"] == "expired"
    # Stripe was never asked about the payment that has no session.
    assert all("None" not in path for _method, path in fake_stripe.received)


def test_one_bad_payment_never_stops_the_job(begin_card_payment, fake_stripe, ledger):
    # Paid at Stripe, but what it paid for is no longer registered: confirming it fails.
    stray = begin_card_payment(object_id="1")
    Payment.objects.filter(pk=stray.pk).update(purpose="tests.gone")
    fake_stripe.pay(stray.checkout_session_id, deliver=False)
    payment = begin_card_payment(object_id="2")
    summary = settle_lapsed_card_payments(now=lapsed())
    assert "1 Checkout Session(s) expired, 1 left for the next run" in summary
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED
    stray.refresh_from_db()
    assert stray.status == Payment.Status.PENDING
    assert stray.settling_until is None  # its claim given back: the next run tries again


def test_a_hung_stripe_ends_the_run_at_once_and_the_next_run_settles(
    begin_card_payment, stripe_in_trouble
):
    first = begin_card_payment(object_id="1")
    second = begin_card_payment(object_id="2")
    stripe_in_trouble.hang()
    received = len(stripe_in_trouble.received)
    summary = settle_lapsed_card_payments(now=lapsed())
    assert "2 left for the next run" in summary
    # One question about the first payment, asked once more (a job may retry), and none
    # about the second: it would have waited as long.
    asked = stripe_in_trouble.received[received:]
    assert asked == [("GET", f"/v1/checkout/sessions/{first.checkout_session_id}")] * 2
    stripe_in_trouble.answer()
    assert "2 Checkout Session(s) expired" in settle_lapsed_card_payments(now=lapsed())
    for payment in (first, second):
        payment.refresh_from_db()
        assert payment.status == Payment.Status.EXPIRED


def test_a_failing_stripe_leaves_each_payment_pending_for_the_next_run(
    begin_card_payment, stripe_in_trouble
):
    payments = [begin_card_payment(object_id=str(n)) for n in (1, 2)]
    stripe_in_trouble.fail(500)
    assert "2 left for the next run" in settle_lapsed_card_payments(now=lapsed())
    assert {p.status for p in Payment.objects.filter(pk__in=[p.pk for p in payments])} == {
        Payment.Status.PENDING
    }


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_job_runners_at_once_expire_each_session_once(begin_card_payment, fake_stripe):
    payments = [begin_card_payment(object_id=str(n)) for n in range(1, 4)]
    fake_stripe.latency = 0.05  # each answer takes a moment: the two runs overlap
    now = lapsed()
    outcomes = race(2, lambda index: settle_lapsed_card_payments(now=now))
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    expires = [path for method, path, *_rest in fake_stripe.requests if path.endswith("/expire")]
    assert sorted(expires) == sorted(
        f"/v1/checkout/sessions/{payment.checkout_session_id}/expire" for payment in payments
    )
    assert set(Payment.objects.values_list("status", flat=True)) == {Payment.Status.EXPIRED}


def test_a_refused_payment_whose_refund_stripe_did_not_take_is_refunded_by_the_job(
    begin_card_payment, fake_stripe, ledger
):
    from payments.confirmation import confirm_payment
    from payments.stripe_api import StripeUnavailable
    from payments.tasks import refund_owed_payments

    ledger.accept = False  # what it paid for could no longer be had
    payment = begin_card_payment()
    fake_stripe.pay(payment.checkout_session_id, deliver=False)
    fake_stripe.fail(500)
    with pytest.raises(StripeUnavailable):
        confirm_payment(
            payment_id=payment.pk,
            amount_minor=payment.amount_in_minor_units,
            currency="usd",
            payment_intent_id=fake_stripe.sessions[payment.checkout_session_id]["payment_intent"],
            now=timezone.now(),
        )
    assert "1 left for the next run" in refund_owed_payments(now=timezone.now())
    fake_stripe.fail(None)
    assert refund_owed_payments(now=timezone.now()) == "1 refused payment(s) refunded"
    assert refund_owed_payments(now=timezone.now()) == "0 refused payment(s) refunded"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert ledger.refused == [payment.pk]
    assert len(fake_stripe.refunds) == 1
