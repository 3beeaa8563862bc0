"""Availability: what can still be sold of an event's tickets now, and why not.

The rule. A ticket type has `quantity` places and an event may have an overall `capacity`.
`TicketType.reserved` and `Event.reserved` count the tickets of pending (held) and
confirmed orders (only `tickets/orders.py` moves them). Every count is in places: a ticket
type that seats several (`TicketType.seats`, a table of 10) takes that many places per
ticket sold, makes a `Ticket` per seat, and is sold out when fewer places than it seats
are left (`places_needed`, `whole_tickets`). What can still be sold of a type is

    quantity - reserved - places offered to the waiting list for that type (open offers)

where an open offer keeps exactly the places it offered (`WaitlistEntry.offered_quantity`,
what had come back when it was made), not the number its holder asked for; the rest stays
on sale and the next run of the waiting list offers it to the next person,
bounded by what the event has left altogether: the places its types on sale have left
together, less the open offers made for no type in particular (held once, whichever type
their holder picks), and, with a capacity, capacity - reserved - all open offers. The
holder of an offer may use its places, up to the number offered. Public pages, the admin's
"remaining" and the checkout all read this one count (`places_left`), from the rows
`with_sales_figures(events, now=now)` fetched or, under the lock, fresh ones. Staff may
not set a quantity or capacity below what is already taken (`places_taken`).

Sales are open when the event's registration is (`Event.registration_is_open`) and the
ticket type is inside its own dates (`TicketType.is_on_sale`); `check_event_on_sale` and
`check_ticket_type_on_sale` say why not, in words for the buyer.

The lock. Everything that changes what can be sold takes the event's row lock first,
through `lock_event`, and the other rows after it in one fixed order (the waiting-list
entry whose offer is being used, then TicketType rows by primary key, then Order rows):
two buyers of one event queue on its row, so the second checks availability only after
the first committed, across threads and server processes.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from association.formats import format_event_time
from events.models import Event, SalesWindow
from payments.models import Payment

from .models import ORDER_PURPOSE, Order, Ticket, TicketType, WaitlistEntry
from .pricing import may_buy


class InventoryError(Exception):
    """A purchase that cannot go ahead; `message` says why, for the buyer."""

    default_message = _("These tickets cannot be reserved.")

    def __init__(self, message=None):
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class SoldOut(InventoryError):
    default_message = _("Sorry, there are not enough tickets left.")


class SalesClosed(InventoryError):
    default_message = _("Tickets for this event are not on sale.")


class InvalidSelection(InventoryError):
    default_message = _("Please check the tickets you chose.")


def lock_event(*, event_id, skip_locked: bool = False) -> Event | None:
    """Take the event's row lock (`SELECT ... FOR UPDATE`) for the rest of the transaction
    and return the row as it is now; every change to its tickets waits until then. With
    `skip_locked`, None when another transaction holds it (or no such event)."""
    return Event.objects.select_for_update(skip_locked=skip_locked).filter(pk=event_id).first()


class PlacesLeft(dict):
    """Places that can be sold now, per ticket type pk, and `total`: what can be sold of
    those types together. The total is less than the sum when the event's capacity, or a
    waiting-list offer made for no type in particular, is shared between the types."""

    def __init__(self, per_type: dict[int, int], *, total: int):
        super().__init__(per_type)
        self.total = total


def places_left(
    event: Event,
    *,
    now: datetime.datetime,
    ticket_types=None,
    offers=None,
    offer: WaitlistEntry | None = None,
) -> PlacesLeft:
    """Places that can be sold now, per ticket type pk (see the module docstring).

    `ticket_types` and `offers` (the event's open waiting-list offers) default to what
    `with_sales_figures(events, now=now)` fetched; under the lock the caller passes the
    rows it just locked. `offer` is the entry whose own places may be used (its holder is
    buying)."""
    if ticket_types is None:
        ticket_types = event.ticket_types.all()
    if offers is None:
        offers = event.open_offers
    holds = [entry for entry in offers if offer is None or entry.pk != offer.pk]
    held_for_type = Counter()
    held_for_any_type = 0
    for entry in holds:
        if entry.ticket_type_id is None:
            held_for_any_type += entry.offered_quantity
        else:
            held_for_type[entry.ticket_type_id] += entry.offered_quantity
    own = {
        ticket_type.pk: max(
            ticket_type.quantity - ticket_type.reserved - held_for_type[ticket_type.pk], 0
        )
        for ticket_type in ticket_types
    }
    # An offer for no type in particular takes its places once, from the pool the types
    # on sale share; taking them from each type would mark every type sold out for one
    # offer, and counting a closed type's unsold places would let others buy the offer's.
    pool = sum(own[t.pk] for t in ticket_types if t.is_on_sale(now))
    total = pool - held_for_any_type
    if event.capacity is not None:
        total = min(total, event.capacity - event.reserved - sum(e.offered_quantity for e in holds))
    total = max(total, 0)
    # A ticket that seats several (a table of 10) sells only whole: its type has left the
    # places of the whole tables that still fit (9 places left: no table of 10).
    return PlacesLeft(
        {t.pk: whole_tickets(min(own[t.pk], total), t) * t.seats for t in ticket_types},
        total=total,
    )


def whole_tickets(places: int, ticket_type: TicketType) -> int:
    """How many tickets of this type fit in `places` (a table of 10 takes 10)."""
    return places // ticket_type.seats


def places_needed(lines) -> int:
    """The places an order of (ticket type, quantity) lines takes: a ticket per seat."""
    return sum(ticket_type.seats * quantity for ticket_type, quantity in lines)


def with_sales_figures(events, *, now: datetime.datetime, staff_counts: bool = False):
    """`events` (a QuerySet of Event) with the figures of sales, for the public pages and the
    admin alike (events' pages ask for it through `events/sales.py`), in a fixed number of
    queries whatever the number of events: the ticket types (in page order) and the open
    waiting-list offers (`event.open_offers`), from which `places_left` tells what can
    still be sold (what both show); and, with `staff_counts` (the admin's; public pages
    never show them and skip their cost), counted by the database, `figure_sold` (tickets
    of confirmed orders), `figure_held` (of pending orders still holding),
    `figure_unpaid` (of confirmed orders still owing money: pay later),
    `figure_checked_in` and `figure_revenue` (what confirmed orders brought in, net of
    refunds; an unpaid one counts its total). Subqueries, not joins, so the counts never
    multiply."""
    events = events.prefetch_related(
        Prefetch("ticket_types", queryset=TicketType.objects.order_by("position", "price", "pk")),
        Prefetch(
            "waitlist", queryset=WaitlistEntry.objects.open_offers(now), to_attr="open_offers"
        ),
    )
    if not staff_counts:
        # Before the staff subqueries are even built: building them is a millisecond
        # of Python a public page (a checkout in a rush) would spend for nothing.
        return events
    tickets = Ticket.objects.filter(order__event=OuterRef("pk")).order_by()
    confirmed = Q(order__status=Order.Status.CONFIRMED)

    def count(condition):
        rows = tickets.filter(condition).values("order__event").annotate(n=Count("pk"))
        return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), Value(0))

    money = DecimalField(max_digits=12, decimal_places=2)
    # An order paid brought in what its payments kept after refunds (a partial refund
    # made in Stripe's dashboard lowers it without touching the tickets); one not yet
    # paid (pay later) counts its total.
    revenue = (
        Order.objects.confirmed()
        .filter(event=OuterRef("pk"))
        .annotate(
            brought_in=Coalesce(
                Payment.objects.net_received_for(purpose=ORDER_PURPOSE, object_id=OuterRef("pk")),
                F("total"),
                output_field=money,
            )
        )
        .order_by()
        .values("event")
        .annotate(sum=Sum("brought_in"))
        .values("sum")
    )
    return events.annotate(
        figure_sold=count(confirmed),
        figure_held=count(Q(order__status=Order.Status.PENDING, order__hold_expires_at__gt=now)),
        figure_unpaid=count(confirmed & Q(order__paid_at__isnull=True, order__total__gt=0)),
        figure_checked_in=count(confirmed & Q(checked_in_at__isnull=False)),
        figure_revenue=Coalesce(
            Subquery(revenue, output_field=money), Value(0, output_field=money)
        ),
    )


@dataclass(frozen=True)
class PlacesTaken:
    """What a ticket type's quantity, or an event's capacity, cannot go below now."""

    reserved: int
    """Tickets of pending (held) and confirmed orders."""
    offered: int
    """Places kept for open waiting-list offers."""

    @property
    def lowest_allowed(self) -> int:
        return self.reserved + self.offered


def places_taken(
    *, event_id: int, ticket_type_id: int | None = None, now: datetime.datetime
) -> PlacesTaken:
    """The lowest quantity staff may set for a ticket type now or, without one, the lowest
    capacity for the event: the tickets already sold or held (from the counters as they are
    in the database) and the places offered to the waiting list (for that type; for the
    event, every open offer). Lower, and the database refuses the save; hold `lock_event`
    from the check to the save so that no sale slips in between."""
    offers = WaitlistEntry.objects.open_offers(now).filter(event_id=event_id)
    if ticket_type_id is None:
        reserved = Event.objects.values_list("reserved", flat=True).get(pk=event_id)
    else:
        reserved = TicketType.objects.values_list("reserved", flat=True).get(pk=ticket_type_id)
        offers = offers.filter(ticket_type_id=ticket_type_id)
    return PlacesTaken(reserved=reserved, offered=sum(entry.offered_quantity for entry in offers))


def check_checkout_open(event: Event, *, buyable, user, now: datetime.datetime) -> None:
    """The checkout's refusal rules, in one place: whether this event takes an order at all
    now, before anything is chosen. Raises SalesClosed when its registration is not open
    (`check_event_on_sale`), SoldOut when none of its ticket types is on sale with places
    left (`buyable`, those that are), InvalidSelection when they are all for members in good
    standing and `user` is not one (`pricing.may_buy`)."""
    check_event_on_sale(event, now=now)
    if not buyable:
        raise SoldOut(_("There are no tickets on sale for this event right now."))
    if not any(may_buy(ticket_type, user=user, on=now) for ticket_type in buyable):
        raise InvalidSelection(
            _(
                "Tickets for this event are for members in good standing. "
                "Please sign in, or join the association."
            )
        )


def check_event_on_sale(event: Event, *, now: datetime.datetime) -> None:
    """Raise SalesClosed, with the reason in plain words, unless registration is open."""
    if event.status == Event.Status.CANCELLED:
        raise SalesClosed(_("This event has been cancelled."))
    if event.status != Event.Status.PUBLISHED:
        raise SalesClosed(_("This event is not open for registration."))
    window = event.registration_window(now)
    if window == SalesWindow.NOT_YET_OPEN:
        raise SalesClosed(
            _("Registration opens on %(when)s.")
            % {"when": format_event_time(event.registration_opens_at)}
        )
    if window == SalesWindow.CLOSED:
        raise SalesClosed(_("Registration for this event has closed."))


def check_ticket_type_on_sale(ticket_type: TicketType, *, now: datetime.datetime) -> None:
    """Raise SalesClosed, saying why, unless the ticket type is on sale."""
    window = ticket_type.sales_window(now)
    if window == SalesWindow.NOT_YET_OPEN:
        raise SalesClosed(
            _("%(name)s tickets go on sale on %(when)s.")
            % {"name": ticket_type.name, "when": format_event_time(ticket_type.sales_start)}
        )
    if window == SalesWindow.CLOSED:
        raise SalesClosed(_("Sales of %(name)s tickets have ended.") % {"name": ticket_type.name})
