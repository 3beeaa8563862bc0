"""Every email of the exchanges app: templates/emails/exchanges/<name>.txt and .html,
queued by association.emails.queue_email in the caller's transaction (a rolled-back
decision or submission sends nothing) and sent by the worker.

Each function takes model instances and builds its context from them alone, so a worker
could rebuild the message from ids. No email to an applicant ever carries a letter.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from association.emails import queue_email
from association.languages import in_language_of


def _send(name: str, *, to: str, subject: str, context: dict) -> None:
    queue_email(f"exchanges/{name}", to=to, subject=subject, context=context)


def _url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(f"exchanges:{name}", kwargs=kwargs)


@in_language_of(lambda application: application.applicant)
def send_application_submitted(application) -> None:
    _send(
        "application_submitted",
        to=application.applicant.email,
        subject=_("Your application to %(program)s was received")
        % {"program": application.program.title},
        context={
            "application": application,
            "program": application.program,
            "url": _url("apply", slug=application.program.slug),
        },
    )


def send_guardian_consent_request(application) -> None:
    _send(
        "guardian_consent",
        to=application.guardian_email,
        subject=_("Your consent for %(name)s's application to %(program)s")
        % {"name": application.applicant_name, "program": application.program.title},
        context={
            "application": application,
            "program": application.program,
            "url": _url("guardian_consent", token=application.consent_token),
        },
    )


def send_reference_request(reference) -> None:
    application = reference.application
    _send(
        "reference_request",
        to=reference.referee_email,
        subject=_("A reference for %(name)s: %(program)s")
        % {"name": application.applicant_name, "program": application.program.title},
        context={
            "reference": reference,
            "application": application,
            "program": application.program,
            "url": _url("reference_letter", token=reference.token),
        },
    )


def send_reference_reminder(reference) -> None:
    application = reference.application
    _send(
        "reference_reminder",
        to=reference.referee_email,
        subject=_("Reminder: a reference for %(name)s") % {"name": application.applicant_name},
        context={
            "reference": reference,
            "application": application,
            "program": application.program,
            "url": _url("reference_letter", token=reference.token),
        },
    )


@in_language_of(lambda application: application.applicant)
def send_decision(application) -> None:
    _send(
        "decision",
        to=application.applicant.email,
        subject=_("Your application to %(program)s") % {"program": application.program.title},
        context={
            "application": application,
            "program": application.program,
            "url": _url("apply", slug=application.program.slug),
        },
    )


@in_language_of(lambda application: application.applicant)
def send_place_offer(application) -> None:
    _send(
        "place_offer",
        to=application.applicant.email,
        subject=_("A place is open for you: %(program)s") % {"program": application.program.title},
        context={
            "application": application,
            "program": application.program,
            "url": _url("apply", slug=application.program.slug),
        },
    )


@in_language_of(lambda application: application.applicant)
def send_installment_reminder(application, installment, *, balance) -> None:
    _send(
        "installment_reminder",
        to=application.applicant.email,
        subject=_("Payment due %(date)s: %(program)s")
        % {"date": installment.due_on.isoformat(), "program": application.program.title},
        context={
            "application": application,
            "program": application.program,
            "installment": installment,
            "balance": balance,
            "url": _url("apply", slug=application.program.slug),
        },
    )


@in_language_of(lambda trip_payment: trip_payment.application.applicant)
def send_trip_payment_received(trip_payment) -> None:
    application = trip_payment.application
    _send(
        "trip_payment_received",
        to=application.applicant.email,
        subject=_("Payment received: %(program)s") % {"program": application.program.title},
        context={
            "application": application,
            "program": application.program,
            "trip_payment": trip_payment,
            "receipt_url": settings.SITE_URL + trip_payment.payment.get_absolute_url()
            if trip_payment.payment_id
            else "",
        },
    )
