import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import edit_heard, emptied_page_store
from tests.tasks import run_tasks
from visits.demo import INCOMING, OUTGOING
from visits.models import HostHousehold, Match, Visit

from .conftest import make_delegate, make_household, make_user, make_visit

pytestmark = pytest.mark.django_db


def household_post(**over):
    data = {
        "family_name": "Garcia",
        "phone": "757-555-0199",
        "street": "12 Colley Avenue",
        "city": "Norfolk",
        "postal_code": "23508",
        "languages": "English, Spanish",
        "has_pets": "on",
        "pets": "A cat",
        "allergies": "",
        "rooms": "1",
        "beds": "2",
        "max_guests": "2",
        "guest_min_age": "14",
        "guest_max_age": "18",
        "guest_gender": "any",
        "available_from": "2027-05-01",
        "available_until": "2027-08-31",
        "agrees_to_orientation": "on",
        "agrees_to_background_checks": "on",
        "adults-TOTAL_FORMS": "2",
        "adults-INITIAL_FORMS": "0",
        "adults-MIN_NUM_FORMS": "1",
        "adults-MAX_NUM_FORMS": "6",
        "adults-0-name": "Gloria Garcia",
        "adults-0-email": "gloria@example.org",
        "adults-0-is_adult": "on",
        "adults-1-name": "",
        "children-TOTAL_FORMS": "2",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "8",
        "children-0-first_name": "Gabi",
        "children-0-age": "15",
    }
    data.update(over)
    return data


def test_hosting_explains_and_is_cached_for_visitors(client):
    response = client.get("/hosting/")
    assert response.status_code == 200 and "Apply to host" in response.content.decode()
    assert client.get("/hosting/apply/").status_code == 302  # sign in first


def test_a_member_applies_to_host(client):
    member = make_user("gloria@example.org")
    client.force_login(member)
    assert client.get("/hosting/apply/").status_code == 200
    response = client.post("/hosting/apply/", household_post())
    assert response.status_code == 302
    household = HostHousehold.objects.get()
    assert household.member == member and household.status == "applied"
    assert [a.name for a in household.adults.all()] == ["Gloria Garcia"]
    assert [(c.first_name, c.age) for c in household.children.all()] == [("Gabi", 15)]
    assert household.has_pets and household.capacity == 2
    assert not household.is_eligible(datetime.date(2027, 6, 1), datetime.date(2027, 6, 14))
    run_tasks()
    assert mail.outbox[0].to == ["gloria@example.org"]
    page = client.get("/hosting/apply/").content.decode()
    assert "Your application to host" in page and "Gloria Garcia" in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"adults-0-name": ""}, "adults"),
        ({"adults-0-is_adult": ""}, "is_adult"),
        ({"children-0-age": "18"}, "Adults (18 and over)"),
        ({"agrees_to_background_checks": ""}, "agrees_to_background_checks"),
        ({"guest_min_age": "19"}, "guest_max_age"),
        ({"pets": ""}, "pets"),
        ({"available_until": "2027-04-01"}, "available_until"),
    ],
)
def test_a_bad_application_is_refused_with_a_reason(client, change, field):
    client.force_login(make_user("gloria@example.org"))
    response = client.post("/hosting/apply/", household_post(**change))
    assert response.status_code == 400
    assert not HostHousehold.objects.exists()


def test_the_coordinator_confirms_a_suggested_match_from_the_page(client, visit, coordinator):
    delegate = make_delegate(visit)
    household = make_household()
    client.force_login(coordinator)
    page = client.get(f"/visits/coordinate/{visit.pk}/").content.decode()
    assert "Place Lena with Smith" in page
    response = client.post(
        f"/visits/coordinate/{visit.pk}/match/",
        {"delegate": delegate.pk, "household": household.pk},
    )
    assert response.status_code == 302 and Match.objects.active().count() == 1
    response = client.post(
        f"/visits/coordinate/{visit.pk}/match/", {"delegate": "x", "household": household.pk}
    )
    assert response.status_code == 400
    dogs = make_household("d@x.org", family="Dogs", has_pets=True, pets="dog")
    delegate.allergic_to_animals = True
    delegate.save()
    response = client.post(
        f"/visits/coordinate/{visit.pk}/match/", {"delegate": delegate.pk, "household": dogs.pk}
    )
    assert response.status_code == 409 and "pets" in response.content.decode()
    assert Match.objects.active().get().household == household
    # Moved from the placements table to another suggested home: both sides hear of it.
    jones = make_household("j@x.org", family="Jones")
    page = client.get(f"/visits/coordinate/{visit.pk}/").content.decode()
    assert "Move Lena" in page and f'<option value="{jones.pk}">Jones</option>' in page
    response = client.post(
        f"/visits/coordinate/{visit.pk}/match/", {"delegate": delegate.pk, "household": jones.pk}
    )
    assert response.status_code == 302
    assert Match.objects.active().get().household == jones
    assert Match.objects.filter(cancelled_at__isnull=False).get().household == household


@pytest.mark.parametrize("count", [2, 12])
def test_the_coordination_page_query_count_does_not_grow(
    client, visit, coordinator, count, django_assert_max_num_queries
):
    for index in range(count):
        make_delegate(visit, f"D{index}")
        make_household(f"h{index}@x.org", family=f"F{index}", beds=2, max_guests=2)
    client.force_login(coordinator)
    with django_assert_max_num_queries(16):
        assert client.get(f"/visits/coordinate/{visit.pk}/").status_code == 200


