"""Staff see and refund payments by what they were for: Event managers those of ticket
orders, the Membership secretary those of dues; superusers all."""

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
