"""iCalendar files (the `icalendar` package): one event, an order's event, all upcoming.

LOCATION goes through the reveal gate like every other surface: before the reveal it is
the public hint; a calendar that refreshes after the reveal gets what the viewer may see.
"""

import datetime

from django.conf import settings
from django.utils.html import strip_tags
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from .reveal import public_location


def new_calendar(name: str) -> Calendar:
    """An empty calendar named `name` (visits' schedules use it too)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Sister city association//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def _component(event, *, location: str, now: datetime.datetime, url: str) -> CalendarEvent:
    component = CalendarEvent()
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "localhost"
    component.add("uid", f"event-{event.pk}@{host}")
    component.add("dtstamp", now.astimezone(datetime.UTC))
    component.add("dtstart", event.starts_at.astimezone(datetime.UTC))
    component.add("dtend", event.ends_at.astimezone(datetime.UTC))
    component.add("summary", event.title)
    description = event.summary or strip_tags(event.body)[:500]
    component.add("description", f"{description}\n\n{url}".strip())
    component.add("url", url)
    if location:
        component.add("location", location)
    component.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    component.add("last-modified", event.updated_at.astimezone(datetime.UTC))
    return component


def event_calendar(event, *, viewer=None, order=None, now: datetime.datetime) -> bytes:
    """One event as an .ics file, with the location this viewer may see now."""
    calendar = new_calendar(event.title)
    url = settings.SITE_URL + (order.get_absolute_url() if order else event.get_absolute_url())
    location = public_location(event, viewer=viewer, order=order, at=now)
    calendar.add_component(_component(event, location=location, now=now, url=url))
    return calendar.to_ical()


def events_calendar(events, *, name: str, now: datetime.datetime) -> bytes:
    """A public calendar of events (subscribed by calendar apps: nobody is signed in)."""
    calendar = new_calendar(name)
    for event in events:
        location = public_location(event, viewer=None, at=now)
        url = settings.SITE_URL + event.get_absolute_url()
        calendar.add_component(_component(event, location=location, now=now, url=url))
    return calendar.to_ical()
