"""Inventory: reserving, holding, confirming and releasing tickets. Never oversells.

The rule. A ticket type has `quantity` places and an event may have an overall `capacity`.
`TicketType.reserved` and `Event.reserved` count the tickets of pending (held) and
confirmed orders; only this module writes them (a plain save() of a loaded row leaves them
alone, see `events.models.KeepsColumnsWrittenElsewhere`). What can still be sold of a type is

    quantity - reserved - places offered to the waiting list for that type (open offers)

bounded by what the event has left altogether: the places its types have left together,
less the open offers made for no type in particular (held once, whichever type their holder
picks), and, with a capacity, capacity - reserved - all open offers. The holder of an offer
may use its places, up to the number offered. A checkout holds its tickets for
`settings.EVENTS_HOLD_MINUTES` as a pending order; a cancelled, refunded or expired order
gives its tickets back. Staff may not set a quantity or capacity below what is already
taken (`places_taken`).

How it holds under concurrency, across threads and server processes alike: every change
runs as `with transaction.atomic(): lock; check; write`. The lock is PostgreSQL's row lock
(`SELECT ... FOR UPDATE`) taken in one fixed order everywhere: the Event row first, then
its TicketType rows by primary key, then Order rows. Two buyers of the same event queue on
the event row, so the second one checks availability only after the first has committed.
The counters are then moved with conditional updates
(`UPDATE ... SET reserved = reserved + n WHERE reserved + n <= quantity`), and the
CheckConstraints `ticket_type_never_oversold` and `event_never_oversold` make an
overselling write fail in the database itself, whatever code attempts it.

A checkout form carries an idempotency key; the same submission sent twice (double click,
refresh, back button) finds the order the first one made instead of making a second.
"""

import datetime
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from association.formats import format_event_time

from .models import Event, Order, Ticket, TicketType, WaitlistEntry
from .pricing import may_buy, ticket_prices

FEW_LEFT = 10
"""At or below this many places left, pages say "few left"."""


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


# --- Availability -------------------------------------------------------------------


def open_offers(*, event_ids, now: datetime.datetime) -> dict[int, list[WaitlistEntry]]:
    """Waiting-list entries holding places right now, per event id (one query)."""
    offers = {event_id: [] for event_id in event_ids}
    for entry in WaitlistEntry.objects.filter(
        event_id__in=event_ids,
        offered_at__isnull=False,
        offer_expires_at__gt=now,
        fulfilled_at__isnull=True,
    ):
        offers[entry.event_id].append(entry)
    return offers


class PlacesLeft(dict):
    """Places that can be sold now, per ticket type pk, and `total`: what can be sold of
    those types together. The total is less than the sum when the event's capacity, or a
    waiting-list offer made for no type in particular, is shared between the types."""

    def __init__(self, per_type: dict[int, int], *, total: int):
        super().__init__(per_type)
        self.total = total


def availability(
    event, ticket_types, *, now: datetime.datetime, offer=None, offers=None
) -> PlacesLeft:
    """Places that can be sold now, per ticket type pk (see the module docstring).

    `ticket_types` are the event's ticket types (all of them, or those on sale): an offer
    made for no type is held against the places they have together. `offers` are the
    event's open waiting-list offers when the caller fetched them already; `offer` is the
    entry whose own places may be used (its holder is buying)."""
    if offers is None:
        offers = open_offers(event_ids=[event.pk], now=now)[event.pk]
    holds = [entry for entry in offers if offer is None or entry.pk != offer.pk]
    held_for_type = Counter()
    held_for_any_type = 0
    for entry in holds:
        if entry.ticket_type_id is None:
            held_for_any_type += entry.quantity
        else:
            held_for_type[entry.ticket_type_id] += entry.quantity
    own = {
        ticket_type.pk: max(
            ticket_type.quantity - ticket_type.reserved - held_for_type[ticket_type.pk], 0
        )
        for ticket_type in ticket_types
    }
    # An offer for no type in particular takes its places once, from the pool the types
    # on sale share; taking them from each type would mark every type sold out for one
    # offer, and counting a closed type's unsold places would let others buy the offer's.
    pool = sum(own[t.pk] for t in ticket_types if ticket_type_is_on_sale(t, now=now))
    total = pool - held_for_any_type
    if event.capacity is not None:
        total = min(total, event.capacity - event.reserved - sum(e.quantity for e in holds))
    total = max(total, 0)
    return PlacesLeft({pk: min(left, total) for pk, left in own.items()}, total=total)


