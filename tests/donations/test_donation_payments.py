"""A donation is received once, whatever way the news arrives (the donor's return, the
webhook twice, staff recording a check), with one thank-you email linking its receipt; the
receipt says no goods or services were provided."""

import datetime
from decimal import Decimal
from io import StringIO
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from association.models import Association
from donations.donation_payments import record_check_received
from donations.models import Donation
from payments.confirmation import confirm_payment
from payments.models import Payment
from tests.concurrency import race

from .conftest import donation_data

pytestmark = pytest.mark.django_db


def give_by_card(client, **overrides):
    response = client.post("/donate/", donation_data(payment_method="card", **overrides))
    assert response.status_code == 303
    donation = Donation.objects.latest("pk")
    assert response["Location"] == donation.payment.checkout_url
    return donation


def test_card_gift_goes_to_stripe_for_its_amount_and_is_pending(client, fake_stripe, designation):
    donation = give_by_card(client, designation=str(designation.pk))
    payment = donation.payment
    assert payment.purpose == "donations.donation"
    assert payment.method == Payment.Method.CARD
    assert payment.status == Payment.Status.PENDING
    assert payment.object_id == str(donation.pk)
    session = fake_stripe.sessions[payment.checkout_session_id]
    assert session["amount_total"] == 5000
    assert session["customer_email"] == "grace@example.org"
    assert "Youth exchange" in session["_line_items"][0]["price_data"]["product_data"]["name"]
    assert urlsplit(session["success_url"]).path == donation.get_absolute_url()
    assert donation.paid_at is None
    assert mail.outbox == []  # no check instructions for a card gift


