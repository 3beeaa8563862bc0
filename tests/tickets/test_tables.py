"""Tables: a ticket that seats several takes that many places, sells only whole, and
makes a ticket per seat (its own code, price share and number), named later."""

from decimal import Decimal

import pytest
from django.db import connection

from tests.concurrency import race
from tests.events.factories import make_order
from tickets.availability import SoldOut, places_left
from tickets.models import Order, Ticket
from tickets.order_payments import goods_value, order_line_items
from tickets.orders import ReservationRequest, cancel_order, reserve_tickets
from tickets.pricing import split_among_seats

BUYER = {"name": "Tess Host", "email": "tess@example.org"}


@pytest.fixture
def luncheon(make_event, make_ticket_type):
    event = make_event(title="International Luncheon", capacity=25, meal_options="Fish\nVegan")
    seat = make_ticket_type(
        event,
        name="Seat",
        price=Decimal("65.00"),
        member_price=Decimal("55.00"),
        quantity=25,
        max_per_order=20,
    )
    table = make_ticket_type(
        event, name="Table of 10", price=Decimal("500.00"), quantity=20, seats=10, max_per_order=2
    )
    return event, seat, table


def reserve(event, lines, *, now, key=None, attendees=()):
    return reserve_tickets(
        ReservationRequest(
            event=event, lines=lines, buyer=BUYER, now=now, idempotency_key=key, attendees=attendees
        )
    )


def fresh_left(event, now):
    event.refresh_from_db()
    return places_left(event, now=now, ticket_types=list(event.ticket_types.all()), offers=[])


def test_a_table_takes_ten_places_and_makes_a_ticket_per_seat(luncheon, now):
    event, seat, table = luncheon
    order = reserve(event, [(table, 1)], now=now).order
    tickets = list(order.tickets.order_by("seat_number"))
    assert len(tickets) == 10
    assert [t.seat_number for t in tickets] == list(range(1, 11))
    assert {t.table_number for t in tickets} == {1}
    assert len({t.code for t in tickets}) == 10
    assert sum(t.price for t in tickets) == Decimal("500.00") == order.total
    event.refresh_from_db()
    table.refresh_from_db()
    assert event.reserved == 10 == table.reserved


def test_tables_are_numbered_in_the_order_they_are_sold(luncheon, now):
    event, seat, table = luncheon
    first = reserve(event, [(table, 1)], now=now).order
    second = reserve(event, [(seat, 1), (table, 1)], now=now, attendees=[{}]).order
    assert set(first.tickets.values_list("table_number", flat=True)) == {1}
    assert set(
        second.tickets.exclude(table_number=None).values_list("table_number", flat=True)
    ) == {2}
    assert second.tickets.filter(table_number=None).count() == 1


def test_a_table_is_sold_out_when_fewer_places_than_its_seats_are_left(luncheon, now):
    event, seat, table = luncheon
    reserve(event, [(seat, 16)], now=now, attendees=[{}] * 16)
    left = fresh_left(event, now)
    assert left.total == 9
    assert left[table.pk] == 0  # 9 places: no table of 10
    assert left[seat.pk] == 9
    with pytest.raises(SoldOut):
        reserve(event, [(table, 1)], now=now)
    reserve(event, [(seat, 9)], now=now, attendees=[{}] * 9)
    assert fresh_left(event, now).total == 0


def test_two_tables_need_twenty_places(luncheon, now):
    event, seat, table = luncheon
    reserve(event, [(seat, 6)], now=now, attendees=[{}] * 6)  # 19 left
    with pytest.raises(SoldOut):
        reserve(event, [(table, 2)], now=now)
    assert fresh_left(event, now)[table.pk] == 10


def test_a_cancelled_table_gives_its_ten_places_back(luncheon, now):
    event, seat, table = luncheon
    order = reserve(event, [(table, 2)], now=now).order
    cancel_order(order=order, now=now)
    event.refresh_from_db()
    table.refresh_from_db()
    assert event.reserved == 0 == table.reserved


