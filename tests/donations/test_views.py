"""/donate/ and the thank-you page: presets and limits, designations, guests and members,
check or card; bad input is a 400 with a message, never a 500, and keeps nothing."""

import re

import pytest
from django.core import mail

from donations.models import Designation, Donation
from membership.models import User
from payments.models import Payment

from .conftest import donation_data

pytestmark = pytest.mark.django_db


def test_donate_page_offers_presets_and_active_designations_and_check(
    client, designation, retired_designation
):
    response = client.get("/donate/")
    assert response.status_code == 200
    page = response.content.decode()
    for preset in ("$25.00", "$50.00", "$100.00", "$250.00"):
        assert preset in page
    assert "Another amount, in dollars" in page
    assert "Youth exchange" in page
    assert "Old appeal" not in page
    assert "Pay by check" in page
    assert 'value="card"' not in page  # card payments are off without Stripe's keys
    assert "no-store" in response["Cache-Control"]


def test_donate_page_offers_card_when_card_payments_are_on(client, fake_stripe):
    page = client.get("/donate/").content.decode()
    assert 'value="card"' in page
    assert "Pay by card" in page


def test_presets_outside_the_limits_are_not_offered(client, settings):
    settings.DONATIONS_MAX = 100
    page = client.get("/donate/").content.decode()
    assert "$100.00" in page
    assert "$250.00" not in page


def test_signed_in_donor_is_prefilled_and_the_gift_is_theirs(client):
    user = User.objects.create_user(
        email="ada@example.org", password="x-long-password-1", first_name="Ada", last_name="Lee"
    )
    client.force_login(user)
    page = client.get("/donate/").content.decode()
    assert 'value="Ada Lee"' in page
    assert 'value="ada@example.org"' in page
    client.post("/donate/", donation_data(donor_name="Ada Lee", donor_email="ada@example.org"))
    assert Donation.objects.get().user == user


def test_guest_check_donation_is_pending_with_instructions_and_one_email(
    client, association, designation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/donate/",
            donation_data(designation=str(designation.pk), dedication="In honour of Mary"),
        )
    assert response.status_code == 303
    donation = Donation.objects.get()
    assert response["Location"] == donation.get_absolute_url()
    assert donation.user is None
    assert donation.amount == 50
    assert donation.designation == designation
    assert donation.dedication == "In honour of Mary"
    assert donation.paid_at is None
    # Checks go through payment records too: staff confirm them like any payment.
    assert donation.payment.method == Payment.Method.OFFLINE
    assert donation.payment.status == Payment.Status.PENDING
    assert donation.payment.amount == 50
    assert len(mail.outbox) == 1
    assert donation.reference in mail.outbox[0].body
    assert "Example Sister City Association" in mail.outbox[0].body
    page = client.get(donation.get_absolute_url()).content.decode()
    assert donation.reference in page
    assert "check" in page
    assert "Payment received" not in page


def test_own_amount_within_the_limits_is_taken(client):
    response = client.post("/donate/", donation_data(amount_choice="", other_amount="37.50"))
    assert response.status_code == 303
    assert str(Donation.objects.get().amount) == "37.50"


def test_own_amount_without_choosing_a_preset_is_taken(client):
    client.post("/donate/", donation_data(amount_choice="", other_amount="12"))
    assert Donation.objects.get().amount == 12


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount_choice": "", "other_amount": "abc"},
        {"amount_choice": "", "other_amount": "1e999"},
        {"amount_choice": "", "other_amount": "NaN"},
        {"amount_choice": "", "other_amount": "Infinity"},
        {"amount_choice": "", "other_amount": "-50"},
        {"amount_choice": "", "other_amount": "0"},
        {"amount_choice": "", "other_amount": "4.99"},
        {"amount_choice": "", "other_amount": "10000.01"},
        {"amount_choice": "", "other_amount": "9" * 40},
        {"amount_choice": "", "other_amount": "2.005"},
        {"amount_choice": "", "other_amount": ""},
        {"amount_choice": "other", "other_amount": "20"},  # no longer a choice
        {"amount_choice": "13"},
        {"amount_choice": "50", "other_amount": "75"},
        {"amount_choice": "x" * 10_000},
        {"designation": "999999"},
        {"designation": "abc"},
        {"designation": "9" * 30},
        {"designation": "-1"},
        {"payment_method": "card"},  # card payments are off
        {"payment_method": "free"},
        {"payment_method": "bogus"},
        {"donor_email": "not-an-email"},
        {"donor_name": ""},
        {"donor_name": "x" * 201},
        {"dedication": "x" * 201},
    ],
)
def test_bad_input_is_a_400_with_a_message_and_keeps_nothing(client, overrides):
    response = client.post("/donate/", donation_data(**overrides))
    assert response.status_code == 400
    assert "Please correct the fields marked below." in response.content.decode()
    assert not Donation.objects.exists()
    assert not Payment.objects.exists()


