"""Money and moments are written one way each (association/formats.py), and the template
filters write them exactly as the Python functions do."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from association.formats import (
    format_date,
    format_event_end,
    format_event_time,
    format_machine_time,
    format_money,
    format_month,
    format_short_datetime,
    format_time,
)

UTC = datetime.UTC
NEW_YORK = ZoneInfo("America/New_York")
# 7:00 PM in Norfolk on Saturday, December 12, 2026 is already Sunday in UTC.
SATURDAY_EVENING = datetime.datetime(2026, 12, 13, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        (Decimal("130"), "$130.00"),
        (Decimal("130.00"), "$130.00"),
        (130, "$130.00"),
        (Decimal("65.5"), "$65.50"),
        (Decimal("12.34"), "$12.34"),
        (Decimal("1250.5"), "$1,250.50"),
        (Decimal("1234567.89"), "$1,234,567.89"),
        (Decimal("0"), "$0.00"),
        (Decimal("0.005"), "$0.01"),
        (Decimal("0.004"), "$0.00"),
    ],
)
def test_money_has_two_decimals_always(amount, written):
    assert format_money(amount) == written


def test_money_going_back_is_negative_before_the_dollar_sign():
    assert format_money(Decimal("-20")) == "-$20.00"
    assert format_money(Decimal("-1250.5")) == "-$1,250.50"


def test_unknown_money_is_written_as_nothing():
    assert format_money(None) == ""
    assert format_money("") == ""


def test_event_time_is_written_the_american_way():
    """Weekday, month, day, year, then the 12-hour time: the association is American."""
    monday_evening = datetime.datetime(2026, 12, 15, 0, 0, tzinfo=UTC)
    assert format_event_time(monday_evening) == "Monday, December 14, 2026, 7:00 PM"
    assert format_date(monday_evening) == "December 14, 2026"
    assert format_time(monday_evening) == "7:00 PM"


def test_event_time_is_weekday_month_day_year_and_local_time():
    assert format_event_time(SATURDAY_EVENING) == "Saturday, December 12, 2026, 7:00 PM"
    # The zone a datetime arrives in does not matter: it is shown in local time.
    same_moment = SATURDAY_EVENING.astimezone(ZoneInfo("Asia/Tokyo"))
    assert format_event_time(same_moment) == "Saturday, December 12, 2026, 7:00 PM"
    assert format_event_time(None) == ""


def test_event_time_in_summer_follows_daylight_saving():
    assert (
        format_event_time(datetime.datetime(2026, 7, 4, 13, 30, tzinfo=UTC))
        == "Saturday, July 4, 2026, 9:30 AM"
    )


def test_event_end_on_the_same_local_day_is_the_time_alone():
    end = SATURDAY_EVENING + datetime.timedelta(hours=3)  # 10 PM local, Sunday in UTC
    assert format_event_end(end, start=SATURDAY_EVENING) == "10:00 PM"


def test_event_end_on_another_local_day_is_a_full_event_time():
    end = SATURDAY_EVENING + datetime.timedelta(hours=6)  # 1 AM local on Sunday
    assert format_event_end(end, start=SATURDAY_EVENING) == "Sunday, December 13, 2026, 1:00 AM"


def test_plain_date_is_day_month_year():
    assert format_date(datetime.date(2026, 12, 12)) == "December 12, 2026"
    assert format_date(datetime.date(2027, 1, 1)) == "January 1, 2027"
    assert format_date(None) == ""


def test_plain_date_of_a_moment_is_its_local_day():
    # Sunday in UTC, still Saturday evening in Norfolk.
    assert format_date(SATURDAY_EVENING) == "December 12, 2026"


def test_time_of_day_month_and_short_datetime():
    assert format_time(SATURDAY_EVENING) == "7:00 PM"
    assert format_time(datetime.time(9, 5)) == "9:05 AM"
    assert format_month(SATURDAY_EVENING) == "December 2026"
    assert format_month(datetime.date(2027, 1, 31)) == "January 2027"
    assert format_short_datetime(SATURDAY_EVENING) == "2026-12-12 19:00"
    assert format_short_datetime(None) == ""


def render(source: str, **context) -> str:
    return Template("{% load formats %}" + source).render(Context(context))


def test_the_filters_write_what_the_functions_write():
    end = SATURDAY_EVENING + datetime.timedelta(hours=3)
    assert render("{{ amount|money }}", amount=Decimal("130")) == "$130.00"
    assert render("{{ amount|money }}", amount=None) == ""
    assert render("{{ missing|money }}") == ""
    assert render("{{ at|event_time }}", at=SATURDAY_EVENING) == format_event_time(SATURDAY_EVENING)
    assert render("{{ end|event_end:start }}", end=end, start=SATURDAY_EVENING) == "10:00 PM"
    assert render("{{ day|plain_date }}", day=datetime.date(2026, 12, 12)) == "December 12, 2026"
    assert render("{{ at|time_of_day }}", at=SATURDAY_EVENING) == "7:00 PM"


def test_a_missing_date_falls_back_through_default():
    assert render('{{ day|plain_date|default:"lifetime" }}', day=None) == "lifetime"


def test_what_django_formats_by_itself_reads_like_the_pages():
    """The admin's date columns and read-only fields use Django's own formats."""
    from django.utils import formats, timezone

    assert formats.localize(timezone.localtime(SATURDAY_EVENING)) == format_event_time(
        SATURDAY_EVENING
    )
    assert formats.localize(datetime.date(2026, 12, 12)) == "December 12, 2026"


def test_machine_time_is_iso_8601_local_to_the_second():
    moment = datetime.datetime(2026, 12, 12, 0, 0, 1, 214868, tzinfo=datetime.UTC)
    assert format_machine_time(moment) == "2026-12-11T19:00:01-05:00"
    assert format_machine_time(None) == ""
