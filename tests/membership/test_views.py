import datetime
import json
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from membership.models import Membership, MembershipPlan, User

pytestmark = pytest.mark.django_db

D = datetime.date
PASSWORD = "a-long-member-password"


def join_data(**overrides):
    data = {
        "email": "grace@example.org",
        "password1": "Unguessable-Phrase-42",
        "password2": "Unguessable-Phrase-42",
        "first_name": "Grace",
        "last_name": "Hopper",
        "phone": "757-555-0100",
        "address_line1": "1 Main Street",
        "city": "Norfolk",
        "region": "VA",
        "postal_code": "23510",
        "country": "US",
        "newsletter_opt_in": "on",
        "interests": "Toulon, education committee",
        "payment_method": "offline",
    }
    data.update(overrides)
    return data


def confirm_signup(client):
    """Follow the link of the last confirmation email, as its recipient does."""
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/confirm/" in line)
    path = urlsplit(link.strip()).path
    assert client.get(path).status_code == 200
    return client.post(path)


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def test_plan_list_shows_offered_plans_with_dues_and_aims(client, association, make_plan):
    make_plan("individual", name="Individual", is_sample_price=True)
    make_plan("hidden", name="Old plan", is_offered=False)
    response = client.get("/membership/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Individual" in html and "$35.00" in html
    assert "Old plan" not in html
    assert "Sample price" in html
    assert "First aim." in html and "Second aim." in html
    assert "To foster international understanding." in html


def test_plan_list_does_not_say_sample_for_real_dues(client, make_plan):
    make_plan("individual", is_sample_price=False)
    assert "Sample price" not in client.get("/membership/").content.decode()


@pytest.mark.parametrize("count", [2, 8])
def test_plan_list_query_count_does_not_grow(
    client, make_plan, count, django_assert_max_num_queries
):
    for i in range(count):
        make_plan(f"plan-{i}")
    with django_assert_max_num_queries(4):
        client.get("/membership/")


def test_visitor_joins_creates_account_and_pending_membership(
    client, plan, django_capture_on_commit_callbacks
):
    answer = client.post(reverse("membership:join", args=[plan.slug]), join_data())
    assert answer.status_code == 302
    assert answer["Location"] == "/membership/join/individual/sent/"
    assert "_auth_user_id" not in client.session
    assert [m.subject for m in mail.outbox] == ["Confirm your email address to finish joining"]
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_signup(client)
    user = User.objects.get(email="grace@example.org")
    membership = user.memberships.get()
    assert response.status_code == 302
    assert response["Location"] == membership.get_absolute_url()
    assert membership.status == Membership.Status.PENDING
    assert membership.interests == "Toulon, education committee"
    assert user.newsletter_opt_in and user.city == "Norfolk"
    assert user.check_password("Unguessable-Phrase-42")
    assert client.session["_auth_user_id"] == str(user.pk)
    page = client.get(membership.get_absolute_url()).content.decode()
    assert membership.reference in page
    assert [m.to for m in mail.outbox] == [["grace@example.org"]] * 2


def test_join_with_free_plan_is_active_at_once(client, free_plan):
    client.post(reverse("membership:join", args=[free_plan.slug]), join_data(payment_method="free"))
    confirm_signup(client)
    assert Membership.objects.get().status == Membership.Status.ACTIVE


def test_signup_refuses_an_email_registered_in_another_case(client, plan, make_user):
    make_user("grace@example.org")
    response = client.post(
        reverse("membership:join", args=[plan.slug]), join_data(email="GRACE@Example.ORG")
    )
    assert response.status_code == 302
    assert User.objects.count() == 1
    assert not Membership.objects.exists()
    assert [m.to for m in mail.outbox] == [["grace@example.org"]]
    assert mail.outbox[0].subject == "Someone tried to create an account with your address"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("password2", "something-else-entirely"),
        ("password1", "123"),
        ("first_name", ""),
        ("postal_code", ""),
        ("country", "USA"),
        ("payment_method", "free"),
        ("payment_method", "bitcoin"),
    ],
)
def test_join_bad_input_is_a_400_with_an_error(client, plan, field, value):
    response = client.post(
        reverse("membership:join", args=[plan.slug]), join_data(**{field: value})
    )
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not User.objects.exists()


