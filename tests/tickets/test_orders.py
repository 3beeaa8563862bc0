import datetime
import multiprocessing
import threading
from dataclasses import FrozenInstanceError, replace
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from events.listing import SalesState, event_sales_state
from events.models import Event
from tests.concurrency import race
from tests.events.factories import places_left_for
from tickets.availability import InvalidSelection, SalesClosed, SoldOut, lock_event, places_left
from tickets.limits import LimitReached
from tickets.models import Order, TicketType, WaitlistEntry
from tickets.orders import (
    ReservationRequest,
    cancel_order,
    confirm_order,
    expire_stale_holds,
    mark_order_paid,
    reserve_tickets,
)

from .process_buyer import buy_one_ticket

BUYER = {"name": "Ada Buyer", "email": "ada@example.org"}


def reserve(event, ticket_type, quantity, *, now, key=None, **kwargs):
    return reserve_tickets(
        ReservationRequest(
            event=event,
            lines=[(ticket_type, quantity)],
            buyer=BUYER,
            idempotency_key=key,
            now=now,
            **kwargs,
        )
    ).order


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def ticket_type(event, make_ticket_type):
    return make_ticket_type(event, quantity=10, max_per_order=10)


def test_reserving_holds_tickets_as_a_pending_order(event, ticket_type, now, settings):
    order = reserve(event, ticket_type, 3, now=now)
    ticket_type.refresh_from_db()
    event.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert order.hold_expires_at == now + datetime.timedelta(minutes=settings.EVENTS_HOLD_MINUTES)
    assert order.tickets.count() == 3
    assert order.total == Decimal("120.00")
    assert ticket_type.reserved == 3
    assert event.reserved == 3
    assert places_left_for(ticket_type, now=now) == 7


def test_cannot_reserve_more_than_are_left(event, ticket_type, now):
    reserve(event, ticket_type, 8, now=now)
    with pytest.raises(SoldOut, match="Only 2"):
        reserve(event, ticket_type, 3, now=now)
    ticket_type.refresh_from_db()
    assert ticket_type.reserved == 8
    assert Order.objects.count() == 1


def test_event_capacity_bounds_all_ticket_types(make_event, make_ticket_type, now):
    event = make_event(capacity=5)
    first = make_ticket_type(event, name="A", quantity=5)
    second = make_ticket_type(event, name="B", quantity=5)
    reserve(event, first, 4, now=now)
    assert places_left_for(second, now=now) == 1
    with pytest.raises(SoldOut):
        reserve(event, second, 2, now=now)
    reserve(event, second, 1, now=now)
    event.refresh_from_db()
    assert event.reserved == 5


def test_lines_over_capacity_together_are_refused(make_event, make_ticket_type, now):
    event = make_event(capacity=3)
    first = make_ticket_type(event, name="A", quantity=5)
    second = make_ticket_type(event, name="B", quantity=5)
    with pytest.raises(SoldOut):
        reserve_tickets(
            ReservationRequest(
                event=event,
                lines=[(first, 2), (second, 2)],
                buyer=BUYER,
                idempotency_key=None,
                now=now,
            )
        )
    event.refresh_from_db()
    assert event.reserved == 0


def test_database_refuses_an_overselling_update(event, ticket_type):
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketType.objects.filter(pk=ticket_type.pk).update(reserved=F("quantity") + 1)


