"""Dues paid by check go through the same payment records as card dues: joining offline
records a pending offline payment, staff's "mark dues paid" confirms it through
`payments.confirmation.confirm_payment`, and a membership cancelled unpaid closes it."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from membership.dues import begin_membership, cancel_unpaid_membership
from membership.models import Membership, MembershipPlan, User
from payments.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return MembershipPlan.objects.create(
        name="Family", slug="family", annual_dues=Decimal("45.00"), term_months=12
    )


def join_by_check(plan, email="check@example.org"):
    user = User.objects.create_user(email=email, password="a-long-member-password")
    now = timezone.now()
    membership, _outcome = begin_membership(
        user=user, plan=plan, payment_method="offline", today=now.date(), now=now
    )
    return membership


def test_joining_by_check_records_a_pending_offline_payment(plan):
    membership = join_by_check(plan)
    payment = Payment.objects.get(purpose="membership.dues", object_id=str(membership.pk))
    assert payment.method == Payment.Method.OFFLINE
    assert payment.status == Payment.Status.PENDING
    assert payment.amount == Decimal("45.00")
    assert payment.reference == membership.reference


def test_staff_mark_dues_paid_confirms_the_offline_payment_and_welcomes_once(
    client, staff_user, plan, django_capture_on_commit_callbacks
):
    membership = join_by_check(plan)
    mail.outbox.clear()
    client.force_login(staff_user)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                "/admin/membership/membership/",
                {"action": "mark_dues_paid", "_selected_action": [membership.pk]},
            )
    membership.refresh_from_db()
    payment = Payment.objects.get(purpose="membership.dues", object_id=str(membership.pk))
    assert membership.status == Membership.Status.ACTIVE
    assert membership.amount_paid == Decimal("45.00")
    assert payment.status == Payment.Status.PAID and payment.fulfilled_at is not None
    assert [m.to for m in mail.outbox] == [["check@example.org"]]
    assert payment.get_absolute_url() in mail.outbox[0].body  # the welcome links the receipt
    assert "$45.00" in client.get(payment.get_absolute_url()).content.decode()


def test_membership_cancelled_unpaid_closes_its_offline_payment(plan):
    membership = join_by_check(plan)
    assert cancel_unpaid_membership(membership, now=timezone.now())
    payment = Payment.objects.get(purpose="membership.dues", object_id=str(membership.pk))
    assert payment.status == Payment.Status.EXPIRED


def test_memberships_long_unpaid_close_their_offline_payments(plan, settings):
    from membership.dues import cancel_long_unpaid_memberships

    membership = join_by_check(plan)
    later = timezone.now() + datetime.timedelta(days=400)
    assert cancel_long_unpaid_memberships(now=later) == 1
    assert Payment.objects.get(object_id=str(membership.pk)).status == Payment.Status.EXPIRED