def test_household_plan_refuses_more_names_than_it_covers(client, make_plan):
    plan = make_plan("household", people_covered=2)
    response = client.post(
        reverse("membership:join", args=[plan.slug]),
        join_data(household_member_names="One Person\nTwo People"),
    )
    assert response.status_code == 400
    assert "at most 1" in response.content.decode()


def test_household_names_reach_the_membership(client, household_plan):
    client.post(
        reverse("membership:join", args=[household_plan.slug]),
        join_data(household_member_names="Byron\n\nAnnabella"),
    )
    confirm_signup(client)
    assert Membership.objects.get().household_names_list() == ["Byron", "Annabella"]


def test_unknown_or_withdrawn_plan_is_404(client, make_plan):
    make_plan("old", is_offered=False)
    assert client.get("/membership/join/old/").status_code == 404
    assert client.get("/membership/join/nope/").status_code == 404


def test_signed_in_member_joins_without_account_fields(signed_in, plan, member):
    page = signed_in.get(reverse("membership:join", args=[plan.slug])).content.decode()
    assert 'name="password1"' not in page
    data = join_data()
    for key in ("email", "password1", "password2"):
        data.pop(key)
    response = signed_in.post(reverse("membership:join", args=[plan.slug]), data)
    assert response.status_code == 302
    assert member.memberships.get().status == Membership.Status.PENDING


def test_member_in_mid_term_is_told_when_renewal_opens(signed_in, plan, member, make_membership):
    make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12), tick=False):
        response = signed_in.post(reverse("membership:join", args=[plan.slug]), {})
    assert response.status_code == 409
    assert "You can renew from December 1, 2026" in response.content.decode()
    assert member.memberships.count() == 1


def test_account_requires_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=/account/")


def test_account_shows_pending_membership(signed_in, member, make_membership):
    pending = make_membership(
        member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31), status=Membership.Status.PENDING
    )
    html = signed_in.get("/account/").content.decode()
    assert "Pending payment" in html and pending.reference in html


def test_account_shows_current_membership_and_renew_button_from_30_days(
    signed_in, member, make_membership
):
    make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    with time_machine.travel(datetime.datetime(2026, 11, 30, 12), tick=False):
        before = signed_in.get("/account/").content.decode()
    with time_machine.travel(datetime.datetime(2026, 12, 1, 12), tick=False):
        within = signed_in.get("/account/").content.decode()
    assert "December 31, 2026" in before
    assert ">Renew<" not in before and "You can renew from December 1, 2026" in before
    assert ">Renew<" in within


def test_account_lists_past_memberships(signed_in, member, make_membership):
    make_membership(member, starts_on=D(2020, 1, 1), ends_on=D(2020, 12, 31))
    html = signed_in.get("/account/").content.decode()
    assert "Past memberships" in html and "January 1, 2020" in html


