"""Renewal reminders: 30 and 7 days before a term ends, and once after it has ended
(while the grace period still lets the member renew without a break).

Each kind is sent at most once per membership term. The `RenewalReminder` row is inserted
in the same transaction that writes the email to the outbox: its unique constraint makes a
second, concurrent run fail to insert and skip, and an email that cannot be written (a
template error) rolls the row back so the next run tries again. The outbox delivers it,
retrying while the mail server fails. A member who has already renewed gets no reminder.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from association.formats import format_date
from association.languages import speaking_to

from .emails import send_membership_email
from .models import Membership, RenewalReminder

logger = logging.getLogger(__name__)

Kind = RenewalReminder.Kind
DAY = datetime.timedelta(days=1)


def memberships_due_a_reminder(kind: str, *, today: datetime.date):
    """Active, not yet renewed memberships for which `kind` is due on `today` and has not
    been sent for the current term."""
    base = Membership.objects.filter(status=Membership.Status.ACTIVE).not_renewed()
    if kind == Kind.DAYS_30:
        due = base.ending_between(today + 8 * DAY, today + 30 * DAY)
    elif kind == Kind.DAYS_7:
        due = base.ending_between(today, today + 7 * DAY)
    elif kind == Kind.LAPSED:
        due = base.filter(ends_on__lt=today).in_good_standing(today)
    else:
        raise ValueError(f"No schedule for reminder kind {kind!r}.")
    sent = RenewalReminder.objects.filter(
        membership=OuterRef("pk"), kind=kind, term_ends_on=OuterRef("ends_on")
    )
    return due.exclude(Exists(sent)).select_related("plan", "user").order_by("pk")


def send_renewal_reminder(membership: Membership, *, kind: str, now: datetime.datetime) -> bool:
    """Send one reminder unless this kind was already sent for this term (staff's manual
    reminders are never limited). True when an email went out."""
    with speaking_to(membership.user):
        return _send_reminder(membership, kind=kind, now=now)


def _send_reminder(membership, *, kind, now) -> bool:
    lapsed = membership.ends_on < timezone.localdate(now)
    if lapsed:
        subject = _("Your membership has ended: renew to keep your benefits")
    else:
        subject = _("Your membership ends on %(date)s") % {"date": format_date(membership.ends_on)}
    try:
        with transaction.atomic():
            RenewalReminder.objects.create(
                membership=membership, kind=kind, term_ends_on=membership.ends_on, sent_at=now
            )
            send_membership_email(
                "renewal_reminder",
                to=membership.user.email,
                subject=subject,
                context={"membership": membership, "lapsed": lapsed},
            )
    except IntegrityError:
        return False
    return True


def send_due_renewal_reminders(*, now: datetime.datetime) -> int:
    """Send every reminder due now; returns how many were sent."""
    today = timezone.localdate(now)
    sent = 0
    for kind in (Kind.DAYS_30, Kind.DAYS_7, Kind.LAPSED):
        for membership in memberships_due_a_reminder(kind, today=today):
            try:
                sent += send_renewal_reminder(membership, kind=kind, now=now)
            except Exception:
                # One reminder that cannot be written must not stop the others; the next
                # run retries it.
                logger.exception("Renewal reminder for membership %s failed", membership.pk)
    return sent
