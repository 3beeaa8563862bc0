"""The venue-reveal gate: who may see an event's venue and online link, and when.

This module is the ONE place that decides. Every surface that could show a venue (event
pages, listings, the home page, JSON-LD, Open Graph, iCalendar files, RSS, the sitemap,
emails, order pages, cached responses) asks here and shows `public_location(...)`.

The rule:
- An event without `venue_reveal_at` has no secret: its venue is public at once.
- Otherwise nobody sees the venue before `venue_reveal_at`: the moment itself is the
  model's (`Event.venue_is_revealed(at)`, compared in UTC); who sees it then is decided here.
- From that moment, the venue is shown to the event's `reveal_audience`: everyone, or only
  ticket holders, i.e. someone holding a confirmed order for the event with nothing left
  to pay (a signed-in user with one, or whoever opens that order's private link). Who
  counts as a ticket holder is the Order model's rule (`Order.holds_tickets`,
  `Order.objects.holding_tickets()`, in tickets): a pay-later reservation becomes one when
  it is paid. events never imports tickets: it asks through the orders' reverse relations
  (`event.orders`, `user.orders`), whose QuerySet is tickets' own.
- Staff who run events see the venue always (they set it up in the admin), and draft
  events too: `is_event_staff` is the one answer, for every surface. It asks
  for an events permission (`events.view_event` or `events.change_event`, what lets a
  staff member open an event in the admin, and so its venue), never `is_staff` alone: a
  Membership secretary is staff but has no business with secret venues or drafts.
- The online link of an online or hybrid event is for ticket holders (and staff who run
  events) only.
"""

import datetime
from datetime import timedelta

from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

from association.formats import format_event_time


def is_event_staff(viewer) -> bool:
    """May this viewer see what the public may not yet: venues before their reveal, online
    links, and draft events? Staff with an events permission (the Event managers group,
    a superuser), as the events admin lets them read the event, venue and all."""
    if viewer is None or not getattr(viewer, "is_staff", False) or not viewer.is_active:
        return False
    return viewer.has_perm("events.view_event") or viewer.has_perm("events.change_event")


def holds_ticket(event, *, viewer=None, order=None) -> bool:
    """True when the viewer holds tickets for this event (`Order.holds_tickets`: confirmed,
    nothing left to pay), through an order's private link (`order`) or as the signed-in
    person who placed one."""
    if order is not None and order.event_id == event.pk and order.holds_tickets:
        return True
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    # A list page answers for many events with one query (see `label_locations`).
    held = getattr(event, "_viewer_holds_ticket", None)
    if held is not None and held[0] == viewer.pk:
        return held[1]
    return event.orders.holding_tickets().filter(user=viewer).exists()


def can_see_venue(event, *, viewer=None, order=None, at: datetime.datetime) -> bool:
    """May this viewer (a user or None, or whoever holds `order`'s link) see the venue now?"""
    if event.venue_id is None:
        return False
    if is_event_staff(viewer):
        return True
    if not event.venue_is_revealed(at):
        return False
    if event.venue_reveal_at is None or event.reveal_audience == event.RevealAudience.EVERYONE:
        return True
    return holds_ticket(event, viewer=viewer, order=order)


def can_see_online_link(event, *, viewer=None, order=None, at: datetime.datetime) -> bool:
    """The online link of an online or hybrid event: ticket holders and staff only."""
    if not event.online_link or not event.is_online:
        return False
    if is_event_staff(viewer):
        return True
    return holds_ticket(event, viewer=viewer, order=order)


def public_location(event, *, viewer=None, order=None, at: datetime.datetime) -> str:
    """The location this viewer may see, on one line: the venue's name and address when
    the gate allows, otherwise the public hint ("Online" for an online event)."""
    if event.format == event.Format.ONLINE:
        return _("Online")
    if can_see_venue(event, viewer=viewer, order=order, at=at):
        venue = event.venue
        address = ", ".join(line.strip() for line in venue.address.splitlines() if line.strip())
        place = f"{venue.name}, {address}" if address else venue.name
        if event.format == event.Format.HYBRID:
            return _("%(place)s, and online") % {"place": place}
        return place
    hint = event.venue_hint or (_("Location to be announced") if event.venue_reveal_at else "")
    if event.format == event.Format.HYBRID:
        return _("%(place)s, and online") % {"place": hint} if hint else _("Online")
    return hint


