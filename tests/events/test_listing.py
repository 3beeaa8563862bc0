"""events/listing.py: the upcoming and past events pages list are read once per edit and
process, and still change on their own when time changes them (an event ends, an offer
runs out), and one viewer's labels never reach another viewer's page."""

import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.listing import past_events, published_event, upcoming_events
from tests.conftest import edit_heard
from tickets.models import WaitlistEntry

from .conftest import SECRET_NAME
from .factories import places_left_for


def slugs(events):
    return [event.slug for event in events]


def test_upcoming_events_are_read_once_per_edit(kept, secret_event, now):
    with time_machine.travel(now, tick=False):
        assert slugs(upcoming_events(now=now)) == ["secret-supper"]
        with CaptureQueriesContext(connection) as queries:
            assert slugs(upcoming_events(now=now)) == ["secret-supper"]
            assert published_event("secret-supper", now=now).title == "Secret Supper"
        assert len(queries) == 0
        secret_event.title = "Secret Supper, moved"
        secret_event.save(update_fields=["title"])
        # What a committed write does (tests/association/test_page_cache.py shows it does).
        edit_heard()
        assert upcoming_events(now=now)[0].title == "Secret Supper, moved"


def test_an_event_leaves_the_upcoming_events_when_it_ends_without_any_edit(kept, secret_event, now):
    with time_machine.travel(now, tick=False):
        assert slugs(upcoming_events(now=now)) == ["secret-supper"]
        assert slugs(past_events(now=now)) == []
    later = secret_event.ends_at + datetime.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert slugs(upcoming_events(now=later)) == []
        assert slugs(past_events(now=later)) == ["secret-supper"]
        assert published_event("secret-supper", now=later) is not None
    # And back (a clock set back, as tests do): what was kept later is not used earlier.
    with time_machine.travel(now, tick=False):
        assert slugs(upcoming_events(now=now)) == ["secret-supper"]
        assert slugs(past_events(now=now)) == []


def test_an_open_offer_running_out_gives_its_places_back_without_any_edit(kept, secret_event, now):
    ticket_type = secret_event.ticket_types.get()
    WaitlistEntry.objects.create(
        event=secret_event,
        ticket_type=ticket_type,
        name="Wendy",
        email="wendy@example.org",
        quantity=2,
        offered_at=now,
        offered_quantity=2,
        offer_expires_at=now + datetime.timedelta(hours=1),
    )
    everything = places_left_for(ticket_type, now=now + datetime.timedelta(hours=2))
    with time_machine.travel(now, tick=False):
        event = upcoming_events(now=now)[0]
        assert [offer.email for offer in event.open_offers] == ["wendy@example.org"]
    later = now + datetime.timedelta(hours=1, seconds=1)
    with time_machine.travel(later, tick=False):
        event = upcoming_events(now=later)[0]
        assert event.open_offers == []
        assert places_left_for(ticket_type, now=later) == everything


def test_one_viewers_location_never_reaches_another_viewers_page(
    client, kept, secret_event, staff_user
):
    staff = client.__class__()
    staff.force_login(staff_user)
    # A query string: rendered (not served from the page cache), from the rows kept.
    assert SECRET_NAME in staff.get("/events/?staff").content.decode()
    assert SECRET_NAME in staff.get("/?staff").content.decode()
    for url in ("/events/?anyone", "/?anyone", "/events/feed/?anyone", "/events/calendar.ics?x"):
        assert SECRET_NAME not in client.get(url).content.decode(), url
    assert SECRET_NAME not in client.get(secret_event.get_absolute_url() + "?x").content.decode()
    assert SECRET_NAME in staff.get(secret_event.get_absolute_url() + "?x").content.decode()


def test_every_caller_gets_its_own_copies_to_label(kept, secret_event, now):
    with time_machine.travel(now, tick=False):
        mine = upcoming_events(now=now)[0]
        mine.location_label = SECRET_NAME
        mine._viewer_holds_ticket = (1, True)
        theirs = upcoming_events(now=now)[0]
        assert theirs is not mine
        assert not hasattr(theirs, "location_label")
        assert not hasattr(theirs, "_viewer_holds_ticket")
        assert published_event("secret-supper", now=now) is not theirs
