"""An application's life: its status changes (one function, `change_status`, records who
and when), what submitting requires, and when it becomes complete.

draft → submitted → complete (answers, guardian consent for a minor, and both current
references in) → accepted / waitlisted / declined; withdrawn at any time by the applicant.
A waitlisted applicant may be accepted when a place frees up (decisions.py).
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from . import emails
from .models import Application, Reference, StatusChange, new_token

S = Application.Status
TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.COMPLETE, S.WITHDRAWN},
    S.COMPLETE: {S.ACCEPTED, S.WAITLISTED, S.DECLINED, S.WITHDRAWN},
    S.WAITLISTED: {S.ACCEPTED, S.DECLINED, S.WITHDRAWN},
    S.ACCEPTED: {S.WITHDRAWN},
    S.DECLINED: set(),
    S.WITHDRAWN: set(),
}
REFERENCES_NEEDED = 2


def change_status(
    application: Application, *, to: str, by, at: datetime.datetime, note: str = ""
) -> bool:
    """Move `application` to status `to`, when allowed from the status it has in the
    database, recording who and when. False (and nothing written) when not allowed."""
    with transaction.atomic():
        current = (
            Application.objects.select_for_update()
            .filter(pk=application.pk)
            .values_list("status", flat=True)
            .first()
        )
        if current is None or to not in TRANSITIONS[current]:
            return False
        stamps = {"submitted_at": at} if to == S.SUBMITTED else {}
        if to == S.COMPLETE:
            stamps = {"completed_at": at}
        Application.objects.filter(pk=application.pk).update(status=to, **stamps)
        StatusChange.objects.create(
            application=application,
            from_status=current,
            to_status=to,
            changed_by=by if getattr(by, "pk", None) else None,
            changed_at=at,
            note=note,
        )
    application.status = to
    for field, value in stamps.items():
        setattr(application, field, value)
    return True


def word_count(text: str) -> int:
    return len(text.split())


def current_references(application: Application) -> list[Reference]:
    return [r for r in application.references.all() if r.replaced_at is None]


def references_received(application: Application) -> int:
    return sum(1 for r in current_references(application) if r.is_received)


def submission_problems(application: Application, *, at: datetime.datetime) -> list[str]:
    """Why `application` cannot be submitted now, in words; empty when it can."""
    problems = []
    if application.status != S.DRAFT:
        return [_("This application has already been submitted.")]
    if at >= application.submission_deadline():
        return [_("The deadline for applications has passed; applications are no longer accepted.")]
    program = application.program
    answers = {a.question_id: a.text for a in application.answers.all()}
    for question in program.questions.all():
        text = answers.get(question.pk, "").strip()
        if question.required and not text:
            problems.append(_("Please answer: %(question)s") % {"question": question.text})
        elif word_count(text) > question.word_limit:
            problems.append(
                _("Your answer to “%(question)s” has %(count)s words; the limit is %(limit)s.")
                % {
                    "question": question.text,
                    "count": word_count(text),
                    "limit": question.word_limit,
                }
            )
    if application.date_of_birth is None:
        problems.append(_("Please give your date of birth."))
    else:
        age = application.age_on_program_date()
        if (
            program.min_age is not None
            and age < program.min_age
            or (program.max_age is not None and age > program.max_age)
        ):
            problems.append(
                _("This program is for people aged %(min)s to %(max)s on %(date)s.")
                % {
                    "min": program.min_age or 0,
                    "max": program.max_age or "—",
                    "date": program.ages_counted_on,
                }
            )
        if application.is_minor and not (
            application.guardian_name and application.guardian_email and application.guardian_phone
        ):
            problems.append(
                _(
                    "You are under 18 on the program's date: please give a parent or "
                    "guardian's name, email and phone."
                )
            )
    references = current_references(application)
    if len(references) < REFERENCES_NEEDED:
        problems.append(_("Please name two referees."))
    elif program.requires_teacher_reference and not any(
        r.relationship == Reference.Relationship.TEACHER for r in references
    ):
        problems.append(_("This program asks that one referee be a teacher."))
    return problems


@dataclass(frozen=True)
class SubmitResult:
    submitted: bool
    problems: list


def submit_application(application: Application, *, by, at: datetime.datetime) -> SubmitResult:
    """Submit a draft: referees are asked for their letters, a minor's guardian for consent."""
    problems = submission_problems(application, at=at)
    if problems:
        return SubmitResult(False, problems)
    with transaction.atomic():
        if not change_status(application, to=S.SUBMITTED, by=by, at=at):
            return SubmitResult(False, [_("This application has already been submitted.")])
        for reference in current_references(application):
            request_reference(reference, at=at)
        if application.is_minor and application.consent_given_at is None:
            request_guardian_consent(application, at=at)
        emails.send_application_submitted(application)
        complete_if_ready(application, at=at)
    return SubmitResult(True, [])


def request_reference(reference: Reference, *, at: datetime.datetime) -> None:
    if Reference.objects.filter(pk=reference.pk, requested_at__isnull=True).update(requested_at=at):
        reference.requested_at = at
        emails.send_reference_request(reference)


def request_guardian_consent(application: Application, *, at: datetime.datetime) -> None:
    token = new_token()
    Application.objects.filter(pk=application.pk).update(
        consent_token=token, consent_requested_at=at
    )
    application.consent_token, application.consent_requested_at = token, at
    emails.send_guardian_consent_request(application)


def give_guardian_consent(
    application: Application, *, signed_by: str, at: datetime.datetime
) -> bool:
    """The guardian's link, used once: consent recorded and the token spent."""
    with transaction.atomic():
        given = Application.objects.filter(
            pk=application.pk,
            consent_token=application.consent_token,
            consent_given_at__isnull=True,
        ).update(consent_given_at=at, consent_given_by=signed_by, consent_token=None)
        if not given:
            return False
        application.refresh_from_db()
        complete_if_ready(application, at=at)
    return True


def is_ready_to_complete(application: Application) -> bool:
    return (
        application.status == S.SUBMITTED
        and not application.needs_consent
        and references_received(application) >= REFERENCES_NEEDED
    )


def complete_if_ready(application: Application, *, at: datetime.datetime) -> bool:
    if not is_ready_to_complete(application):
        return False
    return change_status(application, to=S.COMPLETE, by=None, at=at, note=_("All parts received."))
