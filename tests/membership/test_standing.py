import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from membership.models import Membership
from membership.standing import is_member_in_good_standing, membership_in_good_standing

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = datetime.timedelta(days=1)


@pytest.fixture
def term(member, make_membership):
    return make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))


def test_member_in_good_standing_on_first_day(member, term):
    assert is_member_in_good_standing(member, on=D(2026, 1, 1))


def test_not_yet_a_member_the_day_before_the_term_starts(member, term):
    assert not is_member_in_good_standing(member, on=D(2025, 12, 31))


def test_member_in_good_standing_on_last_day(member, term):
    assert is_member_in_good_standing(member, on=D(2026, 12, 31))


def test_member_in_good_standing_inside_grace_period(member, term, settings):
    settings.MEMBERSHIP_GRACE_DAYS = 30
    assert is_member_in_good_standing(member, on=D(2026, 12, 31) + 30 * DAY)


def test_member_not_in_good_standing_past_grace_period(member, term, settings):
    settings.MEMBERSHIP_GRACE_DAYS = 30
    assert not is_member_in_good_standing(member, on=D(2026, 12, 31) + 31 * DAY)


def test_grace_period_follows_the_setting(member, term, settings):
    settings.MEMBERSHIP_GRACE_DAYS = 0
    assert not is_member_in_good_standing(member, on=D(2027, 1, 1))
    settings.MEMBERSHIP_GRACE_DAYS = 60
    assert is_member_in_good_standing(member, on=D(2026, 12, 31) + 60 * DAY)


def test_pending_membership_is_not_good_standing(member, make_membership):
    make_membership(
        member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31), status=Membership.Status.PENDING
    )
    assert not is_member_in_good_standing(member, on=D(2026, 6, 1))


def test_cancelled_membership_is_not_good_standing(member, make_membership):
    make_membership(
        member,
        starts_on=D(2026, 1, 1),
        ends_on=D(2026, 12, 31),
        status=Membership.Status.CANCELLED,
    )
    assert not is_member_in_good_standing(member, on=D(2026, 6, 1))


def test_lifetime_membership_never_ends(member, make_membership, lifetime_plan):
    make_membership(member, starts_on=D(2000, 1, 1), ends_on=None, plan=lifetime_plan)
    assert is_member_in_good_standing(member, on=D(2099, 12, 31))


def test_anonymous_visitor_is_never_a_member():
    assert not is_member_in_good_standing(AnonymousUser(), on=D(2026, 6, 1))
    assert membership_in_good_standing(None, on=D(2026, 6, 1)) is None


def test_another_users_membership_does_not_count(member, make_user, term):
    stranger = make_user()
    assert not is_member_in_good_standing(stranger, on=D(2026, 6, 1))


def test_household_membership_covers_the_plans_people(member, make_membership, household_plan):
    make_membership(
        member,
        starts_on=D(2026, 1, 1),
        ends_on=D(2026, 12, 31),
        plan=household_plan,
        household_member_names="Byron Lovelace\nAnnabella Lovelace",
    )
    membership = membership_in_good_standing(member, on=D(2027, 1, 15))
    assert membership is not None
    assert membership.plan.people_covered == 4
    assert membership.household_names_list() == ["Byron Lovelace", "Annabella Lovelace"]


def test_overlapping_renewal_returns_the_longest_running_term(member, term, make_membership):
    renewal = make_membership(member, starts_on=D(2027, 1, 1), ends_on=D(2027, 12, 31))
    assert membership_in_good_standing(member, on=D(2027, 1, 10)) == renewal


def test_lifetime_wins_over_a_dated_term(member, term, make_membership, lifetime_plan):
    lifetime = make_membership(member, starts_on=D(2026, 3, 1), plan=lifetime_plan)
    assert membership_in_good_standing(member, on=D(2026, 6, 1)) == lifetime


def test_queryset_in_good_standing_counts_each_member(member, make_user, make_membership):
    make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    lapsed = make_user()
    make_membership(lapsed, starts_on=D(2024, 1, 1), ends_on=D(2024, 12, 31))
    users = set(Membership.objects.in_good_standing(D(2026, 6, 1)).values_list("user", flat=True))
    assert users == {member.pk}


def test_good_standing_accepts_a_datetime(member, term):
    moment = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)
    assert is_member_in_good_standing(member, on=moment)


@pytest.mark.parametrize(
    ("day", "covered"),
    [
        (D(2026, 12, 31), True),  # the term's last day
        (D(2026, 12, 31) + 30 * DAY, True),  # the grace period's last day
        (D(2026, 12, 31) + 31 * DAY, False),  # the day after it
    ],
)
def test_a_term_covers_its_grace_period_and_not_a_day_more(member, term, settings, day, covered):
    """The one grace rule (`Membership.covers`) that standing and dues.py's renewals read; the
    rows' form (`covering`, under `in_good_standing` and `lapsed`) must agree with it."""
    settings.MEMBERSHIP_GRACE_DAYS = 30
    assert term.covers(day) is covered
    assert Membership.objects.covering(day).filter(pk=term.pk).exists() is covered
    assert Membership.objects.lapsed(day).filter(pk=term.pk).exists() is not covered
    assert (membership_in_good_standing(member, on=day) == term) is covered


def test_a_lifetime_term_covers_every_day(member, make_membership, lifetime_plan):
    lifetime = make_membership(member, starts_on=D(2000, 1, 1), ends_on=None, plan=lifetime_plan)
    assert lifetime.covers(D(2099, 12, 31))
    assert Membership.objects.covering(D(2099, 12, 31)).filter(pk=lifetime.pk).exists()
    assert not Membership.objects.lapsed(D(2099, 12, 31)).exists()
