"""Mailings in the admin: who may mail whom, the venue-reveal refusal, preview, test, send."""

import datetime

import pytest
from django.core import mail

from news.delivery import queue_due_mailings
from news.models import Mailing
from tests.events.factories import make_staff

pytestmark = pytest.mark.django_db

ADD = "/admin/news/mailing/add/"


def form_data(**fields):
    data = {
        "subject": "Hello",
        "body": "Wear white, the weather looks fine.",
        "audience": Mailing.Audience.SUBSCRIBERS,
        "send_at_0": "",
        "send_at_1": "",
    }
    data.update(fields)
    return data


@pytest.fixture
def manager(db):
    return make_staff("manager@example.org", group="Event managers")


@pytest.fixture
def secretary(db):
    return make_staff("secretary@example.org", group="Membership secretary")


def test_event_managers_mail_ticket_holders_only(client, manager, secret_event, association):
    client.force_login(manager)
    refused = client.post(ADD, form_data(audience=Mailing.Audience.MEMBERS))
    assert refused.status_code == 200 and not Mailing.objects.exists()
    refused = client.post(ADD, form_data(audience=Mailing.Audience.SUBSCRIBERS))
    assert refused.status_code == 200 and not Mailing.objects.exists()
    accepted = client.post(
        ADD, form_data(audience=Mailing.Audience.TICKET_HOLDERS, event=secret_event.pk)
    )
    assert accepted.status_code == 302
    assert Mailing.objects.get().created_by == manager


def test_membership_secretary_mails_members_and_subscribers_not_ticket_holders(
    client, secretary, secret_event, association
):
    client.force_login(secretary)
    refused = client.post(
        ADD, form_data(audience=Mailing.Audience.TICKET_HOLDERS, event=secret_event.pk)
    )
    assert refused.status_code == 200 and not Mailing.objects.exists()
    for audience in (Mailing.Audience.MEMBERS, Mailing.Audience.SUBSCRIBERS):
        assert client.post(ADD, form_data(audience=audience)).status_code == 302
    assert Mailing.objects.count() == 2


def test_others_may_not_mail(client, association, make_mailing):
    clerk = make_staff("clerk@example.org")
    client.force_login(clerk)
    assert client.get(ADD).status_code == 403
    mailing = make_mailing()
    assert client.get(f"/admin/news/mailing/{mailing.pk}/preview/").status_code in (403, 404)


def test_staff_see_and_change_only_mailings_to_their_audiences(
    client, manager, make_mailing, secret_event, association
):
    members = make_mailing(audience=Mailing.Audience.MEMBERS)
    client.force_login(manager)
    assert client.get(f"/admin/news/mailing/{members.pk}/change/").status_code == 302
    response = client.post(f"/admin/news/mailing/{members.pk}/change/", form_data(_send_now="1"))
    assert response.status_code in (302, 403)
    members.refresh_from_db()
    assert members.status == Mailing.Status.DRAFT


def test_mailing_naming_a_secret_venue_is_refused_before_the_reveal(
    client, manager, secret_event, association
):
    client.force_login(manager)
    for text in ("See you at The Secret Garden Hall!", "Come to 12 hidden lane at 7."):
        response = client.post(
            ADD,
            form_data(audience=Mailing.Audience.TICKET_HOLDERS, event=secret_event.pk, body=text),
        )
        assert response.status_code == 200
        assert "stays secret until" in response.content.decode()
    assert not Mailing.objects.exists()


def test_secret_venue_mailing_may_go_after_the_reveal(secret_event, make_mailing, now):
    mailing = make_mailing(
        audience=Mailing.Audience.TICKET_HOLDERS,
        event=secret_event,
        body="Meet at The Secret Garden Hall.",
    )
    assert mailing.reveals_secret_venue(now)
    assert not mailing.reveals_secret_venue(secret_event.venue_reveal_at)


def test_scheduled_mailing_still_secret_when_due_is_not_sent(
    secret_event, make_mailing, make_post, now, association
):
    post = make_post(event=secret_event, body="Dinner at The Secret Garden Hall.")
    mailing = make_mailing(body=post.body, post=post, status=Mailing.Status.SCHEDULED, send_at=now)
    queue_due_mailings(now=now)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT and not mailing.deliveries.exists()


def test_preview_test_and_send_now(client, secretary, make_mailing, make_subscriber, association):
    make_subscriber("ann@example.org")
    mailing = make_mailing(body="**Spring** news <script>bad()</script>")
    client.force_login(secretary)
    preview = client.get(f"/admin/news/mailing/{mailing.pk}/preview/")
    assert preview.status_code == 200
    assert b"<strong>Spring</strong>" in preview.content and b"<script" not in preview.content
    change = f"/admin/news/mailing/{mailing.pk}/change/"
    data = form_data(body=mailing.body)
    assert client.post(change, {**data, "_send_test": "1"}).status_code == 302
    assert [m.to for m in mail.outbox] == [["secretary@example.org"]]
    assert mail.outbox[0].subject.startswith("[Test]")
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT and not mailing.deliveries.exists()
    response = client.post(change, {**data, "_send_now": "1"})
    assert response["Location"] == f"/admin/news/mailing/{mailing.pk}/send/"
    assert client.post(response["Location"]).status_code == 302
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SCHEDULED and mailing.send_at is not None


