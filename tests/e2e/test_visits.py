"""Hosting and a visit from end to end in the browser: a member applies to host, hosting
staff approve the household and clear its checks in the admin, and the visit's
coordinator imports the partner's roster and confirms a suggested match. Axe checks every
page of the site on the way (the admin is Django's own)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from cities.models import City, Partnership
from membership.models import User
from tests.e2e.test_exchanges import sign_in
from tests.tasks import run_tasks
from tests.visits.conftest import visit_coordinators_group
from visits.models import HostHousehold, Match, Visit

pytestmark = pytest.mark.django_db(transaction=True)

ROSTER = (
    "first_name,last_name,birth_date,gender,diet,allergies,english_level,needs_host,"
    "emergency_contact_name,emergency_contact_phone\n"
    "Lena,Krüger,{born},female,Vegetarian,Peanuts,good,yes,Anke Krüger,+49 4421 555\n"
)


@pytest.fixture
def visit(db):
    home = City.objects.create(name="Norfolk", slug="norfolk", country="US", is_home=True)
    partner = City.objects.create(name="Wilhelmshaven", slug="wilhelmshaven", country="DE")
    partnership = Partnership.objects.create(
        home_city=home, partner_city=partner, slug="wilhelmshaven", kind="sister", status="active"
    )
    starts = timezone.localdate() + datetime.timedelta(days=60)
    return Visit.objects.create(
        partnership=partnership,
        direction=Visit.Direction.INCOMING,
        title="Wilhelmshaven youth delegation",
        purpose="Students at Norfolk schools for two weeks.",
        starts_on=starts,
        ends_on=starts + datetime.timedelta(days=14),
        arrival="Norfolk airport, 4:30 PM",
        partner_coordinator_email="petra@example.de",
    )


def test_a_family_applies_staff_clear_it_and_the_coordinator_matches_a_delegate(
    live_server, page, axe_check, settings, visit, tmp_path
):
    settings.SITE_URL = live_server.url
    member = User.objects.create_user(
        email="gloria@example.org", password="pw-123-abc", first_name="Gloria", last_name="Garcia"
    )
    coordinator = User.objects.create_user(
        email="cora@example.org", password="pw-123-abc", first_name="Cora", is_staff=True
    )
    coordinator.groups.add(visit_coordinators_group())
    Visit.objects.filter(pk=visit.pk).update(coordinator=coordinator)

    # The member reads about hosting and applies.
    sign_in(page, live_server, member)
    page.goto(live_server.url + "/hosting/")
    axe_check(page)
    page.get_by_role("link", name="Apply to host").click()
    page.wait_for_url("**/hosting/apply/")
    axe_check(page)
    page.get_by_label("Family name").fill("Garcia")
    page.get_by_label("Phone", exact=True).fill("757-555-0199")
    page.get_by_label("Street address").fill("12 Colley Avenue")
    page.get_by_label("City", exact=True).fill("Norfolk")
    page.get_by_label("ZIP code").fill("23508")
    page.get_by_label("Languages spoken at home").fill("English, German")
    page.locator("#id_adults-0-name").fill("Gloria Garcia")
    page.locator("#id_adults-0-is_adult").check()
    page.locator("#id_children-0-first_name").fill("Gabi")
    page.locator("#id_children-0-age").fill("15")
    page.get_by_label("Guest beds").fill("1")
    page.get_by_label("We will attend an orientation").check()
    page.get_by_label("Every adult (18 and over)").check()
    page.get_by_role("button", name="Send our application").click()
    page.wait_for_url("**/hosting/apply/")
    page.get_by_role("heading", name="Your application to host").wait_for()
    axe_check(page)
    household = HostHousehold.objects.get()

    # Hosting staff approve the household and record the check and the orientation.
    sign_in(page, live_server, coordinator)
    page.goto(live_server.url + f"/admin/visits/hosthousehold/{household.pk}/change/")
    page.locator("#id_status").select_option("approved")
    page.locator("#id_adults-0-check_status").select_option("clear")
    expires = (visit.ends_on + datetime.timedelta(days=365)).isoformat()
    page.locator("#id_adults-0-check_expires_on").fill(expires)
    page.locator("#id_adults-0-orientation_attended_on").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/visits/hosthousehold/")
    household.refresh_from_db()
    assert household.is_eligible(visit.starts_on, visit.ends_on)

    # The coordinator imports the partner's roster and confirms the suggested home.
    page.goto(live_server.url + "/visits/coordinate/")
    axe_check(page)
    page.get_by_role("link", name="Wilhelmshaven youth delegation").click()
    page.wait_for_url(f"**/visits/coordinate/{visit.pk}/")
    axe_check(page)
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER.format(born=f"{visit.starts_on.year - 16}-01-15"), encoding="utf-8")
    page.get_by_label("Roster (CSV)").set_input_files(str(roster))
    page.get_by_role("button", name="Import delegates").click()
    page.wait_for_url(f"**/visits/coordinate/{visit.pk}/")
    assert "1 delegate(s) imported." in page.content()
    axe_check(page)
    page.get_by_role("button", name="Place Lena with Garcia").click()
    page.wait_for_url(f"**/visits/coordinate/{visit.pk}/")
    assert "both sides were emailed" in page.content()
    axe_check(page)
    match = Match.objects.active().get()
    assert match.household == household and match.delegate.first_name == "Lena"
    run_tasks()
    subjects = {m.subject: m.to for m in mail.outbox}
    assert subjects["Your guest for Wilhelmshaven youth delegation"] == ["gloria@example.org"]
    assert subjects["Host family for Lena Krüger"] == ["petra@example.de"]

    # The partner's page shows the visit's dates and purpose, never the delegate.
    page.context.clear_cookies()
    page.goto(live_server.url + "/cities/wilhelmshaven/")
    assert "Students at Norfolk schools" in page.content() and "Lena" not in page.content()
    axe_check(page)


def test_a_member_volunteers_at_phone_width(live_server, page, axe_check, settings, visit):
    from visits.models import ItineraryItem, Volunteer  # noqa: PLC0415

    settings.SITE_URL = live_server.url
    start = timezone.make_aware(datetime.datetime.combine(visit.starts_on, datetime.time(16)))
    ItineraryItem.objects.create(
        visit=visit,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="Norfolk airport",
        title="Arrival and welcome",
        drivers_needed=2,
        interpreters_needed=1,
    )
    member = User.objects.create_user(email="vic@example.org", password="pw-123-abc")
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, live_server, member)
    page.goto(live_server.url + "/visits/volunteer/")
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_label("Help with “Arrival and welcome” as").select_option("interpreter")
    page.get_by_role("button", name="Offer to help").click()
    page.wait_for_url("**/visits/volunteer/")
    assert "The coordinator will confirm your help." in page.content()
    axe_check(page)
    assert Volunteer.objects.get().role == "interpreter"
