import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from payments import purposes
from payments.methods import get_method


class Ledger:
    """A purpose for the tests: records what payments asked of it."""

    def __init__(self):
        self.fulfilled = []
        self.refunded = []
        self.refused = []
        self.accept = True

    def fulfil(self, *, payment, now):
        self.fulfilled.append(payment.pk)
        return self.accept

    def describe(self, *, payment):
        return f"Test thing {payment.object_id}"

    def on_refunded(self, *, payment, amount, tickets, now):
        self.refunded.append((payment.pk, amount))

    def on_refused(self, *, payment, now):
        self.refused.append(payment.pk)


@pytest.fixture
def ledger():
    ledger = Ledger()
    purposes.register(
        purposes.Purpose(
            name="tests.thing",
            label="Test thing",
            fulfil=ledger.fulfil,
            describe=ledger.describe,
            on_refunded=ledger.on_refunded,
            on_refused=ledger.on_refused,
            goods_value=lambda *, payment: Decimal("40"),
        )
    )
    return ledger


@pytest.fixture
def begin_card_payment(fake_stripe, ledger, db):
    """Begin a card payment for a test thing; the Payment row it made."""
    from payments.models import Payment

    def begin(*, amount=Decimal("25.00"), object_id="1", now=None):
        now = now or timezone.now()
        outcome = get_method("card", amount=amount).begin(
            amount=amount,
            reference=f"T{object_id}",
            description="Test thing",
            email="buyer@example.org",
            purpose="tests.thing",
            object_id=object_id,
            payer_name="Ada Buyer",
            hold_expires_at=now + datetime.timedelta(minutes=15),
            return_url="http://testserver/things/1/",
            now=now,
        )
        payment = Payment.objects.get(purpose="tests.thing", object_id=object_id)
        assert outcome.redirect_url == payment.checkout_url
        return payment

    return begin
