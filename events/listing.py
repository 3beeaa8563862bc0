"""What list surfaces (event lists, the home page's cards) show of each event.

Pages get precomputed values, so templates decide nothing: `event.location_label` through
the reveal gate, `event.sales_state` and its label, `event.price_label`, and the month it
is listed under. Everything comes from rows fetched in a fixed number of queries, whatever the
number of events or ticket types.
"""

import datetime

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from association.formats import format_money, format_month

from .inventory import SalesState, availability, event_sales_state, open_offers
from .models import Event, TicketType
from .reveal import label_locations


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


def with_ticket_types(queryset):
    return queryset.listed().prefetch_related(
        Prefetch("ticket_types", queryset=TicketType.objects.order_by("position", "price", "pk"))
    )


def describe_events(events, *, viewer=None, now: datetime.datetime) -> list[Event]:
    """Annotate events (fetched with `with_ticket_types`) for list templates."""
    events = label_locations(list(events), viewer=viewer, at=now)
    offers = open_offers(event_ids=[e.pk for e in events], now=now)
    for event in events:
        ticket_types = list(event.ticket_types.all())
        left = availability(event, ticket_types, now=now, offers=offers[event.pk])
        event.sales_state = event_sales_state(event, now=now, left=left, ticket_types=ticket_types)
        event.sales_label = SalesState.LABELS[event.sales_state]
        event.price_label = price_label(ticket_types)
        event.month_label = format_month(event.starts_at)
    return events


def event_cards(*, viewer=None, now: datetime.datetime | None = None, limit: int | None = 3):
    """Upcoming events for the home page's `events/includes/event_cards.html`."""
    now = now or timezone.now()
    queryset = with_ticket_types(Event.objects.upcoming(now))
    if limit:
        queryset = queryset[:limit]
    return describe_events(queryset, viewer=viewer, now=now)
