"""What events shows of the sales of its tickets, as the app that sells them counts them.

events lists and shows events; it does not sell their tickets, and never imports the app
that does (DESIGN.md: dependencies point one way). That app (`tickets`) registers here,
when it loads (`TicketsConfig.ready`), the two things the event pages, cards and admin
need to say "sold out" or "3 left": how to fetch events with what their sales figures are
counted from (`with_sales_figures`) and the count itself (`places_left`). The rules stay
tickets' (`tickets/availability.py`); this module only hands the question over, as
payments' purposes do for what is paid for.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Seller:
    with_sales_figures: object
    """`with_sales_figures(events, *, now)`: the events' QuerySet with what `places_left`
    counts from (the ticket types in page order, the open waiting-list offers), in a fixed
    number of queries whatever the number of events."""
    places_left: object
    """`places_left(event, *, now, **options)`: a mapping of ticket type id to places left,
    with `.total` (tickets.availability.PlacesLeft)."""


_seller: Seller | None = None


def register_seller(seller: Seller) -> None:
    global _seller  # noqa: PLW0603 - set once, when the selling app is ready
    _seller = seller


def _registered() -> Seller:
    if _seller is None:
        raise ImproperlyConfigured("No app sells tickets: add 'tickets' to INSTALLED_APPS.")
    return _seller


def with_sales_figures(events, *, now: datetime.datetime):
    return _registered().with_sales_figures(events, now=now)


def places_left(event, *, now: datetime.datetime, **options):
    return _registered().places_left(event, now=now, **options)
