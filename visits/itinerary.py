"""A visit's day-by-day itinerary and the people who make it happen.

Members offer to help with an item that needs people (drivers, interpreters, hosts) from
their private page; the coordinator confirms or declines each offer (the volunteer is
emailed). Each person's schedule is the items they are confirmed for, plus, for a host
family, every item of the visits its guests are on; it is emailed and served as an
`.ics` file at a private link (a signed token: unguessable, no row to keep).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from icalendar import Event as CalendarEvent

from events.calendar import new_calendar

from . import emails
from .models import ItineraryItem, Match, Visit, Volunteer

SCHEDULE_SALT = "visits.schedule"


def items_needing_people(*, on: datetime.date):
    """Items of visits not over by `on` that need volunteers, for members to offer help
    (on a private page: a visit kept off the partner city's page still needs drivers)."""
    return (
        ItineraryItem.objects.filter(visit__ends_on__gte=on)
        .filter(Q(drivers_needed__gt=0) | Q(interpreters_needed__gt=0) | Q(hosts_needed__gt=0))
        .select_related("visit__partnership__partner_city")
    )


def offer_help(item: ItineraryItem, *, user, role: str, note: str = "") -> Volunteer | None:
    """The member's offer (one per item); None when the item does not need that role or
    they already offered."""
    if role not in item.needed():
        return None
    try:
        with transaction.atomic():
            return Volunteer.objects.create(item=item, user=user, role=role, note=note[:300])
    except IntegrityError:
        return None


def withdraw_offer(volunteer: Volunteer) -> None:
    volunteer.delete()


def decide(volunteer: Volunteer, *, confirm: bool, at: datetime.datetime) -> bool:
    """The coordinator confirms (or declines) an offer; the volunteer is emailed. False
    when it was already so."""
    status = Volunteer.Status.CONFIRMED if confirm else Volunteer.Status.DECLINED
    with transaction.atomic():
        changed = (
            Volunteer.objects.filter(pk=volunteer.pk)
            .exclude(status=status)
            .update(status=status, decided_at=at)
        )
        if changed:
            volunteer.status, volunteer.decided_at = status, at
            emails.send_volunteer_decided(volunteer)
    return bool(changed)


@dataclass
class Entry:
    item: ItineraryItem
    roles: list[str] = field(default_factory=list)


@dataclass
class Schedule:
    user: object
    visit: Visit
    entries: list[Entry]

    @property
    def token(self) -> str:
        return schedule_token(self.user, self.visit)


def schedule_for(user, visit: Visit) -> Schedule:
    """`user`'s own schedule for `visit`: what they are confirmed for, and all of it when
    their family hosts one of its delegates."""
    confirmed = Volunteer.objects.filter(
        user=user, item__visit=visit, status=Volunteer.Status.CONFIRMED
    )
    roles = {}
    for volunteer in confirmed:
        roles.setdefault(volunteer.item_id, []).append(volunteer.get_role_display())
    hosting = Match.objects.active().filter(visit=visit, household__member=user).exists()
    items = visit.itinerary.all() if hosting else visit.itinerary.filter(pk__in=list(roles))
    entries = [
        Entry(item=item, roles=roles.get(item.pk, [_("Host family")] if hosting else []))
        for item in items
    ]
    return Schedule(user=user, visit=visit, entries=entries)


def people_with_schedules(visit: Visit) -> list:
    """Everyone who has a schedule for `visit`: confirmed volunteers and host families."""
    volunteers = Q(
        visit_volunteering__item__visit=visit,
        visit_volunteering__status=Volunteer.Status.CONFIRMED,
    )
    hosts = Q(host_household__matches__visit=visit, host_household__matches__cancelled_at=None)
    return list(get_user_model().objects.filter(volunteers | hosts).distinct().order_by("pk"))


def send_schedules(visit: Visit) -> int:
    """Email every person their own schedule for `visit`; how many were sent."""
    sent = 0
    with transaction.atomic():
        for user in people_with_schedules(visit):
            schedule = schedule_for(user, visit)
            if schedule.entries:
                emails.send_schedule(schedule)
                sent += 1
    return sent


def schedule_token(user, visit: Visit) -> str:
    return signing.dumps([user.pk, visit.pk], salt=SCHEDULE_SALT, compress=True)


def read_schedule_token(token: str) -> tuple[int, int] | None:
    try:
        user_pk, visit_pk = signing.loads(token, salt=SCHEDULE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return int(user_pk), int(visit_pk)


def schedule_calendar(schedule: Schedule, *, now: datetime.datetime) -> bytes:
    """The schedule as an .ics file (the events app's calendar, one VEVENT per item)."""
    calendar = new_calendar(schedule.visit.title)
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "localhost"
    for entry in schedule.entries:
        item = entry.item
        component = CalendarEvent()
        component.add("uid", f"visit-item-{item.pk}-{schedule.user.pk}@{host}")
        component.add("dtstamp", now.astimezone(datetime.UTC))
        component.add("dtstart", item.starts_at.astimezone(datetime.UTC))
        component.add("dtend", item.ends_at.astimezone(datetime.UTC))
        component.add("summary", item.title)
        component.add("location", item.place)
        description = "\n".join(filter(None, [", ".join(entry.roles), item.details]))
        if description:
            component.add("description", description)
        calendar.add_component(component)
    return calendar.to_ical()
