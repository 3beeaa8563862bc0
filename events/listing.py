"""What pages show of an event's sales: states, their labels, prices, and list cards.

Pages get precomputed values, so templates decide nothing: `event.location_label` through
the reveal gate, `event.sales_state` and its label, `event.price_label`, and the month it
is listed under. The numbers come from tickets' `availability.places_left`, on rows
fetched by its `with_sales_figures` (the admin's figures read the same), both asked
through `events/sales.py`, in a fixed number of queries whatever the number of events or
ticket types.
"""

import copy
import datetime

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from association.badges import Badge, Tone
from association.formats import format_money, format_month
from association.page_cache import computed_once_per_version

from .models import Event, SalesWindow
from .reveal import label_locations
from .sales import places_left, with_sales_figures

FEW_LEFT_PERCENT = 10
"""Pages say "few left" when at most this share of a ticket type's (or an event's) places
is left..."""

FEW_LEFT_AT_LEAST = 3
"""...or at most this many, for a small one (a tenth of 12 places would be 1)."""


def is_few_left(*, left: int, size: int) -> bool:
    """The one rule for "few left", for a ticket type and for an event: some of its `size`
    places are taken, and what is `left` is at most `FEW_LEFT_PERCENT` of them (rounded
    up) or `FEW_LEFT_AT_LEAST`, whichever is more. Never when nothing is taken: eight
    places of eight are not "few left", they are all there is."""
    if left <= 0 or left >= size:
        return False
    share = -(-size * FEW_LEFT_PERCENT // 100)  # rounded up
    return left <= max(share, FEW_LEFT_AT_LEAST)


class SalesState(models.TextChoices):
    """What a page says about an event's or a ticket type's tickets (the label is for
    people, the tone colors its badge)."""

    CANCELLED = "cancelled", gettext_lazy("Cancelled")
    NOT_OPEN = "not_open", gettext_lazy("Registration not yet open")
    CLOSED = "closed", gettext_lazy("Registration closed")
    SOLD_OUT = "sold_out", gettext_lazy("Sold out")
    FEW_LEFT = "few_left", gettext_lazy("Few left")
    ON_SALE = "on_sale", gettext_lazy("On sale")
    NO_TICKETS = "no_tickets", gettext_lazy("No registration")

    @property
    def can_buy(self) -> bool:
        return self in (SalesState.ON_SALE, SalesState.FEW_LEFT)

    @property
    def tone(self) -> str:
        """The badge's tone (association/badges.py)."""
        if self in (SalesState.CANCELLED, SalesState.SOLD_OUT):
            return Tone.ERROR
        if self in (SalesState.FEW_LEFT, SalesState.NOT_OPEN):
            return Tone.WARN
        if self == SalesState.ON_SALE:
            return Tone.OK
        return Tone.PLAIN

    @property
    def is_pointed_out(self) -> bool:
        """Worth a badge on a listing's card: anything but the usual (on sale, or no
        registration at all)."""
        return self not in (SalesState.ON_SALE, SalesState.NO_TICKETS)


def ticket_type_badge(state: SalesState, *, left: int) -> Badge | None:
    """What the event page says of one ticket type's sales, as a badge; None while it is
    simply on sale (the page then says how many are left)."""
    if state == SalesState.SOLD_OUT:
        return Badge(_("Sold out"), Tone.ERROR)
    if state == SalesState.FEW_LEFT:
        return Badge(_("Few left: %(n)s") % {"n": left}, Tone.WARN)
    if state == SalesState.NOT_OPEN:
        return Badge(state.label, Tone.WARN)
    if state == SalesState.CLOSED:
        return Badge(_("Sales ended"))
    return None


def _by_places(left: int, *, size: int) -> SalesState:
    if left <= 0:
        return SalesState.SOLD_OUT
    if is_few_left(left=left, size=size):
        return SalesState.FEW_LEFT
    return SalesState.ON_SALE


def _within(places: int, capacity: int | None) -> int:
    """At most the event's capacity: all the places there can be."""
    return places if capacity is None else min(places, capacity)


def event_sales_state(
    event: Event, *, now: datetime.datetime, left: dict, ticket_types
) -> SalesState:
    """The state of sales: cancelled, not yet open, closed, sold out, few left, on sale."""
    if event.status == Event.Status.CANCELLED:
        return SalesState.CANCELLED
    window = event.registration_window(now)
    if window == SalesWindow.NOT_YET_OPEN:
        return SalesState.NOT_OPEN
    if window == SalesWindow.CLOSED or event.status != Event.Status.PUBLISHED:
        return SalesState.CLOSED
    if not ticket_types:
        return SalesState.NO_TICKETS
    windows = {t.sales_window(now) for t in ticket_types}
    if SalesWindow.OPEN not in windows:
        return SalesState.NOT_OPEN if SalesWindow.NOT_YET_OPEN in windows else SalesState.CLOSED
    # `total` is what the types on sale have left together: their own figures, each
    # capped at what the event has left, would count shared places more than once.
    size = sum(t.quantity for t in ticket_types if t.sales_window(now) == SalesWindow.OPEN)
    return _by_places(left.total, size=_within(size, event.capacity))


def ticket_type_state(
    ticket_type, *, now: datetime.datetime, left: int, capacity: int | None = None
) -> SalesState:
    """The state of one ticket type's sales; `capacity`, the event's, bounds its size."""
    window = ticket_type.sales_window(now)
    if window == SalesWindow.NOT_YET_OPEN:
        return SalesState.NOT_OPEN
    if window == SalesWindow.CLOSED:
        return SalesState.CLOSED
    return _by_places(left, size=_within(ticket_type.quantity, capacity))


def price_label(ticket_types) -> str:
    prices = sorted({t.price for t in ticket_types})
    if not prices:
        return ""
    if prices[-1] == 0:
        return _("Free")
    low = _("Free") if prices[0] == 0 else format_money(prices[0])
    if len(prices) == 1:
        return low
    return f"{low}–{format_money(prices[-1])}"


def with_ticket_types(queryset, *, now: datetime.datetime):
    """Events for a list page: the venue (for the gate), the partnership, and the figures
    of sales (`sales.with_sales_figures`) as of `now`, the moment the page is rendered
    for."""
    return with_sales_figures(queryset.listed(), now=now)


def _first_change(events, *, ending: bool) -> datetime.datetime | None:
    """The first moment events read with `with_ticket_types` may differ from what the same
    query would answer, with no edit in between: an open waiting-list offer among them
    runs out (its places go back on sale), and, with `ending`, one of them ends (it leaves
    the upcoming events for the past ones)."""
    moments = [offer.offer_expires_at for event in events for offer in event.open_offers]
    if ending:
        moments += [event.ends_at for event in events]
    return min(moments, default=None)


# What the rows with their figures of sales are kept under (tickets/signals.py bumps them).
SCOPES = ("events", "sales")


def _upcoming_rows(now: datetime.datetime) -> list[Event]:
    return computed_once_per_version(
        "events:upcoming",
        lambda: list(with_ticket_types(Event.objects.upcoming(now), now=now)),
        scopes=SCOPES,
        until=lambda events: _first_change(events, ending=True),
    )


def _past_rows(now: datetime.datetime) -> list[Event]:
    return computed_once_per_version(
        "events:past",
        lambda: list(with_ticket_types(Event.objects.past(now), now=now)),
        scopes=SCOPES,
        until=lambda events: min(
            (
                moment
                for moment in (
                    _first_change(events, ending=False),
                    _first_change(_upcoming_rows(now), ending=True),
                )
                if moment is not None
            ),
            default=None,
        ),
    )


def upcoming_events(*, now: datetime.datetime) -> list[Event]:
    """`Event.objects.upcoming(now)` with `with_ticket_types`, read once per edit and
    process (association/page_cache.py) and kept until the first of them ends or the first
    open offer among them runs out. Every caller gets its own copies, to describe for its
    own viewer (`describe_events`), so one viewer's labels never reach another's page."""
    return [copy.copy(event) for event in _upcoming_rows(now)]


def kept_document_of_upcoming_events(key, render, *, now: datetime.datetime):
    """`render(events)` (a whole document over the upcoming events: the RSS feed, the
    calendar) kept per edit like the events themselves, and never past the moment it could
    change without one: the first of them ending, an open offer among them running out, or
    the next reveal among them (what it says of a venue). Returns `(value, events)`: the
    caller bounds the response's own max-age with those events (`cache_until_next_reveal`,
    at each request's `now`). `key` names the document and whatever of the request it
    depends on (scheme and host for absolute addresses)."""

    def compute():
        events = upcoming_events(now=now)
        return render(events), events

    def until(kept):
        _value, events = kept
        moments = [
            event.venue_reveal_at
            for event in events
            if event.venue_reveal_at is not None and not event.venue_is_revealed(now)
        ]
        first_change = _first_change(events, ending=True)
        if first_change is not None:
            moments.append(first_change)
        return min(moments, default=None)

    return computed_once_per_version(key, compute, scopes=SCOPES, until=until)


def past_events(*, now: datetime.datetime) -> list[Event]:
    """`Event.objects.past(now)` with `with_ticket_types`, kept like `upcoming_events`
    until an upcoming event ends (it joins them) or an open offer among them runs out."""
    return [copy.copy(event) for event in _past_rows(now)]


def published_event(slug: str, *, now: datetime.datetime) -> Event | None:
    """The published event with this slug, with `with_ticket_types`, from the events kept
    above (a copy of its own), or None."""
    for rows in (_upcoming_rows, _past_rows):  # the past ones only when needed
        for event in rows(now):
            if event.slug == slug:
                return copy.copy(event)
    return None


def describe_events(events, *, viewer=None, now: datetime.datetime) -> list[Event]:
    """Annotate events (fetched with `with_ticket_types`) for list templates."""
    events = label_locations(list(events), viewer=viewer, at=now)
    for event in events:
        ticket_types = list(event.ticket_types.all())
        left = places_left(event, now=now)
        event.sales_state = event_sales_state(event, now=now, left=left, ticket_types=ticket_types)
        event.sales_label = event.sales_state.label
        event.price_label = price_label(ticket_types)
        event.month_label = format_month(event.starts_at)
    return events
