import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tickets.availability import InvalidSelection
from tickets.orders import ReservationRequest, reserve_tickets
from tickets.pricing import may_buy, ticket_prices


@pytest.fixture
def dinner(secret_event):
    return secret_event.ticket_types.get()


def today():
    return timezone.localdate()


def test_member_pays_member_price(dinner, member):
    assert ticket_prices([(dinner, 1)], user=member, on=today()) == [[Decimal("55.00")]]


def test_non_member_pays_full_price(dinner, non_member):
    assert ticket_prices([(dinner, 1)], user=non_member, on=today()) == [[Decimal("65.00")]]


def test_anonymous_visitor_pays_full_price(dinner):
    from django.contrib.auth.models import AnonymousUser

    assert ticket_prices([(dinner, 1)], user=AnonymousUser(), on=today()) == [[Decimal("65.00")]]
    assert ticket_prices([(dinner, 1)], user=None, on=today()) == [[Decimal("65.00")]]


def test_lapsed_member_pays_full_price(dinner, member, settings):
    long_after = today() + datetime.timedelta(days=330 + settings.MEMBERSHIP_GRACE_DAYS + 1)
    assert ticket_prices([(dinner, 1)], user=member, on=long_after) == [[Decimal("65.00")]]


def test_ticket_type_without_member_price_costs_the_same(secret_event, make_ticket_type, member):
    plain = make_ticket_type(secret_event, name="Plain", price=Decimal("30.00"))
    assert ticket_prices([(plain, 1)], user=member, on=today()) == [[Decimal("30.00")]]


def test_members_only_tickets_need_a_member(secret_event, make_ticket_type, member, non_member):
    exclusive = make_ticket_type(secret_event, name="Members' table", members_only=True)
    assert may_buy(exclusive, user=member, on=today())
    assert not may_buy(exclusive, user=non_member, on=today())
    with pytest.raises(InvalidSelection, match="members"):
        reserve_tickets(
            ReservationRequest(
                event=secret_event,
                lines=[(exclusive, 1)],
                buyer={"name": "V", "email": "v@example.org"},
                user=non_member,
                idempotency_key=None,
                now=timezone.now(),
            )
        )


def test_member_order_is_charged_member_price(secret_event, dinner, member):
    order = reserve_tickets(
        ReservationRequest(
            event=secret_event,
            lines=[(dinner, 1)],
            buyer={"name": "Mia", "email": "member@example.org"},
            user=member,
            idempotency_key=None,
            now=timezone.now(),
        )
    ).order
    assert order.total == Decimal("55.00")
    assert order.tickets.get().price == Decimal("55.00")


def test_individual_membership_covers_one_ticket_at_member_price(dinner, member):
    prices = ticket_prices([(dinner, 3)], user=member, on=today())
    assert prices == [[Decimal("55.00"), Decimal("65.00"), Decimal("65.00")]]


def test_household_membership_covers_its_people(dinner, member):
    plan = member.memberships.get().plan
    plan.people_covered = 2
    plan.save()
    prices = ticket_prices([(dinner, 3)], user=member, on=today())
    assert prices == [[Decimal("55.00"), Decimal("55.00"), Decimal("65.00")]]
