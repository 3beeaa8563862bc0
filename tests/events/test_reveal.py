import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser

from events.models import Event
from events.reveal import (
    can_see_online_link,
    can_see_venue,
    is_event_staff,
    public_location,
    reveal_message,
)

from .factories import make_staff


def test_reveal_moment_is_compared_as_an_instant_in_utc(secret_event):
    reveal = secret_event.venue_reveal_at
    new_york = reveal.astimezone(datetime.timezone(datetime.timedelta(hours=-5)))
    assert not secret_event.venue_is_revealed(new_york - datetime.timedelta(microseconds=1))
    assert secret_event.venue_is_revealed(new_york)


def test_event_without_reveal_time_shows_its_venue_to_everyone(make_event, venue, now):
    event = make_event(venue=venue)
    assert can_see_venue(event, viewer=None, at=now)
    assert public_location(event, at=now).startswith("Hidden Orchard Hall, 42 Quietwater Lane")


def test_venue_hidden_from_everyone_before_reveal(secret_event, buy, now, non_member):
    order = buy(secret_event, 1, now=now, user=non_member)
    assert not can_see_venue(secret_event, viewer=None, at=now)
    assert not can_see_venue(secret_event, viewer=AnonymousUser(), at=now)
    assert not can_see_venue(secret_event, viewer=non_member, at=now)
    assert not can_see_venue(secret_event, order=order, at=now)
    assert public_location(secret_event, order=order, at=now) == "Somewhere in Ghent"


def test_after_reveal_only_ticket_holders_see_it(secret_event, buy, now, non_member, member):
    order = buy(secret_event, 1, now=now, user=non_member)
    after = secret_event.venue_reveal_at
    assert can_see_venue(secret_event, viewer=non_member, at=after)
    assert can_see_venue(secret_event, order=order, at=after)
    assert not can_see_venue(secret_event, viewer=member, at=after)
    assert not can_see_venue(secret_event, viewer=None, at=after)


def test_order_of_another_event_does_not_open_the_gate(
    secret_event, make_event, make_ticket_type, buy, now
):
    other = make_event()
    make_ticket_type(other)
    other_order = buy(other, 1, now=now)
    assert not can_see_venue(secret_event, order=other_order, at=secret_event.venue_reveal_at)


def test_cancelled_order_no_longer_opens_the_gate(secret_event, buy, now):
    from tickets.orders import cancel_order

    order = cancel_order(order=buy(secret_event, 1, now=now), now=now)
    assert not can_see_venue(secret_event, order=order, at=secret_event.venue_reveal_at)


def test_after_reveal_to_everyone_all_see_it(public_reveal_event):
    assert can_see_venue(public_reveal_event, viewer=None, at=public_reveal_event.venue_reveal_at)


def test_staff_always_see_the_venue(secret_event, staff_user, now):
    assert can_see_venue(secret_event, viewer=staff_user, at=now)


def test_only_staff_with_an_events_permission_see_the_venue_before_the_reveal(secret_event, now):
    secretary = make_staff("secretary@example.org", group="Membership secretary")
    manager = make_staff("events@example.org", group="Event managers")
    plain_staff = make_staff("plain@example.org")
    assert not can_see_venue(secret_event, viewer=secretary, at=now)
    assert not can_see_venue(secret_event, viewer=plain_staff, at=now)
    assert can_see_venue(secret_event, viewer=manager, at=now)
    assert [is_event_staff(u) for u in (secretary, plain_staff, manager)] == [False, False, True]
    manager.is_active = False
    assert not is_event_staff(manager)


def test_online_event_location_is_online(make_event, now):
    event = make_event(format=Event.Format.ONLINE, online_link="https://meet.example.org/a")
    assert public_location(event, at=now) == "Online"
    assert not can_see_online_link(event, viewer=None, at=now)


def test_online_link_for_ticket_holders(make_event, make_ticket_type, buy, now):
    event = make_event(format=Event.Format.HYBRID, online_link="https://meet.example.org/a")
    make_ticket_type(event)
    order = buy(event, 1, now=now)
    assert can_see_online_link(event, order=order, at=now)


def test_reveal_message_names_the_moment_never_a_relative_time(secret_event):
    # Emails are read days later and pages are cached until the reveal: "in 2 days" would
    # be wrong by then, so the message says the moment alone.
    reveal = secret_event.venue_reveal_at
    message = reveal_message(secret_event, at=reveal - datetime.timedelta(days=2, hours=1))
    local = reveal.astimezone(ZoneInfo("America/New_York"))
    expected = local.strftime("%A, %B %-d, %Y, %-I:%M %p")
    assert message == f"The location will be revealed to ticket holders on {expected}."


def test_hint_shown_for_a_secret_event_without_one(make_event, venue, now):
    event = make_event(venue=venue, venue_reveal_at=now + datetime.timedelta(days=1))
    assert public_location(event, at=now) == "Location to be announced"
