"""CSV exports for staff: attendee list, meal counts for the caterer, postal addresses.

Each export is a generator of rows, streamed by `association.csv_export.csv_response`
(byte-order mark, formula-safe cells). Only confirmed orders count (a pending checkout is
not an attendee): `Ticket.objects.confirmed_for(event)`, `Order.objects.confirmed()`.
"""

from collections import Counter
from collections.abc import Iterator

from django.db.models import Count
from django.http import StreamingHttpResponse

from association.csv_export import csv_response, field_heading
from association.formats import format_short_datetime
from membership.models import POSTAL_ADDRESS_FIELDS

from .models import Event, Order, Ticket

NO_MEAL = "(no choice)"


def confirmed_tickets(event: Event):
    return (
        Ticket.objects.confirmed_for(event)
        .select_related("order", "ticket_type")
        .order_by("attendee_name", "order__buyer_name", "pk")
    )


def attendee_rows(event: Event) -> Iterator[list]:
    yield [
        field_heading(Ticket, "attendee_name"),
        "Buyer",
        field_heading(Order, "email"),
        field_heading(Order, "phone"),
        field_heading(Ticket, "ticket_type"),
        field_heading(Ticket, "meal_choice"),
        field_heading(Ticket, "dietary_notes"),
        field_heading(Ticket, "code"),
        field_heading(Ticket, "order"),
        "Paid",
        "Checked in",
    ]
    for ticket in confirmed_tickets(event).iterator(chunk_size=500):
        order = ticket.order
        yield [
            ticket.holder_name,
            order.buyer_name,
            order.email,
            order.phone,
            ticket.ticket_type.name,
            ticket.meal_choice,
            ticket.dietary_notes,
            ticket.code,
            order.reference,
            "yes" if order.is_paid else "no",
            format_short_datetime(ticket.checked_in_at),
        ]


def meal_counts(event: Event) -> list[tuple[str, int]]:
    """(meal, count) for every meal the event offers, then any other choice found."""
    counts = Counter(
        {
            row["meal_choice"]: row["n"]
            for row in confirmed_tickets(event)
            .order_by()
            .values("meal_choice")
            .annotate(n=Count("pk"))
        }
    )
    result = [(meal, counts.pop(meal, 0)) for meal in event.meal_choices]
    no_choice = counts.pop("", 0)
    result += sorted(counts.items())
    if no_choice:
        result.append((NO_MEAL, no_choice))
    return result


def meal_rows(event: Event) -> Iterator[list]:
    yield [field_heading(Ticket, "meal_choice"), "Count"]
    counts = meal_counts(event)
    yield from ([meal, count] for meal, count in counts)
    yield ["Total", sum(count for _, count in counts)]
    yield []
    yield [field_heading(Ticket, "dietary_notes")]
    yield [
        field_heading(Ticket, "attendee_name"),
        field_heading(Ticket, "meal_choice"),
        field_heading(Ticket, "dietary_notes"),
    ]
    for ticket in confirmed_tickets(event).exclude(dietary_notes="").iterator(chunk_size=500):
        yield [ticket.holder_name, ticket.meal_choice, ticket.dietary_notes]


ADDRESS_FIELDS = ("buyer_name", *POSTAL_ADDRESS_FIELDS, "email")


def address_rows(event: Event) -> Iterator[list]:
    yield [*(field_heading(Order, name) for name in ADDRESS_FIELDS), "Order", "Tickets"]
    orders = (
        Order.objects.confirmed()
        .filter(event=event)
        .exclude(address_line1="")
        .annotate(ticket_count=Count("tickets"))
        .order_by("buyer_name", "pk")
    )
    for order in orders.iterator(chunk_size=500):
        yield [
            *(getattr(order, name) for name in ADDRESS_FIELDS),
            order.reference,
            order.ticket_count,
        ]


EXPORTS = {
    "attendees": attendee_rows,
    "meals": meal_rows,
    "addresses": address_rows,
}


def export_response(event: Event, kind: str) -> StreamingHttpResponse:
    return csv_response(EXPORTS[kind](event), filename=f"{event.slug}-{kind}.csv")
