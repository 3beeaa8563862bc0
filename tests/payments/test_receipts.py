from decimal import Decimal

import pytest
from django.utils import timezone

from association.models import Association
from payments.confirmation import settle_from_stripe

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(begin_card_payment, fake_stripe):
    def pay(amount):
        payment = begin_card_payment(amount=Decimal(amount), object_id=str(amount))
        fake_stripe.pay(payment.checkout_session_id, deliver=False)
        settle_from_stripe(payment=payment, now=timezone.now())
        payment.refresh_from_db()
        return payment

    return pay


def test_receipt_names_the_association_legally_and_states_the_deductible_part(
    client, association, paid
):
    Association.objects.filter(pk=association.pk).update(
        legal_name="Example Sister City Association, Inc.", tax_number="12-3456789"
    )
    payment = paid("100.00")  # the test purpose's goods are worth $40
    page = client.get(payment.get_absolute_url()).content.decode()
    assert "Example Sister City Association, Inc." in page
    assert "12-3456789" in page
    assert "$100.00" in page
    assert "Test thing" in page
    assert "The amount deductible for US federal income tax purposes is $60.00" in page


def test_receipt_of_75_dollars_or_less_has_no_quid_pro_quo_statement(client, association, paid):
    page = client.get(paid("75.00").get_absolute_url()).content.decode()
    assert "deductible" not in page


def test_receipt_link_of_an_unpaid_or_unknown_payment_is_404(client, begin_card_payment):
    payment = begin_card_payment()
    assert client.get(payment.get_absolute_url()).status_code == 404
    assert client.get("/payments/" + "x" * 32 + "/").status_code == 404
    assert client.get("/payments/short/").status_code == 404


def test_treasurer_csv_gives_gross_refunded_and_net(client, staff_user, paid):
    from payments.models import Payment

    payment = paid("100.00")
    Payment.objects.filter(pk=payment.pk).update(amount_refunded=Decimal("25.00"))
    client.force_login(staff_user)
    response = client.post(
        "/admin/payments/payment/",
        {"action": "treasurer_csv", "_selected_action": [payment.pk]},
    )
    body = b"".join(response.streaming_content).decode()
    assert "Date,Payer,Purpose,Reference,Gross,Refunded,Net,Status" in body
    assert "Ada Buyer,Test thing,T100.00,100.00,25.00,75.00" in body
