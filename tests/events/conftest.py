"""Fixtures for the events app: events with and without a secret venue, ticket types,
members, and a helper that buys tickets. The rows come from `factories.py`, the one set
of test factories."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from events.models import Event

from . import factories

SECRET_NAME = "Hidden Orchard Hall"
SECRET_ADDRESS = "42 Quietwater Lane"
HINT = "Somewhere in Ghent"


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def venue(db):
    return factories.make_venue(
        name=SECRET_NAME,
        address=f"{SECRET_ADDRESS}\nNorfolk, VA 23507",
        directions="Through the blue gate.",
        latitude=Decimal("36.861234"),
        longitude=Decimal("-76.298765"),
    )


@pytest.fixture
def make_event(db):
    return factories.make_event


@pytest.fixture
def make_ticket_type(db):
    return factories.make_ticket_type


@pytest.fixture
def secret_event(make_event, make_ticket_type, venue, now):
    """A dinner in three days whose venue is revealed to ticket holders 24 hours before."""
    starts_at = now + datetime.timedelta(days=3)
    event = make_event(
        title="Secret Supper",
        slug="secret-supper",
        starts_at=starts_at,
        venue=venue,
        venue_hint=HINT,
        venue_reveal_at=starts_at - datetime.timedelta(hours=24),
        reveal_audience=Event.RevealAudience.TICKET_HOLDERS,
        meal_options="Chicken\nVegetarian",
    )
    make_ticket_type(event, name="Dinner", price=Decimal("65.00"), member_price=Decimal("55.00"))
    return event


@pytest.fixture
def public_reveal_event(secret_event):
    secret_event.reveal_audience = Event.RevealAudience.EVERYONE
    secret_event.save(update_fields=["reveal_audience"])
    return secret_event


@pytest.fixture
def buy(db):
    """Buy tickets through `tickets.orders`: confirmed and paid, a ticket holder
    (`paid=False`: a pay-later reservation, confirmed with its total still owed)."""
    counter = iter(range(1, 10_000))

    def buy_tickets(event, quantity=1, *, now, user=None, ticket_type=None, email=None, paid=True):
        number = next(counter)
        return factories.make_order(
            event,
            [(ticket_type or event.ticket_types.first(), quantity)],
            name=f"Buyer {number}",
            email=email or f"buyer{number}@example.org",
            phone="",
            user=user,
            idempotency_key=f"test-key-{number}-abcdefghijkl",
            paid=paid,
            now=now,
        )

    return buy_tickets


@pytest.fixture
def member(db):
    """A member in good standing (an individual plan, paid, running for a year)."""
    from membership.models import Membership, MembershipPlan, User

    plan = MembershipPlan.objects.create(
        name="Individual", slug="individual", annual_dues=Decimal("35.00"), term_months=12
    )
    user = User.objects.create_user(
        email="member@example.org", password="a-long-member-password", first_name="Mia"
    )
    today = timezone.localdate()
    Membership.objects.create(
        user=user,
        plan=plan,
        status=Membership.Status.ACTIVE,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=330),
        amount_due=plan.annual_dues,
        amount_paid=plan.annual_dues,
        paid_at=timezone.now(),
    )
    return user


@pytest.fixture
def non_member(db):
    from membership.models import User

    return User.objects.create_user(email="visitor@example.org", password="a-long-password-123")