def test_return_from_stripe_asks_stripe_and_never_marks_paid_by_itself(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    donation = give_by_card(client)
    # Back without paying (cancelled on Stripe's page, or a forged ?checkout=done).
    page = client.get(donation.get_absolute_url() + "?checkout=done").content.decode()
    assert "Payment not completed: try again or choose another way." in page
    assert donation.payment.checkout_url in page  # the retry, while Stripe's page is open
    donation.refresh_from_db()
    assert donation.paid_at is None

    fake_stripe.pay(donation.payment.checkout_session_id, deliver=False)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(donation.get_absolute_url() + "?checkout=done").content.decode()
    assert "Payment received" in page
    donation.refresh_from_db()
    assert donation.paid_at is not None
    assert len(mail.outbox) == 1
    receipt_path = donation.payment.get_absolute_url()
    assert receipt_path in mail.outbox[0].body
    assert receipt_path in page
    with django_capture_on_commit_callbacks(execute=True):
        client.get(donation.get_absolute_url())
    assert len(mail.outbox) == 1


def test_the_same_webhook_twice_receives_the_gift_once_with_one_email(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    donation = give_by_card(client)
    event = fake_stripe.pay(donation.payment.checkout_session_id, deliver=False)
    payload, signature = fake_stripe.signed(event)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/payments/stripe/webhook/",
                data=payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=signature,
            )
        assert response.status_code == 200
    donation.refresh_from_db()
    assert donation.paid_at is not None
    assert donation.payment.status == Payment.Status.PAID
    assert len(mail.outbox) == 1
    assert "Thank you" in mail.outbox[0].subject


def test_a_card_payment_that_arrives_after_its_page_lapsed_is_still_a_gift(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    donation = give_by_card(client)
    later = timezone.now() + datetime.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        result = confirm_payment(
            payment_id=donation.payment.pk,
            amount_minor=5000,
            currency="usd",
            payment_intent_id="pi_late",
            now=later,
        )
    assert result.outcome == "confirmed"
    donation.refresh_from_db()
    assert donation.paid_at == later
    assert len(mail.outbox) == 1


def test_an_amount_that_does_not_match_receives_nothing(client, fake_stripe):
    donation = give_by_card(client)
    result = confirm_payment(
        payment_id=donation.payment.pk, amount_minor=500, currency="usd", now=timezone.now()
    )
    assert result.outcome == "mismatch"
    donation.refresh_from_db()
    assert donation.paid_at is None


def test_staff_recording_a_check_confirms_it_once_and_emails_the_receipt(
    client, django_capture_on_commit_callbacks
):
    client.post("/donate/", donation_data())
    donation = Donation.objects.get()
    mail.outbox.clear()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert record_check_received(donation, now=now) is True
    donation.refresh_from_db()
    assert donation.paid_at == now
    assert donation.payment.status == Payment.Status.PAID
    assert len(mail.outbox) == 1
    assert donation.payment.get_absolute_url() in mail.outbox[0].body
    donation.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert record_check_received(donation, now=now) is False
    assert len(mail.outbox) == 1


def test_donation_receipt_says_no_goods_or_services_were_provided(client, association):
    Association.objects.filter(pk=association.pk).update(
        legal_name="Example Sister City Association, Inc.", tax_number="12-3456789"
    )
    client.post("/donate/", donation_data(amount_choice="250", dedication="In memory of Jo"))
    donation = Donation.objects.get()
    record_check_received(donation, now=timezone.now())
    page = client.get(donation.payment.get_absolute_url()).content.decode()
    assert "Example Sister City Association, Inc." in page
    assert "12-3456789" in page
    assert "$250.00" in page
    assert "Donation to Example Sister City Association, Inc." in page
    assert "In memory of Jo" in page
    assert "No goods or services were provided in exchange for this contribution." in page
    assert "deductible" not in page  # nothing to subtract: the whole gift is a gift


def test_yearly_totals_follow_the_site_calendar_and_subtract_refunds(client):
    for amount in ("25", "50", "100"):
        client.post("/donate/", donation_data(amount_choice=amount))
    first, second, third = Donation.objects.order_by("pk")
    # 03:00 UTC on 1 January is still New Year's Eve in Norfolk.
    new_years_eve = datetime.datetime(2026, 1, 1, 3, 0, tzinfo=datetime.UTC)
    record_check_received(first, now=new_years_eve)
    record_check_received(second, now=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC))
    Payment.objects.filter(pk=second.payment_id).update(amount_refunded=Decimal("10"))
    totals = Donation.objects.all().yearly_totals()
    assert totals == [
        {"year": 2026, "total": Decimal("40.00"), "count": 1},
        {"year": 2025, "total": Decimal("25.00"), "count": 1},
    ]
    assert third.paid_at is None


def test_stripe_unreachable_is_a_503_that_keeps_nothing(client, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_unreachable"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_unreachable"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens on the discard port
    response = client.post("/donate/", donation_data(payment_method="card"))
    assert response.status_code == 503
    assert "Card payments are unavailable just now" in response.content.decode()
    assert not Donation.objects.exists()
    assert not Payment.objects.exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_webhooks_and_return_receive_the_gift_once_with_one_email(client, fake_stripe):
    donation = give_by_card(client)
    event = fake_stripe.pay(donation.payment.checkout_session_id, deliver=False)
    payload, header = fake_stripe.signed(event)

    def deliver(index):
        visitor = Client()
        if index == 3:
            return visitor.get(donation.get_absolute_url() + "?checkout=done").status_code
        return visitor.post(
            "/payments/stripe/webhook/",
            payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        ).status_code

    assert sorted(race(4, deliver)) == [200, 200, 200, 200]
    donation.refresh_from_db()
    assert donation.paid_at is not None
    assert len(mail.outbox) == 1


def test_run_jobs_closes_an_unpaid_card_gift_page_after_its_hour(client, fake_stripe):
    donation = give_by_card(client)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2), tick=False):
        call_command("run_jobs", stdout=StringIO())
        page = client.get(donation.get_absolute_url()).content.decode()
    donation.refresh_from_db()
    assert donation.paid_at is None
    assert donation.payment.status == Payment.Status.EXPIRED
    assert fake_stripe.sessions[donation.payment.checkout_session_id]["status"] == "expired"
    assert "Payment not completed" in page
    assert "Try paying by card again" not in page


def test_stripe_hung_is_a_503_within_the_timeout_that_keeps_nothing(client, stripe_in_trouble):
    stripe_in_trouble.hang()
    response = client.post("/donate/", donation_data(payment_method="card"))
    assert response.status_code == 503
    assert "Card payments are unavailable just now" in response.content.decode()
    assert stripe_in_trouble.received == [("POST", "/v1/checkout/sessions")]  # asked once
    assert not Donation.objects.exists()
    assert not Payment.objects.exists()
