"""Changing the email address tells nobody whether another account uses the new one
(issue 12, item 9); the new address is proven by a link before it is used."""

import datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client

from membership.models import User

PASSWORD = "a-long-member-password"

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def ask_for(client, email):
    return client.post("/account/email/", {"email": email, "password": PASSWORD})


def link_in_last_email():
    line = next(line for line in mail.outbox[-1].body.splitlines() if "/email/confirm/" in line)
    return urlsplit(line.strip()).path


def test_email_change_answers_the_same_whether_or_not_another_account_uses_the_address(
    client, member, make_user
):
    make_user("taken@example.org")
    answers = []
    for email in ("TAKEN@example.org", "free@example.org"):
        client.force_login(member)
        response = ask_for(client, email)
        page = client.get(response["Location"])
        text = [str(m).replace(email, "ADDRESS") for m in get_messages(page.wsgi_request)]
        answers.append((response.status_code, response["Location"], text))
        assert "Another account" not in page.content.decode()
    assert answers[0] == answers[1]
    assert answers[0][0] == 302
    member.refresh_from_db()
    assert member.email == "ada@example.org"  # nothing changes before a link is followed


def test_the_owner_of_a_taken_address_is_told_by_email_and_gets_no_link(signed_in, make_user):
    make_user("taken@example.org")
    ask_for(signed_in, "TAKEN@example.org")
    assert [m.to for m in mail.outbox] == [["TAKEN@example.org"]]
    warning = mail.outbox[0]
    assert warning.subject == "Someone asked to use your email address for another account"
    assert "nothing was changed" in warning.body
    assert "/email/confirm/" not in warning.body
    assert "ada@example.org" not in warning.body  # the asker's address stays private too


def test_a_free_address_gets_a_link_that_changes_it_and_tells_the_old_address(signed_in, member):
    ask_for(signed_in, "new@example.org")
    assert [m.to for m in mail.outbox] == [["new@example.org"]]
    assert mail.outbox[0].subject == "Confirm your new email address"
    path = link_in_last_email()
    response = signed_in.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    member.refresh_from_db()
    assert member.email == "new@example.org"
    assert mail.outbox[-1].to == ["ada@example.org"]
    assert mail.outbox[-1].subject == "Your email address was changed"
    assert "new@example.org" in mail.outbox[-1].body


def test_opening_the_link_changes_nothing_until_confirmed(signed_in, member):
    ask_for(signed_in, "new@example.org")
    page = signed_in.get(link_in_last_email())
    assert page.status_code == 200
    assert "new@example.org" in page.content.decode()
    member.refresh_from_db()
    assert member.email == "ada@example.org"


def test_the_link_works_once(signed_in, member):
    ask_for(signed_in, "new@example.org")
    path = link_in_last_email()
    assert signed_in.post(path).status_code == 302
    assert signed_in.post(path).status_code == 400
    assert signed_in.get(path).status_code == 400


def test_the_link_works_in_another_browser(signed_in, member):
    ask_for(signed_in, "new@example.org")
    assert Client().post(link_in_last_email()).status_code == 302
    member.refresh_from_db()
    assert member.email == "new@example.org"


def test_a_password_change_voids_links_asked_for_before(signed_in, member):
    ask_for(signed_in, "attacker@example.org")
    path = link_in_last_email()
    member.set_password("the-owner-took-it-back-1")
    member.save()
    assert signed_in.post(path).status_code == 400
    member.refresh_from_db()
    assert member.email == "ada@example.org"


def test_the_link_expires(signed_in, member, settings):
    ask_for(signed_in, "new@example.org")
    path = link_in_last_email()
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(
        seconds=settings.PASSWORD_RESET_TIMEOUT + 60
    )
    with time_machine.travel(later):
        assert signed_in.post(path).status_code == 400
    member.refresh_from_db()
    assert member.email == "ada@example.org"


def test_a_forged_link_is_a_400(signed_in, member):
    assert signed_in.get("/account/email/confirm/zzz/bad-token/").status_code == 400
    assert signed_in.post("/account/email/confirm/MQ/bad-token/").status_code == 400


def test_an_address_taken_after_the_link_was_sent_is_a_409_not_a_500(signed_in, member, make_user):
    ask_for(signed_in, "new@example.org")
    path = link_in_last_email()
    make_user("NEW@example.org")
    sent = len(mail.outbox)
    response = signed_in.post(path)
    assert response.status_code == 409
    member.refresh_from_db()
    assert member.email == "ada@example.org"
    assert len(mail.outbox) == sent  # the old address is told of no change


def test_an_unconfirmed_sign_up_does_not_keep_an_address_from_its_owner(
    signed_in, member, make_user
):
    squatter = make_user("new@example.org", is_active=False)
    ask_for(signed_in, "new@example.org")
    assert "/email/confirm/" in mail.outbox[-1].body  # a link, not a warning
    assert signed_in.post(link_in_last_email()).status_code == 302
    member.refresh_from_db()
    assert member.email == "new@example.org"
    assert not User.objects.filter(pk=squatter.pk).exists()


def test_asking_for_the_current_address_is_a_form_error(signed_in):
    response = ask_for(signed_in, "ADA@example.org")
    assert response.status_code == 400
    assert mail.outbox == []


def test_the_confirmation_page_is_marked_no_store(signed_in):
    ask_for(signed_in, "new@example.org")
    assert "no-store" in signed_in.get(link_in_last_email())["Cache-Control"]