def test_an_edit_to_a_visit_reaches_the_cached_partner_page(client, partnership, kept):
    assert "Upcoming visits" not in client.get("/cities/wilhelmshaven/").content.decode()
    visit = make_visit(
        partnership,
        starts_on=datetime.date.today() + datetime.timedelta(30),
        ends_on=datetime.date.today() + datetime.timedelta(40),
    )
    edit_heard("visits")
    assert visit.purpose in client.get("/cities/wilhelmshaven/").content.decode()
    Visit.objects.filter(pk=visit.pk).update(published=False)
    edit_heard("visits")
    assert visit.purpose not in client.get("/cities/wilhelmshaven/").content.decode()


def test_a_visit_that_ended_leaves_the_partner_page(client, partnership, time_machine):
    visit = make_visit(partnership)
    time_machine.move_to(datetime.datetime(2027, 6, 14, 12, tzinfo=datetime.UTC))
    assert visit.purpose in client.get("/cities/wilhelmshaven/").content.decode()
    time_machine.move_to(datetime.datetime(2027, 6, 15, 16, tzinfo=datetime.UTC))
    emptied_page_store()
    assert visit.purpose not in client.get("/cities/wilhelmshaven/").content.decode()


def test_load_demo_adds_the_sample_visits_idempotently_and_keeps_edits(demo):
    incoming = Visit.objects.get(title=INCOMING)
    assert incoming.is_incoming and incoming.delegates.count() == 4
    assert Visit.objects.get(title=OUTGOING).program is not None
    assert HostHousehold.objects.count() == 3
    assert not HostHousehold.objects.filter(member__isnull=False).exists()  # no account
    Visit.objects.filter(pk=incoming.pk).update(purpose="Edited by staff")
    call_command("load_demo", stdout=StringIO())
    assert Visit.objects.count() == 2 and HostHousehold.objects.count() == 3
    assert Visit.objects.get(pk=incoming.pk).purpose == "Edited by staff"
    assert incoming.delegates.count() == 4 and Match.objects.count() == 1


def test_the_sitemap_lists_hosting_and_no_private_page(client, visit):
    xml = client.get("/sitemap.xml").content.decode()
    assert "/hosting/</loc>" in xml
    assert "/visits/" not in xml


def test_staff_enter_a_paper_application_without_an_account(client, hosting_staff):
    client.force_login(hosting_staff)
    response = client.post(
        "/admin/visits/hosthousehold/add/",
        {
            "family_name": "Paper",
            "status": "applied",
            "email": "paper@example.org",
            "language": "de",
            "phone": "757-555-0111",
            "street": "2 Main Street",
            "city": "Norfolk",
            "postal_code": "23510",
            "languages": "English",
            "rooms": "1",
            "beds": "1",
            "max_guests": "1",
            "guest_min_age": "14",
            "guest_max_age": "18",
            "guest_gender": "any",
            "agrees_to_orientation": "on",
            "agrees_to_background_checks": "on",
            "adults-TOTAL_FORMS": "1",
            "adults-INITIAL_FORMS": "0",
            "adults-0-name": "Pat Paper",
            "adults-0-check_status": "requested",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
            "away_periods-TOTAL_FORMS": "0",
            "away_periods-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    household = HostHousehold.objects.get()
    assert household.member is None and household.adults.get().name == "Pat Paper"
    assert household.language == "de"  # written to in the language staff chose


def test_upcoming_visits_for_gives_dates_and_purpose_only(partnership, visit):
    from visits.listing import upcoming_visits_for  # noqa: PLC0415

    make_delegate(visit)
    make_visit(
        partnership,
        title="Past",
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2020, 1, 5),
    )
    make_visit(partnership, title="Hidden", published=False)
    (shown,) = upcoming_visits_for(partnership)
    assert set(shown) == {
        "direction",
        "direction_label",
        "title",
        "purpose",
        "starts_on",
        "ends_on",
    }
    assert shown["title"] == visit.title


@pytest.mark.parametrize("count", [1, 8])
def test_the_volunteer_page_query_count_does_not_grow(
    client, visit, count, django_assert_max_num_queries
):
    from visits.models import ItineraryItem  # noqa: PLC0415

    start = timezone.now() + datetime.timedelta(days=3)
    for index in range(count):
        ItineraryItem.objects.create(
            visit=visit,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            place="Airport",
            title=f"Item {index}",
            drivers_needed=1,
        )
    client.force_login(make_user("vic@example.org"))
    with django_assert_max_num_queries(10):
        assert client.get("/visits/volunteer/").status_code == 200


def test_the_exchange_committee_sees_which_applicants_hosted(client, visit, partnership):
    from django.contrib.auth.models import Permission  # noqa: PLC0415

    from exchanges.models import Application  # noqa: PLC0415
    from tests.exchanges.conftest import make_program  # noqa: PLC0415
    from visits.matching import confirm_match  # noqa: PLC0415

    household = make_household()
    confirm_match(make_delegate(visit), household, by=None, at=timezone.now())
    program = make_program(partnership, travel_starts_on=datetime.date(2027, 7, 15))
    Application.objects.create(program=program, applicant=household.member, status="submitted")
    staff = make_user("x@example.org", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["exchanges", "view_application"])
    )
    client.force_login(staff)
    page = client.get("/admin/exchanges/application/").content.decode()
    assert "Hosted before (priority)" in page and 'alt="True"' in page
