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

In the partners' languages (the active language, settings.LANGUAGES) each kind has that
language's own way, with the month and weekday names from Django's catalogs, and money is
still US dollars, written as a reader of that language expects a foreign currency:
- German: "Samstag, 12. Dezember 2026, 19:00 Uhr", "12. Dezember 2026", "1.250,50 $";
- French: "samedi 12 décembre 2026 à 19:00", "12 décembre 2026", "1 250,50 $" (narrow
  no-break spaces, as the French typographic rules have it);
- Japanese: "2026年12月12日（土曜日） 19:00", "2026年12月12日", "$1,250.50";
- Chinese (Simplified): "2026年12月12日 星期六 19:00", "2026年12月12日", "US$1,250.50"
  (the dollar sign alone reads as any dollar there).
The short date-time for spreadsheets is the same in every language.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, timezone, translation

NARROW_NO_BREAK_SPACE = "\u202f"


@dataclass(frozen=True)
class LanguageFormats:
    event_time: str
    date: str
    month: str
    time_of_day: str
    # Dollars: "{sign}" and "{amount}" (written with `thousands` and `decimal`).
    money: str
    thousands: str = ","
    decimal: str = "."


FORMATS = {
    "en": LanguageFormats(
        event_time="l, F j, Y, g:i A",
        date="F j, Y",
        month="F Y",
        time_of_day="g:i A",
        money="{sign}${amount}",
    ),
    "de": LanguageFormats(
        event_time="l, j. F Y, H:i \\U\\h\\r",
        date="j. F Y",
        month="F Y",
        time_of_day="H:i \\U\\h\\r",
        money="{sign}{amount}\u00a0$",
        thousands=".",
        decimal=",",
    ),
    "fr": LanguageFormats(
        event_time="l j F Y à H:i",
        date="j F Y",
        month="F Y",
        time_of_day="H:i",
        money="{sign}{amount}" + NARROW_NO_BREAK_SPACE + "$",
        thousands=NARROW_NO_BREAK_SPACE,
        decimal=",",
    ),
    "ja": LanguageFormats(
        event_time="Y年n月j日（l） H:i",
        date="Y年n月j日",
        month="Y年n月",
        time_of_day="H:i",
        money="{sign}${amount}",
    ),
    "zh-hans": LanguageFormats(
        event_time="Y年n月j日 l H:i",
        date="Y年n月j日",
        month="Y年n月",
        time_of_day="H:i",
        money="{sign}US${amount}",
    ),
}
SHORT_DATETIME = "Y-m-d H:i"

CENT = Decimal("0.01")


def language_formats() -> LanguageFormats:
    """The formats of the active language (English for any language the site does not
    have)."""
    return FORMATS.get(translation.get_language() or "en", FORMATS["en"])


def format_money(amount: Decimal | int | None) -> str:
    """The amount in dollars and cents: "$130.00" (in the active language's way: "130,00 $"
    in German); "" for None."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    way = language_formats()
    digits = f"{abs(value):,.2f}"
    if way.thousands != "," or way.decimal != ".":
        whole, cents = digits.split(".")
        digits = whole.replace(",", way.thousands) + way.decimal + cents
    return way.money.format(sign=sign, amount=digits)


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
    return _format(moment, language_formats().event_time)


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
    return _format(day, language_formats().date)


def format_machine_time(moment: datetime.datetime | None) -> str:
    """A moment for machines (a `<time datetime>`, a data attribute): ISO 8601 in local
    time, to the second; HTML allows at most three digits of a second's fraction."""
    if moment is None:
        return ""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def format_month(day: datetime.date | datetime.datetime | None) -> str:
    """A month heading: "December 2026"."""
    return _format(day, language_formats().month)


def format_time(moment: datetime.datetime | datetime.time | None) -> str:
    """A time of day alone: "7:00 PM"."""
    pattern = language_formats().time_of_day
    if isinstance(moment, datetime.time):
        return formats.time_format(moment, pattern)
    return _format(moment, pattern)


def format_short_datetime(moment: datetime.datetime | None) -> str:
    """For spreadsheets and staff lists: "2026-12-12 19:00"."""
    return _format(moment, SHORT_DATETIME)
