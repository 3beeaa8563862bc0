"""A checkout's commit tells the page cache what changed without reading its event again:
the reservation knows the state of sales the lists show (few left, sold out) from the
places it counted under the event's lock (`tickets/signals.py`, `SalesNow`)."""

import re
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from association.page_cache import versions
from events.listing import SalesState
from tests.events import factories
from tickets import signals
from tickets.models import Order

pytestmark = pytest.mark.django_db(transaction=True)


def known_state(event):
    return caches["default"].get(signals.SALES_STATE_KEY.format(pk=event.pk))


@pytest.fixture
def free_talk(make_event, make_ticket_type):
    event = make_event(title="Free talk", slug="free-talk", capacity=100)
    make_ticket_type(event, name="Free entry", price=Decimal("0"), quantity=100, max_per_order=1)
    return event


def test_a_checkout_does_not_read_its_event_again_after_the_commit(
    client, free_talk, settings, kept
):
    """The POST of a rush's checkout, everything it does counted, the page cache's work
    after the commit included: 12 queries (15 when the lists' state was read again after
    each order: the event, its ticket types and its open offers)."""
    settings.TASKS_RUN_AFTER_COMMIT = False  # as in production: the worker sends it
    ticket_type = free_talk.ticket_types.get()
    url = f"/events/{free_talk.slug}/tickets/"
    client.get(url)
    for number in range(3):
        page = client.get(url).content.decode()
        data = {
            f"qty_{ticket_type.pk}": "1",
            "name": f"Rush Buyer {number}",
            "email": f"rush{number}@example.org",
            "payment_method": "free",
            "submission": re.search(r'name="submission" value="([^"]+)"', page).group(1),
        }
        with CaptureQueriesContext(connection) as queries:
            assert client.post(url, data).status_code == 303
        sql = [query["sql"] for query in queries.captured_queries]
        after_commit = sql[sql.index("COMMIT") + 1 :]
        assert after_commit == []
        assert len(sql) <= 12
        assert known_state(free_talk) == SalesState.ON_SALE
    assert Order.objects.filter(status=Order.Status.CONFIRMED).count() == 3


def test_the_state_a_reservation_knows_is_the_one_the_lists_read(db, page_store_on):
    """Few left, then sold out, with an overall capacity below the types' quantities: after
    each reservation the state handed over is what reading the event again says."""
    event = factories.make_event(title="Small Supper", slug="small-supper", capacity=12)
    dinner = factories.make_ticket_type(event, name="Dinner", quantity=10)
    supporter = factories.make_ticket_type(event, name="Supporter", quantity=10, price=100)
    seen = []
    for number, ticket_type in enumerate([dinner, dinner, dinner, supporter]):
        order = factories.make_order(
            event, [(ticket_type, 3)], status=Order.Status.PENDING, email=f"b{number}@x.org"
        )
        assert order.status == Order.Status.PENDING  # one transaction: reservation only
        read = signals._read_sales_now(event.pk)
        assert known_state(event) == read.state
        seen.append(read.state)
    assert seen[-2:] == [SalesState.FEW_LEFT, SalesState.SOLD_OUT]


def test_a_change_after_the_reservation_in_its_transaction_is_read_again(db, page_store_on):
    """What the reservation knew no longer holds when its transaction goes on to change the
    event's sales: the event is then read after the commit, as before."""
    from django.db import transaction  # noqa: PLC0415

    from tickets import orders  # noqa: PLC0415

    event = factories.make_event(title="Tiny Tea", slug="tiny-tea")
    tea = factories.make_ticket_type(event, name="Tea", quantity=2)
    with transaction.atomic():
        order = factories.make_order(
            event, [(tea, 2)], status=Order.Status.PENDING, email="a@x.org"
        )
        # Sold out as far as the reservation knew; cancelled before the commit.
        orders.cancel_order(order=order, now=timezone.now())
    assert known_state(event) == SalesState.ON_SALE


@pytest.fixture
def page_store_on(settings):
    from tests.conftest import emptied_page_store  # noqa: PLC0415

    settings.PAGE_CACHE_ENABLED = True
    emptied_page_store()
    yield versions
    emptied_page_store()
