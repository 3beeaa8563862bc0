import datetime

import time_machine
from icalendar import Calendar

from events.models import Event


def parse(response):
    assert response["Content-Type"].startswith("text/calendar")
    return [c for c in Calendar.from_ical(response.content).walk() if c.name == "VEVENT"]


def test_event_ics_carries_the_hint_before_reveal(client, secret_event):
    (event,) = parse(client.get(f"/events/{secret_event.slug}/event.ics"))
    assert str(event["LOCATION"]) == "Somewhere in Ghent"
    assert str(event["SUMMARY"]) == "Secret Supper"
    assert event.decoded("DTSTART") == secret_event.starts_at
    assert event.decoded("DTEND") == secret_event.ends_at


def test_event_ics_carries_the_venue_after_a_public_reveal(client, public_reveal_event):
    with time_machine.travel(public_reveal_event.venue_reveal_at + datetime.timedelta(seconds=5)):
        (event,) = parse(client.get(f"/events/{public_reveal_event.slug}/event.ics"))
    assert str(event["LOCATION"]).startswith("Hidden Orchard Hall, 42 Quietwater Lane")


def test_order_ics_carries_the_venue_for_its_ticket_holder_after_reveal(
    client, secret_event, buy, now
):
    order = buy(secret_event, 1, now=now)
    (before,) = parse(client.get(f"/orders/{order.token}/event.ics"))
    with time_machine.travel(secret_event.venue_reveal_at + datetime.timedelta(seconds=5)):
        (after,) = parse(client.get(f"/orders/{order.token}/event.ics"))
    assert str(before["LOCATION"]) == "Somewhere in Ghent"
    assert "Hidden Orchard Hall" in str(after["LOCATION"])


def test_calendar_ics_lists_upcoming_published_events(client, secret_event, make_event, now):
    make_event(title="Draft thing", status=Event.Status.DRAFT)
    make_event(title="Long ago", starts_at=now - datetime.timedelta(days=30))
    events = parse(client.get("/events/calendar.ics"))
    assert [str(e["SUMMARY"]) for e in events] == ["Secret Supper"]
    assert str(events[0]["LOCATION"]) == "Somewhere in Ghent"
    assert str(events[0]["UID"]).startswith(f"event-{secret_event.pk}@")


def test_cancelled_event_is_cancelled_in_calendars(client, make_event):
    event = make_event(status=Event.Status.CANCELLED)
    (component,) = parse(client.get(f"/events/{event.slug}/event.ics"))
    assert str(component["STATUS"]) == "CANCELLED"


def test_online_event_location_is_online_and_never_the_link(client, make_event, make_ticket_type):
    event = make_event(format=Event.Format.ONLINE, online_link="https://meet.example.org/zz")
    (component,) = parse(client.get(f"/events/{event.slug}/event.ics"))
    assert str(component["LOCATION"]) == "Online"
    assert b"meet.example.org" not in client.get(f"/events/{event.slug}/event.ics").content


def test_rss_feed_lists_upcoming_events_with_the_public_location(
    client, secret_event, make_event, now
):
    make_event(title="Long ago", starts_at=now - datetime.timedelta(days=30))
    feed = client.get("/events/feed/").content.decode()
    assert "<rss" in feed
    assert "Secret Supper" in feed
    assert "Somewhere in Ghent" in feed
    assert "Long ago" not in feed


def test_sitemap_lists_event_pages(client, secret_event, make_event):
    draft = make_event(status=Event.Status.DRAFT)
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"/events/{secret_event.slug}/" in sitemap
    assert "/events/past/" in sitemap
    assert f"/events/{draft.slug}/" not in sitemap