def available_quantity(ticket_type, *, now: datetime.datetime, offer=None) -> int:
    """What can still be sold of this ticket type now (see the module docstring), from the
    counters as they are in the database, not as they were when the object was loaded."""
    fresh = TicketType.objects.select_related("event").get(pk=ticket_type.pk)
    ticket_types = list(TicketType.objects.filter(event_id=fresh.event_id))
    return availability(fresh.event, ticket_types, now=now, offer=offer)[fresh.pk]


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
    if ticket_type_id is None:
        reserved = Event.objects.values_list("reserved", flat=True).get(pk=event_id)
        offers = open_offers(event_ids=[event_id], now=now)[event_id]
    else:
        reserved = TicketType.objects.values_list("reserved", flat=True).get(pk=ticket_type_id)
        offers = [
            entry
            for entry in open_offers(event_ids=[event_id], now=now)[event_id]
            if entry.ticket_type_id == ticket_type_id
        ]
    return PlacesTaken(reserved=reserved, offered=sum(entry.quantity for entry in offers))


def lock_event(*, event_id) -> None:
    """Take the event's row lock for the rest of the transaction: every change to its
    tickets waits until then (they all take this lock first)."""
    list(Event.objects.select_for_update().filter(pk=event_id).values_list("pk", flat=True))


# --- Sales windows ------------------------------------------------------------------


def registration_closes_at(event) -> datetime.datetime:
    """Registration closes when staff say, or when the event starts."""
    return event.registration_closes_at or event.starts_at


def check_event_on_sale(event, *, now: datetime.datetime) -> None:
    """Raise SalesClosed, with the reason in plain words, unless registration is open."""
    if event.status == Event.Status.CANCELLED:
        raise SalesClosed(_("This event has been cancelled."))
    if event.status != Event.Status.PUBLISHED:
        raise SalesClosed(_("This event is not open for registration."))
    if event.registration_opens_at and event.registration_opens_at > now:
        raise SalesClosed(
            _("Registration opens on %(when)s.")
            % {"when": format_event_time(event.registration_opens_at)}
        )
    if registration_closes_at(event) <= now:
        raise SalesClosed(_("Registration for this event has closed."))


def ticket_type_is_on_sale(ticket_type, *, now: datetime.datetime) -> bool:
    """Inside the ticket type's own sales window (the event's is checked apart)."""
    starts, ends = ticket_type.sales_start, ticket_type.sales_end
    return not (starts and starts > now) and not (ends and ends <= now)


def check_ticket_type_on_sale(ticket_type, *, now: datetime.datetime) -> None:
    """Raise SalesClosed, saying why, unless `ticket_type_is_on_sale`."""
    if ticket_type.sales_start and ticket_type.sales_start > now:
        raise SalesClosed(
            _("%(name)s tickets go on sale on %(when)s.")
            % {"name": ticket_type.name, "when": format_event_time(ticket_type.sales_start)}
        )
    if ticket_type.sales_end and ticket_type.sales_end <= now:
        raise SalesClosed(_("Sales of %(name)s tickets have ended.") % {"name": ticket_type.name})


class SalesState:
    """What a page says about an event's tickets (a code for CSS, a label for people)."""

    CANCELLED = "cancelled"
    NOT_OPEN = "not_open"
    CLOSED = "closed"
    SOLD_OUT = "sold_out"
    FEW_LEFT = "few_left"
    ON_SALE = "on_sale"
    NO_TICKETS = "no_tickets"

    LABELS = {
        CANCELLED: _("Cancelled"),
        NOT_OPEN: _("Registration not yet open"),
        CLOSED: _("Registration closed"),
        SOLD_OUT: _("Sold out"),
        FEW_LEFT: _("Few left"),
        ON_SALE: _("On sale"),
        NO_TICKETS: _("No registration"),
    }