def test_member_cannot_see_another_members_membership(client, make_user, make_membership):
    owner, other = make_user(), make_user()
    theirs = make_membership(owner, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    client.force_login(other)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    client.force_login(owner)
    assert client.get(theirs.get_absolute_url()).status_code == 200


def test_data_export_holds_only_the_members_own_data(signed_in, member, make_user, make_membership):
    make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    make_membership(make_user("someone@example.org"), starts_on=D(2026, 1, 1), ends_on=None)
    response = signed_in.get("/account/data/")
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert data["account"]["email"] == "ada@example.org"
    assert [m["ends_on"] for m in data["memberships"]] == ["2026-12-31"]
    assert "someone@example.org" not in response.content.decode()


def test_account_view_sections_and_export_extend_by_subclassing(rf, member):
    from membership.views import AccountView

    class Extended(AccountView):
        def get_account_sections(self):
            return ["membership/includes/test_section.html"]

        def get_export_data(self):
            return {**super().get_export_data(), "orders": ["A1"]}

    request = rf.get("/account/")
    request.user = member
    view = Extended(request=request, kwargs={})
    assert view.get_context_data()["account_sections"] == ["membership/includes/test_section.html"]
    assert view.get_export_data()["orders"] == ["A1"]


def test_profile_edit_saves_and_bad_input_is_400(signed_in, member):
    data = {
        "first_name": "Ada",
        "last_name": "King",
        "address_line1": "2 Side Street",
        "city": "Norfolk",
        "postal_code": "23510",
        "country": "us",
    }
    assert signed_in.post("/account/profile/", data).status_code == 302
    member.refresh_from_db()
    assert (member.last_name, member.country) == ("King", "US")
    assert signed_in.post("/account/profile/", {**data, "city": ""}).status_code == 400


def test_change_email_needs_the_current_password(signed_in, member):
    wrong = signed_in.post("/account/email/", {"email": "new@example.org", "password": "nope"})
    assert wrong.status_code == 400
    ok = signed_in.post("/account/email/", {"email": "new@example.org", "password": PASSWORD})
    assert ok.status_code == 302
    # The address changes only once the link sent to it is followed (test_email_change.py).
    member.refresh_from_db()
    assert member.email == "ada@example.org"
    assert mail.outbox[-1].to == ["new@example.org"]


def test_logout_is_post_only(signed_in):
    assert signed_in.get("/account/logout/").status_code == 405
    assert signed_in.post("/account/logout/").status_code == 302
    assert "_auth_user_id" not in signed_in.session


def test_password_reset_never_reveals_whether_an_account_exists(client, member):
    known = client.post("/account/password/reset/", {"email": "ADA@example.org"})
    unknown = client.post("/account/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/account/password/reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.org"]


def test_password_reset_link_sets_a_new_password(client, member):
    client.post("/account/password/reset/", {"email": "ada@example.org"})
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/account/password/reset/" in line
    )
    path = link.split("testserver", 1)[1]
    form_url = client.get(path)["Location"]
    bad = client.post(form_url, {"new_password1": "x", "new_password2": "y"})
    assert bad.status_code == 400
    response = client.post(
        form_url, {"new_password1": "Brand-New-Phrase-77", "new_password2": "Brand-New-Phrase-77"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("Brand-New-Phrase-77")
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_password_change_requires_old_password(signed_in, member):
    bad = signed_in.post(
        "/account/password/change/",
        {"old_password": "wrong", "new_password1": "N3w-Phrase-x", "new_password2": "N3w-Phrase-x"},
    )
    assert bad.status_code == 400
    good = signed_in.post(
        "/account/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "N3w-Phrase-x",
            "new_password2": "N3w-Phrase-x",
        },
    )
    assert good.status_code == 302
    member.refresh_from_db()
    assert member.check_password("N3w-Phrase-x")


def test_join_page_shows_sample_price_note(client, make_plan):
    plan = make_plan("student", annual_dues=Decimal("15.00"), is_sample_price=True)
    html = client.get(plan.get_absolute_url()).content.decode()
    assert "$15.00" in html and "sample price" in html
    assert MembershipPlan.objects.count() == 1


@pytest.mark.parametrize("count", [1, 6])
def test_account_page_query_count_does_not_grow(
    signed_in, member, make_membership, count, django_assert_max_num_queries
):
    for year in range(2010, 2010 + count):
        make_membership(member, starts_on=D(year, 1, 1), ends_on=D(year, 12, 31))
    # 9: the exchange applications section (composed in by nsca) is one query.
    with django_assert_max_num_queries(9):
        response = signed_in.get("/account/")
    assert response.content.decode().count("/account/memberships/") == count


def test_member_renews_early_from_the_account_page(signed_in, plan, member, make_membership):
    make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    data = join_data()
    for key in ("email", "password1", "password2"):
        data.pop(key)
    with time_machine.travel(datetime.datetime(2026, 12, 10, 12), tick=False):
        signed_in.force_login(member)  # a session from the real today would have expired
        page = signed_in.get(plan.get_absolute_url()).content.decode()
        response = signed_in.post(plan.get_absolute_url(), data)
    assert "<h1>Renew: Individual</h1>" in page
    assert response.status_code == 302
    renewal = member.memberships.get(status=Membership.Status.PENDING)
    assert (renewal.starts_on, renewal.ends_on) == (D(2027, 1, 1), D(2027, 12, 31))


def test_join_form_shows_errors_of_every_section_at_once(client, plan):
    response = client.post(
        reverse("membership:join", args=[plan.slug]),
        join_data(email="bad", first_name="", payment_method=""),
    )
    errors = response.context["signup_form"].errors, response.context["profile_form"].errors
    assert "email" in errors[0] and "first_name" in errors[1]
    assert "payment_method" in response.context["join_form"].errors


def test_double_submission_creates_one_membership(signed_in, plan, member):
    data = join_data()
    for key in ("email", "password1", "password2"):
        data.pop(key)
    first = signed_in.post(reverse("membership:join", args=[plan.slug]), data)
    second = signed_in.post(reverse("membership:join", args=[plan.slug]), data)
    assert (first.status_code, second.status_code) == (302, 409)
    assert member.memberships.count() == 1


def test_join_refused_under_the_lock_is_a_409(signed_in, plan, member, monkeypatch):
    from membership import views

    # The check before the forms passes; the one under the row lock refuses.
    monkeypatch.setattr(views, "why_cannot_join", lambda user, today: None)
    Membership.objects.create(
        user=member, plan=plan, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31)
    )
    data = join_data()
    for key in ("email", "password1", "password2"):
        data.pop(key)
    response = signed_in.post(reverse("membership:join", args=[plan.slug]), data)
    assert response.status_code == 409
    assert "waiting for payment" in response.content.decode()
    assert member.memberships.count() == 1


