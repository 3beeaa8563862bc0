"""Demo content: the sample events' ticket types, a few paid orders and a waiting list,
from the same file as the events themselves (events/demo_content/events.json), added to
each sample event events' loader made (it runs first: PROJECT_APPS order)."""

import json
from decimal import Decimal

from django.utils import timezone

from association.registry import demo_loaders
from events.demo import CONTENT
from events.models import Event

from .models import TicketType, WaitlistEntry
from .orders import ReservationRequest, confirm_order, mark_order_paid, reserve_tickets


def _load_tickets(event, data, *, now):
    for position, row in enumerate(data.get("ticket_types", [])):
        TicketType.objects.create(
            event=event,
            name=row["name"],
            description=row.get("description", ""),
            price=Decimal(row["price"]),
            member_price=Decimal(row["member_price"]) if row.get("member_price") else None,
            quantity=row["quantity"],
            max_per_order=row.get("max_per_order", 10),
            seats=row.get("seats", 1),
            position=position,
        )
    ticket_types = list(event.ticket_types.order_by("position"))
    for number, row in enumerate(data.get("sample_orders", []), start=1):
        ticket_type = ticket_types[row.get("ticket_type", 0)]
        order = reserve_tickets(
            ReservationRequest(
                event=event,
                lines=[(ticket_type, row["quantity"])],
                buyer={"name": row["name"], "email": row["email"]},
                idempotency_key=f"demo-{event.slug}-{number}",
                now=now,
            )
        ).order
        order.payment_method = "offline"
        order.save(update_fields=["payment_method"])
        confirm_order(order=order, now=now)
        mark_order_paid(order=order, now=now, tell_buyer=False)
        # A table's first guests named, the rest left to name (as a host would).
        seats = order.tickets.order_by("seat_number")
        for ticket, guest in zip(seats, row.get("guests", []), strict=False):
            ticket.attendee_name = guest
            ticket.save(update_fields=["attendee_name"])
    for row in data.get("waitlist", []):
        WaitlistEntry.objects.get_or_create(
            event=event,
            email=row["email"],
            defaults={"name": row["name"], "quantity": row.get("quantity", 1)},
        )


@demo_loaders.register
def load(*, stdout):
    data = json.loads(CONTENT.read_text(encoding="utf-8"))
    now = timezone.now()
    for row in data["events"]:
        event = Event.objects.filter(slug=row["slug"]).first()
        if event is None or event.ticket_types.exists():
            continue  # not loaded, or loaded before: nothing to add
        _load_tickets(event, row, now=now)
        stdout.write(f"  tickets: {event.title}")
