"""No staff member but a superuser can reach a member's sign-in: the email address (where a
password reset goes) and the password are a superuser's to set, and a superuser's change of
address is told to the old address (issue 18, item 2)."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from tests.membership.test_admin import user_change_data

pytestmark = pytest.mark.django_db

ATTACKER = "attacker@example.net"


def change_url(user):
    return f"/admin/membership/user/{user.pk}/change/"


def test_secretary_sees_a_members_email_read_only(client, secretary, member):
    client.force_login(secretary)
    page = client.get(change_url(member))
    assert page.status_code == 200
    assert "email" not in page.context["adminform"].form.fields
    assert "ada@example.org" in page.content.decode()


def test_secretary_cannot_change_a_members_email(client, secretary, member):
    client.force_login(secretary)
    response = client.post(change_url(member), user_change_data(member, email=ATTACKER))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "ada@example.org"
    assert mail.outbox == []


def test_secretary_cannot_take_over_an_account_by_email_then_password_reset(
    client, secretary, member
):
    client.force_login(secretary)
    client.post(change_url(member), user_change_data(member, email=ATTACKER))
    client.logout()
    client.post("/account/password/reset/", {"email": ATTACKER})
    assert [m for m in mail.outbox if ATTACKER in m.to] == []
    member.refresh_from_db()
    assert member.email == "ada@example.org"


def test_superuser_changes_an_email_and_the_old_address_is_told(client, staff_user, member):
    client.force_login(staff_user)
    response = client.post(change_url(member), user_change_data(member, email="ada@new.example"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "ada@new.example"
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["ada@example.org"], "Your email address was changed")
    ]
    notice = mail.outbox[0]
    assert "Our staff changed the email address of your account" in notice.body
    assert "ada@new.example" in notice.body
    assert notice.alternatives  # the HTML part as every email


def test_superuser_saving_a_member_without_a_new_email_tells_nobody(client, staff_user, member):
    client.force_login(staff_user)
    client.post(change_url(member), user_change_data(member, first_name="Augusta"))
    assert mail.outbox == []


def test_staff_with_change_user_but_not_superuser_cannot_change_an_email(client, make_user, member):
    """The rule is superusers only, not a group's permissions."""
    staff = make_user("helper@example.org", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="membership", codename__in=["view_user", "change_user"]
        )
    )
    client.force_login(staff)
    client.post(change_url(member), user_change_data(member, email=ATTACKER))
    member.refresh_from_db()
    assert member.email == "ada@example.org"


def test_secretary_cannot_grant_themselves_single_permissions(client, secretary):
    client.force_login(secretary)
    every = list(Permission.objects.values_list("pk", flat=True))
    client.post(change_url(secretary), user_change_data(secretary, user_permissions=every))
    secretary.refresh_from_db()
    assert not secretary.user_permissions.exists()


def test_no_admin_page_signs_staff_in_as_the_member(client, secretary, member):
    """There is no impersonation: whatever the secretary opens, the session stays theirs."""
    client.force_login(secretary)
    for suffix in ("change/", "history/", "password/"):
        client.get(f"/admin/membership/user/{member.pk}/{suffix}")
    client.post(change_url(member), user_change_data(member))
    assert client.session["_auth_user_id"] == str(secretary.pk)


def test_the_data_download_holds_only_the_signed_in_accounts_data(client, secretary, member):
    client.force_login(secretary)
    data = json.loads(client.get(f"/account/data/?user={member.pk}&email={member.email}").content)
    assert data["account"]["email"] == "secretary@example.org"
    assert member.email not in json.dumps(data)
