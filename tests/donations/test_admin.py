"""Staff: designations and donations in the admin (filters by designation and year, search
by reference), recording a check, and the Membership secretary's share of payments."""

import datetime

import pytest
from django.contrib.auth.models import Group

from donations.donation_payments import record_check_received
from donations.models import Designation, Donation
from membership.models import User
from payments.models import Payment

from .conftest import donation_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def gifts(client, designation):
    client.post("/donate/", donation_data(designation=str(designation.pk), donor_name="Ann Y"))
    client.post("/donate/", donation_data(donor_name="Bob Z", donor_email="bob@example.org"))
    ann, bob = Donation.objects.order_by("pk")
    record_check_received(ann, now=datetime.datetime(2025, 3, 1, 15, tzinfo=datetime.UTC))
    return ann, bob


@pytest.fixture
def secretary(db):
    user = User.objects.create_user(
        email="secretary@example.org", password="x-long-password-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Membership secretary"))
    return user


def test_donation_list_filters_by_designation_and_year_and_finds_a_reference(
    admin_client, gifts, designation
):
    ann, bob = gifts
    page = admin_client.get("/admin/donations/donation/").content.decode()
    assert "Ann Y" in page and "Bob Z" in page
    page = admin_client.get(
        f"/admin/donations/donation/?designation__id__exact={designation.pk}"
    ).content.decode()
    assert "Ann Y" in page and "Bob Z" not in page
    page = admin_client.get("/admin/donations/donation/?year=2025").content.decode()
    assert "Ann Y" in page and "Bob Z" not in page
    page = admin_client.get("/admin/donations/donation/?received=no").content.decode()
    assert "Bob Z" in page and "Ann Y" not in page
    page = admin_client.get(f"/admin/donations/donation/?q={bob.reference}").content.decode()
    assert "Bob Z" in page and "Ann Y" not in page
    assert admin_client.get(f"/admin/donations/donation/{ann.pk}/change/").status_code == 200


def test_staff_record_a_check_from_the_list(admin_client, gifts):
    ann, bob = gifts
    response = admin_client.post(
        "/admin/donations/donation/",
        {"action": "mark_check_received", "_selected_action": [ann.pk, bob.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 check recorded." in page
    assert "1 donation skipped: it is not a check awaiting payment." in page
    bob.refresh_from_db()
    assert bob.paid_at is not None
    assert bob.payment.status == Payment.Status.PAID


def test_staff_edit_designations(admin_client):
    response = admin_client.post(
        "/admin/donations/designation/add/",
        {"name": "Sister school books", "description": "", "active": "on", "ordering": "3"},
    )
    assert response.status_code == 302
    assert Designation.objects.get().name == "Sister school books"


def test_membership_secretary_works_donations_and_sees_their_payments_only(
    client, secretary, gifts
):
    ann, bob = gifts
    order_payment = Payment.objects.create(
        purpose="events.order",
        object_id="1",
        reference="ORDER1",
        amount=10,
        method=Payment.Method.OFFLINE,
    )
    client.force_login(secretary)
    assert client.get("/admin/donations/donation/").status_code == 200
    assert client.get("/admin/donations/designation/add/").status_code == 200
    assert client.get(f"/admin/donations/donation/{ann.pk}/delete/").status_code == 403
    page = client.get("/admin/payments/payment/").content.decode()
    assert ann.reference in page
    assert client.get(f"/admin/payments/payment/{ann.payment_id}/change/").status_code == 200
    assert order_payment.reference not in page
    assert client.get(f"/admin/payments/payment/{order_payment.pk}/change/").status_code == 302


def test_membership_secretary_cannot_record_a_check(client, secretary, gifts):
    _ann, bob = gifts
    client.force_login(secretary)
    listing = client.get("/admin/donations/donation/")
    assert listing.status_code == 200
    assert listing.context["action_form"] is None  # the only action moves money
    client.post(
        "/admin/donations/donation/",
        {"action": "mark_check_received", "_selected_action": [bob.pk]},
    )
    bob.refresh_from_db()
    assert bob.paid_at is None


def test_treasurer_records_a_check(client, treasurer, gifts):
    _ann, bob = gifts
    client.force_login(treasurer)
    response = client.post(
        "/admin/donations/donation/",
        {"action": "mark_check_received", "_selected_action": [bob.pk]},
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.paid_at is not None


def test_event_managers_see_no_donations(client, gifts):
    manager = User.objects.create_user(
        email="events@example.org", password="x-long-password-1", is_staff=True
    )
    manager.groups.add(Group.objects.get(name="Event managers"))
    client.force_login(manager)
    assert client.get("/admin/donations/donation/").status_code == 403
    assert gifts[0].reference not in client.get("/admin/payments/payment/").content.decode()


def test_nobody_adds_a_donation_by_hand(admin_client):
    assert admin_client.get("/admin/donations/donation/add/").status_code == 403