def visible_venue(event, *, viewer=None, order=None, at: datetime.datetime):
    """The Venue itself (for directions, coordinates) when the gate allows, else None."""
    if event.format == event.Format.ONLINE:
        return None
    if can_see_venue(event, viewer=viewer, order=order, at=at):
        return event.venue
    return None


def reveal_message(event, *, viewer=None, order=None, at: datetime.datetime) -> str:
    """The reveal state in plain words, for the event and order pages; empty when there is
    nothing to say (no secret, or the viewer already sees the venue)."""
    if event.venue_reveal_at is None or event.format == event.Format.ONLINE:
        return ""
    if can_see_venue(event, viewer=viewer, order=order, at=at) and not is_event_staff(viewer):
        return ""
    audience = (
        _("everyone")
        if event.reveal_audience == event.RevealAudience.EVERYONE
        else _("ticket holders")
    )
    when = format_event_time(event.venue_reveal_at)
    if not event.venue_is_revealed(at):
        # The moment itself, never "in 1 week": an email is read days later and a cached
        # page is kept until the reveal, so a relative time would be wrong by then.
        message = _("The location will be revealed to %(audience)s on %(when)s.") % {
            "audience": audience,
            "when": when,
        }
    elif is_event_staff(viewer):
        return _("The location was revealed to %(audience)s on %(when)s.") % {
            "audience": audience,
            "when": when,
        }
    else:
        message = _("The location was revealed to ticket holders on %(when)s.") % {"when": when}
    if (
        order is not None
        and order.awaits_payment
        and event.reveal_audience == event.RevealAudience.TICKET_HOLDERS
    ):
        # A reservation not yet paid is no ticket holder: say what will change that.
        message += " " + _(
            "Once your payment has reached us, it is shown here and we email it to you."
        )
    return message


def label_locations(events, *, viewer=None, at: datetime.datetime):
    """Set `event.location_label` on each event through the gate, for list templates."""
    events = list(events)
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        held = set(
            viewer.orders.holding_tickets()
            .filter(event__in=[e.pk for e in events])
            .values_list("event_id", flat=True)
        )
        for event in events:
            event._viewer_holds_ticket = (viewer.pk, event.pk in held)
    for event in events:
        event.location_label = public_location(event, viewer=viewer, at=at)
    return events


def seconds_until_next_reveal(events, *, at: datetime.datetime) -> int | None:
    """Seconds until the earliest reveal still to come among these events, or None.

    Anything that caches a page showing these events must not keep it past that moment.
    """
    pending = [e.venue_reveal_at for e in events if not e.venue_is_revealed(at)]
    if not pending:
        return None
    return max(int((min(pending) - at) / timedelta(seconds=1)), 0)


PUBLIC_MAX_AGE = 60
"""Seconds a shared cache may keep a public event page (less when a reveal comes sooner)."""


def cache_until_next_reveal(response, events, *, viewer, now: datetime.datetime):
    """Let caches keep a response showing these events only while it cannot change its
    venue: never past the next reveal among them. A page rendered for a viewer (`viewer`,
    possibly anonymous) varies on the cookie and is never shared once someone is signed
    in; a feed that is the same for everyone (`viewer=None`) is simply public.

    Every cacheable surface that shows events goes through this one function: event
    pages and lists, .ics files, the RSS feed, the home page, the partnership pages."""
    if viewer is not None:
        patch_vary_headers(response, ["Cookie"])
        if viewer.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
            return response
    max_age = PUBLIC_MAX_AGE
    until_reveal = seconds_until_next_reveal(events, at=now)
    if until_reveal is not None:
        max_age = min(max_age, until_reveal)
    patch_cache_control(response, public=True, max_age=max_age)
    return response
