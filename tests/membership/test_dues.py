import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from membership.dues import (
    JoinRefused,
    add_months,
    begin_membership,
    confirm_dues_paid,
    joinable_plans,
    latest_paid_term,
    renewal_term,
    why_cannot_join,
)
from membership.models import Membership

pytestmark = pytest.mark.django_db

D = datetime.date
NOW = datetime.datetime(2026, 6, 15, 14, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 15), 12, D(2027, 1, 15)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_new_member_term_starts_today_and_lasts_a_year(plan):
    assert renewal_term(plan, latest=None, today=D(2026, 6, 15)) == (
        D(2026, 6, 15),
        D(2027, 6, 14),
    )


def test_early_renewal_extends_from_the_current_end_date(plan, member, make_membership):
    current = make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    assert renewal_term(plan, latest=current, today=D(2026, 12, 10)) == (
        D(2027, 1, 1),
        D(2027, 12, 31),
    )


def test_renewal_in_grace_period_follows_on_from_the_end_date(plan, member, make_membership):
    current = make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    assert renewal_term(plan, latest=current, today=D(2027, 1, 20))[0] == D(2027, 1, 1)


def test_lapsed_member_renews_from_today(plan, member, make_membership, settings):
    settings.MEMBERSHIP_GRACE_DAYS = 30
    old = make_membership(member, starts_on=D(2025, 1, 1), ends_on=D(2025, 12, 31))
    assert renewal_term(plan, latest=old, today=D(2026, 3, 1)) == (D(2026, 3, 1), D(2027, 2, 28))


@pytest.mark.parametrize(("day", "covered"), [(D(2027, 1, 30), True), (D(2027, 1, 31), False)])
def test_renewals_follow_on_exactly_while_the_grace_period_covers_the_day(
    plan, member, make_membership, settings, day, covered
):
    """dues.py reads the grace rule from `Membership.covers`: the term a renewal buys and
    whether the member still holds a withdrawn plan change on the grace period's last day,
    and renewing is open on both sides of it."""
    settings.MEMBERSHIP_GRACE_DAYS = 30
    settings.MEMBERSHIP_RENEWAL_WINDOW_DAYS = 30
    plan.is_offered = False
    plan.save()
    make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31), plan=plan)
    latest = latest_paid_term(member)
    assert latest.covers(day) is covered
    starts_on, _ = renewal_term(plan, latest=latest, today=day)
    assert starts_on == (D(2027, 1, 1) if covered else day)
    assert joinable_plans(member, today=day).filter(pk=plan.pk).exists() is covered
    assert why_cannot_join(member, today=day) is None


def test_lifetime_plan_has_no_end(lifetime_plan):
    assert renewal_term(lifetime_plan, latest=None, today=D(2026, 6, 15)) == (
        D(2026, 6, 15),
        None,
    )


