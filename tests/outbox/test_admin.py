"""Staff see what failed, why and how often it was tried, and can send it again."""

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.utils import timezone

from outbox.models import OutgoingEmail
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/outbox/outgoingemail/"


@pytest.fixture
def failed_email(queued_only, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    settings.OUTBOX_DELIVERY_BACKEND = "tests.outbox.mail_servers.RefusingEmailBackend"
    send_mail("Your tickets", "Body", None, ["ann@example.org"])
    run_tasks(later=True)
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return OutgoingEmail.objects.get(status=OutgoingEmail.Status.FAILED)


def test_changelist_counts_failed_emails_and_filters_by_status(admin_client, failed_email):
    send_mail("Sent fine", "Body", None, ["bob@example.org"])
    run_tasks(later=True)
    page = admin_client.get(CHANGELIST).content.decode()
    assert "1 email could not be sent." in page
    failed = admin_client.get(CHANGELIST, {"status__exact": "failed"}).content.decode()
    assert "ann@example.org" in failed and "bob@example.org" not in failed
    assert "the mail server is down" in failed  # the last error, in a column


def test_no_count_when_nothing_failed(admin_client, queued_only):
    send_mail("Waiting", "Body", None, ["ann@example.org"])
    assert "could not be sent" not in admin_client.get(CHANGELIST).content.decode()


def test_retry_now_sends_a_failed_email_again(admin_client, failed_email):
    response = admin_client.post(
        CHANGELIST, {"action": "retry_now", "_selected_action": [failed_email.pk]}, follow=True
    )
    assert "1 email will be sent again within seconds." in response.content.decode()
    failed_email.refresh_from_db()
    assert (failed_email.status, failed_email.attempts) == (OutgoingEmail.Status.QUEUED, 0)
    run_tasks(later=True)
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]


def test_staff_cannot_write_or_edit_emails(admin_client, failed_email):
    assert admin_client.get(CHANGELIST + "add/").status_code == 403
    page = admin_client.get(f"{CHANGELIST}{failed_email.pk}/change/").content.decode()
    assert 'name="_save"' not in page


def test_the_treasurer_sees_failed_email_and_may_retry_it(client, failed_email, treasurer):
    client.force_login(treasurer)
    assert "1 email could not be sent." in client.get(CHANGELIST).content.decode()
    client.post(CHANGELIST, {"action": "retry_now", "_selected_action": [failed_email.pk]})
    failed_email.refresh_from_db()
    assert failed_email.status == OutgoingEmail.Status.QUEUED


@pytest.mark.parametrize("group", ["Event managers", "Membership secretary"])
def test_other_staff_groups_do_not_see_outgoing_email(client, failed_email, group):
    """Its recipients and subjects tell who asked for a password reset or an email change."""
    from django.contrib.auth.models import Group  # noqa: PLC0415

    from membership.models import User  # noqa: PLC0415

    volunteer = User.objects.create_user(
        email="volunteer@example.org", password="a-long-password-1", is_staff=True
    )
    volunteer.groups.add(Group.objects.get(name=group))
    client.force_login(volunteer)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"{CHANGELIST}{failed_email.pk}/change/").status_code == 403
    assert "outgoingemail" not in client.get("/admin/").content.decode()


def test_the_treasurer_never_sees_a_password_reset_link(client, treasurer, queued_only):
    from membership.models import User  # noqa: PLC0415

    User.objects.create_user(email="ann@example.org", password="a-long-password-1")
    client.post("/account/password/reset/", {"email": "ann@example.org"})
    email = OutgoingEmail.objects.get(recipients__contains="ann@example.org")
    link = re.search(r"/account/password/reset/[\w-]+/[\w-]+/", json.dumps(email.message))
    assert link is not None
    client.force_login(treasurer)
    page = client.get(f"{CHANGELIST}{email.pk}/change/")
    assert page.status_code == 200
    assert link.group() not in page.content.decode()


def test_changelist_warns_when_nothing_has_sent_email_for_minutes(admin_client, queued_only):
    """Queued and due for five minutes: neither the worker nor cron is running."""
    send_mail("Stuck", "Body", None, ["ann@example.org"])
    assert "seem to be stopped" not in admin_client.get(CHANGELIST).content.decode()
    OutgoingEmail.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=6))
    assert "1 email has waited more than five minutes" in (
        admin_client.get(CHANGELIST).content.decode()
    )
