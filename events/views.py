"""Public event pages and calendars. Thin: rules live on the models and in reveal and
listing; these views wire them to templates. Checkout, order pages and the waiting list
are tickets' (tickets/views.py)."""

import datetime
import json
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import View

from association.formats import format_money
from association.models import Association
from association.page_cache import public_page

from . import calendar as ics
from .listing import (
    SalesState,
    describe_events,
    event_sales_state,
    kept_document_of_upcoming_events,
    past_events,
    published_event,
    ticket_type_badge,
    ticket_type_state,
    upcoming_events,
    with_ticket_types,
)
from .models import Event
from .reveal import (
    cache_until_next_reveal,
    can_see_online_link,
    is_event_staff,
    public_location,
    reveal_message,
    visible_venue,
)
from .sales import places_left

PAST_PER_PAGE = 20


def _visible_events(request):
    events = Event.objects.all()
    if not is_event_staff(request.user):
        events = events.published()
    return events


@public_page(scopes=["events"])
@require_GET
def event_list(request):
    now = timezone.now()
    events = describe_events(upcoming_events(now=now), viewer=request.user, now=now)
    response = render(request, "events/event_list.html", {"events": events, "past": False})
    return cache_until_next_reveal(response, events, viewer=request.user, now=now)


@public_page(scopes=["events"])
@require_GET
def event_past(request):
    now = timezone.now()
    paginator = Paginator(past_events(now=now), PAST_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    events = describe_events(page.object_list, viewer=request.user, now=now)
    response = render(
        request,
        "events/event_list.html",
        {"events": events, "past": True, "page_obj": page},
    )
    return cache_until_next_reveal(response, events, viewer=request.user, now=now)


def _google_calendar_url(event, *, location: str) -> str:
    def stamp(value):
        return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")

    params = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": f"{stamp(event.starts_at)}/{stamp(event.ends_at)}",
        "details": f"{event.summary}\n\n{settings.SITE_URL}{event.get_absolute_url()}".strip(),
        "location": location,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(params)


def _json_ld(event, *, request, location: str, rows) -> str:
    url = request.build_absolute_uri(event.get_absolute_url())
    attendance = {
        Event.Format.IN_PERSON: "OfflineEventAttendanceMode",
        Event.Format.ONLINE: "OnlineEventAttendanceMode",
        Event.Format.HYBRID: "MixedEventAttendanceMode",
    }[event.format]
    place = {"@type": "Place", "name": location or _("To be announced")}
    if event.format == Event.Format.ONLINE:
        place = {"@type": "VirtualLocation", "url": url}
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary,
        "startDate": event.starts_at.isoformat(),
        "endDate": event.ends_at.isoformat(),
        "eventAttendanceMode": f"https://schema.org/{attendance}",
        "eventStatus": "https://schema.org/EventCancelled"
        if event.is_cancelled
        else "https://schema.org/EventScheduled",
        "location": place,
        "url": url,
        "offers": [
            {
                "@type": "Offer",
                "name": row["ticket_type"].name,
                "price": f"{row['ticket_type'].price:.2f}",
                "priceCurrency": "USD",
                "url": request.build_absolute_uri(
                    reverse("tickets:checkout", kwargs={"slug": event.slug})
                ),
                "availability": "https://schema.org/SoldOut"
                if row["left"] <= 0
                else "https://schema.org/InStock",
            }
            for row in rows
        ],
    }
    if event.image:
        data["image"] = request.build_absolute_uri(event.image.url)
    text = json.dumps(data, ensure_ascii=False)
    # JSON inside a <script> element: escape what could close it.
    for char, escaped in (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return mark_safe(text)  # noqa: S308 - JSON with <, > and & escaped


def ticket_rows(event, ticket_types, *, left, now):
    rows = []
    for ticket_type in ticket_types:
        state = ticket_type_state(
            ticket_type, now=now, left=left[ticket_type.pk], capacity=event.capacity
        )
        # tables: "3 left" of a table of 10 means 3 tables (the places are 30)
        tickets_left = left[ticket_type.pk] // ticket_type.seats
        rows.append(
            {
                "ticket_type": ticket_type,
                "price": format_money(ticket_type.price) if ticket_type.price else _("Free"),
                "member_price": format_money(ticket_type.member_price)
                if ticket_type.has_member_discount
                else "",
                "left": tickets_left,
                "state": state,
                "state_label": state.label,
                "badge": ticket_type_badge(state, left=tickets_left),
                "few_left": state == SalesState.FEW_LEFT,
                "members_only": ticket_type.members_only or event.members_only,
            }
        )
    return rows


def published_event_or_404(slug, *, now):
    """A published event with its figures of sales, from the events kept per edit
    (`listing.published_event`, no query); from the database when this process does not
    keep it yet (published less than a second ago) or it has none."""
    event = published_event(slug, now=now)
    if event is None:
        event = get_object_or_404(with_ticket_types(Event.objects.published(), now=now), slug=slug)
    return event


def _event_for_page(request, slug, *, now):
    """The event of /events/<slug>/: a published one (`published_event_or_404`); for
    staff, who also see drafts, from the database."""
    if not is_event_staff(request.user):
        return published_event_or_404(slug, now=now)
    return get_object_or_404(with_ticket_types(_visible_events(request), now=now), slug=slug)


@require_GET
def event_detail(request, slug, *, extra_context=None):
    """/events/<slug>/; `extra_context(event=..., now=...)` adds to the page what other apps
    show there (see EventDetailView)."""
    now = timezone.now()
    event = _event_for_page(request, slug, now=now)
    ticket_types = list(event.ticket_types.all())
    left = places_left(event, now=now)
    rows = ticket_rows(event, ticket_types, left=left, now=now)
    state = event_sales_state(event, now=now, left=left, ticket_types=ticket_types)
    location = public_location(event, viewer=request.user, at=now)
    sold_out = state == SalesState.SOLD_OUT or any(r["state"] == SalesState.SOLD_OUT for r in rows)
    context = {
        "event": event,
        "rows": rows,
        "sales_state": state,
        "sales_label": state.label,
        "can_buy": state.can_buy,
        "is_free": all(t.price == 0 for t in ticket_types),
        "location": location,
        "venue": visible_venue(event, viewer=request.user, at=now),
        "online_link": event.online_link
        if can_see_online_link(event, viewer=request.user, at=now)
        else "",
        "reveal_message": reveal_message(event, viewer=request.user, at=now),
        "reveal_pending": not event.venue_is_revealed(now),
        "google_calendar_url": _google_calendar_url(event, location=location),
        "json_ld": _json_ld(event, request=request, location=location, rows=rows),
        "show_waitlist": sold_out and not event.is_cancelled,
        "partnership": event.partnership,
    }
    if extra_context is not None:
        context.update(extra_context(event=event, now=now))
    response = render(request, "events/event_detail.html", context)
    return cache_until_next_reveal(response, [event], viewer=request.user, now=now)


@public_page(scopes=["events", "event:{slug}"])
class EventDetailView(View):
    """/events/<slug>/ with a hook a project overrides (nsca's composition.py does) to add
    what other apps show on an event page: `get_extra_context(event=..., now=...)`."""

    def get_extra_context(self, *, event, now) -> dict:
        return {}

    def get(self, request, slug):
        return event_detail(request, slug, extra_context=self.get_extra_context)


def ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@public_page(scopes=["events"])
@require_GET
def event_ics(request, slug):
    now = timezone.now()
    event = _event_for_page(request, slug, now=now)
    response = ics_response(
        ics.event_calendar(event, viewer=request.user, now=now), f"{event.slug}.ics"
    )
    return cache_until_next_reveal(response, [event], viewer=request.user, now=now)


@public_page(scopes=["events"])
@require_GET
def calendar_ics(request):
    """Every upcoming event as one calendar, built once per edit (and again at the next
    reveal or end among them), not per request."""
    now = timezone.now()

    def render(events):
        association = Association.kept()
        name = _("Events") + (f" · {association.name}" if association.name else "")
        return ics.events_calendar(events, name=name, now=now)

    calendar, events = kept_document_of_upcoming_events("events:calendar", render, now=now)
    response = ics_response(calendar, "events.ics")
    # Calendar apps subscribe without signing in: the same file for everyone.
    return cache_until_next_reveal(response, events, viewer=None, now=now)
