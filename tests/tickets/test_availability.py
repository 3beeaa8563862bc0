import datetime

import pytest

from events.listing import (
    SalesState,
    event_sales_state,
    is_few_left,
    ticket_type_state,
    with_ticket_types,
)
from events.models import Event
from tests.events.factories import make_order
from tickets.availability import (
    SalesClosed,
    check_event_on_sale,
    places_left,
    places_taken,
    with_sales_figures,
)
from tickets.models import Order, WaitlistEntry

pytestmark = pytest.mark.django_db


def test_few_left_counts_the_event_capacity_once(make_event, make_ticket_type, now):
    event = make_event(capacity=20)
    types = [
        make_ticket_type(event, name=name, quantity=50, max_per_order=20)
        for name in ("Adult", "Child")
    ]
    make_order(event, [(types[0], 17)], now=now)
    event.refresh_from_db()
    types = [t.__class__.objects.get(pk=t.pk) for t in types]
    left = places_left(event, now=now, ticket_types=types, offers=[])
    assert sum(left.values()) == 2 * 3  # each type alone could take every place
    assert event_sales_state(event, now=now, left=left, ticket_types=types) == (SalesState.FEW_LEFT)


@pytest.mark.parametrize(
    "left, size, few",
    [
        (8, 8, False),  # nothing sold: all there is, not "few left"
        (3, 3, False),
        (2, 3, True),
        (3, 12, True),  # small: at least 3
        (4, 12, False),
        (5, 50, True),  # a tenth
        (6, 50, False),
        (20, 200, True),
        (21, 200, False),
        (0, 10, False),  # sold out, not few
    ],
)
def test_few_left_is_relative_to_the_size_and_never_when_nothing_is_sold(left, size, few):
    """Issue 18, item 18."""
    assert is_few_left(left=left, size=size) is few


def test_a_small_ticket_type_with_nothing_sold_is_on_sale_not_few_left(
    make_event, make_ticket_type, now
):
    event = make_event()
    table = make_ticket_type(event, name="Table", quantity=8)
    left = places_left(event, now=now, ticket_types=[table], offers=[])
    assert ticket_type_state(table, now=now, left=left[table.pk]) == SalesState.ON_SALE
    assert event_sales_state(event, now=now, left=left, ticket_types=[table]) == (
        SalesState.ON_SALE
    )
    # An event capacity below the type's quantity is all there is too.
    assert ticket_type_state(table, now=now, left=4, capacity=4) == SalesState.ON_SALE


def test_places_taken_are_the_tickets_held_or_sold_and_the_places_offered(
    make_event, make_ticket_type, now
):
    event = make_event(capacity=30)
    dinner = make_ticket_type(event, name="Dinner", quantity=20)
    child = make_ticket_type(event, name="Child", quantity=10)
    make_order(event, [(dinner, 5)], now=now)
    make_order(event, [(child, 2)], status=Order.Status.PENDING, now=now)
    WaitlistEntry.objects.create(
        event=event,
        ticket_type=dinner,
        name="Wanda",
        email="wanda@example.org",
        quantity=3,
        offered_at=now,
        offered_quantity=3,
        offer_expires_at=now + datetime.timedelta(hours=24),
    )
    WaitlistEntry.objects.create(
        event=event,
        name="Any",
        email="any@example.org",
        quantity=1,
        offered_at=now,
        offered_quantity=1,
        offer_expires_at=now + datetime.timedelta(hours=1),
    )
    assert places_taken(event_id=event.pk, ticket_type_id=dinner.pk, now=now).lowest_allowed == 8
    assert places_taken(event_id=event.pk, ticket_type_id=child.pk, now=now).lowest_allowed == 2
    event_taken = places_taken(event_id=event.pk, now=now)
    assert (event_taken.reserved, event_taken.offered) == (7, 4)
    assert event_taken.lowest_allowed == 11


def test_admin_remaining_and_the_public_page_agree_when_a_ticket_type_sale_has_closed(
    client, admin_client, make_event, make_ticket_type, now
):
    """Staff and visitors read one count: a type whose sale has ended lends no places."""
    from tickets.admin import EventAdmin

    event = make_event()
    regular = make_ticket_type(event, name="Regular", quantity=24)
    make_ticket_type(
        event, name="Early bird", quantity=30, sales_end=now - datetime.timedelta(days=1)
    )
    make_order(event, [(regular, 4)], now=now)

    page = client.get(event.get_absolute_url())
    public = sum(row["left"] for row in page.context["rows"] if row["state"].can_buy)
    assert public == 20 and "20 left" in page.content.decode()

    changelist = admin_client.get("/admin/events/event/")
    admin_event = next(e for e in changelist.context["cl"].result_list if e.pk == event.pk)
    assert EventAdmin(Event, None).remaining(admin_event) == public == 20
    assert admin_event.figure_sold == 4


@pytest.mark.parametrize(
    "change, message",
    [
        ({"status": Event.Status.CANCELLED}, "cancelled"),
        ({"status": Event.Status.DRAFT}, "not open"),
        ({"registration_opens_at": 1}, "opens on"),
        ({"registration_closes_at": -1}, "closed"),
    ],
)
def test_check_event_on_sale_says_why_not(make_event, now, change, message):
    fields = {
        name: now + datetime.timedelta(hours=value) if isinstance(value, int) else value
        for name, value in change.items()
    }
    with pytest.raises(SalesClosed, match=message):
        check_event_on_sale(make_event(**fields), now=now)
    check_event_on_sale(make_event(), now=now)


def test_public_lists_skip_the_staff_counts_they_never_show(make_event):
    event = make_event()
    now = datetime.datetime.now(tz=datetime.UTC)
    public = with_ticket_types(Event.objects.filter(pk=event.pk), now=now).get()
    staff = with_sales_figures(Event.objects.all(), now=now, staff_counts=True).get(pk=event.pk)
    assert not hasattr(public, "figure_revenue") and not hasattr(public, "figure_sold")
    assert staff.figure_sold == 0 and staff.figure_revenue == 0


def test_the_checkout_refusal_rules_are_one_function(make_event, make_ticket_type, now):
    """Closed, sold out, members only: `check_checkout_open` says which, in that order."""
    from django.contrib.auth.models import AnonymousUser  # noqa: PLC0415

    from tickets.availability import InvalidSelection, SoldOut, check_checkout_open  # noqa: PLC0415

    event = make_event()
    members = make_ticket_type(event, name="Members", members_only=True)
    visitor = AnonymousUser()
    with pytest.raises(InvalidSelection, match="members in good standing"):
        check_checkout_open(event, buyable=[members], user=visitor, now=now)
    with pytest.raises(SoldOut, match="no tickets on sale"):
        check_checkout_open(event, buyable=[], user=visitor, now=now)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    event.refresh_from_db()
    with pytest.raises(SalesClosed):
        check_checkout_open(event, buyable=[members], user=visitor, now=now)
    open_to_all = make_ticket_type(make_event(slug="open-to-all"), name="Anyone")
    check_checkout_open(open_to_all.event, buyable=[open_to_all], user=visitor, now=now)
