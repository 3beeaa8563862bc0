"""Dues: the term a joining or renewing member gets, starting a membership through a
payment method, and confirming dues paid.

Renewal arithmetic lives in `renewal_term` only: a member still in good standing (grace
period included) renews from the day after their latest paid term ends, so renewing early
loses nothing; a lapsed member (past the grace period), or a new one, starts today.

A renewal always builds on `latest_paid_term`, the member's paid term that runs longest,
even when it has not begun yet (a renewal paid early): building on the term in force today
would sell the same next term twice. Whether the member may renew, on the join page and the
account page alike, is `why_cannot_join`.
"""

import calendar
import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from association.formats import format_date, format_money
from association.languages import speaking_to
from payments.methods import OfflinePayment, PaymentOutcome, PaymentUnavailable, get_method
from payments.models import Payment

from .emails import send_membership_email
from .models import Membership, MembershipPlan, User

ONE_DAY = datetime.timedelta(days=1)
# What payments calls dues (membership/dues_payments.py registers it); how long a card
# payment page stays open.
DUES_PURPOSE = "membership.dues"
CARD_SESSION_HOURS = 1


class JoinRefused(Exception):
    """The user may not start a membership now; the message says why."""


class CardPaymentsNotAnswering(JoinRefused):
    """Stripe failed or did not answer in time: no membership and no payment were kept, so
    the same choices can be sent again (or another way to pay chosen)."""


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def latest_paid_term(user) -> Membership | None:
    """The member's paid (active) term that runs longest, lifetime first, whether it is in
    force today, paid early and still to come, or long over. None for someone who never
    paid."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    return (
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
        .select_related("plan")
        .longest_first()
        .first()
    )


def joinable_plans(user, *, today: datetime.date):
    """The plans this user may open the join page for: those offered, plus the plan of
    their latest paid term while it still keeps them in good standing (grace included).

    Staff may withdraw a plan from the site while members hold it; those members must still
    be able to renew it from the account page and the reminder emails."""
    latest = latest_paid_term(user)
    held = latest is not None and latest.covers(today)
    if not held:
        return MembershipPlan.objects.offered()
    return MembershipPlan.objects.filter(Q(is_offered=True) | Q(pk=latest.plan_id))


def renewal_term(
    plan: MembershipPlan, *, latest: Membership | None, today: datetime.date
) -> tuple[datetime.date, datetime.date | None]:
    """First and last day of the term bought today; the last day is None for lifetime.

    `latest` is the member's `latest_paid_term`, if any.
    """
    # Inside the grace period too the new term follows on: the member kept its benefits.
    follows_on = latest is not None and not latest.is_lifetime and latest.covers(today)
    starts_on = latest.ends_on + ONE_DAY if follows_on else today
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
            "Once the payment is received it becomes active; if you will not pay it, you can "
            "cancel it there."
        )
    latest = latest_paid_term(user)
    if latest is None:
        return None
    if latest.is_lifetime:
        return _("You are a lifetime member: there is nothing to renew.")
    if not latest.covers(today):
        return None  # lapsed: joins afresh
    if not latest.can_renew_on(today):
        return _("Your membership runs until %(end)s. You can renew from %(opens)s.") % {
            "end": format_date(latest.ends_on),
            "opens": format_date(latest.renewal_opens_on()),
        }
    return None


def dues_payment_instructions(membership: Membership) -> str:
    """What the member must do to pay this membership's dues.

    The offline method's own wording is written for event tickets ("or at the door", "your
    place is reserved"), which is wrong for dues, so an offline payment gets the dues
    wording here; other methods' stored instructions are shown as they were given. Computed
    rather than read back, so memberships started before this wording also read right.
    Whom the check is payable to and where it goes are said by the one check-instructions
    block beside it (templates/includes/check_instructions.html)."""
    if membership.payment_method == OfflinePayment.code:
        return _(
            "Please pay %(amount)s by check. Your membership becomes active when we record "
            "your payment."
        ) % {"amount": format_money(membership.amount_due)}
    return membership.payment_instructions


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
        starts_on, ends_on = renewal_term(plan, latest=latest_paid_term(user), today=today)
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
        try:
            outcome = method.begin(
                amount=amount,
                reference=membership.reference,
                description=_("%(plan)s membership") % {"plan": plan.name},
                email=user.email,
                purpose=DUES_PURPOSE,
                object_id=str(membership.pk),
                payer_name=user.get_full_name(),
                hold_expires_at=now + datetime.timedelta(hours=CARD_SESSION_HOURS),
                return_url=settings.SITE_URL + membership.get_absolute_url(),
                now=now,
            )
        except PaymentUnavailable:
            raise CardPaymentsNotAnswering(
                _(
                    "Card payments are not answering just now, so nothing was charged. Your "
                    "choices are kept: please try again in a few minutes, or choose to pay "
                    "by check."
                )
            ) from None
        # Stored first as the method gave them; dues_payment_instructions decides whether
        # membership words them its own way.
        membership.payment_instructions = str(outcome.instructions)
        membership.payment_instructions = dues_payment_instructions(membership)
        if outcome.paid:
            membership.status = Membership.Status.ACTIVE
            membership.paid_at = now
            membership.amount_paid = amount
        membership.save()
        if outcome.paid:
            _send_welcome(membership)
        elif not outcome.redirect_url:
            # Paying elsewhere (card) needs no instructions: the welcome goes when it is paid.
            send_membership_email(
                "pending",
                to=user.email,
                subject=_("Your membership: payment instructions"),
                context={
                    "membership": membership,
                    "instructions": membership.payment_instructions,
                },
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
        starts_on, ends_on = renewal_term(
            locked.plan, latest=latest_paid_term(locked.user), today=paid_on
        )
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


def cancel_unpaid_membership(membership: Membership, *, now: datetime.datetime) -> bool:
    """The member gives up a membership they have not paid for. False when it was not
    pending (paid, or already cancelled): a paid membership is staff's to cancel."""
    # One conditional UPDATE: it waits for confirm_dues_paid's row lock and then finds the
    # row no longer pending, so a payment recorded at the same moment wins.
    cancelled = bool(
        Membership.objects.filter(pk=membership.pk, status=Membership.Status.PENDING).update(
            status=Membership.Status.CANCELLED, updated_at=now
        )
    )
    if cancelled:
        Payment.objects.close_unpaid_offline(purpose=DUES_PURPOSE, object_id=membership.pk, now=now)
    return cancelled