def event_sales_state(event, *, now: datetime.datetime, left: PlacesLeft, ticket_types):
    """The state of sales: cancelled, not yet open, closed, sold out, few left, on sale."""
    if event.status == Event.Status.CANCELLED:
        return SalesState.CANCELLED
    if event.registration_opens_at and event.registration_opens_at > now:
        return SalesState.NOT_OPEN
    if registration_closes_at(event) <= now or event.status != Event.Status.PUBLISHED:
        return SalesState.CLOSED
    if not ticket_types:
        return SalesState.NO_TICKETS
    on_sale = [t for t in ticket_types if ticket_type_is_on_sale(t, now=now)]
    if not on_sale:
        upcoming = [t for t in ticket_types if t.sales_start and t.sales_start > now]
        return SalesState.NOT_OPEN if upcoming else SalesState.CLOSED
    total_left = sum(left.get(t.pk, 0) for t in on_sale)
    # Each type's figure is already capped at what the event has left, so with a capacity
    # (or an offer shared between types) the sum counts the same places more than once.
    total_left = min(total_left, left.total)
    if total_left <= 0:
        return SalesState.SOLD_OUT
    if total_left <= FEW_LEFT:
        return SalesState.FEW_LEFT
    return SalesState.ON_SALE


def ticket_type_state(ticket_type, *, now: datetime.datetime, left: int) -> str:
    if ticket_type.sales_start and ticket_type.sales_start > now:
        return SalesState.NOT_OPEN
    if ticket_type.sales_end and ticket_type.sales_end <= now:
        return SalesState.CLOSED
    if left <= 0:
        return SalesState.SOLD_OUT
    if left <= FEW_LEFT:
        return SalesState.FEW_LEFT
    return SalesState.ON_SALE


# --- Reserving ----------------------------------------------------------------------


def _existing_order(idempotency_key, event):
    order = Order.objects.filter(idempotency_key=idempotency_key).first()
    if order is not None and order.event_id != event.pk:
        raise InvalidSelection(_("This form was already used for another event."))
    return order


def _validate_lines(event, lines, *, user, now) -> list[tuple[TicketType, int]]:
    if not lines:
        raise InvalidSelection(_("Please choose at least one ticket."))
    seen = set()
    clean = []
    for ticket_type, quantity in lines:
        if ticket_type is None or ticket_type.event_id != event.pk:
            raise InvalidSelection(_("That ticket type is not for this event."))
        if ticket_type.pk in seen:
            raise InvalidSelection(_("Each ticket type may appear once."))
        seen.add(ticket_type.pk)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise InvalidSelection(_("Quantities are whole numbers from zero."))
        if quantity > ticket_type.max_per_order:
            raise InvalidSelection(
                _("At most %(n)s %(name)s tickets per order.")
                % {"n": ticket_type.max_per_order, "name": ticket_type.name}
            )
        if quantity == 0:
            continue
        if not may_buy(ticket_type, user=user, on=now):
            raise InvalidSelection(
                _("%(name)s tickets are for members in good standing; please sign in.")
                % {"name": ticket_type.name}
            )
        clean.append((ticket_type, quantity))
    if not clean:
        raise InvalidSelection(_("Please choose at least one ticket."))
    return clean


def _validate_offer(offer, event, *, count, now):
    if offer is None:
        return
    if (
        offer.event_id != event.pk
        or offer.offered_at is None
        or offer.fulfilled_at is not None
        or offer.offer_expires_at is None
        or offer.offer_expires_at <= now
    ):
        raise InvalidSelection(_("This waiting-list offer is no longer open."))
    # The offer lets its holder use the places kept for them, not everyone else's too.
    if count > offer.quantity:
        raise InvalidSelection(
            ngettext(
                "Your waiting-list offer is for %(n)s ticket; please choose at most %(n)s.",
                "Your waiting-list offer is for %(n)s tickets; please choose at most %(n)s.",
                offer.quantity,
            )
            % {"n": offer.quantity}
        )


def _release(order, *, event_id) -> None:
    """Give an order's tickets back to sale. Caller holds the event lock."""
    per_type = dict(order.tickets.values_list("ticket_type_id").annotate(n=Count("id")).order_by())
    for ticket_type in (
        TicketType.objects.select_for_update().filter(pk__in=per_type).order_by("pk")
    ):
        TicketType.objects.filter(pk=ticket_type.pk).update(
            reserved=F("reserved") - per_type[ticket_type.pk]
        )
    total = sum(per_type.values())
    if total:
        Event.objects.filter(pk=event_id).update(reserved=F("reserved") - total)


def _expire_holds_locked(event_id, *, now) -> int:
    """Expire the event's stale holds. Caller holds the event lock."""
    count = 0
    for order in (
        Order.objects.select_for_update()
        .filter(event_id=event_id)
        .expired_holds(now)
        .order_by("pk")
    ):
        _release(order, event_id=event_id)
        order.status = Order.Status.EXPIRED
        order.save(update_fields=["status", "updated_at"])
        count += 1
    return count


