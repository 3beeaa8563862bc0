"""Limits against hoarding: checkouts per IP address and per email address, and unpaid
places per email address at one event, each refused with a 429 page and nothing reserved."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.concurrency import race
from tests.events.factories import make_event, make_ticket_type
from tickets.limits import LimitReached
from tickets.models import Order
from tickets.orders import ReservationRequest, mark_order_paid, reserve_tickets

pytestmark = pytest.mark.django_db

KEYS = (f"limits-key-{n:04d}-abcdefghijk" for n in range(1, 10_000))


@pytest.fixture
def dinner():
    event = make_event(starts_at=timezone.now() + timedelta(days=10))
    make_ticket_type(event, name="Dinner", price=Decimal("50.00"), quantity=40)
    return event


def url(event):
    return reverse("tickets:checkout", kwargs={"slug": event.slug})


def checkout(client, event, *, email, quantity=1, key=None, ip="198.51.100.1", **extra):
    ticket_type = event.ticket_types.get()
    return client.post(
        url(event),
        {
            f"qty_{ticket_type.pk}": str(quantity),
            "name": "Hoarder",
            "email": email,
            "payment_method": "offline",
            "submission": key or next(KEYS),
        },
        REMOTE_ADDR=ip,
        **extra,
    )


def assert_refused_with_the_limit_page(response, *, retry_after=None):
    assert response.status_code == 429
    assert response.get("Retry-After") == retry_after
    page = response.content.decode()
    assert "<h1>Too many orders</h1>" in page
    assert 'role="alert"' in page
    assert "Nothing was reserved" in page


@override_settings(EVENTS_CHECKOUT_LIMIT_PER_IP=2, EVENTS_CHECKOUT_LIMIT_PER_EMAIL=100)
def test_checkouts_are_limited_per_ip_address_with_a_429_page(client, dinner):
    assert checkout(client, dinner, email="a@example.org").status_code == 303
    assert checkout(client, dinner, email="b@example.org").status_code == 303
    assert_refused_with_the_limit_page(
        checkout(client, dinner, email="c@example.org"), retry_after="3600"
    )
    assert Order.objects.count() == 2
    assert dinner.ticket_types.get().reserved == 2
    # Another address is not held back by this one.
    assert checkout(client, dinner, email="d@example.org", ip="198.51.100.2").status_code == 303


@override_settings(EVENTS_CHECKOUT_LIMIT_PER_IP=100, EVENTS_CHECKOUT_LIMIT_PER_EMAIL=2)
def test_checkouts_are_limited_per_email_address_whatever_its_case(client, dinner):
    assert checkout(client, dinner, email="pat@example.org", ip="198.51.100.1").status_code == 303
    assert checkout(client, dinner, email="PAT@example.org", ip="198.51.100.2").status_code == 303
    refused = checkout(client, dinner, email="Pat@Example.org", ip="198.51.100.3")
    assert_refused_with_the_limit_page(refused, retry_after="3600")
    assert Order.objects.count() == 2


@override_settings(EVENTS_CHECKOUT_LIMIT_PER_IP=1, EVENTS_CHECKOUT_LIMIT_PER_EMAIL=1)
def test_the_same_submission_sent_again_is_not_counted(client, dinner):
    key = next(KEYS)
    first = checkout(client, dinner, email="pat@example.org", key=key)
    again = checkout(client, dinner, email="pat@example.org", key=key)
    assert first.status_code == again.status_code == 303
    assert first["Location"] == again["Location"]


@override_settings(
    EVENTS_CHECKOUT_LIMIT_PER_IP=2, EVENTS_CHECKOUT_LIMIT_PER_EMAIL=100, BEHIND_PROXY=True
)
def test_behind_the_proxy_each_client_address_has_its_own_count(client, dinner):
    proxy = "10.0.0.1"
    for number in range(2):
        response = checkout(
            client,
            dinner,
            email=f"a{number}@example.org",
            ip=proxy,
            HTTP_X_FORWARDED_FOR="203.0.113.5",
        )
        assert response.status_code == 303
    refused = checkout(
        client, dinner, email="a9@example.org", ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert refused.status_code == 429
    other = checkout(
        client, dinner, email="b@example.org", ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.6"
    )
    assert other.status_code == 303


@override_settings(EVENTS_UNPAID_PLACES_PER_EMAIL=3, EVENTS_CHECKOUT_LIMIT_PER_EMAIL=100)
def test_unpaid_places_per_email_at_one_event_are_limited(client, dinner):
    assert checkout(client, dinner, email="pat@example.org", quantity=2).status_code == 303
    refused = checkout(client, dinner, email="PAT@example.org", quantity=2, ip="198.51.100.9")
    assert_refused_with_the_limit_page(refused)
    assert "at most 3 unpaid places" in refused.content.decode()
    assert dinner.ticket_types.get().reserved == 2
    assert Order.objects.count() == 1
    # Paying frees the allowance: paid places are not hoarded ones.
    mark_order_paid(order=Order.objects.get(), now=timezone.now())
    assert checkout(client, dinner, email="pat@example.org", quantity=2).status_code == 303


@override_settings(
    EVENTS_UNPAID_PLACES_PER_NETWORK=4,
    EVENTS_UNPAID_PLACES_PER_EMAIL=100,
    EVENTS_CHECKOUT_LIMIT_PER_IP=100,
)
def test_unpaid_places_per_network_at_one_event_are_limited_whatever_the_email(client, dinner):
    for n in range(2):
        assert (
            checkout(client, dinner, email=f"alias{n}@example.org", quantity=2).status_code == 303
        )
    refused = checkout(client, dinner, email="alias9@example.org", quantity=1)
    assert_refused_with_the_limit_page(refused)
    assert "from one network" in refused.content.decode()
    assert dinner.ticket_types.get().reserved == 4
    # Another network is not held back by this one, and only a keyed hash is stored.
    assert checkout(client, dinner, email="other@example.org", ip="203.0.113.7").status_code == 303
    keys = set(Order.objects.values_list("network_key", flat=True))
    assert len(keys) == 2 and not any("198.51.100.1" in key for key in keys)


@override_settings(EVENTS_UNPAID_PLACES_PER_EMAIL=3)
def test_unpaid_places_limit_is_per_event(client, dinner):
    other = make_event(starts_at=timezone.now() + timedelta(days=12))
    make_ticket_type(other, name="Dinner", price=Decimal("50.00"), quantity=40)
    assert checkout(client, dinner, email="pat@example.org", quantity=3).status_code == 303
    assert checkout(client, other, email="pat@example.org", quantity=3).status_code == 303


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@override_settings(EVENTS_UNPAID_PLACES_PER_EMAIL=3)
def test_unpaid_places_limit_holds_under_concurrent_checkouts():
    event = make_event(starts_at=timezone.now() + timedelta(days=10))
    ticket_type = make_ticket_type(event, price=Decimal("50.00"), quantity=40)
    now = timezone.now()

    def attempt(index):
        return reserve_tickets(
            ReservationRequest(
                event=event,
                lines=[(ticket_type, 2)],
                buyer={"name": "Hoarder", "email": "pat@example.org"},
                idempotency_key=f"race-unpaid-{index}-abcdefghijkl",
                now=now,
                pays_later=True,
            )
        )

    outcomes = race(4, attempt)
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1
    assert sum(isinstance(o, LimitReached) for o in outcomes) == 3
    ticket_type.refresh_from_db()
    assert ticket_type.reserved == 2


def test_unpaid_places_refusal_names_no_time_to_wait(client, dinner, settings):
    """Waiting does not lift the unpaid-places limit (paying does): no Retry-After."""
    settings.EVENTS_UNPAID_PLACES_PER_EMAIL = 1
    assert checkout(client, dinner, email="pat@example.org").status_code == 303
    refused = checkout(client, dinner, email="pat@example.org", ip="198.51.100.9")
    assert_refused_with_the_limit_page(refused, retry_after=None)