def cancel_long_unpaid_memberships(*, now: datetime.datetime) -> int:
    """Cancel memberships still unpaid `MEMBERSHIP_PENDING_DAYS` after they were started, so
    a forgotten one neither blocks joining again nor lingers on the account page. Returns
    how many; running it again (or twice at once) cancels nothing more."""
    cutoff = now - datetime.timedelta(days=settings.MEMBERSHIP_PENDING_DAYS)
    cancelled = 0
    for pk in Membership.objects.unpaid_since(cutoff).values_list("pk", flat=True):
        # One by one, through the same conditional update as the member's own cancel, so
        # each cancelled membership's check payment is closed with it.
        cancelled += cancel_unpaid_membership(Membership(pk=pk), now=now)
    return cancelled


def dues_receipt_url(membership: Membership) -> str:
    """The absolute address of the receipt for this membership's dues (card or check);
    empty when nothing was paid through a payment record (a free plan)."""
    payment = (
        Payment.objects.for_object(purpose=DUES_PURPOSE, object_id=membership.pk)
        .filter(paid_at__isnull=False)
        .first()
    )
    return settings.SITE_URL + payment.get_absolute_url() if payment else ""


def _send_welcome(membership):
    """Into the outbox, in the transaction that activates the membership (a payment that
    activates it is saved paid before its purpose is fulfilled, so the receipt is found).
    In the member's language: a card payment's webhook activates it too."""
    with speaking_to(membership.user):
        send_membership_email(
            "active",
            to=membership.user.email,
            subject=_("Welcome: your membership is active"),
            context={"membership": membership, "receipt_url": dues_receipt_url(membership)},
        )
