import datetime

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from tests.tasks import run_tasks
from visits import itinerary
from visits.matching import confirm_match
from visits.models import ItineraryItem, Volunteer

from .conftest import STARTS, make_delegate, make_household, make_user

pytestmark = pytest.mark.django_db


def at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def items(visit):
    arrival = ItineraryItem.objects.create(
        visit=visit,
        starts_at=at(STARTS, 16),
        ends_at=at(STARTS, 18),
        place="Norfolk airport",
        title="Arrival",
        drivers_needed=2,
        interpreters_needed=1,
    )
    reception = ItineraryItem.objects.create(
        visit=visit,
        starts_at=at(STARTS + datetime.timedelta(1), 10),
        ends_at=at(STARTS + datetime.timedelta(1), 12),
        place="City Hall",
        title="Reception",
    )
    return arrival, reception


@pytest.fixture
def member(db):
    return make_user("vic@example.org", first_name="Vic", last_name="Volunteer")


@pytest.fixture(autouse=True)
def _today_before_the_visit(time_machine):
    time_machine.move_to(datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC))


def test_a_member_volunteers_from_the_private_page(client, items, member):
    arrival, reception = items
    assert client.get("/visits/volunteer/").status_code == 302
    client.force_login(member)
    page = client.get("/visits/volunteer/").content.decode()
    assert "Arrival" in page and "Reception" not in page  # it needs nobody
    assert "no-cache" in client.get("/visits/volunteer/")["Cache-Control"]
    response = client.post(
        "/visits/volunteer/offer/", {"item": arrival.pk, "role": "driver", "note": "Van"}
    )
    assert response.status_code == 302
    offer = Volunteer.objects.get()
    assert (offer.user, offer.role, offer.status) == (member, "driver", "offered")
    # Not twice, and not for a role the item does not need.
    client.post("/visits/volunteer/offer/", {"item": arrival.pk, "role": "interpreter"})
    assert Volunteer.objects.count() == 1
    assert itinerary.offer_help(reception, user=member, role="driver") is None


def test_the_coordinator_confirms_and_the_volunteer_is_emailed(
    client, visit, coordinator, items, member
):
    offer = itinerary.offer_help(items[0], user=member, role="driver")
    client.force_login(coordinator)
    response = client.post(
        f"/visits/coordinate/{visit.pk}/volunteers/",
        {"volunteer": offer.pk, "decision": "confirm"},
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.is_confirmed
    run_tasks()
    (message,) = mail.outbox
    assert message.to == ["vic@example.org"] and "Driver" in message.body
    assert not itinerary.decide(offer, confirm=True, at=timezone.now())


def test_only_the_coordinator_confirms(client, visit, items, member, other_staff):
    offer = itinerary.offer_help(items[0], user=member, role="driver")
    for user in (member, other_staff):
        client.force_login(user)
        response = client.post(
            f"/visits/coordinate/{visit.pk}/volunteers/",
            {"volunteer": offer.pk, "decision": "confirm"},
        )
        assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.status == "offered"


def test_each_person_gets_their_own_schedule_by_email_and_as_ics(visit, items, member):
    arrival, reception = items
    itinerary.decide(
        itinerary.offer_help(arrival, user=member, role="driver"), confirm=True, at=timezone.now()
    )
    household = make_household()
    confirm_match(make_delegate(visit), household, by=None, at=timezone.now())
    run_tasks()
    mail.outbox.clear()
    assert itinerary.send_schedules(visit) == 2
    run_tasks()
    by_person = {m.to[0]: m for m in mail.outbox}
    volunteer_mail = by_person["vic@example.org"]
    assert "Arrival" in volunteer_mail.body and "Reception" not in volunteer_mail.body
    host_mail = by_person["host@example.org"]
    assert "Arrival" in host_mail.body and "Reception" in host_mail.body
    for message in mail.outbox:
        assert "SECRET" not in message.body and "Lena" not in message.body

    volunteer_schedule = itinerary.schedule_for(member, visit)
    url = f"/visits/schedule/{volunteer_schedule.token}.ics"
    assert url.split("/")[-1] in volunteer_mail.body
    from django.test import Client  # noqa: PLC0415

    response = Client().get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert [str(e["SUMMARY"]) for e in events] == ["Arrival"]
    assert events[0].decoded("DTSTART") == arrival.starts_at
    assert str(events[0]["LOCATION"]) == "Norfolk airport"
    host_calendar = Calendar.from_ical(
        itinerary.schedule_calendar(
            itinerary.schedule_for(household.member, visit), now=timezone.now()
        )
    )
    assert len(host_calendar.walk("VEVENT")) == 2


def test_a_schedule_link_cannot_be_guessed_or_altered(client, visit, member):
    token = itinerary.schedule_token(member, visit)
    assert client.get(f"/visits/schedule/{token}x.ics").status_code == 404
    assert client.get("/visits/schedule/1:1.ics").status_code == 404
