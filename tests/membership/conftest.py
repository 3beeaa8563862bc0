import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from membership.models import Membership, MembershipPlan, User


@pytest.fixture
def make_plan(db):
    def make(slug="individual", **fields):
        defaults = {
            "name": slug.replace("-", " ").title(),
            "annual_dues": Decimal("35.00"),
            "term_months": 12,
            "people_covered": 1,
        }
        defaults.update(fields)
        return MembershipPlan.objects.create(slug=slug, **defaults)

    return make


@pytest.fixture
def plan(make_plan):
    return make_plan()


@pytest.fixture
def household_plan(make_plan):
    return make_plan("household", annual_dues=Decimal("50.00"), people_covered=4)


@pytest.fixture
def lifetime_plan(make_plan):
    return make_plan("lifetime", annual_dues=Decimal("500.00"), term_months=None)


@pytest.fixture
def free_plan(make_plan):
    return make_plan("honorary", annual_dues=Decimal("0"))


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(email=None, password="a-long-member-password", **fields):  # noqa: S107
        email = email or f"member{next(counter)}@example.org"
        return User.objects.create_user(email=email, password=password, **fields)

    return make


@pytest.fixture
def member(make_user):
    return make_user("ada@example.org", first_name="Ada", last_name="Lovelace")


@pytest.fixture
def make_membership(db, plan):
    def make(user, *, starts_on, ends_on=None, status=Membership.Status.ACTIVE, **fields):
        fields.setdefault("plan", plan)
        if status == Membership.Status.ACTIVE:
            fields.setdefault("paid_at", timezone.now())
            fields.setdefault("amount_paid", fields["plan"].annual_dues)
        return Membership.objects.create(
            user=user, starts_on=starts_on, ends_on=ends_on, status=status, **fields
        )

    return make


@pytest.fixture
def day():
    """A fixed reference day for date arithmetic."""
    return datetime.date(2026, 6, 15)


@pytest.fixture
def secretary(make_user):
    """Staff in the "Membership secretary" group (made by membership's migration 0003)."""
    user = make_user("secretary@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Membership secretary"))
    return user
