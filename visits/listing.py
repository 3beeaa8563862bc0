"""What a partner city's page shows of visits: the upcoming ones, their dates and purpose
only (never a delegate), read once per edit and process (association/page_cache.py)."""

import datetime

from django.utils import timezone

from association.page_cache import computed_once_per_version

from .models import Visit


def next_day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )


def upcoming_visits_for(partnership, *, now: datetime.datetime | None = None) -> list[dict]:
    """The partnership's published visits that have not ended: direction, dates, purpose."""
    now = now or timezone.now()
    today = timezone.localdate(now)

    def compute():
        return [
            {
                "direction": visit.direction,
                "direction_label": visit.get_direction_display(),
                "title": visit.title,
                "purpose": visit.purpose,
                "starts_on": visit.starts_on,
                "ends_on": visit.ends_on,
            }
            for visit in Visit.objects.upcoming(today)
            .filter(partnership=partnership)
            .order_by("starts_on", "pk")
        ]

    return computed_once_per_version(
        ("visits:upcoming", partnership.pk, today),
        compute,
        scopes=["visits"],
        until=lambda _value: next_day_start(today),
    )


def next_visit_change(now: datetime.datetime):
    """The next moment a published visit stops being upcoming (the day after it ends)."""
    today = timezone.localdate(now)
    ends = (
        Visit.objects.upcoming(today).order_by("ends_on").values_list("ends_on", flat=True).first()
    )
    return next_day_start(ends) if ends else None
