"""Moving money by hand is the Treasurer's and superusers' (issue 18, item 4): one
permission, `payments.manage_payments`, which no other staff group holds."""

import pytest
from django.contrib.auth.models import Group

from membership.models import User
from payments.models import may_manage_payments

pytestmark = pytest.mark.django_db


def test_treasurer_group_holds_the_payments_permission_and_reads_what_is_paid_for():
    group = Group.objects.get(name="Treasurer")
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert granted == {
        ("payments", "manage_payments"),
        ("payments", "view_payment"),
        ("payments", "view_refund"),
        ("events", "view_event"),
        ("tickets", "view_order"),
        ("tickets", "view_ticket"),
        ("membership", "view_membership"),
        ("membership", "view_membershipplan"),
        ("donations", "view_designation"),
        ("donations", "view_donation"),
        ("outbox", "view_outgoingemail"),
        ("outbox", "change_outgoingemail"),
    }


@pytest.mark.parametrize("group", ["Event managers", "Membership secretary"])
def test_no_other_staff_group_may_move_money(group):
    assert not Group.objects.get(name=group).permissions.filter(codename="manage_payments").exists()
    user = User.objects.create_user(email="helper@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    assert not may_manage_payments(user)


def test_the_treasurer_and_superusers_may_move_money(treasurer, staff_user):
    assert may_manage_payments(treasurer)
    assert may_manage_payments(staff_user)