def reserve_tickets(
    *,
    event: Event,
    lines: list[tuple[TicketType, int]],
    buyer: dict,
    user=None,
    idempotency_key: str | None,
    now: datetime.datetime,
    offer: WaitlistEntry | None = None,
    attendees: list[dict] | None = None,
) -> Order:
    """Hold tickets as a pending order (expiring `EVENTS_HOLD_MINUTES` from `now`).

    `buyer` has `name`, `email` and optionally `phone` and the postal address fields of
    Order. `attendees`, optional, gives each ticket in line order its `attendee_name`,
    `meal_choice` and `dietary_notes`. Raises SoldOut, SalesClosed or InvalidSelection.
    The same `idempotency_key` returns the order it made the first time.
    """
    if idempotency_key:
        existing = _existing_order(idempotency_key, event)
        if existing is not None:
            return existing
    check_event_on_sale(event, now=now)
    clean = _validate_lines(event, lines, user=user, now=now)
    for ticket_type, _quantity in clean:
        check_ticket_type_on_sale(ticket_type, now=now)
    count = sum(quantity for _tt, quantity in clean)
    _validate_offer(offer, event, count=count, now=now)
    attendees = list(attendees or [])
    if attendees and len(attendees) != count:
        raise InvalidSelection(_("Please give the details of each ticket."))
    meals = event.meal_choices
    for attendee in attendees:
        if attendee.get("meal_choice") and attendee["meal_choice"] not in meals:
            raise InvalidSelection(_("Please choose a meal from the list."))
    prices = ticket_prices(clean, user=user, on=now)

    try:
        with transaction.atomic():
            locked_event = Event.objects.select_for_update().get(pk=event.pk)
            if idempotency_key:
                existing = _existing_order(idempotency_key, event)
                if existing is not None:
                    return existing
            check_event_on_sale(locked_event, now=now)
            _expire_holds_locked(locked_event.pk, now=now)
            locked_event.refresh_from_db(fields=["reserved", "capacity"])
            # All the event's types, not only those ordered: an offer made for no type is
            # held against the places they have together.
            types = list(
                TicketType.objects.select_for_update().filter(event=locked_event).order_by("pk")
            )
            offers = open_offers(event_ids=[event.pk], now=now)[event.pk]
            left = availability(locked_event, types, now=now, offer=offer, offers=offers)
            for ticket_type, quantity in clean:
                if quantity > left[ticket_type.pk]:
                    if left[ticket_type.pk] == 0:
                        raise SoldOut(
                            _("%(name)s tickets are sold out.") % {"name": ticket_type.name}
                        )
                    raise SoldOut(
                        _("Only %(n)s %(name)s tickets are left.")
                        % {"n": left[ticket_type.pk], "name": ticket_type.name}
                    )
            if count > left.total:
                raise SoldOut(_("Not enough places are left at this event."))

            # Conditional updates: atomic even without the locks above.
            for ticket_type, quantity in clean:
                moved = TicketType.objects.filter(
                    pk=ticket_type.pk, reserved__lte=F("quantity") - quantity
                ).update(reserved=F("reserved") + quantity)
                if moved != 1:
                    raise SoldOut()
            moved = (
                Event.objects.filter(pk=event.pk)
                .filter(Q(capacity__isnull=True) | Q(reserved__lte=F("capacity") - count))
                .update(reserved=F("reserved") + count)
            )
            if moved != 1:
                raise SoldOut()

            total = sum(sum(row) for row in prices)
            order = Order.objects.create(
                event=locked_event,
                idempotency_key=idempotency_key or None,
                user=user if user is not None and user.is_authenticated else None,
                buyer_name=buyer.get("name", "").strip(),
                email=buyer.get("email", "").strip(),
                phone=buyer.get("phone", "").strip(),
                address_line1=buyer.get("address_line1", ""),
                address_line2=buyer.get("address_line2", ""),
                city=buyer.get("city", ""),
                region=buyer.get("region", ""),
                postal_code=buyer.get("postal_code", ""),
                country=buyer.get("country", ""),
                status=Order.Status.PENDING,
                total=total,
                hold_expires_at=now + timedelta(minutes=settings.EVENTS_HOLD_MINUTES),
            )
            tickets = []
            position = 0
            for (ticket_type, quantity), line_prices in zip(clean, prices, strict=True):
                for index in range(quantity):
                    details = attendees[position] if attendees else {}
                    position += 1
                    tickets.append(
                        Ticket(
                            order=order,
                            ticket_type=ticket_type,
                            price=line_prices[index],
                            attendee_name=details.get("attendee_name", "").strip(),
                            meal_choice=details.get("meal_choice", ""),
                            dietary_notes=details.get("dietary_notes", "").strip(),
                        )
                    )
            Ticket.objects.bulk_create(tickets)
            if offer is not None:
                WaitlistEntry.objects.filter(pk=offer.pk).update(fulfilled_at=now)
                offer.fulfilled_at = now
            order.was_created = True
            return order
    except IntegrityError:
        # A concurrent identical submission won the unique key, or the database refused
        # an overselling write.
        if idempotency_key:
            existing = Order.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise SoldOut() from None


