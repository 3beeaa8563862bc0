from decimal import Decimal

import pytest
from django.utils import timezone

from payments.confirmation import Outcome, confirm_payment, settle_from_stripe
from payments.models import Payment

pytestmark = pytest.mark.django_db


def test_card_payment_creates_a_checkout_session_with_an_idempotency_key(
    begin_card_payment, fake_stripe
):
    payment = begin_card_payment(amount=Decimal("25.00"))
    session = fake_stripe.sessions[payment.checkout_session_id]
    assert session["amount_total"] == 2500
    assert session["client_reference_id"] == "T1"
    assert session["customer_email"] == "buyer@example.org"
    _method, _path, _params, key = fake_stripe.requests[0]
    assert key == f"nsca-payment-{payment.pk}-checkout"
    assert payment.status == Payment.Status.PENDING


def test_return_from_stripe_confirms_only_what_stripe_says_was_paid(
    begin_card_payment, fake_stripe, ledger
):
    payment = begin_card_payment()
    assert settle_from_stripe(payment=payment, now=timezone.now()).outcome == Outcome.NOT_PAID
    assert ledger.fulfilled == []
    fake_stripe.pay(payment.checkout_session_id, deliver=False)
    assert settle_from_stripe(payment=payment, now=timezone.now()).outcome == Outcome.CONFIRMED
    assert settle_from_stripe(payment=payment, now=timezone.now()).outcome == Outcome.ALREADY
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.payment_intent_id.startswith("pi_")
    assert ledger.fulfilled == [payment.pk]


def test_amount_mismatch_changes_nothing_and_is_shown_to_staff(begin_card_payment, ledger):
    payment = begin_card_payment(amount=Decimal("25.00"))
    result = confirm_payment(
        payment_id=payment.pk, amount_minor=100, currency="usd", now=timezone.now()
    )
    assert result.outcome == Outcome.MISMATCH
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert "25.00" in payment.problem
    wrong_currency = confirm_payment(
        payment_id=payment.pk, amount_minor=2500, currency="eur", now=timezone.now()
    )
    assert wrong_currency.outcome == Outcome.MISMATCH
    assert ledger.fulfilled == []


def test_payment_that_can_no_longer_be_fulfilled_is_refunded_in_full(
    begin_card_payment, fake_stripe, ledger
):
    ledger.accept = False
    payment = begin_card_payment(amount=Decimal("30.00"))
    fake_stripe.pay(payment.checkout_session_id, deliver=False)
    result = settle_from_stripe(payment=payment, now=timezone.now())
    assert result.outcome == Outcome.REFUSED
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.amount_refunded == Decimal("30.00")
    assert "refunded in full" in payment.problem
    assert ledger.refused == [payment.pk]
    charge = next(iter(fake_stripe.charges.values()))
    assert charge["amount_refunded"] == 3000
