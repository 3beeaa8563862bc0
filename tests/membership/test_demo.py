from io import StringIO

import pytest
from django.core.management import call_command

from membership import demo
from membership.models import MembershipPlan, User

pytestmark = pytest.mark.django_db


def test_demo_loads_the_plans_with_sample_dues():
    demo.load(stdout=StringIO())
    plans = {p.slug: p for p in MembershipPlan.objects.all()}
    assert set(plans) == {
        "individual",
        "household",
        "student",
        "senior",
        "business-partner",
        "lifetime",
    }
    assert all(p.is_sample_price and p.is_offered for p in plans.values())
    assert plans["lifetime"].term_months is None
    assert plans["household"].people_covered > 1


def test_demo_is_idempotent_and_keeps_staff_edits():
    demo.load(stdout=StringIO())
    MembershipPlan.objects.filter(slug="student").update(annual_dues=20, is_sample_price=False)
    demo.load(stdout=StringIO())
    student = MembershipPlan.objects.get(slug="student")
    assert MembershipPlan.objects.count() == 6
    assert (student.annual_dues, student.is_sample_price) == (20, False)


def test_load_demo_creates_plans_and_no_account():
    call_command("load_demo", stdout=StringIO())
    assert MembershipPlan.objects.count() == 6
    assert not User.objects.exists()
