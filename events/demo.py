"""The association's 2023 events (from its home page) as past events, and clearly marked
sample upcoming events dated relative to today. Data: `demo_content/events.json`.

Idempotent: rows are created when missing (keyed by slug) and never overwritten, so staff
edits survive. Sample orders go through `events/orders.py`, so counters stay true. No
user account is created.
"""

import datetime
import json
from pathlib import Path

from django.utils import timezone

from association.registry import demo_loaders
from cities.models import Partnership

from .models import Event, Venue

CONTENT = Path(__file__).parent / "demo_content" / "events.json"


def _local(day: datetime.date, clock: str) -> datetime.datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    naive = datetime.datetime.combine(day, datetime.time(hour, minute))
    return timezone.make_aware(naive, timezone.get_default_timezone())


def _partnership():
    return Partnership.objects.current().first()


def _load_event(data, *, venues, today, now, stdout):
    if Event.objects.filter(slug=data["slug"]).exists():
        return
    day = (
        datetime.date.fromisoformat(data["date"])
        if "date" in data
        else today + datetime.timedelta(days=data["days_from_today"])
    )
    starts_at = _local(day, data["start_time"])
    ends_at = _local(day, data["end_time"])
    reveal_hours = data.get("reveal_hours_before")
    event = Event.objects.create(
        slug=data["slug"],
        title=data["title"],
        summary=data.get("summary", ""),
        body=data.get("body", ""),
        starts_at=starts_at,
        ends_at=ends_at,
        format=data["format"],
        venue=venues.get(data.get("venue")),
        venue_hint=data.get("venue_hint", ""),
        venue_reveal_at=starts_at - datetime.timedelta(hours=reveal_hours)
        if reveal_hours
        else None,
        reveal_audience=data.get("reveal_audience", Event.RevealAudience.TICKET_HOLDERS),
        online_link=data.get("online_link", ""),
        status=Event.Status.PUBLISHED,
        collects_shipping_address=data.get("collects_shipping_address", False),
        meal_options="\n".join(data.get("meal_options", [])),
        partnership=_partnership() if data.get("link_partnership") else None,
        is_sample=data.get("is_sample", False),
        # The sample events show the pay-later choice (and its reminder and release).
        pay_later_allowed=True,
        # tables: a sample's cancellation policy
        refund_policy=data.get("refund_policy", Event._meta.get_field("refund_policy").default),
    )
    stdout.write(f"  event: {event.title}")


@demo_loaders.register
def load(*, stdout):
    data = json.loads(CONTENT.read_text(encoding="utf-8"))
    venues = {}
    for row in data["venues"]:
        venue = Venue.objects.filter(name=row["name"]).first()
        if venue is None:
            venue = Venue.objects.create(
                name=row["name"], address=row["address"], directions=row.get("directions", "")
            )
        venues[row["key"]] = venue
    now = timezone.now()
    today = timezone.localdate(now)
    for row in data["events"]:
        _load_event(row, venues=venues, today=today, now=now, stdout=stdout)