@pytest.fixture
def signin_limits(settings):
    settings.MEMBERSHIP_SIGNIN_LIMIT_PER_ACCOUNT = 3
    settings.MEMBERSHIP_SIGNIN_LIMIT_PER_IP = 20
    settings.MEMBERSHIP_SIGNIN_WINDOW_SECONDS = 600
    return settings


def test_email_change_password_guesses_are_limited_like_sign_in(signed_in, member, signin_limits):
    for _ in range(3):
        wrong = signed_in.post("/account/email/", {"email": "new@example.org", "password": "nope"})
        assert wrong.status_code == 400
    right = signed_in.post("/account/email/", {"email": "new@example.org", "password": PASSWORD})
    assert right.status_code == 429 and right["Retry-After"] == "600"
    assert "Too many wrong passwords" in right.content.decode()
    member.refresh_from_db()
    assert member.email == "ada@example.org"


def test_email_change_password_failures_count_towards_the_sign_in_limit(
    client, member, signin_limits
):
    client.force_login(member)
    for _ in range(3):
        client.post("/account/email/", {"email": "new@example.org", "password": "nope"})
    client.logout()
    response = client.post("/account/login/", {"username": member.email, "password": PASSWORD})
    assert response.status_code == 429


def test_account_hides_renew_once_the_next_term_is_paid(signed_in, plan, member, make_membership):
    make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    make_membership(member, starts_on=D(2027, 1, 1), ends_on=D(2027, 12, 31))
    with time_machine.travel(datetime.datetime(2026, 12, 15, 12), tick=False):
        signed_in.force_login(member)
        html = signed_in.get("/account/").content.decode()
        refused = signed_in.post(plan.get_absolute_url(), {})
    assert ">Renew<" not in html
    assert "You can renew from December 1, 2027" in html
    assert "Renewed until December 31, 2027" in html
    assert refused.status_code == 409
    assert "Your membership runs until December 31, 2027" in refused.content.decode()
    assert member.memberships.count() == 2
    with time_machine.travel(datetime.datetime(2027, 12, 1, 12), tick=False):
        signed_in.force_login(member)
        assert ">Renew<" in signed_in.get("/account/").content.decode()