def test_database_refuses_to_overfill_event_capacity(make_event):
    event = make_event(capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(reserved=3)


def test_a_web_reservation_is_one_request_counted_once_per_submission(
    event, ticket_type, now, settings
):
    """The checkout hands `reserve_tickets` one frozen request: a submission from the web
    (`client_ip`) is counted against the checkout limits when it is new, not when sent
    again, and its order keeps only a keyed hash of the address."""
    settings.EVENTS_CHECKOUT_LIMIT_PER_IP = 1
    request = ReservationRequest(
        event=event,
        lines=[(ticket_type, 1)],
        buyer=BUYER,
        idempotency_key="web-key-0123456789abcdef",
        now=now,
        client_ip="198.51.100.4",
    )
    first = reserve_tickets(request)
    again = reserve_tickets(request)
    assert (first.created, again.created) == (True, False)
    assert first.order.network_key and "198.51.100.4" not in first.order.network_key
    with pytest.raises(LimitReached):
        reserve_tickets(replace(request, idempotency_key="web-key-another-0123456789"))
    with pytest.raises(FrozenInstanceError):
        request.pays_later = True  # type: ignore[misc]


def test_same_submission_twice_makes_one_order(event, ticket_type, now):
    lines = [(ticket_type, 2)]
    key = "same-key-0123456789abcdef"
    first = reserve_tickets(
        ReservationRequest(event=event, lines=lines, buyer=BUYER, idempotency_key=key, now=now)
    )
    second = reserve_tickets(
        ReservationRequest(event=event, lines=lines, buyer=BUYER, idempotency_key=key, now=now)
    )
    ticket_type.refresh_from_db()
    assert (first.created, second.created) == (True, False)
    assert first.order.pk == second.order.pk
    assert Order.objects.count() == 1
    assert ticket_type.reserved == 2


def test_a_submission_key_cannot_be_reused_for_another_event(
    event, ticket_type, make_event, make_ticket_type, now
):
    reserve(event, ticket_type, 1, now=now, key="shared-key-0123456789abcdef")
    other = make_event()
    with pytest.raises(InvalidSelection):
        reserve(other, make_ticket_type(other), 1, now=now, key="shared-key-0123456789abcdef")


def test_stale_hold_expires_and_returns_its_tickets(event, ticket_type, now):
    order = reserve(event, ticket_type, 4, now=now)
    assert expire_stale_holds(now=now + datetime.timedelta(minutes=5)) == 0
    assert expire_stale_holds(now=now + datetime.timedelta(minutes=16)) == 1
    order.refresh_from_db()
    ticket_type.refresh_from_db()
    event.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert ticket_type.reserved == 0
    assert event.reserved == 0
    assert expire_stale_holds(now=now + datetime.timedelta(minutes=30)) == 0


def test_a_buyer_gets_the_places_of_stale_holds_when_none_are_left_otherwise(
    event, ticket_type, now
):
    """Reserving expires the event's stale holds only when the order would not fit without
    their places (a query saved in a rush), and then it does fit."""
    stale = reserve(event, ticket_type, 6, now=now)
    later = now + datetime.timedelta(minutes=16)  # past the hold
    fits = reserve(event, ticket_type, 4, now=later)
    stale.refresh_from_db()
    assert fits.status == Order.Status.PENDING
    assert stale.status == Order.Status.PENDING  # not needed yet: left for the job
    needs_them = reserve(event, ticket_type, 5, now=later)
    stale.refresh_from_db()
    ticket_type.refresh_from_db()
    event.refresh_from_db()
    assert needs_them.status == Order.Status.PENDING
    assert stale.status == Order.Status.EXPIRED
    assert ticket_type.reserved == event.reserved == 9
    with pytest.raises(SoldOut):
        reserve(event, ticket_type, 2, now=later)


def test_confirmed_order_never_expires(event, ticket_type, now):
    order = confirm_order(order=reserve(event, ticket_type, 2, now=now), now=now)
    assert expire_stale_holds(now=now + datetime.timedelta(days=1)) == 0
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert order.hold_expires_at is None


def test_a_buyer_gets_tickets_freed_by_a_stale_hold_before_the_job_runs(
    event, make_ticket_type, now
):
    scarce = make_ticket_type(event, name="Scarce", quantity=2)
    stale = reserve(event, scarce, 2, now=now)
    later = now + datetime.timedelta(minutes=20)
    order = reserve(event, scarce, 2, now=later)
    stale.refresh_from_db()
    scarce.refresh_from_db()
    assert stale.status == Order.Status.EXPIRED
    assert order.status == Order.Status.PENDING
    assert scarce.reserved == 2


def test_cancel_returns_tickets_to_sale_once(event, ticket_type, now):
    order = confirm_order(order=reserve(event, ticket_type, 3, now=now), now=now)
    cancel_order(order=order, now=now)
    cancel_order(order=order, now=now)
    ticket_type.refresh_from_db()
    event.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert ticket_type.reserved == 0
    assert event.reserved == 0


def test_refund_after_cancel_does_not_release_twice(event, ticket_type, now):
    order = confirm_order(order=reserve(event, ticket_type, 3, now=now), now=now)
    reserve(event, ticket_type, 1, now=now)
    cancel_order(order=order, now=now)
    cancel_order(order=order, now=now, status=Order.Status.REFUNDED)
    ticket_type.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert ticket_type.reserved == 1


def test_mark_paid_confirms_a_held_order(event, ticket_type, now):
    order = mark_order_paid(order=reserve(event, ticket_type, 1, now=now), now=now)
    assert order.status == Order.Status.CONFIRMED
    assert order.paid_at == now


def test_expired_order_cannot_be_confirmed_or_paid(event, ticket_type, now):
    order = reserve(event, ticket_type, 1, now=now)
    expire_stale_holds(now=now + datetime.timedelta(hours=1))
    with pytest.raises(InvalidSelection):
        confirm_order(order=order, now=now)
    with pytest.raises(InvalidSelection):
        mark_order_paid(order=order, now=now)


def test_ticket_type_of_another_event_is_rejected(event, make_event, make_ticket_type, now):
    other = make_event()
    foreign = make_ticket_type(other)
    with pytest.raises(InvalidSelection):
        reserve(event, foreign, 1, now=now)
    foreign.refresh_from_db()
    assert foreign.reserved == 0


@pytest.mark.parametrize("quantity", [0, -1, 11, "2", 2.5, True])
def test_bad_quantities_are_rejected(event, ticket_type, now, quantity):
    with pytest.raises(InvalidSelection):
        reserve(event, ticket_type, quantity, now=now)
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "change, message",
    [
        ({"status": Event.Status.CANCELLED}, "cancelled"),
        ({"status": Event.Status.DRAFT}, "not open"),
        ({"registration_opens_at": "+1"}, "opens on"),
        ({"registration_closes_at": "-1"}, "closed"),
    ],
)
def test_sales_closed_outside_the_registration_window(event, ticket_type, now, change, message):
    for field, value in change.items():
        if value in ("+1", "-1"):
            value = now + datetime.timedelta(hours=int(value))
        setattr(event, field, value)
    event.save(update_fields=list(change))
    with pytest.raises(SalesClosed, match=message):
        reserve(event, ticket_type, 1, now=now)


