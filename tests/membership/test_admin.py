import csv
import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core import mail

from membership.models import Membership, RenewalReminder

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = datetime.datetime(2026, 6, 15, 12)


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def population(make_user, make_membership, plan, household_plan):
    people = {}
    people["ending"] = make_membership(
        make_user("ending@example.org", newsletter_opt_in=True, city="Norfolk"),
        starts_on=D(2025, 7, 1),
        ends_on=D(2026, 6, 30),
    )
    people["later"] = make_membership(
        make_user("later@example.org", newsletter_opt_in=False),
        starts_on=D(2026, 1, 1),
        ends_on=D(2026, 12, 31),
        plan=household_plan,
    )
    people["lapsed"] = make_membership(
        make_user("lapsed@example.org", newsletter_opt_in=True),
        starts_on=D(2024, 1, 1),
        ends_on=D(2024, 12, 31),
    )
    people["pending"] = make_membership(
        make_user("pending@example.org", newsletter_opt_in=True),
        starts_on=D(2026, 6, 1),
        ends_on=D(2027, 5, 31),
        status=Membership.Status.PENDING,
    )
    return people


def mailing_list(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def listed_emails(response):
    return {m.user.email for m in response.context["cl"].result_list}


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("term=ending", {"ending@example.org"}),
        ("term=lapsed", {"lapsed@example.org"}),
        ("status__exact=pending", {"pending@example.org"}),
        ("plan__id__exact={household}", {"later@example.org"}),
        ("q=LATER@", {"later@example.org"}),
    ],
)
def test_membership_admin_filters_and_search(
    admin_client, population, household_plan, query, expected
):
    query = query.format(household=household_plan.pk)
    response = admin_client.get(f"/admin/membership/membership/?{query}")
    assert response.status_code == 200
    assert listed_emails(response) == expected


@time_machine.travel(TODAY, tick=False)
def test_user_admin_filters_members_in_good_standing(admin_client, population):
    response = admin_client.get("/admin/membership/user/?member=yes")
    emails = {u.email for u in response.context["cl"].result_list}
    assert emails == {"ending@example.org", "later@example.org"}


