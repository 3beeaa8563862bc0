"""Dues paid by card: the membership becomes active when the payment is confirmed."""

import pytest
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
    assert mail.outbox == []  # no cheque instructions for a card payment

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
