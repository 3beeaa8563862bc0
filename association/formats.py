"""How the site writes money and moments for people: one format for each kind, the same
on pages, in emails, in the admin and in CSV exports.

- Money is US dollars with two decimals always and thousands separators: "$130.00",
  "$1,250.50". A negative amount (money going back) is "-$20.00". An unknown amount (None)
  is written as nothing. Zero is "$0.00": whether a zero price reads "Free" is the
  page's decision, not the format's.
- An event time (when something happens or happened: an event's start, a reveal, a
  check-in, an offer's end) is "Saturday, December 12, 2026, 7:00 PM", as Americans
  write it (the association is American; the weekday leads, the month is spelled out
  before the day). An event's end is
  the time of day alone when it ends the day it starts ("10:00 PM"), else a full event
  time.
- A plain date (a membership term, the day an order was cancelled) is "December 12, 2026";
  a month heading is "December 2026"; a time of day alone is "7:00 PM".
- A short date-time, for spreadsheets and staff lists, is "2026-12-12 19:00".

Moments are compared in UTC everywhere else; here an aware datetime is shown in the site's
local time (settings.TIME_ZONE, America/New_York). A date is shown as it is.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, timezone

EVENT_TIME = "l, F j, Y, g:i A"
DATE = "F j, Y"
MONTH = "F Y"
TIME_OF_DAY = "g:i A"
SHORT_DATETIME = "Y-m-d H:i"

CENT = Decimal("0.01")


def format_money(amount: Decimal | int | None) -> str:
    """The amount in dollars and cents: "$130.00"; "" for None."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def _local(value):
    """An aware datetime in the site's local time; a date (or naive datetime) as it is."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _format(value, pattern: str) -> str:
    if value is None or value == "":
        return ""
    return formats.date_format(_local(value), pattern)


def format_event_time(moment: datetime.datetime | None) -> str:
    """When something happens: "Saturday, December 12, 2026, 7:00 PM"."""
    return _format(moment, EVENT_TIME)


def format_event_end(end: datetime.datetime | None, *, start: datetime.datetime) -> str:
    """An end after its start: the time alone on the same local day ("10:00 PM"), the
    full event time when it ends on another day."""
    if end is None:
        return ""
    if _local(end).date() == _local(start).date():
        return format_time(end)
    return format_event_time(end)


def format_date(day: datetime.date | datetime.datetime | None) -> str:
    """A plain date: "December 12, 2026" (a datetime is first turned into local time)."""
    return _format(day, DATE)


def format_machine_time(moment: datetime.datetime | None) -> str:
    """A moment for machines (a `<time datetime>`, a data attribute): ISO 8601 in local
    time, to the second; HTML allows at most three digits of a second's fraction."""
    if moment is None:
        return ""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def format_month(day: datetime.date | datetime.datetime | None) -> str:
    """A month heading: "December 2026"."""
    return _format(day, MONTH)


def format_time(moment: datetime.datetime | datetime.time | None) -> str:
    """A time of day alone: "7:00 PM"."""
    if isinstance(moment, datetime.time):
        return formats.time_format(moment, TIME_OF_DAY)
    return _format(moment, TIME_OF_DAY)


def format_short_datetime(moment: datetime.datetime | None) -> str:
    """For spreadsheets and staff lists: "2026-12-12 19:00"."""
    return _format(moment, SHORT_DATETIME)