def test_no_sales_once_the_event_started(event, ticket_type):
    with pytest.raises(SalesClosed):
        reserve(event, ticket_type, 1, now=event.starts_at + datetime.timedelta(minutes=1))


def test_ticket_type_sales_window(event, make_ticket_type, now):
    early = make_ticket_type(event, name="Early bird", sales_end=now - datetime.timedelta(hours=1))
    later = make_ticket_type(event, name="Late", sales_start=now + datetime.timedelta(hours=1))
    with pytest.raises(SalesClosed, match="ended"):
        reserve(event, early, 1, now=now)
    with pytest.raises(SalesClosed, match="go on sale"):
        reserve(event, later, 1, now=now)


def open_offer(event, ticket_type, now, quantity=2):
    return WaitlistEntry.objects.create(
        event=event,
        ticket_type=ticket_type,
        name="Wanda",
        email="wanda@example.org",
        quantity=quantity,
        offered_at=now,
        offered_quantity=quantity,
        offer_expires_at=now + datetime.timedelta(hours=24),
    )


def test_places_offered_to_the_waiting_list_are_held_back(make_event, make_ticket_type, now):
    event = make_event()
    ticket_type = make_ticket_type(event, quantity=3)
    offer = open_offer(event, ticket_type, now)
    assert places_left_for(ticket_type, now=now) == 1
    assert places_left_for(ticket_type, now=now, offer=offer) == 3
    with pytest.raises(SoldOut):
        reserve(event, ticket_type, 2, now=now)
    order = reserve(event, ticket_type, 2, now=now, offer=offer)
    offer.refresh_from_db()
    assert order.tickets.count() == 2
    assert offer.fulfilled_at == now
    # Fulfilled: the offer holds nothing back any more.
    assert places_left_for(ticket_type, now=now) == 1


def test_an_offer_is_used_by_one_order_only(event, ticket_type, now):
    offer = open_offer(event, ticket_type, now, quantity=1)
    reserve(event, ticket_type, 1, now=now, offer=offer)
    with pytest.raises(InvalidSelection, match="no longer open"):
        reserve(event, ticket_type, 1, now=now, offer=offer)
    assert Order.objects.filter(event=event).count() == 1