def test_the_buyer_of_a_table_need_not_name_its_guests(luncheon, now):
    event, seat, table = luncheon
    # Details are asked for single seats only: one seat, one table.
    order = reserve(event, [(seat, 1), (table, 1)], now=now, attendees=[{"attendee_name": "Al"}])
    names = sorted(t.holder_name for t in order.order.tickets.all())
    assert "Al" in names
    assert "Table 1, seat 7 (unnamed)" in names


def test_a_table_price_is_shared_among_its_seats_to_the_cent():
    shares = split_among_seats(Decimal("100.01"), 10)
    assert sum(shares) == Decimal("100.01")
    assert shares[0] == Decimal("10.01") and shares[-1] == Decimal("10.00")


def test_a_table_is_one_line_of_the_card_payment(luncheon, now):
    event, seat, table = luncheon
    order = reserve(event, [(seat, 2), (table, 1)], now=now, attendees=[{}, {}]).order
    lines = {
        (line.name.split(": ")[-1], line.unit_amount, line.quantity)
        for line in order_line_items(order)
    }
    assert lines == {("Seat", Decimal("65.00"), 2), ("Table of 10", Decimal("500.00"), 1)}


def test_the_receipt_of_a_table_states_the_goods_value_of_each_seat(luncheon, now):
    from payments.models import Payment

    event, seat, table = luncheon
    table.goods_value = Decimal("30.00")
    table.save(update_fields=["goods_value"])
    order = make_order(event, [(table, 1)], now=now, paid=True)
    payment = Payment(purpose="events.order", object_id=str(order.pk), amount=order.total)
    assert goods_value(payment=payment) == Decimal("300.00")  # $200 deductible of $500


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_racing_buyers_of_tables_and_seats_never_oversell(make_event, make_ticket_type, now):
    """Mixed buyers race for the last 25 places: tables of 10 and single seats at once.
    Whatever order they come in, no more than 25 places are sold, and the counters equal
    the tickets made."""
    assert connection.vendor == "postgresql"
    event = make_event(capacity=40)
    seat = make_ticket_type(
        event, name="Seat", price=Decimal("65.00"), quantity=40, max_per_order=20
    )
    table = make_ticket_type(event, name="Table", price=Decimal("500.00"), quantity=40, seats=10)
    reserve(event, [(seat, 15)], now=now, attendees=[{}] * 15)  # 25 left

    def buy(index):
        lines = [(table, 1)] if index % 2 else [(seat, 3)]
        attendees = () if index % 2 else [{}] * 3
        try:
            return reserve(
                event, lines, now=now, key=f"mixed-{index:04d}-abcdefgh", attendees=attendees
            ).order
        except SoldOut as error:
            return error

    results = race(16, buy)
    assert all(isinstance(r, Order | SoldOut) for r in results), results
    event.refresh_from_db()
    seat.refresh_from_db()
    table.refresh_from_db()
    tickets = Ticket.objects.filter(order__event=event).count()
    assert event.reserved == tickets == seat.reserved + table.reserved
    assert event.reserved <= 40
    assert 40 - event.reserved < 3  # no buyer was refused while their places were left
    assert table.reserved % 10 == 0
    tables = Ticket.objects.filter(order__event=event, ticket_type=table)
    assert tables.values("table_number").distinct().count() == table.reserved // 10


def test_the_event_page_counts_tables_left_not_places(client, luncheon, now):
    event, seat, table = luncheon
    page = client.get(event.get_absolute_url()).content.decode()
    assert "2 left" in page  # 20 places: 2 tables of 10


def test_the_order_page_costs_the_same_queries_with_a_table_of_ten_seats(
    client, luncheon, now, django_assert_max_num_queries
):
    event, seat, table = luncheon
    small = reserve(event, [(seat, 2)], now=now, attendees=[{}, {}]).order
    big = reserve(event, [(seat, 2), (table, 1)], now=now, attendees=[{}, {}]).order
    with django_assert_max_num_queries(12) as few:
        assert client.get(small.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(big.get_absolute_url()).status_code == 200
