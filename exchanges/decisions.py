"""Decisions: the chair records them; they reach applicants as one batch on the program's
notification date, never before, exactly once however many job runners run at once; a
place given up by an accepted traveler is offered to the first waitlisted applicant, with
a deadline to accept.

Exactly once: rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED and marked sent by a
conditional UPDATE in the transaction that writes the email, so a second runner either
skips a locked row or finds it already sent.
"""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from . import emails
from .applications import change_status
from .models import Application, Program

S = Application.Status
DECIDABLE = (S.COMPLETE, S.WAITLISTED)
BATCH = 100


def record_decision(
    application: Application, *, decision: str, by, at: datetime.datetime, waitlist_rank=None
) -> bool:
    """Record (or change, until it is sent) the chair's decision. Nothing is sent here."""
    if decision not in Application.Decision.values or application.status not in DECIDABLE:
        return False
    return bool(
        Application.objects.filter(
            pk=application.pk, status__in=DECIDABLE, decision_notified_at__isnull=True
        ).update(decision=decision, decided_by=by, decided_at=at, waitlist_rank=waitlist_rank)
    )


def send_due_decisions(*, now: datetime.datetime) -> int:
    sent = 0
    while True:
        with transaction.atomic():
            claimed = list(
                Application.objects.decisions_due(now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("program", "applicant")[:BATCH]
            )
            for application in claimed:
                if not Application.objects.filter(
                    pk=application.pk, decision_notified_at__isnull=True
                ).update(decision_notified_at=now):
                    continue
                change_status(
                    application,
                    to=application.decision,
                    by=application.decided_by,
                    at=now,
                    note=_("Decision sent."),
                )
                emails.send_decision(application)
                sent += 1
        if len(claimed) < BATCH:
            return sent


def open_places(program: Program, *, at: datetime.datetime) -> int:
    taken = program.applications.filter(status=S.ACCEPTED).count()
    offered = program.applications.filter(
        status=S.WAITLISTED, offer_expires_at__gt=at, offer_lapsed_at__isnull=True
    ).count()
    return program.places - taken - offered


def offer_next_place(program: Program, *, at: datetime.datetime) -> Application | None:
    """Offer a free place to the first waitlisted applicant (rank, then decision order)."""
    with transaction.atomic():
        Program.objects.select_for_update().get(pk=program.pk)  # one offer at a time
        if open_places(program, at=at) <= 0:
            return None
        candidate = (
            program.applications.filter(
                status=S.WAITLISTED, offered_at__isnull=True, decision_notified_at__isnull=False
            )
            .select_related("applicant", "program")
            .order_by(F("waitlist_rank").asc(nulls_last=True), "decided_at", "pk")
            .first()
        )
        if candidate is None:
            return None
        expires = at + datetime.timedelta(days=program.offer_days)
        Application.objects.filter(pk=candidate.pk).update(offered_at=at, offer_expires_at=expires)
        candidate.offered_at, candidate.offer_expires_at = at, expires
        emails.send_place_offer(candidate)
    return candidate


def accept_offer(application: Application, *, by, at: datetime.datetime) -> bool:
    if not application.has_open_offer(at):
        return False
    return change_status(
        application, to=S.ACCEPTED, by=by, at=at, note=_("Offered place accepted.")
    )


def withdraw(application: Application, *, by, at: datetime.datetime) -> bool:
    """The applicant withdraws (or gives up an accepted place, which is then offered on)."""
    with transaction.atomic():
        application.refresh_from_db(fields=["status", "offered_at"])
        was_accepted = application.status == S.ACCEPTED
        if not change_status(application, to=S.WITHDRAWN, by=by, at=at):
            return False
        if was_accepted or application.offered_at:
            offer_next_place(application.program, at=at)
    return True


def lapse_expired_offers(*, now: datetime.datetime) -> int:
    lapsed = 0
    expired = Application.objects.filter(
        status=S.WAITLISTED, offer_expires_at__lte=now, offer_lapsed_at__isnull=True
    ).select_related("program")
    for application in expired:
        with transaction.atomic():
            if Application.objects.filter(pk=application.pk, offer_lapsed_at__isnull=True).update(
                offer_lapsed_at=now
            ):
                lapsed += 1
                offer_next_place(application.program, at=now)
    return lapsed