@pytest.mark.parametrize("count", [2, 6])
def test_membership_admin_list_query_count_does_not_grow(
    admin_client, make_user, make_membership, count, django_assert_max_num_queries
):
    for _ in range(count):
        make_membership(make_user(), starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    with django_assert_max_num_queries(12):
        admin_client.get("/admin/membership/membership/")


def test_mark_dues_paid_action_activates_pending(
    admin_client, population, django_capture_on_commit_callbacks
):
    pending = population["pending"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/membership/membership/",
            {
                "action": "mark_dues_paid",
                "_selected_action": [pending.pk, population["later"].pk],
            },
        )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Membership.Status.ACTIVE and pending.paid_at is not None
    assert [m.to for m in mail.outbox] == [["pending@example.org"]]


@time_machine.travel(TODAY, tick=False)
def test_send_reminder_action_emails_active_members(admin_client, population):
    admin_client.post(
        "/admin/membership/membership/",
        {
            "action": "send_reminder",
            "_selected_action": [population["ending"].pk, population["pending"].pk],
        },
    )
    assert [m.to for m in mail.outbox] == [["ending@example.org"]]
    assert RenewalReminder.objects.get().kind == RenewalReminder.Kind.MANUAL


@time_machine.travel(TODAY, tick=False)
def test_mailing_list_csv_has_consenting_members_in_good_standing(admin_client, population):
    response = admin_client.get("/admin/membership/membership/mailing-list.csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = mailing_list(response)
    assert [row["Email address"] for row in rows] == ["ending@example.org"]
    assert rows[0]["City"] == "Norfolk" and rows[0]["Ends on"] == "2026-06-30"


def test_mailing_list_needs_permission(client, make_user):
    clerk = make_user("clerk@example.org", is_staff=True)
    client.force_login(clerk)
    assert client.get("/admin/membership/membership/mailing-list.csv").status_code == 403


def test_membership_secretary_group_has_exactly_its_permissions():
    group = Group.objects.get(name="Membership secretary")
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert codenames == {
        ("membership", "view_user"),
        ("membership", "change_user"),
        ("membership", "view_membershipplan"),
        ("membership", "view_membership"),
        ("membership", "add_membership"),
        ("membership", "change_membership"),
        ("membership", "view_renewalreminder"),
        # Donations are the secretary's too (donations' migration 0002).
        ("donations", "view_designation"),
        ("donations", "add_designation"),
        ("donations", "change_designation"),
        ("donations", "view_donation"),
        ("donations", "change_donation"),
        # news: mailings to members and subscribers (news/admin.py checks the audience)
        ("news", "add_post"),
        ("news", "change_post"),
        ("news", "view_post"),
        ("news", "add_mailing"),
        ("news", "change_mailing"),
        ("news", "view_mailing"),
        ("news", "view_delivery"),
        ("news", "view_subscriber"),
        ("news", "change_subscriber"),
        # No outgoing email (outbox's migration 0003): it lists password resets asked for.
    }


def test_membership_secretary_can_work_memberships_but_not_plans(client, make_user, population):
    secretary = make_user("secretary@example.org", is_staff=True)
    secretary.groups.add(Group.objects.get(name="Membership secretary"))
    client.force_login(secretary)
    assert client.get("/admin/membership/membership/").status_code == 200
    assert client.get("/admin/membership/membership/mailing-list.csv").status_code == 200
    assert (
        client.get(f"/admin/membership/user/{population['ending'].user_id}/change/").status_code
        == 200
    )
    assert client.get("/admin/membership/membershipplan/add/").status_code == 403
    assert (
        client.get(f"/admin/membership/membership/{population['ending'].pk}/delete/").status_code
        == 403
    )
    assert not secretary.has_perm("auth.change_group")
    assert not Permission.objects.filter(
        group__name="Membership secretary", codename__startswith="delete_"
    ).exists()


def test_admin_active_membership_without_payment_date_is_a_form_error(admin_client, member, plan):
    assert admin_client.get("/admin/membership/membership/add/").status_code == 200
    response = admin_client.post(
        "/admin/membership/membership/add/",
        {
            "user": member.pk,
            "plan": plan.pk,
            "status": "active",
            "starts_on": "2026-01-01",
            "ends_on": "2025-12-31",
            "amount_due": "35.00",
            "amount_paid": "35.00",
            "payment_method": "offline",
            "household_member_names": "",
            "interests": "",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "An active membership needs the date it was paid." in html
    assert "The end date cannot be before the start date." in html
    assert not Membership.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_lapsed_filter_leaves_out_members_who_renewed(admin_client, population, make_membership):
    renewed_user = population["lapsed"].user
    make_membership(renewed_user, starts_on=D(2026, 3, 1), ends_on=D(2027, 2, 28))
    response = admin_client.get("/admin/membership/membership/?term=lapsed")
    assert listed_emails(response) == set()


def user_change_data(user, **overrides):
    """The admin change form's fields for `user`, as a browser would post them."""
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "address_line1": user.address_line1,
        "address_line2": user.address_line2,
        "city": user.city,
        "region": user.region,
        "postal_code": user.postal_code,
        "country": user.country,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "12:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_secretary_cannot_make_themselves_superuser(client, secretary):
    client.force_login(secretary)
    url = f"/admin/membership/user/{secretary.pk}/change/"
    client.post(url, user_change_data(secretary, is_superuser="on", is_staff="on"))
    secretary.refresh_from_db()
    assert not secretary.is_superuser
    assert list(secretary.groups.values_list("name", flat=True)) == ["Membership secretary"]


def test_secretary_cannot_grant_permissions_to_an_ordinary_member(client, secretary, member):
    client.force_login(secretary)
    response = client.post(
        f"/admin/membership/user/{member.pk}/change/",
        user_change_data(
            member,
            is_staff="on",
            is_superuser="on",
            groups=[Group.objects.get(name="Membership secretary").pk],
        ),
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert not (member.is_staff or member.is_superuser or member.groups.exists())


def test_secretary_cannot_open_or_change_a_staff_account(client, secretary, staff_user):
    client.force_login(secretary)
    change_url = f"/admin/membership/user/{staff_user.pk}/change/"
    password_url = f"/admin/membership/user/{staff_user.pk}/password/"
    assert client.get(change_url).status_code == 403
    assert client.post(change_url, user_change_data(staff_user, first_name="X")).status_code == 403
    assert client.get(password_url).status_code == 403
    new = "a-brand-new-password-77"
    response = client.post(password_url, {"password1": new, "password2": new})
    assert response.status_code == 403
    staff_user.refresh_from_db()
    assert not staff_user.check_password(new) and staff_user.first_name == ""


def test_secretary_still_edits_an_ordinary_members_name_and_address(client, secretary, member):
    client.force_login(secretary)
    url = f"/admin/membership/user/{member.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "is_superuser" not in page.context["adminform"].form.fields
    response = client.post(
        url, user_change_data(member, last_name="King", address_line1="2 Bank Street")
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.last_name, member.address_line1) == ("King", "2 Bank Street")


def test_superuser_still_manages_permissions(admin_client, member):
    response = admin_client.post(
        f"/admin/membership/user/{member.pk}/change/",
        user_change_data(member, is_staff="on"),
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_staff


@pytest.fixture
def viewer(make_user):
    """Staff who may look at memberships but not change them."""
    user = make_user("viewer@example.org", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="membership", codename="view_membership")
    )
    return user


def test_view_only_staff_neither_see_nor_run_the_membership_actions(client, viewer, population):
    client.force_login(viewer)
    page = client.get("/admin/membership/membership/")
    assert page.status_code == 200
    action_form = page.context["action_form"]
    offered = {name for name, _ in action_form.fields["action"].choices} if action_form else set()
    assert not offered & {"mark_dues_paid", "send_reminder"}

    pending, ending = population["pending"], population["ending"]
    for action in ("mark_dues_paid", "send_reminder"):
        client.post(
            "/admin/membership/membership/",
            {"action": action, "_selected_action": [pending.pk, ending.pk]},
        )
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING
    assert mail.outbox == []
    assert not RenewalReminder.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_mailing_list_shows_a_lifetime_membership_over_a_dated_one(
    admin_client, make_user, make_membership, lifetime_plan
):
    # NULL (lifetime) sorts first on SQLite and last on PostgreSQL: the row must not
    # depend on the database.
    life = make_user("life@example.org", newsletter_opt_in=True)
    make_membership(life, starts_on=D(2020, 1, 1), plan=lifetime_plan)
    make_membership(life, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    response = admin_client.get("/admin/membership/membership/mailing-list.csv")
    rows = mailing_list(response)
    assert [(row["Plan"], row["Ends on"]) for row in rows] == [("Lifetime", "lifetime")]


def test_staff_find_a_membership_by_the_reference_on_the_check(admin_client, population):
    later = population["later"]
    for typed in (later.reference, later.reference.lower(), f" M{later.pk} "):
        response = admin_client.get("/admin/membership/membership/", {"q": typed})
        assert listed_emails(response) == {"later@example.org"}, typed
    assert later.reference in admin_client.get("/admin/membership/membership/").content.decode()


@pytest.mark.parametrize(
    ("text", "pk"),
    [("M-00001", 1), ("m-12", 12), ("M 00042", 42), ("M00007", 7), ("Lovelace", None), ("", None)],
)
def test_pk_from_reference_reads_what_members_write(text, pk):
    assert Membership.pk_from_reference(text) == pk


def action_messages(response):
    return [str(m) for m in response.context["messages"]]


@time_machine.travel(TODAY, tick=False)
def test_renewal_reminder_action_skips_memberships_not_yet_renewable(
    admin_client, population, make_user, make_membership
):
    # "later" ends on Dec 31: the join page says it can be renewed from Dec 1, not today.
    chosen = [population["ending"], population["later"], population["pending"]]
    response = admin_client.post(
        "/admin/membership/membership/",
        {"action": "send_reminder", "_selected_action": [m.pk for m in chosen]},
        follow=True,
    )
    assert [m.to for m in mail.outbox] == [["ending@example.org"]]
    shown = action_messages(response)
    assert shown[0] == "1 reminder sent."
    assert shown[1].startswith("2 memberships skipped: they cannot be renewed yet")

    mail.outbox.clear()
    response = admin_client.post(
        "/admin/membership/membership/",
        {
            "action": "send_reminder",
            "_selected_action": [population["ending"].pk, population["lapsed"].pk],
        },
        follow=True,
    )
    assert len(mail.outbox) == 2
    assert action_messages(response) == ["2 reminders sent."]


@time_machine.travel(TODAY, tick=False)
def test_mailing_list_csv_opens_in_excel_with_readable_headers_and_accents(
    admin_client, make_user, make_membership
):
    mia = make_user("mia@example.org", first_name="Mía", last_name="=cmd", newsletter_opt_in=True)
    make_membership(mia, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    response = admin_client.get("/admin/membership/membership/mailing-list.csv")
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    header, row = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header == [
        "Email address",
        "First name",
        "Last name",
        "Address line 1",
        "Address line 2",
        "City",
        "State",
        "ZIP code",
        "Country",
        "Plan",
        "Ends on",
    ]
    assert row[1:3] == ["Mía", "'=cmd"]


def test_mailing_list_button_is_a_short_object_tool_beside_add(admin_client):
    html = admin_client.get("/admin/membership/membership/").content.decode()
    tools = html[html.index('<ul class="object-tools">') :]
    tools = tools[: tools.index("</ul>")]
    # A label longer than Django's own buttons ran over the page title at 1280px.
    assert "download>Mailing list (CSV)</a>" in tools
    assert "/admin/membership/membership/add/" in tools


def test_secretary_lists_and_searches_members_only(client, secretary, member, staff_user):
    client.force_login(secretary)
    listed = client.get("/admin/membership/user/")
    assert listed.status_code == 200
    emails = {user.email for user in listed.context["cl"].result_list}
    assert "ada@example.org" in emails
    assert not emails & {"staff@example.org", "secretary@example.org"}
    searched = client.get("/admin/membership/user/?q=staff")
    assert list(searched.context["cl"].result_list) == []
    by_filter = client.get("/admin/membership/user/?is_staff__exact=1")
    assert list(by_filter.context["cl"].result_list) == []


def test_secretary_autocomplete_offers_members_only(client, secretary, member, staff_user):
    client.force_login(secretary)
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "membership",
            "model_name": "membership",
            "field_name": "user",
            "term": "example.org",
        },
    )
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {str(member.pk)}


def test_secretary_cannot_open_a_staff_account_by_its_address(client, secretary, staff_user):
    client.force_login(secretary)
    for suffix in ("change/", "history/", "delete/"):
        assert client.get(f"/admin/membership/user/{staff_user.pk}/{suffix}").status_code == 403


def test_secretary_cannot_set_a_members_password(client, secretary, member):
    client.force_login(secretary)
    page = client.get(f"/admin/membership/user/{member.pk}/change/")
    assert page.status_code == 200
    assert "password" not in page.context["adminform"].form.fields
    assert "../password/" not in page.content.decode()
    password_url = f"/admin/membership/user/{member.pk}/password/"
    assert client.get(password_url).status_code == 403
    new = "a-brand-new-password-77"
    assert client.post(password_url, {"password1": new, "password2": new}).status_code == 403
    member.refresh_from_db()
    assert not member.check_password(new)
    assert mail.outbox == []


def test_superuser_sets_a_password_and_the_owner_is_told(admin_client, member):
    page = admin_client.get(f"/admin/membership/user/{member.pk}/change/")
    assert 'href="../password/"' in page.content.decode()
    new = "a-brand-new-password-77"
    response = admin_client.post(
        f"/admin/membership/user/{member.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(new)
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    assert mail.outbox[0].subject == "Your password was changed"


def test_superuser_still_sees_and_opens_staff_accounts(admin_client, secretary):
    listed = admin_client.get("/admin/membership/user/")
    assert "secretary@example.org" in {u.email for u in listed.context["cl"].result_list}
    assert admin_client.get(f"/admin/membership/user/{secretary.pk}/change/").status_code == 200


# --- Dues are recorded by the Treasurer (issue 18, item 4) ---


def _offered_actions(response):
    form = response.context["action_form"]
    return {name for name, _label in form.fields["action"].choices} if form else set()


def test_secretary_cannot_mark_dues_paid(client, secretary, population):
    pending = population["pending"]
    client.force_login(secretary)
    listing = client.get("/admin/membership/membership/")
    assert "mark_dues_paid" not in _offered_actions(listing)
    assert "send_reminder" in _offered_actions(listing)
    client.post(
        "/admin/membership/membership/",
        {"action": "mark_dues_paid", "_selected_action": [pending.pk]},
    )
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING and pending.paid_at is None


def membership_change_data(membership, **overrides):
    data = {
        "user": membership.user_id,
        "plan": membership.plan_id,
        "status": membership.status,
        "starts_on": membership.starts_on.isoformat(),
        "ends_on": membership.ends_on.isoformat() if membership.ends_on else "",
        "amount_due": str(membership.amount_due),
        "amount_paid": "35.00",
        "payment_method": "offline",
        "paid_at_0": "2026-06-01",
        "paid_at_1": "10:00:00",
        "household_member_names": "",
        "interests": "",
    }
    data.update(overrides)
    return data


def test_secretary_cannot_record_dues_by_editing_a_membership(client, secretary, population):
    pending = population["pending"]
    client.force_login(secretary)
    url = f"/admin/membership/membership/{pending.pk}/change/"
    form = client.get(url).context["adminform"].form
    assert not {"amount_paid", "payment_method", "paid_at"} & set(form.fields)
    response = client.post(url, membership_change_data(pending, status="active"))
    assert response.status_code == 200
    assert "Only the Treasurer records dues as paid." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING and pending.paid_at is None
    # Dates are still the secretary's to fix.
    response = client.post(url, membership_change_data(pending, ends_on="2027-06-30"))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.ends_on == D(2027, 6, 30) and pending.amount_paid == 0


def test_secretary_cannot_record_dues_from_the_members_page(client, secretary, population):
    pending = population["pending"]
    client.force_login(secretary)
    data = user_change_data(
        pending.user,
        **{
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": str(pending.pk),
            "memberships-0-user": str(pending.user_id),
            "memberships-0-plan": str(pending.plan_id),
            "memberships-0-status": "active",
            "memberships-0-starts_on": pending.starts_on.isoformat(),
            "memberships-0-ends_on": pending.ends_on.isoformat(),
            "memberships-0-amount_due": "35.00",
            "memberships-0-amount_paid": "35.00",
            "memberships-0-paid_at_0": "2026-06-01",
            "memberships-0-paid_at_1": "10:00:00",
        },
    )
    response = client.post(f"/admin/membership/user/{pending.user_id}/change/", data)
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING and pending.paid_at is None


def test_treasurer_marks_dues_paid(
    client, treasurer, population, django_capture_on_commit_callbacks
):
    pending = population["pending"]
    client.force_login(treasurer)
    assert "mark_dues_paid" in _offered_actions(client.get("/admin/membership/membership/"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/membership/membership/",
            {"action": "mark_dues_paid", "_selected_action": [pending.pk]},
        )
    pending.refresh_from_db()
    assert pending.status == Membership.Status.ACTIVE and pending.paid_at is not None
