"""Delegates' sensitive fields and hosts' background checks reach only the visit's
coordinator and hosting staff: every page, the admin, exports, emails and the job."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.conftest import emptied_page_store
from tests.tasks import run_tasks
from visits import itinerary
from visits.matching import confirm_match
from visits.models import Delegate, HouseholdAdult, ItineraryItem, Visit
from visits.privacy import delete_expired_private_details
from visits.tasks import delete_visit_private_details

from .conftest import ENDS, NOW, STARTS, make_delegate, make_household, make_user, make_visit

pytestmark = pytest.mark.django_db

SENSITIVE = ("SECRET-HEALTH", "SECRET-CONTACT", "+49 4421 123456", "2011-04-30", "April 30, 2011")


def shows_sensitive(content: str) -> bool:
    return any(secret in content for secret in SENSITIVE)


@pytest.fixture
def delegate(visit):
    return make_delegate(visit)


def test_the_coordinator_and_hosting_staff_see_sensitive_fields(
    client, visit, delegate, coordinator, hosting_staff
):
    for user in (coordinator, hosting_staff):
        client.force_login(user)
        response = client.get(f"/visits/coordinate/{visit.pk}/")
        assert response.status_code == 200
        assert "SECRET-HEALTH" in response.content.decode()
        assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_volunteers_members_and_other_staff_never_see_them(
    client, visit, delegate, other_staff, partnership
):
    item = ItineraryItem.objects.create(
        visit=visit,
        starts_at=timezone.make_aware(datetime.datetime(2027, 6, 1, 16)),
        ends_at=timezone.make_aware(datetime.datetime(2027, 6, 1, 18)),
        place="Airport",
        title="Arrival",
        drivers_needed=1,
    )
    volunteer = make_user("vic@example.org")
    itinerary.decide(
        itinerary.offer_help(item, user=volunteer, role="driver"), confirm=True, at=NOW
    )
    for user in (volunteer, other_staff):
        client.force_login(user)
        for url in (
            f"/visits/coordinate/{visit.pk}/",
            f"/visits/coordinate/{visit.pk}/placements.csv",
        ):
            assert client.get(url).status_code == 404
        assert not shows_sensitive(client.get("/visits/volunteer/").content.decode())
        assert "Lena" not in client.get("/visits/volunteer/").content.decode()
    other_coordinator = make_user("oc@example.org", is_staff=True)
    make_visit(partnership, title="Theirs", coordinator=other_coordinator)
    client.force_login(other_coordinator)
    assert client.get(f"/visits/coordinate/{visit.pk}/").status_code == 404


def test_the_admin_hides_them_from_staff_without_the_rule(client, visit, delegate, other_staff):
    from django.contrib.auth.models import Permission  # noqa: PLC0415

    other_staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_visit", "view_delegate", "change_visit"])
    )
    client.force_login(other_staff)
    page = client.get(f"/admin/visits/visit/{visit.pk}/change/").content.decode()
    assert "Lena" in page and not shows_sensitive(page)
    assert "SECRET-CONTACT" not in client.get("/admin/visits/delegate/").content.decode()


def test_the_admin_hides_background_checks_from_staff_without_the_rule(
    client, hosting_staff, other_staff
):
    from django.contrib.auth.models import Permission  # noqa: PLC0415

    household = make_household()
    other_staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_hosthousehold", "view_householdadult"])
    )
    url = f"/admin/visits/hosthousehold/{household.pk}/change/"
    client.force_login(other_staff)
    assert "SECRET-CHECK" not in client.get(url).content.decode()
    client.force_login(hosting_staff)
    assert "SECRET-CHECK" in client.get(url).content.decode()


def test_the_partner_city_page_shows_dates_and_purpose_never_a_delegate(
    client, visit, delegate, partnership, settings
):
    settings.PAGE_CACHE_ENABLED = True
    emptied_page_store()
    page = client.get("/cities/wilhelmshaven/").content.decode()
    assert "Upcoming visits" in page
    assert visit.purpose in page and "June 1, 2027" in page
    assert "Lena" not in page and not shows_sensitive(page) and "Petra" not in page


def test_the_placements_export_has_only_what_drivers_need(client, visit, delegate, coordinator):
    confirm_match(delegate, make_household(), by=coordinator, at=NOW)
    client.force_login(coordinator)
    response = client.get(f"/visits/coordinate/{visit.pk}/placements.csv")
    content = b"".join(response.streaming_content).decode()
    assert "Lena Delegate" in content and "1 Granby Street" in content
    assert not shows_sensitive(content) and "Peanuts" not in content and "SECRET" not in content


def test_no_email_of_visits_carries_a_sensitive_field(visit, delegate, coordinator):
    confirm_match(delegate, make_household(), by=coordinator, at=NOW)
    itinerary.send_schedules(visit)
    run_tasks()
    assert mail.outbox
    for message in mail.outbox:
        for text in (message.body, message.alternatives[0][0]):
            assert not shows_sensitive(text) and "SECRET-CHECK" not in text


# --- the deletion job ---------------------------------------------------------------------


def test_the_job_deletes_delegates_details_days_after_the_visit(visit, delegate, settings):
    settings.VISITS_SENSITIVE_RETENTION_DAYS = 30
    Delegate.objects.filter(pk=delegate.pk).update(allergic_to_animals=True, needs_smoke_free=True)
    before = timezone.make_aware(
        datetime.datetime.combine(ENDS + datetime.timedelta(30), datetime.time(12))
    )
    assert delete_expired_private_details(now=before).delegates == 0
    after = before + datetime.timedelta(days=1)
    deleted = delete_expired_private_details(now=after)
    assert (deleted.visits, deleted.delegates) == (1, 1)
    assert "1 delegate(s)" in deleted.summary()
    delegate.refresh_from_db()
    assert delegate.birth_date is None
    assert delegate.health_notes == delegate.allergies == delegate.emergency_contact_name == ""
    assert delegate.emergency_contact_phone == ""
    assert not delegate.allergic_to_animals and not delegate.needs_smoke_free
    assert delegate.first_name == "Lena" and delegate.diet == "Vegetarian"
    assert delete_expired_private_details(now=after).delegates == 0


def test_the_job_keeps_a_current_visits_details(visit, delegate, partnership):
    later = make_visit(
        partnership, title="Later", starts_on=ENDS, ends_on=ENDS + datetime.timedelta(60)
    )
    kept = make_delegate(later, "Kept")
    delete_expired_private_details(
        now=timezone.make_aware(
            datetime.datetime.combine(ENDS + datetime.timedelta(45), datetime.time())
        )
    )
    kept.refresh_from_db()
    assert kept.health_notes and kept.birth_date
    assert Delegate.objects.get(pk=delegate.pk).health_notes == ""


def test_the_job_deletes_expired_background_check_details():
    household = make_household()
    adult = household.adults.get()
    expires = adult.check_expires_on
    assert (
        delete_expired_private_details(
            now=timezone.make_aware(datetime.datetime.combine(expires, datetime.time(12)))
        ).checks
        == 0
    )
    deleted = delete_expired_private_details(
        now=timezone.make_aware(
            datetime.datetime.combine(expires + datetime.timedelta(1), datetime.time(12))
        )
    )
    assert deleted.checks == 1 and "1 expired background check(s)" in deleted.summary()
    adult = HouseholdAdult.objects.get(pk=adult.pk)
    assert (adult.check_status, adult.check_notes, adult.check_expires_on) == ("", "", None)
    assert adult.check_details_deleted_on == expires + datetime.timedelta(1)
    assert adult.name  # who the adult is stays


def test_the_job_is_a_periodic_job_that_says_what_it_deleted(visit, delegate):
    from association.registry import periodic_jobs  # noqa: PLC0415

    assert delete_visit_private_details in list(periodic_jobs)
    message = delete_visit_private_details(now=NOW)
    assert message.startswith("sensitive details of 0 delegate(s)")
    assert Visit.objects.filter(sensitive_deleted_at__isnull=False).count() == 0


def test_the_retention_days_come_from_the_setting(visit, delegate, settings):
    settings.VISITS_SENSITIVE_RETENTION_DAYS = 0
    day_after = timezone.make_aware(
        datetime.datetime.combine(ENDS + datetime.timedelta(1), datetime.time(12))
    )
    assert delete_expired_private_details(now=day_after).delegates == 1


def test_a_volunteer_client_never_gets_a_cached_private_page(
    client, visit, delegate, coordinator, settings
):
    settings.PAGE_CACHE_ENABLED = True
    emptied_page_store()
    client.force_login(coordinator)
    client.get(f"/visits/coordinate/{visit.pk}/")
    anonymous = Client()
    response = anonymous.get(f"/visits/coordinate/{visit.pk}/")
    assert response.status_code == 302 and not shows_sensitive(response.content.decode())
    assert STARTS  # the visit is upcoming