def test_schedule_needs_a_future_time(client, secretary, make_mailing, association, now):
    mailing = make_mailing()
    client.force_login(secretary)
    change = f"/admin/news/mailing/{mailing.pk}/change/"
    client.post(change, {**form_data(body=mailing.body), "_schedule": "1"})
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
    later = (now + datetime.timedelta(days=2)).astimezone(datetime.UTC)
    from django.utils import timezone

    local = timezone.localtime(later)
    client.post(
        change,
        {
            **form_data(body=mailing.body),
            "send_at_0": local.strftime("%Y-%m-%d"),
            "send_at_1": local.strftime("%H:%M:%S"),
            "_schedule": "1",
        },
    )
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SCHEDULED and mailing.send_at == later


def test_progress_and_failures_show_in_the_admin(admin_client, make_mailing, association, now):
    from news.models import Delivery

    mailing = make_mailing(status=Mailing.Status.SENT, queued_at=now)
    Delivery.objects.create(mailing=mailing, email="a@example.org", status="sent")
    Delivery.objects.create(
        mailing=mailing, email="b@example.org", status="failed", error="550 No such user"
    )
    body = admin_client.get(f"/admin/news/mailing/{mailing.pk}/change/").content.decode()
    assert "sent: 1" in body and "failed: 1" in body and "550 No such user" in body
    assert admin_client.get("/admin/news/mailing/").status_code == 200


def test_a_mailing_is_made_from_a_post(admin_client, make_post, association):
    post = make_post(title="Toulon arrives", summary="Friday.", body="Details.")
    response = admin_client.post(
        "/admin/news/post/", {"action": "make_mailing", "_selected_action": [post.pk]}
    )
    mailing = Mailing.objects.get()
    assert response.status_code == 302 and str(mailing.pk) in response.url
    assert mailing.subject == "Toulon arrives" and "Details." in mailing.body
    assert mailing.post == post and mailing.status == Mailing.Status.DRAFT


# --- "Send now" says how many it reaches and asks first (issue 18, item 21) ---


def test_send_now_says_how_many_people_it_reaches_and_sends_nothing_until_confirmed(
    client, secretary, make_mailing, make_subscriber, association
):
    make_subscriber("ann@example.org")
    make_subscriber("bob@example.org")
    mailing = make_mailing()
    client.force_login(secretary)
    response = client.post(
        f"/admin/news/mailing/{mailing.pk}/change/", {**form_data(), "_send_now": "1"}, follow=True
    )
    page = response.content.decode()
    assert "It will be sent to 2 people: newsletter subscribers." in page
    assert 'value="Yes, send it now"' in page
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
    client.post(f"/admin/news/mailing/{mailing.pk}/send/")
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SCHEDULED


def test_send_now_counts_one_person_in_the_singular(
    client, secretary, make_mailing, make_subscriber, association
):
    make_subscriber("ann@example.org")
    client.force_login(secretary)
    page = client.get(f"/admin/news/mailing/{make_mailing().pk}/send/").content.decode()
    assert "It will be sent to 1 person: newsletter subscribers." in page


def test_send_now_page_refuses_staff_who_may_not_mail_that_audience(
    client, manager, make_mailing, association
):
    mailing = make_mailing(audience=Mailing.Audience.MEMBERS)
    client.force_login(manager)
    assert client.post(f"/admin/news/mailing/{mailing.pk}/send/").status_code == 404
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT


# --- The mailing form shows the fields its audience needs (issue 18, item 21) ---


def _sections(page):
    return {fieldset.name: fieldset.classes for fieldset in page.context["adminform"]}


def test_mailing_form_folds_away_what_the_audience_does_not_need(
    client, secretary, make_mailing, association
):
    client.force_login(secretary)
    new = _sections(client.get(ADD))
    assert "collapse" in new["Ticket holders"] and "collapse" in new["Members"]
    members = make_mailing(audience=Mailing.Audience.MEMBERS)
    sections = _sections(client.get(f"/admin/news/mailing/{members.pk}/change/"))
    assert "collapse" not in sections["Members"]
    assert "collapse" in sections["Ticket holders"]
    html = client.get(f"/admin/news/mailing/{members.pk}/change/").content.decode()
    assert "<details" in html  # folded without JavaScript


def test_a_plan_left_from_a_members_draft_does_not_narrow_a_newsletter(
    client, secretary, make_mailing, association
):
    from membership.models import MembershipPlan  # noqa: PLC0415

    plan = MembershipPlan.objects.create(name="Student", slug="student", annual_dues=10)
    mailing = make_mailing(audience=Mailing.Audience.MEMBERS, plan=plan)
    client.force_login(secretary)
    response = client.post(
        f"/admin/news/mailing/{mailing.pk}/change/",
        form_data(audience=Mailing.Audience.SUBSCRIBERS, plan=plan.pk),
    )
    assert response.status_code == 302
    mailing.refresh_from_db()
    assert mailing.audience == Mailing.Audience.SUBSCRIBERS and mailing.plan is None