def test_offline_payment_leaves_membership_pending_with_instructions(
    plan, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership, outcome = begin_membership(
            user=member, plan=plan, payment_method="offline", today=D(2026, 6, 15), now=NOW
        )
    assert membership.status == Membership.Status.PENDING
    assert not outcome.paid
    assert "by check" in membership.payment_instructions
    assert membership.amount_due == Decimal("35.00") and membership.amount_paid == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    assert membership.reference in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_free_plan_is_active_at_once(free_plan, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership, outcome = begin_membership(
            user=member, plan=free_plan, payment_method="free", today=D(2026, 6, 15), now=NOW
        )
    assert outcome.paid
    assert membership.status == Membership.Status.ACTIVE
    assert membership.paid_at == NOW
    assert "active" in mail.outbox[0].subject


def test_unavailable_payment_method_is_refused(plan, member):
    with pytest.raises(LookupError):
        begin_membership(
            user=member, plan=plan, payment_method="free", today=D(2026, 6, 15), now=NOW
        )
    assert not Membership.objects.exists()


def test_household_names_kept_only_on_household_plans(plan, household_plan, member, make_user):
    single, _ = begin_membership(
        user=member,
        plan=plan,
        payment_method="offline",
        today=D(2026, 6, 15),
        now=NOW,
        household_member_names="Someone Else",
    )
    household, _ = begin_membership(
        user=make_user(),
        plan=household_plan,
        payment_method="offline",
        today=D(2026, 6, 15),
        now=NOW,
        household_member_names="Byron\nAnnabella",
    )
    assert single.household_member_names == ""
    assert household.household_names_list() == ["Byron", "Annabella"]


def test_confirming_dues_activates_once(plan, member, django_capture_on_commit_callbacks):
    membership, _ = begin_membership(
        user=member, plan=plan, payment_method="offline", today=D(2026, 6, 15), now=NOW
    )
    mail.outbox.clear()  # the check instructions
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm_dues_paid(membership, at=NOW) is True
        assert confirm_dues_paid(membership, at=NOW) is False
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.amount_paid == Decimal("35.00")
    assert [m.subject for m in mail.outbox] == ["Welcome: your membership is active"]


def test_renewing_member_gets_the_following_term(plan, member, make_membership):
    make_membership(member, starts_on=D(2025, 7, 1), ends_on=D(2026, 6, 30))
    renewal, _ = begin_membership(
        user=member, plan=plan, payment_method="offline", today=D(2026, 6, 15), now=NOW
    )
    assert (renewal.starts_on, renewal.ends_on) == (D(2026, 7, 1), D(2027, 6, 30))


def test_member_cannot_renew_before_the_renewal_window(member, make_membership):
    make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    assert why_cannot_join(member, today=D(2026, 12, 1)) is None
    assert "renew from December 1, 2026" in why_cannot_join(member, today=D(2026, 11, 30))


def test_member_with_pending_membership_cannot_start_another(member, make_membership):
    make_membership(
        member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31), status=Membership.Status.PENDING
    )
    assert "waiting for payment" in why_cannot_join(member, today=D(2026, 2, 1))


def test_lifetime_member_has_nothing_to_renew(member, make_membership, lifetime_plan):
    make_membership(member, starts_on=D(2020, 1, 1), plan=lifetime_plan)
    assert "lifetime" in why_cannot_join(member, today=timezone.localdate())


def test_dues_paid_late_start_the_term_on_the_day_they_arrive(plan, member):
    membership, _ = begin_membership(
        user=member, plan=plan, payment_method="offline", today=D(2026, 6, 15), now=NOW
    )
    paid = datetime.datetime(2026, 7, 6, 15, tzinfo=datetime.UTC)
    assert confirm_dues_paid(membership, at=paid)
    membership.refresh_from_db()
    assert (membership.starts_on, membership.ends_on) == (D(2026, 7, 6), D(2027, 7, 5))


def test_renewal_paid_late_still_follows_the_current_term(plan, member, make_membership):
    make_membership(member, starts_on=D(2025, 7, 1), ends_on=D(2026, 6, 30))
    renewal, _ = begin_membership(
        user=member, plan=plan, payment_method="offline", today=D(2026, 6, 15), now=NOW
    )
    paid_in_grace = datetime.datetime(2026, 7, 10, 15, tzinfo=datetime.UTC)
    assert confirm_dues_paid(renewal, at=paid_in_grace)
    renewal.refresh_from_db()
    assert (renewal.starts_on, renewal.ends_on) == (D(2026, 7, 1), D(2027, 6, 30))


def test_dues_paid_on_time_keep_the_term_set_at_joining(plan, member):
    membership, _ = begin_membership(
        user=member, plan=plan, payment_method="offline", today=D(2026, 6, 15), now=NOW
    )
    assert confirm_dues_paid(membership, at=NOW)
    membership.refresh_from_db()
    assert (membership.starts_on, membership.ends_on) == (D(2026, 6, 15), D(2027, 6, 14))


def noon(day):
    return datetime.datetime.combine(day, datetime.time(15), tzinfo=datetime.UTC)


@pytest.fixture
def paid_early_renewal(plan, member, make_membership):
    """A 2026 term, renewed and paid in December: the 2027 term has not begun yet."""
    make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    renewal, _ = begin_membership(
        user=member, plan=plan, payment_method="offline", today=D(2026, 12, 10), now=NOW
    )
    assert confirm_dues_paid(renewal, at=noon(D(2026, 12, 11)))
    renewal.refresh_from_db()
    assert (renewal.starts_on, renewal.ends_on) == (D(2027, 1, 1), D(2027, 12, 31))
    return renewal


def test_paid_early_renewal_cannot_be_bought_again_for_the_same_term(
    plan, member, paid_early_renewal
):
    refusal = why_cannot_join(member, today=D(2026, 12, 15))
    assert refusal == (
        "Your membership runs until December 31, 2027. You can renew from December 1, 2027."
    )
    with pytest.raises(JoinRefused):
        begin_membership(
            user=member, plan=plan, payment_method="offline", today=D(2026, 12, 15), now=NOW
        )
    assert member.memberships.count() == 2


def test_renewal_builds_on_the_latest_paid_term_not_the_one_in_force(
    plan, member, paid_early_renewal
):
    assert latest_paid_term(member) == paid_early_renewal
    assert renewal_term(plan, latest=paid_early_renewal, today=D(2026, 12, 15)) == (
        D(2028, 1, 1),
        D(2028, 12, 31),
    )
    again, _ = begin_membership(
        user=member, plan=plan, payment_method="offline", today=D(2027, 12, 5), now=NOW
    )
    assert (again.starts_on, again.ends_on) == (D(2028, 1, 1), D(2028, 12, 31))


def test_lifetime_bought_during_a_term_ends_renewing(plan, lifetime_plan, member, make_membership):
    make_membership(member, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    make_membership(member, starts_on=D(2027, 1, 1), plan=lifetime_plan)
    assert "lifetime" in why_cannot_join(member, today=D(2026, 12, 15))


def test_offline_dues_instructions_speak_of_dues_not_event_tickets(
    plan, member, association, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership, _ = begin_membership(
            user=member, plan=plan, payment_method="offline", today=D(2026, 6, 15), now=NOW
        )
    ref = membership.reference
    for text in (membership.payment_instructions, mail.outbox[0].body):
        assert "at the door" not in text and "place is reserved" not in text
        assert "becomes active when we record your payment" in text
    # Whom to pay, the reference and the address come from the check-instructions partial.
    assert (
        f"Make your check for $35.00 payable to Example Sister City Association and write "
        f"{ref} on it." in mail.outbox[0].body
    )


def test_membership_emails_are_signed_with_the_associations_name(
    plan, member, association, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        begin_membership(
            user=member, plan=plan, payment_method="offline", today=D(2026, 6, 15), now=NOW
        )
    (message,) = mail.outbox
    assert message.body.rstrip().endswith(f"Example Sister City Association\n{settings.SITE_URL}")
    assert "<p>Example Sister City Association<br>" in message.alternatives[0][0]
