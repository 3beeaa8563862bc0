"""Referees' letters: a private one-use link each (no account), open until the program's
reference deadline; one reminder 7 days after the request if no letter came; a referee who
has not answered may be replaced by the applicant. The applicant never sees a letter."""

import datetime

from django.db import transaction

from . import emails
from .applications import complete_if_ready, request_reference
from .models import Application, Reference

REMINDER_AFTER = datetime.timedelta(days=7)


def submit_letter(reference: Reference, *, letter: str, at: datetime.datetime) -> bool:
    """Store the letter, once. False when the link no longer works."""
    if not reference.may_be_written(at) or not letter.strip():
        return False
    with transaction.atomic():
        stored = Reference.objects.filter(
            pk=reference.pk, received_at__isnull=True, replaced_at__isnull=True
        ).update(letter=letter.strip(), received_at=at)
        if not stored:
            return False
        application = Application.objects.get(pk=reference.application_id)
        complete_if_ready(application, at=at)
    return True


def replace_referee(
    reference: Reference, *, name: str, email: str, relationship: str, at: datetime.datetime
) -> Reference | None:
    """The applicant names someone else in place of a referee who has not answered."""
    with transaction.atomic():
        replaced = Reference.objects.filter(
            pk=reference.pk, received_at__isnull=True, replaced_at__isnull=True
        ).update(replaced_at=at)
        if not replaced:
            return None
        new = Reference.objects.create(
            application=reference.application,
            referee_name=name,
            referee_email=email,
            relationship=relationship,
        )
        if reference.application.status != Application.Status.DRAFT:
            request_reference(new, at=at)
    return new


def send_due_reference_reminders(*, now: datetime.datetime) -> int:
    """One reminder per referee, 7 days after the request, while the letter may still come.
    Claimed by a conditional UPDATE: two runners never remind twice."""
    due = Reference.objects.filter(
        requested_at__lte=now - REMINDER_AFTER,
        reminded_at__isnull=True,
        received_at__isnull=True,
        replaced_at__isnull=True,
        application__program__reference_deadline__gt=now,
        application__status=Application.Status.SUBMITTED,
    ).select_related("application__program", "application__applicant")
    sent = 0
    for reference in due:
        with transaction.atomic():
            if Reference.objects.filter(pk=reference.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                emails.send_reference_reminder(reference)
                sent += 1
    return sent
