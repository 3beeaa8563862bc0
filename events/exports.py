"""CSV exports for staff: attendee list, meal counts for the caterer, postal addresses.

Each export is a generator of rows, streamed by `csv_response` with the standard csv
module. Only confirmed orders count (a pending checkout is not an attendee). Every cell
goes through `safe_cell`, so a name such as "=HYPERLINK(...)" cannot run as a formula
when the file is opened in a spreadsheet.
"""

import csv
from collections import Counter
from collections.abc import Iterable, Iterator

from django.db.models import Count
from django.http import StreamingHttpResponse

from association.formats import format_short_datetime

from .models import Event, Order, Ticket

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NO_MEAL = "(no choice)"


def safe_cell(value) -> str:
    """The value as text, quoted so spreadsheets never evaluate it as a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def confirmed_tickets(event: Event):
    return (
        Ticket.objects.filter(order__event=event, order__status=Order.Status.CONFIRMED)
        .select_related("order", "ticket_type")
        .order_by("attendee_name", "order__buyer_name", "pk")
    )


def attendee_rows(event: Event) -> Iterator[list]:
    yield [
        "Attendee",
        "Buyer",
        "Email",
        "Phone",
        "Ticket type",
        "Meal",
        "Dietary notes",
        "Code",
        "Order",
        "Paid",
        "Checked in",
    ]
    for ticket in confirmed_tickets(event).iterator(chunk_size=500):
        order = ticket.order
        yield [
            ticket.attendee_name or order.buyer_name,
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
    yield ["Meal", "Count"]
    counts = meal_counts(event)
    yield from ([meal, count] for meal, count in counts)
    yield ["Total", sum(count for _, count in counts)]
    yield []
    yield ["Dietary notes"]
    yield ["Attendee", "Meal", "Dietary notes"]
    for ticket in confirmed_tickets(event).exclude(dietary_notes="").iterator(chunk_size=500):
        yield [
            ticket.attendee_name or ticket.order.buyer_name,
            ticket.meal_choice,
            ticket.dietary_notes,
        ]


def address_rows(event: Event) -> Iterator[list]:
    yield [
        "Name",
        "Address line 1",
        "Address line 2",
        "City",
        "State or region",
        "Postal code",
        "Country",
        "Email",
        "Order",
        "Tickets",
    ]
    orders = (
        Order.objects.filter(event=event, status=Order.Status.CONFIRMED)
        .exclude(address_line1="")
        .annotate(ticket_count=Count("tickets"))
        .order_by("buyer_name", "pk")
    )
    for order in orders.iterator(chunk_size=500):
        yield [
            order.buyer_name,
            order.address_line1,
            order.address_line2,
            order.city,
            order.region,
            order.postal_code,
            order.country,
            order.email,
            order.reference,
            order.ticket_count,
        ]


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value):
        return value


def csv_response(rows: Iterable[list], *, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a byte-order mark, so spreadsheets read the file as UTF-8
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


EXPORTS = {
    "attendees": attendee_rows,
    "meals": meal_rows,
    "addresses": address_rows,
}


def export_response(event: Event, kind: str) -> StreamingHttpResponse:
    return csv_response(EXPORTS[kind](event), filename=f"{event.slug}-{kind}.csv")
