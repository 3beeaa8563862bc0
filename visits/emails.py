"""Every email of visits and hosting: templates/emails/visits/<name>.txt and .html, queued
by association.emails.queue_email in the caller's transaction (a rolled-back match sends
nothing).

Each carries only what its reader needs (access.py): the host family learns its guest's
first name, age, diet, allergies and arrival, never a birth date, health note or emergency
contact; the partner's coordinator learns the host's family name, address and phone, never
a background check; a volunteer learns the items they help with.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from association.emails import queue_email
from association.languages import in_language_of, speaking, speaking_to


def _send(name: str, *, to: str, subject: str, context: dict) -> None:
    queue_email(f"visits/{name}", to=to, subject=subject, context=context)


def _url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(f"visits:{name}", kwargs=kwargs)


def guest_summary(match) -> dict:
    """What a host family is told of its guest."""
    delegate, visit = match.delegate, match.visit
    return {
        "first_name": delegate.first_name,
        "age": delegate.age_on(visit.starts_on),
        "diet": delegate.diet,
        "allergies": delegate.allergies,
        "arrival": visit.arrival,
        "starts_on": visit.starts_on,
        "ends_on": visit.ends_on,
    }


def host_summary(match) -> dict:
    """What the partner's coordinator is told of the host family."""
    household = match.household
    return {
        "family_name": household.family_name,
        "address": household.address,
        "phone": household.phone,
    }


def send_match_confirmed(match) -> None:
    """The host family and the partner's coordinator, each in their own language."""
    visit = match.visit
    with speaking_to(match.household):
        _send(
            "match_confirmed_host",
            to=match.household.email,
            subject=_("Your guest for %(visit)s") % {"visit": visit.title},
            context={"visit": visit, "guest": guest_summary(match)},
        )
    if visit.partner_coordinator_email:
        with speaking(visit.partner_coordinator_language):
            _send(
                "match_confirmed_partner",
                to=visit.partner_coordinator_email,
                subject=_("Host family for %(name)s") % {"name": str(match.delegate)},
                context={
                    "visit": visit,
                    "delegate_name": str(match.delegate),
                    "host": host_summary(match),
                    "partner_name": visit.partner_coordinator_name,
                },
            )


def send_match_cancelled(match, *, moved: bool = False) -> None:
    visit = match.visit
    with speaking_to(match.household):
        _send(
            "match_cancelled_host",
            to=match.household.email,
            subject=_("Change of guest for %(visit)s") % {"visit": visit.title},
            context={"visit": visit, "first_name": match.delegate.first_name, "moved": moved},
        )
    if visit.partner_coordinator_email:
        with speaking(visit.partner_coordinator_language):
            _send(
                "match_cancelled_partner",
                to=visit.partner_coordinator_email,
                subject=_("Host family change for %(name)s") % {"name": str(match.delegate)},
                context={
                    "visit": visit,
                    "delegate_name": str(match.delegate),
                    "family_name": match.household.family_name,
                    "moved": moved,
                    "partner_name": visit.partner_coordinator_name,
                },
            )


@in_language_of(lambda schedule: schedule.user)
def send_schedule(schedule) -> None:
    """A person's own schedule for a visit (itinerary.Schedule), with its .ics link."""
    _send(
        "schedule",
        to=schedule.user.email,
        subject=_("Your schedule: %(visit)s") % {"visit": schedule.visit.title},
        context={
            "visit": schedule.visit,
            "name": schedule.user.get_full_name() or schedule.user.email,
            "entries": schedule.entries,
            "ics_url": _url("schedule_ics", token=schedule.token),
            "page_url": _url("volunteer"),
        },
    )


@in_language_of(lambda volunteer: volunteer.user)
def send_volunteer_decided(volunteer) -> None:
    item = volunteer.item
    _send(
        "volunteer_decided",
        to=volunteer.user.email,
        subject=_("%(item)s: %(status)s")
        % {"item": item.title, "status": volunteer.get_status_display()},
        context={
            "volunteer": volunteer,
            "item": item,
            "visit": item.visit,
            "page_url": _url("volunteer"),
        },
    )


@in_language_of(lambda household: household)
def send_host_application_received(household) -> None:
    _send(
        "host_application_received",
        to=household.email,
        subject=_("Your application to host was received"),
        context={"household": household, "url": _url("hosting_apply")},
    )
