import datetime

import pytest
from django.utils import timezone

from payments.jobs import settle_lapsed_card_payments
from payments.models import Payment

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
