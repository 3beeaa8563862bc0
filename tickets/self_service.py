"""Attendee self-service: what a buyer changes on the order page (the private link), and
a transferred ticket's holder on the ticket's own page, until the event's change deadline;
what staff change for them at any time.

The rule, in one place (`check_changes_allowed`): nothing changes on an order that is not
confirmed (held, cancelled, refunded, expired); a buyer or holder changes only until
`Event.changes_close_at` (then the page is read-only and the caterer's list is final);
staff may change anything at any time. A buyer changes the tickets still theirs (not
those transferred to someone else); a holder, their ticket alone.

Each change is written under the order's row lock and recorded on the order
(`OrderChange`, its history) in the same transaction, saying who changed what.
"""

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from association.formats import format_event_time
from membership.models import POSTAL_ADDRESS_FIELDS

from .models import Order, OrderChange, Ticket

TICKET_DETAIL_FIELDS = ("attendee_name", "meal_choice", "dietary_notes", "attendee_email")
"""What a buyer or holder may change on a ticket."""


class ChangeRefused(Exception):
    """A change that may not be made; `message` says why, for the person asking."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


def changes_closed_reason(order: Order, *, now: datetime.datetime, staff: bool = False) -> str:
    """Why nothing on this order may be changed now by its buyer or a holder (or, with
    `staff`, by staff), in words; empty when changes may be made."""
    if order.status != Order.Status.CONFIRMED:
        if order.status == Order.Status.PENDING:
            return _("Details can be changed once the order is confirmed.")
        return _("This order is closed; nothing on it can be changed.")
    if staff:
        return ""
    if not order.event.changes_are_open(now):
        return _("Changes closed on %(when)s. To change anything now, please write to us.") % {
            "when": format_event_time(order.event.changes_close_at)
        }
    return ""


def check_changes_allowed(order: Order, *, now: datetime.datetime, staff: bool = False) -> None:
    reason = changes_closed_reason(order, now=now, staff=staff)
    if reason:
        raise ChangeRefused(reason)


def record_change(
    order: Order,
    *,
    actor: str,
    description: str,
    now: datetime.datetime,
    user=None,
    ticket_code: str = "",
) -> OrderChange:
    """One line of the order's history (call it in the change's transaction)."""
    return OrderChange.objects.create(
        order=order,
        at=now,
        actor=actor,
        user=user if user is not None and getattr(user, "is_authenticated", False) else None,
        ticket_code=ticket_code,
        description=description,
    )


def _locked_order(order: Order) -> Order:
    return Order.objects.select_related("event").select_for_update(of=("self",)).get(pk=order.pk)


def _describe(ticket: Ticket, before: dict, after: dict) -> str:
    labels = {name: str(Ticket._meta.get_field(name).verbose_name) for name in before}
    parts = [
        _("%(field)s: “%(old)s” → “%(new)s”")
        % {"field": labels[name], "old": before[name], "new": after[name]}
        for name in before
        if before[name] != after[name]
    ]
    who = ticket.seat_label or _("Ticket %(code)s") % {"code": ticket.code}
    return f"{who}: " + "; ".join(parts)


def _clean_details(order: Order, values: Mapping[str, str]) -> dict:
    details = {name: (values.get(name) or "").strip() for name in TICKET_DETAIL_FIELDS}
    meals = order.event.meal_choices
    if details["meal_choice"] and details["meal_choice"] not in meals:
        raise ChangeRefused(_("Please choose a meal from the list."))
    return details


def update_tickets(
    *,
    order: Order,
    details: Mapping[int, Mapping[str, str]],
    now: datetime.datetime,
    actor: str,
    user=None,
) -> int:
    """Write the names, meals, dietary notes and emails given per ticket pk; returns how
    many tickets changed. A buyer (`actor` BUYER) changes the order's tickets not
    transferred; a holder (HOLDER) one transferred ticket; staff (STAFF) any, at any time.
    Raises ChangeRefused."""
    staff = actor == OrderChange.Actor.STAFF
    with transaction.atomic():
        locked = _locked_order(order)
        check_changes_allowed(locked, now=now, staff=staff)
        tickets = Ticket.objects.filter(order=locked, pk__in=list(details))
        if actor == OrderChange.Actor.BUYER:
            tickets = tickets.filter(transferred_at__isnull=True)
        elif actor == OrderChange.Actor.HOLDER:
            tickets = tickets.filter(transferred_at__isnull=False)
        tickets = list(tickets.select_related("ticket_type").order_by("pk"))
        if len(tickets) != len(details):
            raise ChangeRefused(_("Those tickets cannot be changed here."))
        changed = 0
        for ticket in tickets:
            after = _clean_details(locked, details[ticket.pk])
            before = {name: getattr(ticket, name) for name in TICKET_DETAIL_FIELDS}
            if actor == OrderChange.Actor.HOLDER:
                # The holder's email is where their ticket and notices go: staff change it.
                after["attendee_email"] = before["attendee_email"]
            if before == after:
                continue
            for name, value in after.items():
                setattr(ticket, name, value)
            ticket.save(update_fields=list(TICKET_DETAIL_FIELDS))
            record_change(
                locked,
                actor=actor,
                user=user,
                now=now,
                ticket_code=ticket.code,
                description=_describe(ticket, before, after),
            )
            changed += 1
    return changed


def update_address(
    *, order: Order, address: Mapping[str, str], now: datetime.datetime, actor: str, user=None
) -> bool:
    """The buyer's postal address (materials sent by post), until the deadline (staff:
    any time). Returns whether it changed."""
    with transaction.atomic():
        locked = _locked_order(order)
        check_changes_allowed(locked, now=now, staff=actor == OrderChange.Actor.STAFF)
        before = {name: getattr(locked, name) for name in POSTAL_ADDRESS_FIELDS}
        after = {name: (address.get(name) or "").strip() for name in POSTAL_ADDRESS_FIELDS}
        after["country"] = after["country"].upper()
        if before == after:
            return False
        for name, value in after.items():
            setattr(locked, name, value)
            setattr(order, name, value)
        locked.save(update_fields=[*POSTAL_ADDRESS_FIELDS, "updated_at"])
        record_change(
            locked,
            actor=actor,
            user=user,
            now=now,
            description=_("Postal address changed from “%(old)s” to “%(new)s”.")
            % {
                "old": ", ".join(v for v in before.values() if v),
                "new": ", ".join(v for v in after.values() if v),
            },
        )
    return True
