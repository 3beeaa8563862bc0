from decimal import Decimal

import pytest

from payments.methods import available_methods, get_method


def test_free_is_the_only_method_for_nothing_owed():
    assert [m.code for m in available_methods(amount=Decimal("0"))] == ["free"]
    assert (
        get_method("free", amount=Decimal("0"))
        .begin(amount=Decimal("0"), reference="A1", description="x", email="a@example.org")
        .paid
    )


def test_offline_payment_leaves_the_amount_owed_with_instructions():
    outcome = get_method("offline", amount=Decimal("45")).begin(
        amount=Decimal("45"), reference="NSCA-7", description="Dinner", email="a@example.org"
    )
    assert outcome.paid is False
    assert "$45.00" in outcome.instructions
    assert "NSCA-7" in outcome.instructions
    assert outcome.redirect_url is None


def test_free_method_cannot_settle_an_amount_owed():
    with pytest.raises(LookupError):
        get_method("free", amount=Decimal("10"))


def test_unknown_method_is_refused():
    with pytest.raises(LookupError):
        get_method("bitcoin", amount=Decimal("10"))


def test_offline_payment_is_offered_unless_switched_off(settings):
    settings.PAYMENT_OFFLINE_ENABLED = False
    assert [m.code for m in available_methods(amount=Decimal("5"))] == []
    assert [m.code for m in available_methods(amount=Decimal("0"))] == ["free"]
    settings.PAYMENT_OFFLINE_ENABLED = True
    assert [m.code for m in available_methods(amount=Decimal("5"))] == ["offline"]


def test_methods_are_offered_in_their_registered_order_card_only_with_keys(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert [m.code for m in available_methods(amount=Decimal("5"))] == ["offline"]
    settings.STRIPE_WEBHOOK_SECRET = "whsec_x"
    assert [m.code for m in available_methods(amount=Decimal("5"))] == ["offline", "card"]