@pytest.fixture
def pending_membership(member, make_membership):
    return make_membership(
        member, starts_on=D(2026, 6, 1), ends_on=D(2027, 5, 31), status=Membership.Status.PENDING
    )


def cancel_url(membership):
    return reverse("membership:membership_cancel", args=[membership.pk])


def test_member_cancels_their_own_unpaid_membership(signed_in, member, pending_membership):
    page = signed_in.get(pending_membership.get_absolute_url()).content.decode()
    assert f'action="{cancel_url(pending_membership)}"' in page
    response = signed_in.post(cancel_url(pending_membership))
    assert response.status_code == 302 and response["Location"] == "/account/"
    pending_membership.refresh_from_db()
    assert pending_membership.status == Membership.Status.CANCELLED
    assert "Pending payment" not in signed_in.get("/account/").content.decode()


def test_only_the_owner_may_cancel_a_membership(client, make_user, pending_membership):
    client.force_login(make_user())
    assert client.post(cancel_url(pending_membership)).status_code == 404
    pending_membership.refresh_from_db()
    assert pending_membership.status == Membership.Status.PENDING


def test_cancelling_a_membership_needs_post_and_csrf(member, pending_membership):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    assert browser.post(cancel_url(pending_membership)).status_code == 403
    pending_membership.refresh_from_db()
    assert pending_membership.status == Membership.Status.PENDING


def test_a_paid_membership_cannot_be_cancelled_by_the_member(signed_in, member, make_membership):
    paid = make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    assert (
        'action="' + cancel_url(paid) not in signed_in.get(paid.get_absolute_url()).content.decode()
    )
    response = signed_in.post(cancel_url(paid), follow=True)
    assert "Only a membership waiting for payment can be cancelled." in response.content.decode()
    paid.refresh_from_db()
    assert paid.status == Membership.Status.ACTIVE


def member_join_data():
    data = join_data()
    for key in ("email", "password1", "password2"):
        data.pop(key)
    return data


@pytest.fixture
def withdrawn_plan(make_plan):
    return make_plan("founders", name="Founders", is_offered=False)


@pytest.mark.parametrize(
    "today",
    [datetime.datetime(2026, 12, 10, 12), datetime.datetime(2027, 1, 20, 12)],
    ids=["current", "in-grace"],
)
def test_member_renews_the_withdrawn_plan_they_hold(
    signed_in, member, make_membership, withdrawn_plan, today, settings
):
    settings.MEMBERSHIP_GRACE_DAYS = 30
    make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31), plan=withdrawn_plan)
    with time_machine.travel(today, tick=False):
        signed_in.force_login(member)
        account = signed_in.get("/account/").content.decode()
        page = signed_in.get(withdrawn_plan.get_absolute_url())
        response = signed_in.post(withdrawn_plan.get_absolute_url(), member_join_data())
    assert f'href="{withdrawn_plan.get_absolute_url()}"' in account
    assert page.status_code == 200 and "<h1>Renew: Founders</h1>" in page.content.decode()
    assert response.status_code == 302
    renewal = member.memberships.get(status=Membership.Status.PENDING)
    assert (renewal.plan, renewal.starts_on) == (withdrawn_plan, D(2027, 1, 1))


