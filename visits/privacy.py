"""Keeping delegates' and hosts' private details no longer than needed (many delegates are
minors).

`VISITS_SENSITIVE_RETENTION_DAYS` days after a visit ends, its delegates' birth dates,
allergies (and the flags read from them), health notes and emergency contacts are deleted
(names, diet and the matches stay, for the record of who hosted whom). An adult's
background-check details (its notes, status and dates) are deleted once the check has
expired; that the details were deleted, and when, is kept. The job says what it deleted,
and deleting twice deletes nothing more.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Delegate, HouseholdAdult, Visit


@dataclass
class Deleted:
    visits: int = 0
    delegates: int = 0
    checks: int = 0

    def summary(self) -> str:
        return (
            f"sensitive details of {self.delegates} delegate(s) of {self.visits} visit(s) "
            f"and {self.checks} expired background check(s) deleted"
        )


def retention_days() -> int:
    """The setting, read in this one place."""
    return settings.VISITS_SENSITIVE_RETENTION_DAYS


def delete_expired_private_details(*, now: datetime.datetime) -> Deleted:
    today = timezone.localdate(now)
    cutoff = today - datetime.timedelta(days=retention_days())
    deleted = Deleted()
    visits = Visit.objects.filter(ends_on__lt=cutoff, sensitive_deleted_at__isnull=True)
    for visit in visits:
        with transaction.atomic():
            deleted.delegates += (
                Delegate.objects.filter(visit=visit)
                .exclude(
                    birth_date=None,
                    allergies="",
                    health_notes="",
                    emergency_contact_name="",
                    emergency_contact_phone="",
                )
                .update(
                    birth_date=None,
                    allergies="",
                    allergic_to_animals=False,
                    needs_smoke_free=False,
                    health_notes="",
                    emergency_contact_name="",
                    emergency_contact_phone="",
                )
            )
            Visit.objects.filter(pk=visit.pk).update(sensitive_deleted_at=now)
            deleted.visits += 1
    deleted.checks = (
        HouseholdAdult.objects.filter(check_expires_on__lt=today)
        .filter(~Q(check_status="") | ~Q(check_notes=""))
        .update(
            check_status="",
            check_notes="",
            check_requested_on=None,
            check_expires_on=None,
            check_details_deleted_on=today,
        )
    )
    return deleted
