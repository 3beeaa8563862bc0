import datetime

import pytest

from association.registry import periodic_jobs
from membership.dues import why_cannot_join
from membership.models import Membership
from membership.tasks import cancel_unpaid_memberships

pytestmark = pytest.mark.django_db

D = datetime.date
NOW = datetime.datetime(2026, 6, 15, 15, tzinfo=datetime.UTC)


def created(membership, days_ago):
    Membership.objects.filter(pk=membership.pk).update(
        created_at=NOW - datetime.timedelta(days=days_ago)
    )
    return membership


@pytest.fixture
def pending(member, make_membership):
    return make_membership(
        member, starts_on=D(2026, 3, 1), ends_on=D(2027, 2, 28), status=Membership.Status.PENDING
    )


def test_membership_unpaid_after_the_pending_days_is_cancelled(pending, member, settings):
    settings.MEMBERSHIP_PENDING_DAYS = 60
    created(pending, days_ago=61)
    assert cancel_unpaid_memberships(now=NOW) == "1 unpaid membership(s) cancelled"
    pending.refresh_from_db()
    assert pending.status == Membership.Status.CANCELLED
    # The member may join again.
    assert why_cannot_join(member, today=NOW.date()) is None


def test_cancelling_unpaid_memberships_is_idempotent(pending, settings):
    settings.MEMBERSHIP_PENDING_DAYS = 60
    created(pending, days_ago=90)
    assert cancel_unpaid_memberships(now=NOW) == "1 unpaid membership(s) cancelled"
    assert cancel_unpaid_memberships(now=NOW) == "0 unpaid membership(s) cancelled"


def test_recent_pending_and_paid_memberships_are_left_alone(
    pending, make_user, make_membership, settings
):
    settings.MEMBERSHIP_PENDING_DAYS = 60
    created(pending, days_ago=59)
    paid = created(
        make_membership(make_user(), starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31)),
        days_ago=200,
    )
    assert cancel_unpaid_memberships(now=NOW) == "0 unpaid membership(s) cancelled"
    pending.refresh_from_db()
    paid.refresh_from_db()
    assert pending.status == Membership.Status.PENDING
    assert paid.status == Membership.Status.ACTIVE


def test_unpaid_memberships_are_cancelled_by_run_jobs():
    assert cancel_unpaid_memberships in periodic_jobs
