"""A partnership's timeline: what has happened in it, newest first.

Its milestones (dated as far as the sources know them, with a photo when staff add one) and
what other apps contribute through the partnership page's hook (nsca adds the exchange
programs that have ended: cities imports no other app). Only what has happened by `today`
is on it: a milestone dated ahead (an anniversary being planned) waits for its day.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Milestone, format_partial_date


@dataclass(frozen=True)
class TimelineEntry:
    date: datetime.date
    when: str
    machine_date: str
    title: str
    kind: str
    text: str = ""
    url: str = ""
    photo_url: str = ""
    photo_full_url: str = ""
    photo_alt: str = ""

    @classmethod
    def of_milestone(cls, milestone: Milestone) -> "TimelineEntry":
        thumbnail = milestone.photo_thumbnail
        return cls(
            date=milestone.date,
            when=milestone.when,
            machine_date=milestone.machine_date,
            title=milestone.title,
            kind=_("Milestone"),
            text=milestone.text,
            photo_url=thumbnail.url if thumbnail else "",
            photo_full_url=milestone.photo.url if thumbnail and milestone.photo else "",
            photo_alt=milestone.photo_description if thumbnail else "",
        )

    @classmethod
    def on_day(cls, day: datetime.date, **fields) -> "TimelineEntry":
        """An entry dated to the day (an exchange's first day of travel)."""
        return cls(
            date=day,
            when=format_partial_date(day, Milestone.Precision.DAY),
            machine_date=day.isoformat(),
            **fields,
        )


def partnership_timeline(milestones, others, *, today: datetime.date) -> list[TimelineEntry]:
    """The milestones (Milestone rows) and the other entries (TimelineEntry) that have
    happened by `today`, newest first."""
    entries = [TimelineEntry.of_milestone(milestone) for milestone in milestones]
    entries.extend(others)
    return sorted(
        (entry for entry in entries if entry.date <= today),
        key=lambda entry: entry.date,
        reverse=True,
    )
