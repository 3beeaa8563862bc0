"""Check-in at the door: who may come in, and letting each ticket in once.

A ticket admits its holder when it belongs to this event and its order is confirmed.
An offline order that is confirmed but unpaid is a valid reservation: the holder comes
in and staff collect the amount at the door. Pending (checkout not finished), cancelled,
expired and refunded orders admit nobody, nor does a ticket a partial refund took off its
order (known by its code, `RefundedTicket`), nor the old code of a transferred ticket
(`RetiredTicketCode`: the new holder has a new one). A table's seats come in one by one,
or all at once (`check_in_table`).

`check_in` is one conditional UPDATE (`... WHERE checked_in_at IS NULL`), so two phones
scanning the same code at the same moment let it in once and refuse the other;
`undo_check_in` is its reverse, for a ticket scanned by mistake.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from association.formats import format_event_time, format_money
from events.models import Event

from .models import Order, RefundedTicket, RetiredTicketCode, Ticket

NAME_RESULTS_LIMIT = 50

TICKET_CODE = re.compile(r"\A[A-Za-z0-9_-]{1,32}\Z")
"""Any code a ticket has ever had: today's unambiguous letters and digits, or the older
`token_urlsafe` codes. Anything else (a NUL byte, which PostgreSQL refuses in a query)
cannot be a ticket and never reaches the database."""


def normalize_code(raw: str) -> str:
    """A code as typed or scanned: surrounding spaces dropped. From a scanned URL, its
    `code` query parameter (what ticket QR codes hold, see qr.py), else its last part."""
    code = (raw or "").strip()
    if "/" in code or "?" in code:
        try:
            url = urlsplit(code)
        except ValueError:  # not a URL after all (e.g. "//[x", a broken IPv6 host)
            return ""
        from_query = parse_qs(url.query).get("code")
        code = from_query[0].strip() if from_query else url.path.rstrip("/").rsplit("/", 1)[-1]
    return code[:64]


def find_ticket(code: str) -> Ticket | None:
    code = normalize_code(code)
    if not TICKET_CODE.match(code):
        return None
    # Codes are upper case; a code typed in lower case is the same code. (Codes issued
    # before that rule were mixed case and are matched exactly.)
    return (
        Ticket.objects.select_related("order", "order__event", "ticket_type", "checked_in_by")
        .filter(Q(code=code) | Q(code=code.upper()))
        .first()
    )


def find_refunded_ticket(code: str) -> RefundedTicket | None:
    """The ticket with this code that a partial refund took off its order, if any."""
    code = normalize_code(code)
    if not TICKET_CODE.match(code):
        return None
    return (
        RefundedTicket.objects.select_related("order", "order__event", "ticket_type")
        .filter(Q(code=code) | Q(code=code.upper()))
        .first()
    )


def find_retired_code(code: str) -> RetiredTicketCode | None:
    """The code a transfer took off a ticket (it was given a new one), if this is one."""
    code = normalize_code(code)
    if not TICKET_CODE.match(code):
        return None
    return (
        RetiredTicketCode.objects.select_related("ticket__order__event")
        .filter(Q(code=code) | Q(code=code.upper()))
        .first()
    )


def retired_admission(retired: RetiredTicketCode) -> "Admission":
    """An old code admits nobody: its ticket was transferred and has a new code, which
    its new holder has."""
    return Admission(
        False,
        "transferred",
        _(
            "This code was replaced on %(when)s when its ticket was transferred to someone "
            "else; it no longer admits anyone. The new holder has a new code."
        )
        % {"when": format_event_time(retired.retired_at)},
    )


def table_seats(ticket: Ticket):
    """The seats of the ticket's table (the ticket's own among them), in seat order."""
    if ticket.table_number is None:
        return Ticket.objects.filter(pk=ticket.pk)
    return Ticket.objects.filter(
        order_id=ticket.order_id, table_number=ticket.table_number
    ).order_by("seat_number")


def check_in_table(*, ticket: Ticket, event: Event, by, now: datetime) -> int:
    """Let a whole table in at once (the host arrives with the guests): every seat of the
    ticket's table not yet in, each once (the same conditional update as one ticket).
    Returns how many seats this call checked in (0 when the order admits nobody)."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=ticket.order_id)
        ticket.order = order
        verdict = admission(ticket, event=event)
        if not verdict.admits and verdict.reason != "already_checked_in":
            return 0
        return (
            table_seats(ticket)
            .filter(checked_in_at__isnull=True)
            .update(checked_in_at=now, checked_in_by=by)
        )


