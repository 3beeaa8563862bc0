"""Staff see payments by what they were for: Event managers those of ticket orders, the
Membership secretary those of dues; the Treasurer and superusers all, and only they refund."""

from decimal import Decimal

import pytest

from payments.models import Payment
from tests.events.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def payments():
    common = {"amount": Decimal("10"), "method": Payment.Method.OFFLINE}
    return {
        "order": Payment.objects.create(
            purpose="events.order", object_id="1", reference="ORDERREF", **common
        ),
        "dues": Payment.objects.create(
            purpose="membership.dues", object_id="1", reference="DUESREF", **common
        ),
    }


@pytest.mark.parametrize(
    ("group", "sees", "hidden"),
    [("Event managers", "ORDERREF", "DUESREF"), ("Membership secretary", "DUESREF", "ORDERREF")],
)
def test_each_staff_group_sees_the_payments_of_its_own_purpose(
    client, payments, group, sees, hidden
):
    client.force_login(make_staff(group=group))
    listing = client.get("/admin/payments/payment/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert sees in page
    assert hidden not in page
    other = payments["dues" if hidden == "DUESREF" else "order"]
    assert client.get(f"/admin/payments/payment/{other.pk}/change/").status_code in (302, 403)


def test_staff_without_a_group_see_no_payments(client, payments):
    client.force_login(make_staff())
    assert client.get("/admin/payments/payment/").status_code == 403


def test_superuser_sees_every_payment(client, payments, staff_user):
    client.force_login(staff_user)
    page = client.get("/admin/payments/payment/").content.decode()
    assert "ORDERREF" in page and "DUESREF" in page


def test_treasurer_sees_every_payment(client, payments, treasurer):
    client.force_login(treasurer)
    page = client.get("/admin/payments/payment/").content.decode()
    assert "ORDERREF" in page and "DUESREF" in page


def test_event_manager_sees_an_order_payment_but_cannot_refund_it(client, payments):
    card = Payment.objects.create(
        purpose="events.order",
        object_id="2",
        reference="CARDREF",
        amount=Decimal("10"),
        method=Payment.Method.CARD,
        status=Payment.Status.PAID,
        payment_intent_id="pi_test",
    )
    client.force_login(make_staff(group="Event managers"))
    listing = client.get("/admin/payments/payment/")
    actions = {name for name, _label in listing.context["action_form"].fields["action"].choices}
    assert "refund_in_full" not in actions
    client.post(
        "/admin/payments/payment/", {"action": "refund_in_full", "_selected_action": [card.pk]}
    )
    card.refresh_from_db()
    assert (card.status, card.amount_refunded) == (Payment.Status.PAID, 0)
    assert not card.refunds.exists()


def test_treasurer_is_offered_the_refund(client, payments, treasurer):
    client.force_login(treasurer)
    listing = client.get("/admin/payments/payment/")
    actions = {name for name, _label in listing.context["action_form"].fields["action"].choices}
    assert "refund_in_full" in actions


def test_payments_list_says_what_and_how_in_words_with_dollars(client, payments, staff_user):
    client.force_login(staff_user)
    page = client.get("/admin/payments/payment/").content.decode()
    assert "Ticket order" in page and "Membership dues" in page
    assert "events.order" not in page.replace("purpose=events.order", "")
    assert "$10.00" in page
    detail = client.get(f"/admin/payments/payment/{payments['order'].pk}/change/").content
    assert b"$10.00" in detail and b"Ticket order" in detail