def test_a_failed_reservation_leaves_the_offer_open(event, ticket_type, make_ticket_type, now):
    offer = open_offer(event, ticket_type, now, quantity=1)
    other = make_ticket_type(event, name="Other", quantity=1)
    reserve(event, other, 1, now=now)
    with pytest.raises(SoldOut):
        reserve(event, other, 1, now=now, offer=offer)  # claimed, then rolled back
    offer.refresh_from_db()
    assert offer.fulfilled_at is None
    assert reserve(event, ticket_type, 1, now=now, offer=offer).tickets.count() == 1


def test_expired_offer_holds_nothing_back(make_event, make_ticket_type, now):
    event = make_event()
    ticket_type = make_ticket_type(event, quantity=3)
    offer = open_offer(event, ticket_type, now)
    later = now + datetime.timedelta(hours=25)
    assert places_left_for(ticket_type, now=later) == 3
    with pytest.raises(InvalidSelection):
        reserve(event, ticket_type, 1, now=later, offer=offer)


def test_an_offer_for_no_ticket_type_holds_its_places_once(make_event, make_ticket_type, now):
    event = make_event()
    dinner = make_ticket_type(event, name="Dinner", quantity=1)
    child = make_ticket_type(event, name="Child", quantity=1)
    open_offer(event, None, now, quantity=1)
    # Two places, one kept for the offer: one is still for sale, of either type.
    offers = WaitlistEntry.objects.open_offers(now).filter(event=event)
    left = places_left(event, now=now, ticket_types=[dinner, child], offers=offers)
    assert (left[dinner.pk], left[child.pk], left.total) == (1, 1, 1)
    assert event_sales_state(event, now=now, left=left, ticket_types=[dinner, child]) != (
        SalesState.SOLD_OUT
    )
    assert places_left_for(child, now=now) == 1
    with pytest.raises(SoldOut):
        reserve_tickets(
            ReservationRequest(
                event=event,
                lines=[(dinner, 1), (child, 1)],
                buyer=BUYER,
                idempotency_key=None,
                now=now,
            )
        )
    reserve(event, child, 1, now=now)
    # The last place is the offer's, whichever type its holder picks.
    assert places_left_for(dinner, now=now) == 0


def test_a_closed_ticket_type_lends_no_places_to_an_offer_for_any_type(
    make_event, make_ticket_type, now
):
    event = make_event()
    regular = make_ticket_type(event, name="Regular", quantity=2)
    make_ticket_type(
        event, name="Early bird", quantity=10, sales_end=now - datetime.timedelta(days=1)
    )
    open_offer(event, None, now, quantity=2)
    # The early-bird places can no longer be sold, so the two regular ones are the offer's.
    assert places_left_for(regular, now=now) == 0
    with pytest.raises(SoldOut):
        reserve(event, regular, 2, now=now)


def test_an_offer_holder_may_buy_only_the_places_offered(make_event, make_ticket_type, now):
    event = make_event()
    ticket_type = make_ticket_type(event, quantity=10)
    offer = open_offer(event, None, now, quantity=2)
    with pytest.raises(InvalidSelection, match="offer is for 2 tickets"):
        reserve(event, ticket_type, 3, now=now, offer=offer)
    offer.refresh_from_db()
    assert offer.fulfilled_at is None
    assert Order.objects.count() == 0
    reserve(event, ticket_type, 2, now=now, offer=offer)


# --- Concurrency, on PostgreSQL with real threads and processes -----------------------


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_racing_buyers_never_oversell_the_last_tickets(make_event, make_ticket_type, now):
    assert connection.vendor == "postgresql"
    event = make_event(capacity=50)
    ticket_type = make_ticket_type(event, quantity=50, max_per_order=10)
    for _ in range(9):
        reserve(event, ticket_type, 5, now=now)

    def buy(index):
        return reserve(event, ticket_type, 1, now=now, key=f"race-{index:04d}-abcdefgh")

    results = race(24, buy)
    orders = [r for r in results if isinstance(r, Order)]
    errors = [r for r in results if not isinstance(r, Order)]
    ticket_type.refresh_from_db()
    event.refresh_from_db()
    assert len(orders) == 5
    assert len(errors) == 19
    assert all(isinstance(error, SoldOut) for error in errors), errors
    assert ticket_type.reserved == 50 == event.reserved
    assert Order.objects.filter(event=event).count() == 9 + 5


