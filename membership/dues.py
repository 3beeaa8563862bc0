"""Dues: the term a joining or renewing member gets, starting a membership through a
payment method, and confirming dues paid.

Renewal arithmetic lives in `renewal_term` only: a member still in good standing (grace
period included) renews from the day after the current term ends, so renewing early loses
nothing; a lapsed member (past the grace period), or a new one, starts today.
"""

import calendar
import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.methods import PaymentOutcome, get_method

from .emails import send_membership_email
from .models import Membership, MembershipPlan, User
from .standing import membership_in_good_standing

ONE_DAY = datetime.timedelta(days=1)


class JoinRefused(Exception):
    """The user may not start a membership now; the message says why."""


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def renewal_term(
    plan: MembershipPlan, *, current: Membership | None, today: datetime.date
) -> tuple[datetime.date, datetime.date | None]:
    """First and last day of the term bought today; the last day is None for lifetime.

    `current` is the membership keeping the member in good standing today, if any.
    """
    still_covered = (
        current is not None and current.ends_on is not None and current.grace_ends_on() >= today
    )
    # Inside the grace period too the new term follows on: the member kept its benefits.
    starts_on = current.ends_on + ONE_DAY if still_covered else today
    if plan.term_months is None:
        return starts_on, None
    return starts_on, add_months(starts_on, plan.term_months) - ONE_DAY


def why_cannot_join(user, *, today: datetime.date) -> str | None:
    """Why this signed-in user may not start a membership today, or None when they may."""
    if user is None or not user.is_authenticated:
        return None
    if user.memberships.filter(status=Membership.Status.PENDING).exists():
        return _(
            "You already have a membership waiting for payment; see your account page. "
            "Once the payment is received it becomes active."
        )
    current = membership_in_good_standing(user, on=today)
    if current is None:
        return None
    if current.is_lifetime:
        return _("You are a lifetime member: there is nothing to renew.")
    if not current.can_renew_on(today):
        return _("Your membership runs until %(end)s. You can renew from %(opens)s.") % {
            "end": current.ends_on.strftime("%B %-d, %Y"),
            "opens": current.renewal_opens_on().strftime("%B %-d, %Y"),
        }
    return None


def begin_membership(
    *,
    user,
    plan: MembershipPlan,
    payment_method: str,
    today: datetime.date,
    now: datetime.datetime,
    household_member_names: str = "",
    interests: str = "",
) -> tuple[Membership, PaymentOutcome]:
    """Create the membership (joining or renewing) and begin paying its dues.

    It stays pending until the payment is confirmed; a method that settles at once (a free
    plan) makes it active immediately. Raises LookupError for an unavailable method and
    JoinRefused when `why_cannot_join` objects (checked under a lock on the user's row, so a
    double submission cannot create two memberships).
    """
    amount = plan.annual_dues
    method = get_method(payment_method, amount=amount)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        refusal = why_cannot_join(user, today=today)
        if refusal:
            raise JoinRefused(refusal)
        starts_on, ends_on = renewal_term(
            plan, current=membership_in_good_standing(user, on=today), today=today
        )
        membership = Membership.objects.create(
            user=user,
            plan=plan,
            status=Membership.Status.PENDING,
            starts_on=starts_on,
            ends_on=ends_on,
            amount_due=amount,
            payment_method=method.code,
            household_member_names=household_member_names.strip() if plan.covers_household else "",
            interests=interests.strip(),
        )
        outcome = method.begin(
            amount=amount,
            reference=membership.reference,
            description=_("%(plan)s membership") % {"plan": plan.name},
            email=user.email,
        )
        membership.payment_instructions = str(outcome.instructions)
        if outcome.paid:
            membership.status = Membership.Status.ACTIVE
            membership.paid_at = now
            membership.amount_paid = amount
        membership.save()
        if outcome.paid:
            _send_welcome(membership)
        else:
            transaction.on_commit(
                lambda: send_membership_email(
                    "pending",
                    to=user.email,
                    subject=_("Your membership: payment instructions"),
                    context={"membership": membership, "instructions": outcome.instructions},
                )
            )
    return membership, outcome


def confirm_dues_paid(membership: Membership, *, at: datetime.datetime, amount=None) -> bool:
    """Staff received the dues: the pending membership becomes active. False when it was not
    pending (already confirmed or cancelled), so confirming twice changes nothing."""
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.status != Membership.Status.PENDING:
            return False
        # The term runs from when the dues arrive, not from when the form was sent: a
        # member who pays three weeks late still gets a whole term. A renewal paid while
        # the current term lasts still follows on from its end.
        paid_on = timezone.localdate(at)
        current = membership_in_good_standing(locked.user, on=paid_on)
        starts_on, ends_on = renewal_term(locked.plan, current=current, today=paid_on)
        if starts_on > locked.starts_on:
            locked.starts_on, locked.ends_on = starts_on, ends_on
        locked.status = Membership.Status.ACTIVE
        locked.paid_at = at
        locked.amount_paid = locked.amount_due if amount is None else amount
        locked.save(
            update_fields=["status", "paid_at", "amount_paid", "starts_on", "ends_on", "updated_at"]
        )
        _send_welcome(locked)
    membership.refresh_from_db()
    return True


def _send_welcome(membership):
    transaction.on_commit(
        lambda: send_membership_email(
            "active",
            to=membership.user.email,
            subject=_("Welcome: your membership is active"),
            context={"membership": membership},
        )
    )