def search_by_name(event: Event, query: str):
    """The event's confirmed tickets whose attendee or buyer name contains the query."""
    query = (query or "").strip()
    # No stored name holds a NUL byte (PostgreSQL refuses them, in a query too).
    if not query or "\x00" in query:
        return Ticket.objects.none()
    return (
        Ticket.objects.confirmed_for(event)
        .filter(
            Q(attendee_name__icontains=query)
            | Q(order__buyer_name__icontains=query)
            | Q(order__reference__iexact=query)
        )
        .select_related("order", "ticket_type", "checked_in_by")
        .order_by("attendee_name", "order__buyer_name", "pk")[:NAME_RESULTS_LIMIT]
    )


@dataclass(frozen=True)
class Admission:
    """Whether a ticket lets its holder in now, and what staff should be told."""

    admits: bool
    reason: str
    message: str
    amount_due: object = None


def refunded_admission(ticket: RefundedTicket, *, event: Event) -> Admission:
    """A refunded ticket admits nobody; staff are told when, and for which event it was."""
    message = _("This ticket was refunded on %(when)s.") % {
        "when": format_event_time(ticket.refunded_at)
    }
    if ticket.order.event_id != event.pk:
        message += " " + _("It was for another event: %(event)s.") % {
            "event": ticket.order.event.title
        }
    return Admission(False, "refunded", message)


def _who(ticket: Ticket) -> str:
    user = ticket.checked_in_by
    if user is None:
        return _("unknown staff")
    return user.get_full_name() or user.email


def admission(ticket: Ticket, *, event: Event) -> Admission:
    order = ticket.order
    if order.event_id != event.pk:
        return Admission(
            False,
            "wrong_event",
            _("This ticket is for another event: %(event)s.") % {"event": order.event.title},
        )
    refusals = {
        Order.Status.PENDING: _("This order was never completed (checkout not finished)."),
        Order.Status.CANCELLED: _("This order was cancelled."),
        Order.Status.EXPIRED: _("This order expired before it was completed."),
        Order.Status.REFUNDED: _("This order was refunded."),
    }
    if order.status in refusals:
        return Admission(False, order.status, refusals[order.status])
    if ticket.checked_in_at:
        return Admission(
            False,
            "already_checked_in",
            _("Already checked in on %(when)s by %(who)s.")
            % {"when": format_event_time(ticket.checked_in_at), "who": _who(ticket)},
        )
    if not order.is_paid:
        return Admission(
            True,
            "unpaid",
            _("Unpaid: collect %(amount)s at the door (order total).")
            % {"amount": format_money(order.total)},
            amount_due=order.total,
        )
    return Admission(True, "ok", _("Valid ticket."))


@dataclass(frozen=True)
class CheckInResult:
    ticket: Ticket
    checked_in: bool
    admission: Admission


def check_in(*, ticket: Ticket, event: Event, by, now: datetime) -> CheckInResult:
    """Let the ticket in once. Refused for another event, an invalid order, or a second time."""
    with transaction.atomic():
        # The order's row lock keeps a cancellation from slipping in between check and update.
        order = Order.objects.select_for_update().get(pk=ticket.order_id)
        ticket.order = order
        verdict = admission(ticket, event=event)
        if verdict.admits:
            updated = Ticket.objects.filter(pk=ticket.pk, checked_in_at__isnull=True).update(
                checked_in_at=now, checked_in_by=by
            )
        else:
            updated = 0
    fresh = Ticket.objects.select_related(
        "order", "order__event", "ticket_type", "checked_in_by"
    ).get(pk=ticket.pk)
    if updated:
        return CheckInResult(fresh, True, admission_after_check_in(fresh))
    return CheckInResult(fresh, False, admission(fresh, event=event))


def admission_after_check_in(ticket: Ticket) -> Admission:
    order = ticket.order
    if not order.is_paid:
        return Admission(
            True,
            "unpaid",
            _("Checked in. Unpaid: collect %(amount)s at the door.")
            % {"amount": format_money(order.total)},
            amount_due=order.total,
        )
    return Admission(True, "ok", _("Checked in."))


def undo_check_in(tickets) -> int:
    """Let these tickets in again (scanned by mistake); returns how many were checked in."""
    return tickets.filter(checked_in_at__isnull=False).update(
        checked_in_at=None, checked_in_by=None
    )


def arrivals(event: Event) -> dict:
    """How many of the event's valid tickets there are (`total`) and have come (`arrived`)."""
    return Ticket.objects.confirmed_for(event).aggregate(
        total=Count("pk"), arrived=Count("pk", filter=Q(checked_in_at__isnull=False))
    )