def test_a_retired_designation_is_refused(client, retired_designation):
    response = client.post("/donate/", donation_data(designation=str(retired_designation.pk)))
    assert response.status_code == 400
    assert not Donation.objects.exists()


def test_amount_limits_are_settings(client, settings):
    settings.DONATIONS_MIN = 1
    settings.DONATIONS_MAX = 20
    assert client.post("/donate/", donation_data(amount_choice="", other_amount="1"))["Location"]
    assert (
        client.post("/donate/", donation_data(amount_choice="", other_amount="21")).status_code
        == 400
    )
    assert Donation.objects.count() == 1


def test_junk_bodies_are_4xx(client):
    assert (
        client.post("/donate/", data=b"\xff\xfe" * 100, content_type="text/plain").status_code
        == 400
    )
    assert client.post("/donate/", data="{}", content_type="application/json").status_code == 400
    assert client.put("/donate/").status_code == 405
    assert not Donation.objects.exists()


def test_thank_you_page_of_an_unknown_token_is_404(client):
    assert client.get("/donate/thanks/" + "x" * 32 + "/").status_code == 404
    assert client.get("/donate/thanks/short/").status_code == 404


def test_gifts_begun_from_one_address_are_limited(client, settings):
    settings.DONATIONS_LIMIT_PER_IP = 2
    for _ in range(2):
        assert client.post("/donate/", donation_data()).status_code == 303
    response = client.post("/donate/", donation_data())
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Too many gifts" in response.content.decode()
    assert Donation.objects.count() == 2


def test_a_gift_is_never_zero_even_when_the_minimum_setting_is(client, settings):
    settings.DONATIONS_MIN = 0
    response = client.post("/donate/", donation_data(amount_choice="", other_amount="0"))
    assert response.status_code == 400
    assert not Donation.objects.exists()


# --- one "where it is most needed", one way to give another amount (issue 18, item 19) ---


def test_where_it_is_most_needed_is_offered_once(client, demo):
    page = client.get("/donate/").content.decode()
    assert page.count("most needed") == 1
    assert "General fund" not in page
    assert '<option value="" selected>Where it is most needed</option>' in page


def test_a_gift_where_it_is_most_needed_has_no_designation(client, designation):
    client.post("/donate/", donation_data(designation=""))
    donation = Donation.objects.get()
    assert donation.designation is None
    assert "Where it is most needed" in client.get(donation.get_absolute_url()).content.decode()


def test_there_is_one_way_to_give_another_amount(client):
    page = client.get("/donate/").content.decode()
    assert 'value="other"' not in page
    assert page.count("nother amount") == 1
    assert '<label for="id_other_amount">Another amount, in dollars</label>' in page


def test_a_preset_and_a_typed_amount_are_asked_about_and_the_typed_one_can_be_sent_again(client):
    response = client.post("/donate/", donation_data(amount_choice="50", other_amount="75"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "You chose $50.00 and typed $75.00." in page
    # The preset is shown unchosen, the typed amount kept: sending again gives $75.00.
    assert (
        re.search(r'<input type="radio" name="amount_choice" value="50"[^>]*checked', page) is None
    )
    assert 'name="other_amount" value="75"' in page
    assert not Donation.objects.exists()
    client.post("/donate/", donation_data(amount_choice="", other_amount="75"))
    assert Donation.objects.get().amount == 75


def test_the_demo_general_fund_is_withdrawn_unless_staff_changed_it(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("donations.migrations.0004_one_most_needed_choice")
    untouched = Designation.objects.create(**migration.DEMO_GENERAL_FUND)
    edited = Designation.objects.create(name="Scholarships", description="Where it is most needed")
    migration.withdraw_demo_general_fund(apps, None)
    untouched.refresh_from_db()
    edited.refresh_from_db()
    assert not untouched.active and edited.active