def _lock(order) -> Order:
    Event.objects.select_for_update().only("pk").get(pk=order.event_id)
    return Order.objects.select_for_update().get(pk=order.pk)


def _refresh(order, locked) -> Order:
    for field in (
        "status",
        "confirmed_at",
        "cancelled_at",
        "paid_at",
        "hold_expires_at",
        "payment_method",
        "payment_instructions",
    ):
        setattr(order, field, getattr(locked, field))
    return order


def confirm_order(*, order: Order, now: datetime.datetime) -> Order:
    """A held order becomes confirmed: its tickets are the buyer's (paid or not)."""
    with transaction.atomic():
        locked = _lock(order)
        if locked.status == Order.Status.CONFIRMED:
            return _refresh(order, locked)
        if locked.status != Order.Status.PENDING:
            raise InvalidSelection(_("This order can no longer be confirmed."))
        locked.status = Order.Status.CONFIRMED
        locked.confirmed_at = now
        locked.hold_expires_at = None
        locked.save(update_fields=["status", "confirmed_at", "hold_expires_at", "updated_at"])
    return _refresh(order, locked)


def mark_order_paid(*, order: Order, now: datetime.datetime) -> Order:
    """Staff received the payment (or a provider confirmed it); confirms a held order."""
    with transaction.atomic():
        locked = _lock(order)
        if locked.status not in (Order.Status.PENDING, Order.Status.CONFIRMED):
            raise InvalidSelection(_("A cancelled or expired order cannot be marked paid."))
        if locked.status == Order.Status.PENDING:
            locked.status = Order.Status.CONFIRMED
            locked.confirmed_at = now
            locked.hold_expires_at = None
        if locked.paid_at is None:
            locked.paid_at = now
        locked.save(
            update_fields=["status", "confirmed_at", "hold_expires_at", "paid_at", "updated_at"]
        )
    return _refresh(order, locked)


def cancel_order(
    *, order: Order, now: datetime.datetime, status: str = Order.Status.CANCELLED
) -> Order:
    """Cancel (or refund, or expire) an order; its tickets go back on sale. Idempotent."""
    if status not in (Order.Status.CANCELLED, Order.Status.REFUNDED, Order.Status.EXPIRED):
        raise ValueError(f"Not a closing status: {status!r}")
    with transaction.atomic():
        locked = _lock(order)
        if locked.status in (Order.Status.PENDING, Order.Status.CONFIRMED):
            _release(locked, event_id=locked.event_id)
        elif locked.status == status:
            return _refresh(order, locked)
        locked.status = status
        if locked.cancelled_at is None:
            locked.cancelled_at = now
        locked.save(update_fields=["status", "cancelled_at", "updated_at"])
    return _refresh(order, locked)


def expire_stale_holds(*, now: datetime.datetime) -> int:
    """Expire pending orders whose hold has run out; their tickets go back on sale."""
    event_ids = sorted(set(Order.objects.expired_holds(now).values_list("event_id", flat=True)))
    expired = 0
    for event_id in event_ids:
        with transaction.atomic():
            Event.objects.select_for_update().only("pk").get(pk=event_id)
            expired += _expire_holds_locked(event_id, now=now)
    return expired


def order_can_be_cancelled(order: Order, *, now: datetime.datetime) -> bool:
    """A buyer may cancel from the order page until `EVENTS_CANCEL_UNTIL_HOURS` before the
    start, while nothing has been paid (refunds of paid orders go through staff)."""
    if order.status not in (Order.Status.PENDING, Order.Status.CONFIRMED):
        return False
    if order.paid_at is not None and order.total:
        return False
    deadline = order.event.starts_at - timedelta(hours=settings.EVENTS_CANCEL_UNTIL_HOURS)
    return now < deadline
