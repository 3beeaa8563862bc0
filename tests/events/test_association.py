"""Events sign their feeds and calendars with the association's name, read from the one
accessor every app uses (`Association.current()`)."""

import pytest

pytestmark = pytest.mark.django_db


def test_feed_and_calendar_carry_the_associations_name(client, association):
    feed = client.get("/events/feed/").content.decode()
    assert "<title>Upcoming events · Example Sister City Association</title>" in feed
    calendar = client.get("/events/calendar.ics").content.decode()
    assert "X-WR-CALNAME:Events · Example Sister City Association" in calendar
