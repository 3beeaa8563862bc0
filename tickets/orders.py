"""The order lifecycle: reserve, confirm, pay, cancel, expire, release. Never oversells.

An order is born pending: `reserve_tickets` holds its tickets for
`settings.EVENTS_HOLD_MINUTES`. It becomes confirmed (its tickets are the buyer's, paid or
not) through `confirm_order`, or `mark_order_paid` when the money came first; both go
through the one pending-to-confirmed step, `_confirm`. A cancelled, refunded or expired
order gives its tickets back (`_release`); a pending order whose hold ran out expires,
when the next buyer of its event comes or the periodic job runs.

How it holds under concurrency, across threads and server processes alike: every change
runs as `with transaction.atomic(): lock; check; write`. The lock is `availability.lock_event`
(taken first, then the waiting-list entry whose offer is used, claimed at once so that
one offer makes one order, then TicketType rows by primary key, then Order rows), the check is
`availability.places_left` on the rows as they are under the lock, and the counters
`TicketType.reserved` and `Event.reserved`, which only this module writes, move by
conditional updates (`UPDATE ... SET reserved = reserved + n WHERE reserved + n <=
quantity`). The CheckConstraints `ticket_type_never_oversold` and `event_never_oversold`
make an overselling write fail in the database itself, whatever code attempts it.

Pay later: an order confirmed without payment (`confirm_order(..., pay_by=...)`) holds its
tickets until `pay_by`, with one payment reminder on the way; `release_unpaid_order` (the
job at `pay_by`, or staff in bulk) cancels it if it is still unpaid, giving its places back
for the waiting list. While checking out to pay later, an email address may hold no more
than `EVENTS_UNPAID_PLACES_PER_EMAIL` unpaid places at the event (`limits`), checked under
the lock like the places themselves.

A checkout form carries an idempotency key; the same submission sent twice (double click,
refresh, back button) finds the order the first one made instead of making a second, and
`Reservation.created` says which happened. It is looked up once before the lock; two
copies sent at the same moment both pass that look-up, and the second is stopped by the
unique key (or finds the places gone, or the limit reached, because the first took them):
whatever refused it, an order made by the same submission is the answer.

A rush is many buyers of one event, and they all queue on its row lock, so the lock is held
for as little as possible: one look at the rows, the checks, the writes. Confirming an
order changes no places, so it takes the order's lock alone (`_lock_order`), not the
event's: nothing that holds an order's lock ever waits for the event's. A free order is
made confirmed in its reservation's own transaction (`ReservationRequest.confirm_if_free`):
one transaction per order. What the checkout showed may have been read before the lock or
kept from a moment ago: the order is made on the rows as they are under the lock, and
refused when the terms it was shown (`sale_terms`) have changed since.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.listing import event_sales_state
from events.models import Event
from payments.models import Payment

from . import limits
from .availability import (
    InvalidSelection,
    PlacesLeft,
    SoldOut,
    check_event_on_sale,
    check_ticket_type_on_sale,
    lock_event,
    places_left,
    places_needed,
    whole_tickets,
)
from .models import ORDER_PURPOSE, Order, RefundedTicket, Ticket, TicketType, WaitlistEntry
from .notifications import queue_order_confirmation
from .pricing import may_buy, split_among_seats, ticket_prices
from .signals import SalesNow, event_sales_changed


@dataclass(frozen=True)
class Reservation:
    order: Order
    created: bool
    """False when the same submission had already made this order."""
    tickets: tuple[Ticket, ...] = ()
    """The tickets this reservation made (with their ticket types), so that what is paid
    for can be listed without reading them back; empty when `created` is False."""


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


def _claim_offer(offer, event, *, count, now) -> WaitlistEntry | None:
    """Mark the waiting-list offer used by this order, or raise InvalidSelection: the offer
    must still be open, and lets its holder buy the places it kept for them (not everyone
    else's too), once. Called under the event lock, and takes the entry's row lock until
    the order commits: of several uses of one offer link at once, exactly one makes an
    order; the others find it used. (A failed reservation rolls the claim back.)"""
    if offer is None:
        return None
    claimed = (
        WaitlistEntry.objects.open_offers(now)
        .filter(pk=offer.pk, event_id=event.pk)
        .select_for_update(of=("self",))
        .first()
    )
    if claimed is None:
        raise InvalidSelection(_("This waiting-list offer is no longer open."))
    if count > claimed.offered_quantity:
        raise InvalidSelection(
            ngettext(
                "Your waiting-list offer is for %(n)s ticket; please choose at most %(n)s.",
                "Your waiting-list offer is for %(n)s tickets; please choose at most %(n)s.",
                claimed.offered_quantity,
            )
            % {"n": claimed.offered_quantity}
        )
    WaitlistEntry.objects.filter(pk=claimed.pk).update(fulfilled_at=now)
    return claimed


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


@dataclass
class _Locked:
    """What a reservation read under the event's lock: the event's ticket types (all of
    them, not only those ordered: an offer made for no type is held against the places
    they have together), its open waiting-list offers, and what can be sold of them. The
    claimed `offer` is no longer open: its places are among those left."""

    event: Event
    ticket_types: list[TicketType]
    offers: list[WaitlistEntry]
    offer: WaitlistEntry | None
    now: datetime.datetime

    @property
    def left(self) -> PlacesLeft:
        return places_left(
            self.event,
            now=self.now,
            ticket_types=self.ticket_types,
            offers=self.offers,
            offer=self.offer,
        )

    def took(self, clean, count: int) -> None:
        """The reservation's counter updates, as they are in the database now."""
        by_pk = {ticket_type.pk: ticket_type for ticket_type in self.ticket_types}
        for ticket_type, quantity in clean:
            by_pk[ticket_type.pk].reserved += quantity
        self.event.reserved += count

    def sales_now(self) -> SalesNow:
        """The state of sales the event's lists will show once this commits (the same rule
        they read it with, on the same rows), handed to the page cache so that nothing is
        read again after the commit."""
        state = event_sales_state(
            self.event, now=self.now, left=self.left, ticket_types=self.ticket_types
        )
        return SalesNow(slug=self.event.slug, state=state)


def _read_locked(locked_event, *, now, offer) -> _Locked:
    """The event's ticket types, locked now (the caller holds the event's lock), and its
    open offers."""
    types = list(TicketType.objects.select_for_update().filter(event=locked_event).order_by("pk"))
    offers = list(WaitlistEntry.objects.open_offers(now).filter(event=locked_event))
    return _Locked(event=locked_event, ticket_types=types, offers=offers, offer=offer, now=now)


def _check_terms_unchanged(event, locked_event, clean, locked_types) -> None:
    """The buyer ordered on what the checkout showed (read before the lock, or kept from a
    moment ago): refuse the order if staff changed the event's or a chosen type's terms
    since (a price, a sales date, members only...), rather than sell on other terms."""
    by_pk = {ticket_type.pk: ticket_type for ticket_type in locked_types}
    changed = event.sale_terms() != locked_event.sale_terms() or any(
        ticket_type.pk not in by_pk
        or ticket_type.sale_terms() != by_pk[ticket_type.pk].sale_terms()
        for ticket_type, _quantity in clean
    )
    if changed:
        raise InvalidSelection(
            _("The tickets on sale have just changed. Please check them and order again.")
        )


def _fits(clean, count: int, left: PlacesLeft) -> bool:
    return count <= left.total and all(q * tt.seats <= left[tt.pk] for tt, q in clean)


def _next_table_number(locked_event) -> int:
    """Tables are numbered in the order they are sold, from 1 (staff may renumber them):
    the caller holds the event's lock, so two buyers never get the same number."""
    highest = Ticket.objects.filter(order__event=locked_event).aggregate(n=Max("table_number"))
    return (highest["n"] or 0) + 1


@dataclass(frozen=True)
class ReservationRequest:
    """What a buyer asks `reserve_tickets` for: one value, built by the checkout (or a
    test, or the demo), read by the reservation and nothing else.

    `buyer` has `name`, `email` and optionally `phone` and the postal address fields of
    Order. `attendees`, optional, gives each ticket in line order its `attendee_name`,
    `meal_choice` and `dietary_notes`. The same `idempotency_key` finds the order it made
    the first time. `offer` is the waiting-list offer the buyer came through.
    """

    event: Event
    lines: Sequence[tuple[TicketType, int]]
    buyer: Mapping[str, str]
    now: datetime.datetime
    user: object = None
    idempotency_key: str | None = None
    offer: WaitlistEntry | None = None
    attendees: Sequence[Mapping[str, str]] = ()
    pays_later: bool = False
    """Confirmed unpaid afterwards: the buyer's unpaid places at the event are limited
    (`limits.check_unpaid_places`, per email and per network)."""
    client_ip: str = ""
    """The buyer's network address, when the order is placed through the web checkout: the
    submission is counted against the checkout limits (`limits.count_checkout`) once it is
    known to be new and before anything is reserved (the same submission again is not
    counted), and the order keeps only its keyed hash (`limits.network_key`)."""
    confirm_if_free: str | None = None
    """The code of the payment method chosen for an order nothing is owed on: an order
    whose total is 0 is then confirmed as it is made, and its confirmation queued, in the
    reservation's own transaction (a free event's rush takes one transaction per order).
    An order that costs anything is held as usual, whatever was asked."""


def reserve_tickets(request: ReservationRequest) -> Reservation:
    """Hold tickets as a pending order (expiring `EVENTS_HOLD_MINUTES` from `request.now`),
    or confirm it at once (`ReservationRequest.confirm_if_free`).

    Raises SoldOut, SalesClosed, InvalidSelection or `limits.LimitReached`. The same
    `idempotency_key` returns the order it made the first time, with `created=False`.
    """
    event = request.event
    now = request.now
    user = request.user
    buyer = request.buyer
    idempotency_key = request.idempotency_key
    offer = request.offer
    network_key = limits.network_key(request.client_ip) if request.client_ip else ""
    if idempotency_key:
        existing = _existing_order(idempotency_key, event)
        if existing is not None:
            return Reservation(existing, created=False)
    if request.client_ip:
        limits.count_checkout(ip=request.client_ip, email=buyer.get("email", ""))
    check_event_on_sale(event, now=now)
    clean = _validate_lines(event, request.lines, user=user, now=now)
    for ticket_type, _quantity in clean:
        check_ticket_type_on_sale(ticket_type, now=now)
    count = places_needed(clean)
    attendees = list(request.attendees or ())
    # A table's guests are named later, on the order page: details come for single seats.
    if attendees and len(attendees) != sum(q for tt, q in clean if not tt.is_table):
        raise InvalidSelection(_("Please give the details of each ticket."))
    meals = event.meal_choices
    for attendee in attendees:
        if attendee.get("meal_choice") and attendee["meal_choice"] not in meals:
            raise InvalidSelection(_("Please choose a meal from the list."))
    prices = ticket_prices(clean, user=user, on=now)

    try:
        with transaction.atomic():
            locked_event = lock_event(event_id=event.pk)
            check_event_on_sale(locked_event, now=now)
            # Second in the lock order, after the event: one offer makes one order.
            used_offer = _claim_offer(offer, locked_event, count=count, now=now)
            locked = _read_locked(locked_event, now=now, offer=used_offer)
            left = locked.left
            _check_terms_unchanged(event, locked_event, clean, locked.ticket_types)
            # Stale holds still count as taken, so places counted without expiring them are
            # never too many: they are expired (one more query under the lock) only when the
            # order would not fit otherwise, and the job expires the rest every minute.
            if not _fits(clean, count, left) and _expire_holds_locked(locked_event.pk, now=now):
                locked_event.refresh_from_db(fields=["reserved", "capacity"])
                locked = _read_locked(locked_event, now=now, offer=used_offer)
                left = locked.left
            for ticket_type, quantity in clean:
                if quantity * ticket_type.seats > left[ticket_type.pk]:
                    if left[ticket_type.pk] == 0:
                        raise SoldOut(
                            _("%(name)s tickets are sold out.") % {"name": ticket_type.name}
                        )
                    raise SoldOut(
                        _("Only %(n)s %(name)s tickets are left.")
                        % {
                            "n": whole_tickets(left[ticket_type.pk], ticket_type),
                            "name": ticket_type.name,
                        }
                    )
            if count > left.total:
                raise SoldOut(_("Not enough places are left at this event."))
            if request.pays_later:
                limits.check_unpaid_places(
                    event_id=locked_event.pk,
                    email=buyer.get("email", ""),
                    network=network_key,
                    adding=count,
                )

            # Conditional updates: atomic even without the locks above.
            for ticket_type, quantity in clean:
                places = quantity * ticket_type.seats
                moved = TicketType.objects.filter(
                    pk=ticket_type.pk, reserved__lte=F("quantity") - places
                ).update(reserved=F("reserved") + places)
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
            order = Order(
                event=locked_event,
                idempotency_key=idempotency_key or None,
                network_key=network_key,
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
            confirm_now = request.confirm_if_free is not None and total == 0
            if confirm_now:
                _confirm(order, now=now)
                order.payment_method = request.confirm_if_free
            order.save(force_insert=True)
            tickets = []
            position = 0
            next_table = (
                _next_table_number(locked_event) if any(t.is_table for t, _q in clean) else 0
            )
            for (ticket_type, quantity), line_prices in zip(clean, prices, strict=True):
                for index in range(quantity):
                    if ticket_type.is_table:
                        # A seat per guest, each with its code; named later.
                        seat_prices = split_among_seats(line_prices[index], ticket_type.seats)
                        for seat, seat_price in enumerate(seat_prices, start=1):
                            tickets.append(
                                Ticket(
                                    order=order,
                                    ticket_type=ticket_type,
                                    price=seat_price,
                                    table_number=next_table,
                                    seat_number=seat,
                                )
                            )
                        next_table += 1
                        continue
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
            if confirm_now:
                queue_order_confirmation(order, now=now)
            if offer is not None:
                offer.fulfilled_at = now
            # Last in the transaction: the lists' state of sales as of everything it did.
            locked.took(clean, count)
            event_sales_changed(event_id=locked_event.pk, now_known=locked.sales_now())
            return Reservation(order, created=True, tickets=tuple(tickets))
    except (IntegrityError, InvalidSelection, SoldOut, limits.LimitReached) as refusal:
        # The same submission sent twice at once: the copy that lost finds the first one's
        # order, whatever stopped it (the unique key, the places or the limit it took).
        if idempotency_key:
            existing = _existing_order(idempotency_key, event)
            if existing is not None:
                return Reservation(existing, created=False)
        if isinstance(refusal, IntegrityError):
            # The database refused an overselling write.
            raise SoldOut() from None
        raise


def _lock(order) -> Order:
    lock_event(event_id=order.event_id)
    return _lock_order(order)


def _lock_order(order) -> Order:
    """The order's row lock alone, for a change that gives or takes no places (see the
    module docstring): a rush's buyers do not queue on the event's lock twice."""
    return Order.objects.select_for_update().get(pk=order.pk)


def _confirm(locked: Order, *, now: datetime.datetime) -> None:
    """The one step from pending to confirmed: the hold ends, the tickets are the buyer's.
    The caller holds the order's lock and saves it."""
    locked.status = Order.Status.CONFIRMED
    locked.confirmed_at = now
    locked.hold_expires_at = None


def _refresh(order, locked) -> Order:
    for field in (
        "status",
        "confirmed_at",
        "cancelled_at",
        "paid_at",
        "hold_expires_at",
        "payment_method",
        "payment_instructions",
        "pay_by",
        "payment_reminder_due_at",
    ):
        setattr(order, field, getattr(locked, field))
    return order


def payment_reminder_due(*, placed_at: datetime.datetime, pay_by: datetime.datetime):
    """When to remind an unpaid reservation: `EVENTS_PAY_LATER_REMINDER_HOURS` before it
    is released, or halfway when the time to pay is shorter than twice that."""
    lead = timedelta(hours=settings.EVENTS_PAY_LATER_REMINDER_HOURS)
    return max(pay_by - lead, placed_at + (pay_by - placed_at) / 2)


def confirm_order(
    *,
    order: Order,
    now: datetime.datetime,
    pay_by: datetime.datetime | None = None,
    payment_method: str | None = None,
    payment_instructions: str = "",
) -> Order:
    """A held order becomes confirmed: its tickets are the buyer's (paid or not). With
    `pay_by` (pay later), they are the buyer's until then unless paid: the order is
    reminded once, then released (`release_unpaid_order`). With `payment_method` (the
    checkout, which has just begun the payment), the method and its instructions are
    saved in the same write."""
    with transaction.atomic():
        locked = _lock_order(order)
        if locked.status == Order.Status.CONFIRMED:
            return _refresh(order, locked)
        if locked.status != Order.Status.PENDING:
            raise InvalidSelection(_("This order can no longer be confirmed."))
        _confirm(locked, now=now)
        fields = ["status", "confirmed_at", "hold_expires_at", "updated_at"]
        if payment_method is not None:
            locked.payment_method = payment_method
            locked.payment_instructions = payment_instructions
            fields += ["payment_method", "payment_instructions"]
        if pay_by is not None:
            locked.pay_by = pay_by
            locked.payment_reminder_due_at = payment_reminder_due(placed_at=now, pay_by=pay_by)
            fields += ["pay_by", "payment_reminder_due_at"]
        locked.save(update_fields=fields)
    return _refresh(order, locked)


def mark_order_paid(*, order: Order, now: datetime.datetime, tell_buyer: bool = True) -> Order:
    """Staff received the payment (or a provider confirmed it); confirms a held order.

    The one function that marks an order paid, so the one place where a pay-later
    reservation, paid at last, becomes a ticket holder (`Order.holds_tickets`): its buyer
    is sent their tickets then (the confirmation again, now paid, with the venue when the
    gate allows it and the reveal has passed; it counts as the venue notice, told once),
    in this transaction. A held order paid (a card payment) is emailed by whoever confirmed
    its payment (`order_payments.fulfil`), as before. `tell_buyer=False` is for demo content,
    whose sample buyers are no one to email."""
    with transaction.atomic():
        locked = _lock(order)
        if locked.is_closed:
            raise InvalidSelection(_("A cancelled or expired order cannot be marked paid."))
        reservation_paid = locked.awaits_payment
        if locked.status == Order.Status.PENDING:
            _confirm(locked, now=now)
        if locked.paid_at is None:
            locked.paid_at = now
        locked.save(
            update_fields=["status", "confirmed_at", "hold_expires_at", "paid_at", "updated_at"]
        )
        if reservation_paid and tell_buyer:
            queue_order_confirmation(locked, now=now)
    return _refresh(order, locked)


def cancel_order(
    *, order: Order, now: datetime.datetime, status: str = Order.Status.CANCELLED
) -> Order:
    """Cancel (or refund, or expire) an order; its tickets go back on sale. Idempotent."""
    if status not in (Order.Status.CANCELLED, Order.Status.REFUNDED, Order.Status.EXPIRED):
        raise ValueError(f"Not a closing status: {status!r}")
    with transaction.atomic():
        locked = _lock(order)
        if not locked.is_closed:
            _release(locked, event_id=locked.event_id)
        elif locked.status == status:
            return _refresh(order, locked)
        locked.status = status
        if locked.cancelled_at is None:
            locked.cancelled_at = now
        locked.save(update_fields=["status", "cancelled_at", "updated_at"])
    # After the order's lock is let go: confirming a payment locks the payment, then the order.
    Payment.objects.close_unpaid_offline(purpose=ORDER_PURPOSE, object_id=order.pk, now=now)
    return _refresh(order, locked)


def release_unpaid_order(*, order: Order, now: datetime.datetime) -> bool:
    """Cancel a pay-later reservation that is still unpaid; its places go back on sale
    (and so to the waiting list's next offers). Returns whether this call released it:
    an order paid, cancelled or released meanwhile is left alone, so two jobs (or a job
    and staff) at once release it once, and only the one that did emails the buyer."""
    with transaction.atomic():
        locked = _lock(order)
        if not locked.awaits_payment:
            _refresh(order, locked)
            return False
        _release(locked, event_id=locked.event_id)
        locked.status = Order.Status.CANCELLED
        locked.cancelled_at = now
        locked.save(update_fields=["status", "cancelled_at", "updated_at"])
    Payment.objects.close_unpaid_offline(purpose=ORDER_PURPOSE, object_id=order.pk, now=now)
    _refresh(order, locked)
    return True


def release_unpaid_orders(*, now: datetime.datetime) -> list[Order]:
    """Release every unpaid reservation whose time to pay has run out; returns those this
    call released."""
    released = []
    for order in Order.objects.unpaid_past_deadline(now).order_by("pk"):
        if release_unpaid_order(order=order, now=now):
            released.append(order)
    return released


def expire_stale_holds(*, now: datetime.datetime) -> int:
    """Expire pending orders whose hold has run out; their tickets go back on sale."""
    event_ids = sorted(set(Order.objects.expired_holds(now).values_list("event_id", flat=True)))
    expired = 0
    for event_id in event_ids:
        with transaction.atomic():
            lock_event(event_id=event_id)
            expired += _expire_holds_locked(event_id, now=now)
    return expired


def release_tickets(*, order: Order, ticket_ids: list[int], now: datetime.datetime):
    """Some of an order's tickets were refunded: they go back on sale and leave the order,
    whose total drops by what they cost; an order left with none is refunded. Returns what
    the released tickets cost. Their codes stay known as refunded (`RefundedTicket`), for
    the door. Idempotent: tickets already gone are skipped."""
    with transaction.atomic():
        locked = _lock(order)
        tickets = list(locked.tickets.filter(pk__in=ticket_ids).order_by("pk"))
        if not tickets:
            return 0
        per_type: dict[int, int] = {}
        for ticket in tickets:
            per_type[ticket.ticket_type_id] = per_type.get(ticket.ticket_type_id, 0) + 1
        amount = sum(ticket.price for ticket in tickets)
        if not locked.is_closed:
            # A closed order's tickets already went back to sale.
            for ticket_type in (
                TicketType.objects.select_for_update().filter(pk__in=per_type).order_by("pk")
            ):
                TicketType.objects.filter(pk=ticket_type.pk).update(
                    reserved=F("reserved") - per_type[ticket_type.pk]
                )
            Event.objects.filter(pk=locked.event_id).update(reserved=F("reserved") - len(tickets))
        # Their codes are kept, so the door knows them as refunded (not as unknown).
        RefundedTicket.objects.bulk_create(
            RefundedTicket(
                order=locked,
                ticket_type_id=ticket.ticket_type_id,
                price=ticket.price,
                attendee_name=ticket.attendee_name,
                code=ticket.code,
                refunded_at=now,
            )
            for ticket in tickets
        )
        Ticket.objects.filter(pk__in=[ticket.pk for ticket in tickets]).delete()
        locked.total = max(locked.total - amount, 0)
        fields = ["total", "updated_at"]
        if not locked.tickets.exists() and not locked.is_closed:
            locked.status = Order.Status.REFUNDED
            locked.cancelled_at = locked.cancelled_at or now
            fields += ["status", "cancelled_at"]
        locked.save(update_fields=fields)
    _refresh(order, locked)
    order.total = locked.total
    return amount
