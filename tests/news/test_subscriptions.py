"""The newsletter: double opt-in, the same answer whatever the address, links that fail
politely, one-click unsubscribe, and a member's profile box as the same subscription."""

import datetime
import re

import pytest
import time_machine
from django.core import mail

from membership.models import User
from membership.signup import confirm_account
from news import subscriptions
from news.models import Subscriber

pytestmark = pytest.mark.django_db


def _link(message, name):
    return re.search(rf"http://[^\s\"]*/newsletter/{name}/[^\s\"/]+/", message.body).group(0)


def _path(url):
    return url.split("8000", 1)[1] if "8000" in url else url


def subscribe(client, email="ann@example.org", name="Ann"):
    return client.post("/newsletter/", {"email": email, "name": name})


def test_double_opt_in_confirms_only_through_the_link(client, association):
    response = subscribe(client, email="Ann@Example.org")
    assert response.status_code == 302 and response.url == "/newsletter/sent/"
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "ann@example.org" and not subscriber.may_receive_marketing
    assert not Subscriber.objects.may_receive_marketing().exists()
    confirm = client.get(_path(_link(mail.outbox[0], "confirm")))
    assert confirm.status_code == 200
    assert Subscriber.objects.may_receive_marketing().get() == subscriber
    # Following it again is the same as once.
    assert client.get(_path(_link(mail.outbox[0], "confirm"))).status_code == 200


def test_subscribing_twice_changes_nothing_and_answers_the_same(client, association, now):
    first = subscribe(client, name="Ann")
    client.get(_path(_link(mail.outbox[0], "confirm")))
    before = Subscriber.objects.values().get()
    outbox = len(mail.outbox)
    again = subscribe(client, name="Somebody Else")
    unknown = subscribe(client, email="new@example.org")
    assert (again.status_code, again.url) == (first.status_code, first.url)
    assert (unknown.status_code, unknown.url) == (first.status_code, first.url)
    assert Subscriber.objects.values().get(email="ann@example.org") == before
    # A confirmed address gets no second email; the new one gets its confirmation.
    assert [m.to for m in mail.outbox[outbox:]] == [["new@example.org"]]


def test_unconfirmed_address_is_not_resent_within_minutes(client, association):
    subscribe(client)
    subscribe(client)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "token",
    ["junk", "a" * 5000, "eyJlIjoiYUBiLmMiLCJ0IjoxfQ:1abc:xyz", "%00", "..", "-"],
)
def test_bad_links_are_a_friendly_4xx_never_a_500(client, association, token):
    for url in (f"/newsletter/confirm/{token}/", f"/newsletter/unsubscribe/{token}/"):
        response = client.get(url)
        assert 400 <= response.status_code < 500, url
    response = client.post(f"/newsletter/unsubscribe/{token}/")
    assert 400 <= response.status_code < 500


def test_bad_sign_up_input_is_a_400(client, association):
    assert client.post("/newsletter/", {"email": "not an email", "name": "A"}).status_code == 400
    assert client.post("/newsletter/", {"email": "a@b.org" * 100, "name": "x"}).status_code == 400
    assert client.post("/newsletter/", {}).status_code == 400
    assert not Subscriber.objects.exists() and not mail.outbox


def test_expired_confirmation_link_does_nothing(client, association):
    with time_machine.travel(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)):
        subscribe(client)
    with time_machine.travel(datetime.datetime(2026, 1, 9, tzinfo=datetime.UTC)):
        assert client.get(_path(_link(mail.outbox[0], "confirm"))).status_code == 400
    assert not Subscriber.objects.may_receive_marketing().exists()


def test_replayed_confirmation_after_unsubscribing_does_not_resubscribe(client, association):
    with time_machine.travel(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)):
        subscribe(client)
        client.get(_path(_link(mail.outbox[0], "confirm")))
    with time_machine.travel(datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC)):
        token = subscriptions.unsubscribe_token("ann@example.org")
        client.post(f"/newsletter/unsubscribe/{token}/")
        assert client.get(_path(_link(mail.outbox[0], "confirm"))).status_code == 400
    assert not Subscriber.objects.may_receive_marketing().exists()


def test_one_click_unsubscribe_needs_no_sign_in_nor_csrf_and_is_idempotent(
    association, make_subscriber
):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    make_subscriber("ann@example.org")
    url = f"/newsletter/unsubscribe/{subscriptions.unsubscribe_token('ANN@example.org')}/"
    assert client.get(url).status_code == 200  # shows a button, changes nothing
    assert Subscriber.objects.may_receive_marketing().exists()
    for _ in range(2):
        response = client.post(url, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
    assert not Subscriber.objects.may_receive_marketing().exists()


def test_only_the_one_click_endpoint_is_csrf_exempt(association):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post("/newsletter/", {"email": "a@b.org", "name": "A"}).status_code == 403


def test_member_profile_box_is_the_subscription(association, now):
    user = User.objects.create_user(email="Mia@example.org", password="x-long-password-1")
    assert not Subscriber.objects.exists()
    user.newsletter_opt_in = True
    user.save()
    subscriber = Subscriber.objects.may_receive_marketing().get()
    assert subscriber.email == "mia@example.org" and subscriber.user == user
    user.newsletter_opt_in = False
    user.save()
    assert not Subscriber.objects.may_receive_marketing().exists()


def test_unsubscribing_by_link_clears_the_member_box(association, now):
    user = User.objects.create_user(
        email="mia@example.org", password="x-long-password-1", newsletter_opt_in=True
    )
    subscriptions.unsubscribe(email="MIA@example.org", now=now)
    user.refresh_from_db()
    assert not user.newsletter_opt_in
    assert not Subscriber.objects.may_receive_marketing().exists()


def test_a_member_who_subscribed_as_a_visitor_sees_it_on_the_profile(association, make_subscriber):
    make_subscriber("mia@example.org")
    user = User.objects.create_user(email="mia@example.org", password="x-long-password-1")
    user.refresh_from_db()
    assert user.newsletter_opt_in
    assert Subscriber.objects.may_receive_marketing().get().user == user


def test_consent_given_at_sign_up_counts_once_the_account_is_confirmed(association):
    user = User.objects.create_user(
        email="new@example.org",
        password="x-long-password-1",
        newsletter_opt_in=True,
        is_active=False,  # as the join page makes it, until its link is followed
    )
    assert not Subscriber.objects.may_receive_marketing().exists()
    confirm_account(user)
    assert Subscriber.objects.may_receive_marketing().get().email == "new@example.org"


def test_many_sign_ups_from_one_address_are_a_429(client, association, settings):
    settings.NEWS_SIGNUP_LIMIT_PER_IP = 2
    for index in range(2):
        assert subscribe(client, email=f"s{index}@example.org").status_code == 302
    refused = subscribe(client, email="third@example.org")
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert len(mail.outbox) == 2
