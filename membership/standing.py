"""Good standing: the one answer to "is this user a member on this day?".

Everyone asks here: the account page, the admin's mailing list, and the events app for
member prices and members-only tickets. A member is in good standing on a day a paid term
that has begun still covers (`Membership.covers`, the rule dues.py's renewals use too):
`settings.MEMBERSHIP_GRACE_DAYS` (30 by default) after the last day of a term; a lifetime
membership never ends; a household membership covers `plan.people_covered` people.
Anonymous visitors are never members.
"""

import datetime

from django.utils import timezone

from .models import Membership


def membership_in_good_standing(user, *, on: datetime.date) -> Membership | None:
    """The membership that keeps `user` in good standing on `on`, or None.

    When several do (an early renewal overlaps the current term), the one that runs
    longest wins, lifetime first.
    """
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    if isinstance(on, datetime.datetime):
        # A moment is judged by the site's calendar day, not UTC's.
        on = timezone.localdate(on) if timezone.is_aware(on) else on.date()
    # The paid, begun term that runs longest covers `on` if any of them does (the grace
    # period is the same for all), so one row answers.
    longest = (
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE, starts_on__lte=on)
        .select_related("plan")
        .longest_first()
        .first()
    )
    return longest if longest is not None and longest.covers(on) else None


def is_member_in_good_standing(user, *, on: datetime.date) -> bool:
    """True when `user` is a member in good standing on `on` (grace period included)."""
    return membership_in_good_standing(user, on=on) is not None
