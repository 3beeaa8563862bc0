"""Keeping applicants' data no longer than needed (these are often minors).

`EXCHANGES_RETENTION_MONTHS` after a program's travel ends, the applications of people who
did not travel are deleted (answers, uploads, letters, reviews and history with them), and
travelers' answers to sensitive questions (health, passport details) and their uploads are
erased. What accounting needs stays: a traveler's application row, its trip payments and
the payments' receipts; an application that has trip payments is never deleted, only
emptied.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Answer, Application, Program


@dataclass
class Deleted:
    applications: int = 0
    emptied: int = 0
    sensitive_answers: int = 0

    def summary(self) -> str:
        return (
            f"{self.applications} application(s) deleted, {self.emptied} emptied, "
            f"{self.sensitive_answers} sensitive answer(s) of travelers erased"
        )


def months_before(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return datetime.date(year, month + 1, min(day.day, 28))


def programs_past_retention(*, now: datetime.datetime):
    cutoff = months_before(timezone.localdate(now), settings.EXCHANGES_RETENTION_MONTHS)
    return Program.objects.filter(travel_ends_on__lt=cutoff)


def _erase_uploads(application: Application) -> None:
    for field in ("photo", "transcript"):
        file = getattr(application, field)
        if file:
            file.delete(save=False)


def delete_expired_application_data(*, now: datetime.datetime) -> Deleted:
    deleted = Deleted()
    programs = programs_past_retention(now=now)
    not_travelers = Application.objects.filter(program__in=programs).exclude(
        status=Application.Status.ACCEPTED
    )
    for application in not_travelers:
        with transaction.atomic():
            _erase_uploads(application)
            if application.trip_payments.exists():
                # Money was paid: the row stays for the accounts, emptied of everything else.
                application.answers.all().delete()
                application.references.all().delete()
                application.reviews.all().delete()
                Application.objects.filter(pk=application.pk).update(
                    date_of_birth=None,
                    school="",
                    guardian_name="",
                    guardian_email="",
                    guardian_phone="",
                    photo="",
                    transcript="",
                )
                deleted.emptied += 1
            else:
                application.delete()
                deleted.applications += 1
    travelers = Application.objects.filter(
        program__in=programs,
        status=Application.Status.ACCEPTED,
        sensitive_answers_deleted_at__isnull=True,
    )
    for application in travelers:
        with transaction.atomic():
            count, _ = Answer.objects.filter(
                application=application, question__sensitive=True
            ).delete()
            _erase_uploads(application)
            Application.objects.filter(pk=application.pk).update(
                sensitive_answers_deleted_at=now, photo="", transcript="", date_of_birth=None
            )
            deleted.sensitive_answers += count
    return deleted
