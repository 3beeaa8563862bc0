"""CSV exports for staff: attendee list, meal counts for the caterer, postal addresses.

Each export is a generator of rows, streamed by `association.csv_export.csv_response`
(byte-order mark, formula-safe cells); what one row says of a ticket or an order is the
model's (`Ticket.attendee_export`, `Ticket.dietary_export`, `Order.address_export`). Only
confirmed orders count (a pending checkout is not an attendee):
`Ticket.objects.confirmed_for(event)`, `Order.objects.confirmed()`.
"""

from collections import Counter
from collections.abc import Iterator

from django.db.models import Count, F
from django.http import StreamingHttpResponse

from association.csv_export import csv_response, field_heading
from events.models import Event

from .models import Order, Ticket

NO_MEAL = "(no choice)"


def confirmed_tickets(event: Event):
    """Every seat of the event's confirmed orders, a table's unnamed ones too ("Table 4,
    seat 7 (unnamed)", `Ticket.holder_name`): the caterer feeds each seat."""
    return (
        Ticket.objects.confirmed_for(event)
        .select_related("order", "ticket_type")
        .order_by(
            F("table_number").asc(nulls_first=True),
            "seat_number",
            "attendee_name",
            "order__buyer_name",
            "pk",
        )
    )


def attendee_rows(event: Event) -> Iterator[list]:
    yield Ticket.attendee_export_headings()
    for ticket in confirmed_tickets(event).iterator(chunk_size=500):
        yield list(ticket.attendee_export().values())


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
    yield Ticket.dietary_export_headings()
    for ticket in confirmed_tickets(event).exclude(dietary_notes="").iterator(chunk_size=500):
        yield list(ticket.dietary_export().values())


def address_rows(event: Event) -> Iterator[list]:
    yield Order.address_export_headings()
    orders = (
        Order.objects.confirmed()
        .filter(event=event)
        .exclude(address_line1="")
        .annotate(ticket_count=Count("tickets"))
        .order_by("buyer_name", "pk")
    )
    for order in orders.iterator(chunk_size=500):
        yield list(order.address_export().values())


EXPORTS = {
    "attendees": attendee_rows,
    "meals": meal_rows,
    "addresses": address_rows,
}


def export_response(event: Event, kind: str) -> StreamingHttpResponse:
    return csv_response(EXPORTS[kind](event), filename=f"{event.slug}-{kind}.csv")
