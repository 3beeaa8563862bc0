"""Membership plans for the demo site. The association's dues are not in its documents, so
every price here is a sample value and the site says so. No accounts are created."""

from decimal import Decimal

from association.registry import demo_loaders

from .models import MembershipPlan

PLANS = [
    {
        "slug": "individual",
        "name": "Individual",
        "annual_dues": Decimal("35.00"),
        "term_months": 12,
        "people_covered": 1,
        "description": "Membership for one person, with member prices for association events.",
    },
    {
        "slug": "household",
        "name": "Household",
        "annual_dues": Decimal("60.00"),
        "term_months": 12,
        "people_covered": 4,
        "description": "Membership for you and the people you live with, with member prices "
        "for each of them at association events.",
    },
    {
        "slug": "student",
        "name": "Student",
        "annual_dues": Decimal("15.00"),
        "term_months": 12,
        "people_covered": 1,
        "description": "Membership for a student, with member prices for association events.",
    },
    {
        "slug": "senior",
        "name": "Senior",
        "annual_dues": Decimal("25.00"),
        "term_months": 12,
        "people_covered": 1,
        "description": "Membership for a senior, with member prices for association events.",
    },
    {
        "slug": "business-partner",
        "name": "Business partner",
        "annual_dues": Decimal("250.00"),
        "term_months": 12,
        "people_covered": 1,
        "description": "For businesses and organizations that share the association's goals "
        "of cultural understanding and economic development.",
    },
    {
        "slug": "lifetime",
        "name": "Lifetime",
        "annual_dues": Decimal("500.00"),
        "term_months": None,
        "people_covered": 1,
        "description": "Membership for life, paid once.",
    },
]


@demo_loaders.register
def load(*, stdout):
    for position, plan in enumerate(PLANS):
        fields = {**plan, "position": position, "is_sample_price": True, "is_offered": True}
        MembershipPlan.objects.get_or_create(slug=fields.pop("slug"), defaults=fields)
    stdout.write(f"Membership plans: {MembershipPlan.objects.count()} (sample dues).")
