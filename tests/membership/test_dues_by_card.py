"""Dues paid by card: the membership becomes active when the payment is confirmed."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from membership.models import Membership
from payments.models import Payment

from .test_views import join_data

pytestmark = pytest.mark.django_db


def test_joining_by_card_activates_the_membership_when_stripe_confirms_payment(
    client, member, plan, fake_stripe, django_capture_on_commit_callbacks
):
    client.force_login(member)
    data = join_data(payment_method="card")
    for key in ("email", "password1", "password2"):
        data.pop(key)
    response = client.post(reverse("membership:join", args=[plan.slug]), data)
    assert response.status_code == 303
    membership = member.memberships.get()
    payment = Payment.objects.get(purpose="membership.dues", object_id=str(membership.pk))
    assert response["Location"] == payment.checkout_url
    assert membership.status == Membership.Status.PENDING
    assert mail.outbox == []  # no check instructions for a card payment

    # Back from Stripe before paying: still pending.
    client.get(membership.get_absolute_url())
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING

    fake_stripe.pay(payment.checkout_session_id, deliver=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(membership.get_absolute_url()).status_code == 200
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.amount_paid == plan.annual_dues
    assert len(mail.outbox) == 1


def join_by_card(client, member, plan):
    client.force_login(member)
    data = join_data(payment_method="card")
    for key in ("email", "password1", "password2"):
        data.pop(key)
    response = client.post(reverse("membership:join", args=[plan.slug]), data)
    assert response.status_code == 303
    membership = member.memberships.get()
    payment = Payment.objects.get(purpose="membership.dues", object_id=str(membership.pk))
    return membership, payment


def test_membership_page_says_payment_received_and_the_welcome_links_the_receipt(
    client, member, plan, fake_stripe, django_capture_on_commit_callbacks
):
    membership, payment = join_by_card(client, member, plan)
    fake_stripe.pay(payment.checkout_session_id, deliver=False)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(membership.get_absolute_url() + "?checkout=done").content.decode()
    payment.refresh_from_db()
    receipt = payment.get_absolute_url()
    assert "Payment received." in page
    assert receipt in page
    assert "Payment not completed" not in page
    [welcome] = mail.outbox
    assert welcome.subject == "Welcome: your membership is active"
    assert receipt in welcome.body
    assert receipt in welcome.alternatives[0][0]


def test_membership_page_offers_a_retry_while_the_checkout_page_is_open(
    client, member, plan, fake_stripe
):
    membership, payment = join_by_card(client, member, plan)
    page = client.get(membership.get_absolute_url() + "?checkout=cancelled").content.decode()
    assert "Payment not completed: try again or choose another way." in page
    assert f'href="{payment.checkout_url}"' in page
    assert "Try paying by card again" in page
    assert "Payment received" not in page
    with time_machine.travel(payment.expires_at + datetime.timedelta(minutes=1)):
        later = client.get(membership.get_absolute_url()).content.decode()
    assert "Payment not completed: try again or choose another way." in later
    assert "Try paying by card again" not in later  # the Checkout page has closed
    assert "join again choosing to pay by check" in later
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_stripe_not_answering_tells_the_member_at_once_and_keeps_nothing(
    client, member, plan, stripe_in_trouble
):
    stripe_in_trouble.hang()
    client.force_login(member)
    data = join_data(payment_method="card")
    for key in ("email", "password1", "password2"):
        data.pop(key)
    response = client.post(reverse("membership:join", args=[plan.slug]), data)
    assert response.status_code == 503
    assert "Card payments are not answering just now" in response.content.decode()
    assert stripe_in_trouble.received == [("POST", "/v1/checkout/sessions")]  # asked once
    assert not member.memberships.exists()
    assert not Payment.objects.exists()


@pytest.mark.parametrize("trouble", ["hang", "fail"])
def test_a_member_refused_by_stripe_gets_the_join_form_back_filled_in_with_the_reason(
    client, member, plan, stripe_in_trouble, trouble
):
    """Not a page without a form: the choices sent are there to send again, or to switch
    to paying by check."""
    getattr(stripe_in_trouble, trouble)()
    client.force_login(member)
    data = join_data(payment_method="card", interests="Toulon, education committee")
    for key in ("email", "password1", "password2"):
        data.pop(key)
    response = client.post(reverse("membership:join", args=[plan.slug]), data)
    page = response.content.decode()
    assert response.status_code == 503
    assert "nothing was charged" in page and "pay by check" in page
    assert "Toulon, education committee</textarea>" in page
    assert 'value="card" id="id_payment_method_1" required checked' in page
    assert '<form method="post"' in page
    assert not member.memberships.exists()
