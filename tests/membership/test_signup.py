"""Joining takes one go: the choices made on the join page wait with the new account on the
server, and following the emailed link begins the membership with them, in any browser."""

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from membership.models import Membership, PendingJoin, User
from payments.models import Payment

from .test_views import join_data

pytestmark = pytest.mark.django_db


def confirmation_path():
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/confirm/" in line)
    return urlsplit(link.strip()).path


def sign_up(plan, **overrides):
    """Fill in and send the join page in a browser of its own, as a visitor does."""
    visitor = Client()
    response = visitor.post(reverse("membership:join", args=[plan.slug]), join_data(**overrides))
    assert response.status_code == 302
    return visitor


def test_joining_by_card_goes_from_the_emailed_link_straight_to_payment(plan, fake_stripe):
    visitor = sign_up(plan, payment_method="card")
    page = visitor.get(confirmation_path()).content.decode()
    assert "Confirm and pay by card" in page
    response = visitor.post(confirmation_path())
    membership = Membership.objects.get(user__email="grace@example.org")
    payment = Payment.objects.get(purpose="membership.dues", object_id=str(membership.pk))
    assert response.status_code == 303
    assert response["Location"] == payment.checkout_url
    assert membership.status == Membership.Status.PENDING
    assert membership.payment_method == "card"
    assert not PendingJoin.objects.exists()

    fake_stripe.pay(payment.checkout_session_id, deliver=False)
    visitor.get(membership.get_absolute_url() + "?checkout=done")
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_joining_by_check_shows_the_payment_instructions_after_the_emailed_link(plan):
    visitor = sign_up(plan, payment_method="offline")
    response = visitor.post(confirmation_path())
    membership = Membership.objects.get(user__email="grace@example.org")
    assert response.status_code == 302
    assert response["Location"] == membership.get_absolute_url()
    assert membership.status == Membership.Status.PENDING
    page = visitor.get(response["Location"]).content.decode()
    assert "Please pay $35.00" in page and membership.reference in page
    assert mail.outbox[-1].subject == "Your membership: payment instructions"


def test_the_link_opened_in_another_browser_begins_the_membership_chosen(
    household_plan, fake_stripe
):
    sign_up(
        household_plan,
        payment_method="card",
        household_member_names="Byron\nAnnabella",
        interests="Toulon, education committee",
    )
    phone = Client()  # the mail app's browser: it never saw the join page
    response = phone.post(confirmation_path())
    user = User.objects.get(email="grace@example.org")
    membership = user.memberships.get()
    payment = Payment.objects.get(purpose="membership.dues", object_id=str(membership.pk))
    assert response.status_code == 303 and response["Location"] == payment.checkout_url
    assert phone.session["_auth_user_id"] == str(user.pk)
    assert membership.plan == household_plan
    assert membership.household_names_list() == ["Byron", "Annabella"]
    assert membership.interests == "Toulon, education committee"


def test_a_free_plan_is_active_at_once_from_the_emailed_link_in_another_browser(free_plan):
    sign_up(free_plan, payment_method="free")
    Client().post(confirmation_path())
    assert Membership.objects.get().status == Membership.Status.ACTIVE


def test_a_new_signup_with_the_address_replaces_the_earlier_choices(plan, make_plan):
    other_plan = make_plan("student", name="Student")
    sign_up(other_plan, payment_method="offline", interests="Mallory's interests")
    sign_up(plan, payment_method="offline", interests="Kitakyushu")
    Client().post(confirmation_path())
    membership = Membership.objects.get()
    assert membership.plan == plan and membership.interests == "Kitakyushu"


def test_card_payments_down_at_the_link_keep_the_choices_for_the_join_page(plan, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_unreachable"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_unreachable"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens on the discard port
    sign_up(plan, payment_method="card", interests="Toulon, education committee")
    phone = Client()
    response = phone.post(confirmation_path())
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert not Membership.objects.exists() and not Payment.objects.exists()
    page = phone.get(response["Location"]).content.decode()
    # Signed in, told why, and the choices are there to send again.
    assert "your membership has not begun" in page
    assert "card payments are not answering just now, so nothing was charged" in page
    assert "Your choices are kept below" in page and "pay by check" in page
    assert "Toulon, education committee</textarea>" in page
    assert 'value="card" id="id_payment_method_1" required checked' in page

    settings.STRIPE_SECRET_KEY = ""  # card payments switched off: paying by check instead
    data = join_data(payment_method="offline")
    for key in ("email", "password1", "password2"):
        data.pop(key)
    response = phone.post(plan.get_absolute_url(), data)
    assert response.status_code == 302
    assert Membership.objects.get().status == Membership.Status.PENDING
    assert not PendingJoin.objects.exists()


def test_a_payment_method_gone_by_the_link_asks_again(plan, fake_stripe, settings):
    sign_up(plan, payment_method="card")
    settings.STRIPE_SECRET_KEY = ""  # card payments switched off meanwhile
    phone = Client()
    response = phone.post(confirmation_path())
    assert response["Location"] == plan.get_absolute_url()
    assert User.objects.get(email="grace@example.org").is_active
    assert not Membership.objects.exists()
    page = phone.get(plan.get_absolute_url()).content.decode()
    assert "That way of paying is not available" in page


@pytest.mark.parametrize("trouble", ["hang", "fail"])
def test_stripe_not_answering_at_the_emailed_link_says_so_and_keeps_the_choices(
    plan, stripe_in_trouble, trouble
):
    """The member is not sent back to the join page without a word: they are told card
    payments are not answering, nothing was charged, their choices are kept, and what to do."""
    getattr(stripe_in_trouble, trouble)()
    sign_up(plan, payment_method="card", interests="Toulon, education committee")
    phone = Client()
    response = phone.post(confirmation_path())
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert not Membership.objects.exists() and not Payment.objects.exists()
    page = phone.get(response["Location"]).content.decode()
    assert "card payments are not answering just now, so nothing was charged" in page
    assert "Your choices are kept below" in page
    assert "try again in a few minutes, or choose to pay by check" in page
    assert "Toulon, education committee</textarea>" in page
    assert 'value="card" id="id_payment_method_1" required checked' in page
    assert PendingJoin.objects.filter(user__email="grace@example.org").exists()