def test_withdrawn_plan_stays_404_for_everyone_else(
    client, make_user, make_membership, withdrawn_plan, settings
):
    settings.MEMBERSHIP_GRACE_DAYS = 30
    url = withdrawn_plan.get_absolute_url()
    lapsed = make_user()
    make_membership(lapsed, starts_on=D(2025, 1, 1), ends_on=D(2025, 12, 31), plan=withdrawn_plan)
    holds_another_plan = make_user()
    make_membership(holds_another_plan, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    with time_machine.travel(datetime.datetime(2026, 12, 10, 12), tick=False):
        assert client.get(url).status_code == 404
        for user in (lapsed, holds_another_plan):
            client.force_login(user)
            assert client.get(url).status_code == 404
            assert client.post(url, member_join_data()).status_code == 404


def test_payment_page_gives_dues_instructions_even_for_old_ticket_wording(
    signed_in, pending_membership
):
    # Memberships started before dues had their own wording stored the ticket wording.
    pending_membership.payment_method = "offline"
    pending_membership.payment_instructions = "Please pay by check or at the door."
    pending_membership.save()
    html = signed_in.get(pending_membership.get_absolute_url()).content.decode()
    assert "at the door" not in html
    assert f"write <strong>{pending_membership.reference}</strong> on it" in html
    assert "becomes active when we record your payment" in html


def test_join_page_offers_paying_dues_by_check_not_at_the_door(client, plan):
    html = client.get(plan.get_absolute_url()).content.decode()
    assert "Pay by check" in html and "at the door" not in html


def test_past_memberships_is_named_once_after_cancelling_a_pending_one(
    signed_in, pending_membership
):
    signed_in.post(cancel_url(pending_membership))
    html = signed_in.get("/account/").content.decode()
    # The heading names the table (aria-labelledby); a second, hidden caption was read twice.
    assert html.count("Past memberships") == 1
    assert 'aria-labelledby="past-memberships-heading"' in html


def test_get_on_cancel_redirects_to_the_membership_page_and_cancels_nothing(
    signed_in, pending_membership
):
    response = signed_in.get(cancel_url(pending_membership))
    assert response.status_code == 302
    assert response["Location"] == pending_membership.get_absolute_url()
    pending_membership.refresh_from_db()
    assert pending_membership.status == Membership.Status.PENDING


def test_get_on_cancel_of_another_members_membership_is_404(client, make_user, pending_membership):
    client.force_login(make_user())
    assert client.get(cancel_url(pending_membership)).status_code == 404


# --- password reset: limited, and the same answer in the same time (issue 12, item 5) ---


@pytest.fixture
def reset_limits(settings):
    settings.MEMBERSHIP_PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    settings.MEMBERSHIP_PASSWORD_RESET_LIMIT_PER_IP = 6
    settings.MEMBERSHIP_PASSWORD_RESET_WINDOW_SECONDS = 3600
    return settings


def test_password_reset_sends_at_most_the_limit_per_address(client, member, reset_limits):
    answers = [
        client.post("/account/password/reset/", {"email": email}, REMOTE_ADDR=f"203.0.113.{n}")
        for n, email in enumerate(["ada@example.org", "ADA@example.org"] * 3)
    ]
    # Every request gets the same answer; only the first three send an email.
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, "/account/password/reset/sent/")
    }
    assert [m.to for m in mail.outbox] == [["ada@example.org"]] * 3


def test_password_reset_per_address_limit_lifts_after_the_window(client, member, reset_limits):
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)) as clock:
        for _ in range(4):
            client.post("/account/password/reset/", {"email": "ada@example.org"})
        assert len(mail.outbox) == 3
        clock.shift(3601)
        client.post("/account/password/reset/", {"email": "ada@example.org"})
        assert len(mail.outbox) == 4


def test_password_reset_is_limited_per_ip_with_a_429_page(client, member, reset_limits):
    for n in range(6):
        answer = client.post(
            "/account/password/reset/",
            {"email": f"someone{n}@example.org"},
            REMOTE_ADDR="192.0.2.1",
        )
        assert answer.status_code == 302
    refused = client.post(
        "/account/password/reset/", {"email": "ada@example.org"}, REMOTE_ADDR="192.0.2.1"
    )
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert "Too many requests" in refused.content.decode()
    assert mail.outbox == []
    other = client.post(
        "/account/password/reset/", {"email": "ada@example.org"}, REMOTE_ADDR="192.0.2.2"
    )
    assert other.status_code == 302 and len(mail.outbox) == 1


