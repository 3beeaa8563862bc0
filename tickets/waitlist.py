"""The waiting list: joining a sold-out event, and offering returned places in join order.

Rules:
- One entry per email per event (a database constraint).
- Nobody learns from the page whether an address is on a list: joining answers the same
  way, in the same time, whether the address is new or already there; the work and the
  email happen after the answer (`join_and_tell`, through
  `membership.after_response.RedirectThenRun`). The address's owner is told by email:
  "you are on the list", or "you were already on it since ..." (at most once a day per
  entry, so the form cannot be used to flood someone's inbox).
- Joining only makes sense when nothing is for sale: with places available, the visitor
  goes to the checkout instead.
- When places come back (a cancellation, an expired hold), `offer_returned_places` offers
  them to the next people in join order, by email, with a link to the checkout
  (`?offer=<token>`) valid for `EVENTS_WAITLIST_OFFER_HOURS`. While an offer is open
  (`WaitlistEntryQuerySet.with_offer_state` says where each entry stands), availability
  keeps the places offered (`offered_quantity`: what had come back, at most the number
  wanted) for that person, and only for them and only that many
  (`availability.places_left`; an entry for no type in particular is kept once, from the
  places the types share); its holder may buy that many, once (`orders.reserve_tickets`).
  Places that come back later go to the next person in line, not to a partly served
  offer. An offer that expires unused simply stops holding places, and the next run
  offers them to the next person: nobody is offered twice.
- Two runs at once never offer the same places twice: each event is handled under its row
  lock (`availability.lock_event`) taken with `skip_locked` (a second run skips an event
  the first is working on), and each entry is claimed with a conditional UPDATE
  (`... WHERE offered_at IS NULL`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from association import rate_limits
from association.emails import queue_email
from association.models import Association
from events.models import Event
from events.reveal import public_location

from .availability import lock_event, places_left
from .models import OfferState, TicketType, WaitlistEntry


def offer_duration() -> timedelta:
    return timedelta(hours=settings.EVENTS_WAITLIST_OFFER_HOURS)


def checkout_path(event: Event) -> str:
    return reverse("tickets:checkout", kwargs={"slug": event.slug})


def offer_url(entry: WaitlistEntry) -> str:
    return f"{settings.SITE_URL}{checkout_path(entry.event)}?offer={entry.token}"


def waitlist_is_open(event: Event, *, now: datetime) -> bool:
    """People may join while the event is published, sells tickets, and its registration
    has not closed."""
    return (
        event.status == Event.Status.PUBLISHED
        and event.registration_deadline > now
        and event.ticket_types.exists()
    )


def _places_left_now(event: Event, *, now: datetime):
    """What anyone may buy now of the types on sale (all of them, even when one is asked
    about: they share the event's places), from the rows as they are in the database,
    open offers kept aside."""
    return places_left(
        event,
        now=now,
        ticket_types=[t for t in event.ticket_types.all() if t.is_on_sale(now)],
        offers=list(WaitlistEntry.objects.open_offers(now).filter(event=event)),
    )


def places_available(event: Event, *, now: datetime, ticket_type: TicketType | None = None) -> int:
    """Places anyone may buy now among the ticket types on sale (open waiting-list offers
    are already kept aside)."""
    left = _places_left_now(event, now=now)
    if ticket_type is not None:
        return left.get(ticket_type.pk, 0)
    return left.total


def is_sold_out(event: Event, *, now: datetime, ticket_type: TicketType | None = None) -> bool:
    return places_available(event, now=now, ticket_type=ticket_type) <= 0


def most_places_to_ask_for(*, event: Event, ticket_type: TicketType | None = None) -> int:
    """How many places one person may ask for: no more than one order of that ticket type
    may hold (its `max_per_order`), or, for no type in particular, of the type that allows
    the most. An offer is bought in one order, so asking for more could never be served."""
    if ticket_type is not None:
        return ticket_type.max_per_order
    return max((t.max_per_order for t in event.ticket_types.all()), default=0)


def find_entry(event: Event, email: str) -> WaitlistEntry | None:
    return WaitlistEntry.objects.filter(event=event, email__iexact=email.strip()).first()


def join_waitlist(
    *,
    event: Event,
    name: str,
    email: str,
    quantity: int,
    ticket_type: TicketType | None = None,
) -> tuple[WaitlistEntry, bool]:
    """Add a person to the event's waiting list: (entry, True), or (their entry, False)
    when this email is already on it, whatever its case. `quantity` is at most
    `most_places_to_ask_for` (the form says so to the visitor)."""
    if not 1 <= quantity <= most_places_to_ask_for(event=event, ticket_type=ticket_type):
        raise ValueError(f"Not a number of places one may ask for: {quantity!r}")
    email = email.strip()
    existing = find_entry(event, email)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                event=event,
                ticket_type=ticket_type,
                name=name.strip(),
                email=email,
                quantity=quantity,
            )
    except IntegrityError:
        # The same person submitted twice at once; the other request made the entry.
        return find_entry(event, email), False
    return entry, True


def _email_context(entry: WaitlistEntry, *, now: datetime, **extra) -> dict:
    event = entry.event
    return {
        "association": Association.current(),
        "site_url": settings.SITE_URL,
        "entry": entry,
        "event": event,
        "event_url": f"{settings.SITE_URL}{event.get_absolute_url()}",
        # Emails go through the venue-reveal gate like every other surface.
        "location": public_location(event, at=now),
        **extra,
    }


def _send(name: str, *, to: str, subject: str, context: dict) -> None:
    queue_email(f"tickets/waitlist_{name}", to=to, subject=subject, context=context)


def send_joined_email(entry: WaitlistEntry, *, now: datetime) -> None:
    _send(
        "joined",
        to=entry.email,
        subject=_("You are on the waiting list: %(event)s") % {"event": entry.event.title},
        context=_email_context(entry, now=now),
    )


def send_offer_email(entry: WaitlistEntry, *, places: int, now: datetime) -> None:
    _send(
        "offer",
        to=entry.email,
        subject=_("Tickets are available for you: %(event)s") % {"event": entry.event.title},
        context=_email_context(
            entry,
            now=now,
            places=places,
            offer_url=offer_url(entry),
            expires_at=entry.offer_expires_at,
        ),
    )


def send_already_listed_email(entry: WaitlistEntry, *, now: datetime) -> None:
    _send(
        "already",
        to=entry.email,
        subject=_("You are already on the waiting list: %(event)s") % {"event": entry.event.title},
        context=_email_context(
            entry,
            now=now,
            offer_url=offer_url(entry) if entry.offer_state == OfferState.OPEN else "",
        ),
    )


def join_and_tell(
    *,
    event: Event,
    name: str,
    email: str,
    quantity: int,
    ticket_type: TicketType | None = None,
    now: datetime,
) -> None:
    """After the join page's answer: add the person and email them that they are on the
    list, or, when the address is already on it, tell its owner so by email instead (once
    a day per entry at most)."""
    entry, created = join_waitlist(
        event=event, name=name, email=email, quantity=quantity, ticket_type=ticket_type
    )
    if created:
        send_joined_email(entry, now=now)
        return
    if rate_limits.limit("waitlist-already").hit(f"entry:{entry.pk}"):
        return  # already told today
    entry = WaitlistEntry.objects.with_offer_state(now).select_related("event").get(pk=entry.pk)
    send_already_listed_email(entry, now=now)


@dataclass(frozen=True)
class Offer:
    entry: WaitlistEntry
    places: int


def events_with_waiting_people(*, now: datetime):
    return (
        Event.objects.filter(
            status=Event.Status.PUBLISHED,
            starts_at__gt=now,
            pk__in=WaitlistEntry.objects.in_offer_state(OfferState.WAITING, now=now).values(
                "event_id"
            ),
        )
        .exclude(registration_closes_at__lte=now)
        .order_by("starts_at")
    )


def _claim_offers(event_id: int, *, now: datetime) -> list[Offer]:
    """Offer the event's free places to the next waiting people; returns the offers made.
    Each offer's email is written to the outbox in the transaction that makes the offer,
    so no offer is kept that nobody is told of."""
    with transaction.atomic():
        event = lock_event(event_id=event_id, skip_locked=True)
        if event is None:
            return []  # another run holds this event right now and will make the offers
        # What can be sold, which leaves out open offers, re-read after each claim (this
        # transaction sees its own writes), so offers never exceed the places.
        free = _places_left_now(event, now=now)
        waiting = (
            WaitlistEntry.objects.in_offer_state(OfferState.WAITING, now=now)
            .filter(event=event, quantity__gte=1)  # an offer keeps at least one place
            .select_related("event", "ticket_type")
            .order_by("created_at", "pk")
        )
        offers = []
        for entry in waiting:
            if free.total <= 0:
                break
            # An entry for no type in particular may use any type: what the types have
            # left together (not the sum of each type's figure, which counts shared places
            # more than once).
            places = free.get(entry.ticket_type_id, 0) if entry.ticket_type_id else free.total
            if places <= 0:
                continue  # nothing back of this ticket type; someone later may want another
            expires = now + offer_duration()
            offered = min(entry.quantity, places)
            claimed = WaitlistEntry.objects.filter(pk=entry.pk, offered_at__isnull=True).update(
                offered_at=now, offered_quantity=offered, offer_expires_at=expires
            )
            if not claimed:
                continue
            entry.offered_at, entry.offered_quantity = now, offered
            entry.offer_expires_at = expires
            send_offer_email(entry, places=offered, now=now)
            offers.append(Offer(entry, offered))
            free = _places_left_now(event, now=now)
        return offers


def offer_places_of(*, event_id: int, now: datetime) -> int:
    """Offer what one event has free to its waiting list now (a buyer just cancelled
    tickets): the same claims as the job's, so run at once they make no offer twice.
    Returns how many offers were made."""
    if not events_with_waiting_people(now=now).filter(pk=event_id).exists():
        return 0
    return len(_claim_offers(event_id, now=now))


def offer_returned_places(*, now: datetime) -> str:
    """Job: offer places that came back to the next people on each waiting list."""
    sent = 0
    for event_id in events_with_waiting_people(now=now).values_list("pk", flat=True):
        sent += len(_claim_offers(event_id, now=now))
    return f"{sent} waiting-list offer(s) sent"