def _same_submission_eight_times(event, ticket_type, key, now):
    """Eight copies of one submission (two tickets) sent at the same moment."""

    def submit(index):
        return reserve_tickets(
            ReservationRequest(
                event=event, lines=[(ticket_type, 2)], buyer=BUYER, idempotency_key=key, now=now
            )
        )

    return race(8, submit)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_same_submission_racing_itself_makes_one_order(event, ticket_type, now):
    results = _same_submission_eight_times(event, ticket_type, "double-click-0123456789ab", now)
    assert len({result.order.pk for result in results}) == 1, results
    assert [result.created for result in results].count(True) == 1
    ticket_type.refresh_from_db()
    assert Order.objects.count() == 1
    assert ticket_type.reserved == 2


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_one_offer_link_used_at_once_by_six_makes_one_order(event, ticket_type, now):
    """Issue 12, item 3: one waiting-list offer, one order, however many use its link at
    once (each with its own form, so the idempotency key does not join them), even with
    places left for everyone."""
    offer = open_offer(event, ticket_type, now, quantity=1)

    def use_the_offer(index):
        return reserve(
            event, ticket_type, 1, now=now, key=f"offer-{index:04d}-abcdefgh", offer=offer
        )

    results = race(6, use_the_offer)
    orders = [r for r in results if isinstance(r, Order)]
    errors = [r for r in results if not isinstance(r, Order)]
    assert len(orders) == 1, results
    assert len(errors) == 5 and all(isinstance(e, InvalidSelection) for e in errors), errors
    assert Order.objects.filter(event=event).count() == 1
    offer.refresh_from_db()
    assert offer.fulfilled_at == now
    ticket_type.refresh_from_db()
    assert ticket_type.reserved == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_separate_processes_never_oversell(make_event, make_ticket_type):
    """Several server processes (not threads) racing for the last tickets: the
    database's locks and constraints hold across processes."""
    event = make_event()
    make_ticket_type(event, quantity=5, max_per_order=5)
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    context = multiprocessing.get_context("spawn")
    count = 8
    barrier = context.Barrier(count)
    results = context.Queue()
    processes = [
        context.Process(target=buy_one_ticket, args=(url, event.pk, barrier, results))
        for _ in range(count)
    ]
    for process in processes:
        process.start()
    outcomes = sorted(results.get(timeout=120) for _ in range(count))
    for process in processes:
        process.join(timeout=60)
    ticket_type = event.ticket_types.get()
    assert outcomes == ["bought"] * 5 + ["sold out"] * 3
    assert ticket_type.reserved == 5
    assert Order.objects.filter(event=event).count() == 5


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_same_submission_racing_itself_for_the_last_places_makes_one_order(
    make_event, make_ticket_type, now
):
    """The copies that lose find the places gone (the first copy took them): each is
    answered with that order, not with "sold out"."""
    event = make_event()
    ticket_type = make_ticket_type(event, quantity=2)
    results = _same_submission_eight_times(event, ticket_type, "last-places-0123456789ab", now)
    assert all(not isinstance(result, Exception) for result in results), results
    assert len({result.order.pk for result in results}) == 1
    assert [result.created for result in results].count(True) == 1
    ticket_type.refresh_from_db()
    assert ticket_type.reserved == 2


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_confirming_an_order_does_not_queue_on_the_events_lock(event, ticket_type, now):
    """Confirming moves no places: in a rush, buyers confirming do not wait behind the
    buyers reserving (who hold the event's lock)."""
    order = reserve(event, ticket_type, 1, now=now)
    locked, release = threading.Event(), threading.Event()

    def hold_the_event_lock(index):
        with transaction.atomic():
            lock_event(event_id=event.pk)
            locked.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=race, args=(1, hold_the_event_lock))
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            confirmed = confirm_order(order=order, now=now)
    finally:
        release.set()
        holder.join(timeout=30)
    assert confirmed.status == Order.Status.CONFIRMED