@pytest.mark.parametrize("email", ["ada@example.org", "nobody@example.org"])
def test_password_reset_answers_before_looking_for_the_account_or_sending(
    rf, member, email, django_assert_num_queries
):
    """Whatever takes longer for a known address (the account's lookup, the token, the
    email) happens after the answer is sent, so the time to answer tells nothing."""
    from django.contrib.sessions.backends.cache import SessionStore

    from membership.views import PasswordResetView

    request = rf.post("/account/password/reset/", {"email": email})
    request.session = SessionStore()
    request._dont_enforce_csrf_checks = True
    with django_assert_num_queries(1):  # the per-address limit's key, the same either way
        response = PasswordResetView.as_view()(request)
    assert response.status_code == 302 and mail.outbox == []
    response.close()  # what the server does once the answer has gone
    assert len(mail.outbox) == (1 if email == "ada@example.org" else 0)


# --- password change: guesses limited, the owner told (item 7) ---


def change_password(client, old, new="N3w-Phrase-x"):
    return client.post(
        "/account/password/change/",
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_password_change_guesses_are_limited_like_sign_in(signed_in, member, signin_limits):
    for _ in range(3):
        assert change_password(signed_in, "wrong").status_code == 400
    refused = change_password(signed_in, PASSWORD)
    assert refused.status_code == 429 and refused["Retry-After"] == "600"
    assert "Too many wrong passwords" in refused.content.decode()
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_password_change_guesses_count_towards_the_sign_in_lockout(client, member, signin_limits):
    client.force_login(member)
    for _ in range(3):
        change_password(client, "wrong")
    client.logout()
    response = client.post("/account/login/", {"username": member.email, "password": PASSWORD})
    assert response.status_code == 429


def test_password_change_emails_the_owner(signed_in, member):
    assert change_password(signed_in, PASSWORD).status_code == 302
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    assert mail.outbox[0].subject == "Your password was changed"
    assert "/account/password/reset/" in mail.outbox[0].body


def test_password_reset_emails_the_owner_that_the_password_changed(client, member):
    client.post("/account/password/reset/", {"email": "ada@example.org"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
    form_url = client.get(link.split("testserver", 1)[1])["Location"]
    new = "Brand-New-Phrase-77"
    client.post(form_url, {"new_password1": new, "new_password2": new})
    assert mail.outbox[-1].subject == "Your password was changed"
    assert mail.outbox[-1].to == ["ada@example.org"]


# --- account pages are never stored by a browser or proxy (item 10) ---


@pytest.mark.parametrize(
    "path",
    [
        "/account/",
        "/account/data/",
        "/account/profile/",
        "/account/email/",
        "/account/password/change/",
        "/account/password/change/done/",
        "/account/memberships/{membership}/",
        "/membership/join/individual/",
    ],
)
def test_account_pages_are_marked_no_store(signed_in, member, plan, make_membership, path):
    membership = make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    response = signed_in.get(path.format(membership=membership.pk))
    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control


def test_join_page_for_a_visitor_is_marked_no_store(client, plan):
    response = client.get("/membership/join/individual/")
    assert "no-store" in response["Cache-Control"]


# --- sign-up tells nobody whether an address has an account (item 9) ---


def test_signup_answers_the_same_whether_or_not_the_address_has_an_account(client, plan, make_user):
    from django.test import Client

    make_user("taken@example.org", first_name="Taken")
    answers = {}
    for email in ("taken@example.org", "fresh@example.org"):
        visitor = Client()
        answer = visitor.post(reverse("membership:join", args=[plan.slug]), join_data(email=email))
        page = visitor.get(answer["Location"])
        answers[email] = (answer.status_code, answer["Location"], page.content)
        assert "_auth_user_id" not in visitor.session
    assert answers["taken@example.org"] == answers["fresh@example.org"]
    assert b"Check your email" in answers["taken@example.org"][2]
    # Each address's owner learns what happened by email, and only they do.
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["taken@example.org"], "Someone tried to create an account with your address"),
        (["fresh@example.org"], "Confirm your email address to finish joining"),
    ]
    assert not User.objects.get(email="taken@example.org").check_password(join_data()["password1"])


@pytest.mark.parametrize("taken", [True, False])
def test_signup_answers_before_looking_for_the_account_or_sending(
    rf, plan, make_user, taken, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.cache import SessionStore

    from membership.views import JoinView

    if taken:
        make_user("grace@example.org")
    request = rf.post(reverse("membership:join", args=[plan.slug]), join_data())
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.user = AnonymousUser()
    with django_assert_num_queries(1):  # the plan, for a taken and a new address alike
        response = JoinView.as_view()(request, slug=plan.slug)
    assert response.status_code == 302 and mail.outbox == []
    response.close()
    assert len(mail.outbox) == 1


def test_an_unconfirmed_account_cannot_sign_in(client, plan):
    client.post(reverse("membership:join", args=[plan.slug]), join_data())
    response = client.post(
        "/account/login/", {"username": "grace@example.org", "password": "Unguessable-Phrase-42"}
    )
    # The answer to any wrong password: signing in cannot tell a new account from a taken one.
    assert response.status_code == 400
    assert "not right" in response.content.decode()


def test_the_confirmation_link_works_once(client, plan):
    client.post(reverse("membership:join", args=[plan.slug]), join_data())
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/confirm/" in line)
    path = urlsplit(link.strip()).path
    assert client.post(path).status_code == 302
    client.post("/account/logout/")
    assert client.get(path).status_code == 400
    assert client.post(path).status_code == 400
    assert "_auth_user_id" not in client.session
    assert Membership.objects.count() == 1


def test_opening_the_confirmation_link_changes_nothing_until_confirmed(client, plan):
    client.post(reverse("membership:join", args=[plan.slug]), join_data())
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/confirm/" in line)
    assert client.get(urlsplit(link.strip()).path).status_code == 200
    assert not User.objects.get(email="grace@example.org").is_active
    assert "_auth_user_id" not in client.session


def test_a_bad_confirmation_link_is_a_400(client, plan):
    assert client.get("/membership/join/individual/confirm/zzz/bad-token/").status_code == 400
    assert client.post("/membership/join/individual/confirm/MQ/bad-token/").status_code == 400


def test_confirming_in_another_browser_signs_in_and_begins_the_membership(client, plan):
    from django.test import Client

    client.post(reverse("membership:join", args=[plan.slug]), join_data())
    other = Client()
    response = confirm_signup(other)
    user = User.objects.get(email="grace@example.org")
    membership = user.memberships.get()
    assert response.status_code == 302 and response["Location"] == membership.get_absolute_url()
    assert user.is_active and other.session["_auth_user_id"] == str(user.pk)
    assert membership.interests == "Toulon, education committee"


def test_a_stranger_cannot_keep_an_address_by_signing_it_up_first(client, plan):
    from django.test import Client

    Client().post(
        reverse("membership:join", args=[plan.slug]),
        join_data(
            first_name="Mallory", password1="Mallorys-Phrase-99", password2="Mallorys-Phrase-99"
        ),
    )
    # The owner signs up later: the unconfirmed account is theirs to take over.
    client.post(reverse("membership:join", args=[plan.slug]), join_data())
    confirm_signup(client)
    user = User.objects.get(email="grace@example.org")
    assert user.first_name == "Grace" and user.check_password("Unguessable-Phrase-42")
    assert not user.check_password("Mallorys-Phrase-99")
