"""Ticket types, orders, tickets and the waiting list: who comes to an event and what they
paid (events holds the events themselves, their venues and the reveal).

Rules about one row live here, on its model or QuerySet: whether a ticket type is on sale
(`TicketType.sales_window`), whether a buyer may still cancel (`Order.buyer_may_cancel`),
who holds tickets (`Order.holds_tickets`), the name on a ticket (`Ticket.holder_name`), a
waiting-list entry's state (`WaitlistEntryQuerySet.with_offer_state`). Rules that span
rows or concurrency live elsewhere, each in one place:
- what can be sold: `tickets/availability.py`;
- reserving, confirming, paying, cancelling and expiring orders: `tickets/orders.py`;
- what a person pays: `tickets/pricing.py`;
- how much one buyer may take without paying: `tickets/limits.py`.
Pay later (check or at the door) is staff's choice per event (`Event.pay_later_is_offered`);
an order placed that way holds its tickets unpaid until `Order.pay_by`, then is released
(`orders.release_unpaid_order`, run by `tickets/tasks.py`).
The counter `TicketType.reserved` (and `Event.reserved`) is written only by `orders`; their
CheckConstraints make overselling impossible in the database itself. Saving a loaded row
names the columns it writes, so none is ever written back stale (`SavesNamedFields`).

These models were born in events; their tables were renamed to this app's names when they
moved (events migrations 0014 and 0015, tickets 0001), rows, content types and staff
permissions kept.
"""

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from association.csv_export import field_heading
from association.formats import format_short_datetime
from association.languages import language_field
from events.models import Event, RefundPolicy, SalesWindow, SavesNamedFields
from membership.models import POSTAL_ADDRESS_FIELDS
from payments.models import Payment

ORDER_PURPOSE = "events.order"
"""What payments calls a ticket order (tickets/order_payments.py registers it). Stored in
every order's payment rows and sent with its card sessions: it keeps the name it was born
with, from when orders were part of events."""


def new_order_token():
    return secrets.token_urlsafe(24)


UNAMBIGUOUS_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""Letters and digits a person reads and types without doubt (no 0/O, 1/I/L), and that
never start a spreadsheet formula."""


def _unambiguous_string(length: int) -> str:
    return "".join(secrets.choice(UNAMBIGUOUS_ALPHABET) for _ in range(length))


def new_ticket_code():
    # 16 characters of 32 (80 bits): unguessable, and typable at the door when a QR code
    # will not scan.
    return _unambiguous_string(16)


def new_order_reference():
    # Short and human; the order's private link is its token, not this.
    return _unambiguous_string(6)


class TicketType(SavesNamedFields):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="ticket_types"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    price = models.DecimalField(_("price"), max_digits=8, decimal_places=2, default=0)
    member_price = models.DecimalField(
        _("member price"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For members in good standing. Empty: members pay the price."),
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    reserved = models.PositiveIntegerField(
        _("reserved"),
        default=0,
        editable=False,
        help_text=_("Tickets held or sold; kept by the inventory module."),
    )
    sales_start = models.DateTimeField(_("on sale from"), null=True, blank=True)
    sales_end = models.DateTimeField(_("on sale until"), null=True, blank=True)
    max_per_order = models.PositiveSmallIntegerField(_("maximum per order"), default=10)
    goods_value = models.DecimalField(
        _("value of goods and services"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "What a ticket buys (a $40 dinner in a $100 supporter ticket), per seat for a "
            "table: receipts of payments over $75 state the rest as deductible. Empty: no "
            "statement."
        ),
    )
    members_only = models.BooleanField(_("members only"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # tables: a ticket that seats several people (a table of 10)
    seats = models.PositiveSmallIntegerField(
        _("seats per ticket"),
        default=1,
        help_text=_(
            "People one ticket seats: 10 for a table of 10. Each seat takes a place and "
            "gets its own code; the buyer names the guests later. The quantity counts "
            "places (6 tables of 10: 60)."
        ),
    )

    columns_written_elsewhere = ("reserved",)  # moved by orders only

    SALE_TERMS = (
        "name",
        "price",
        "member_price",
        "members_only",
        "sales_start",
        "sales_end",
        "max_per_order",
        "goods_value",
        "seats",
    )
    """What a buyer is sold a ticket of this type on (see `sale_terms`)."""

    class Meta:
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        ordering = ["event", "position", "price", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reserved__lte=models.F("quantity")), name="ticket_type_never_oversold"
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="ticket_type_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(member_price__isnull=True) | Q(member_price__gte=0),
                name="ticket_type_member_price_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(max_per_order__gte=1), name="ticket_type_max_per_order_positive"
            ),
            # tables: a ticket seats someone
            models.CheckConstraint(condition=Q(seats__gte=1), name="ticket_type_seats_positive"),
        ]

    def __str__(self):
        return f"{self.event}: {self.name}"

    @property
    def remaining(self):
        return max(self.quantity - self.reserved, 0)

    def sales_window(self, now: datetime.datetime) -> SalesWindow:
        """Where `now` falls in this type's own sales dates (the event's are asked apart)."""
        return SalesWindow.at(now, opens=self.sales_start, closes=self.sales_end)

    def is_on_sale(self, now: datetime.datetime) -> bool:
        """Inside its own sales dates (the event's registration is asked apart)."""
        return self.sales_window(now) == SalesWindow.OPEN

    def sale_terms(self) -> tuple:
        """The fields a buyer is sold on: a checkout shown one set of them never orders
        under another (`orders.reserve_tickets` compares them under the event's lock)."""
        return tuple(getattr(self, name) for name in self.SALE_TERMS)

    @property
    def has_member_discount(self) -> bool:
        """Members in good standing pay less than the price (see `tickets/pricing.py`)."""
        return self.member_price is not None and self.member_price < self.price

    # tables
    @property
    def is_table(self) -> bool:
        return self.seats > 1


class OrderState(models.TextChoices):
    """Where an order stands, as its buyer (and the door) is told: one state, shown by one
    badge (`templates/tickets/includes/order_state.html`). `Order.buyer_state` decides it."""

    HELD = "held", _("Held")
    PAYMENT_DUE = "payment_due", _("Reserved, payment due")
    PAID = "paid", _("Confirmed and paid")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    REFUNDED = "refunded", _("Refunded")

    @property
    def tone(self) -> str:
        """The badge's color (a CSS class suffix): ok, warn or error."""
        if self in (OrderState.PAID, OrderState.CONFIRMED):
            return "ok"
        if self in (OrderState.HELD, OrderState.PAYMENT_DUE):
            return "warn"
        return "error"


class OrderQuerySet(models.QuerySet):
    def confirmed(self):
        """Orders whose tickets are valid, paid or not: what the door admits, what exports
        and revenue count. (A ticket holder is narrower: `holding_tickets`.)"""
        return self.filter(status=Order.Status.CONFIRMED)

    def holding_tickets(self):
        """Ticket holders: confirmed orders with nothing left to pay (paid, or free). The
        queryset form of `Order.holds_tickets`; the reveal gate, the venue emails and
        "ticket holders" mailings select their people with it."""
        return self.confirmed().filter(Q(paid_at__isnull=False) | Q(total=0))

    def awaiting_payment(self):
        """Confirmed orders with money still owed (pay later): their places are held
        without payment until `pay_by`."""
        return self.filter(status=Order.Status.CONFIRMED, paid_at__isnull=True, total__gt=0)

    def unpaid_past_deadline(self, now: datetime.datetime):
        """Unpaid reservations whose time to pay has run out: to be released."""
        return self.awaiting_payment().filter(pay_by__lte=now)

    def payment_reminders_due(self, now: datetime.datetime):
        """Unpaid reservations to remind (once), before they are released."""
        return self.awaiting_payment().filter(
            payment_reminder_due_at__lte=now,
            payment_reminder_sent_at__isnull=True,
            pay_by__gt=now,
        )

    def expired_holds(self, now=None):
        now = now or timezone.now()
        return self.filter(status=Order.Status.PENDING, hold_expires_at__lte=now)

    def for_user(self, user):
        """A signed-in person's orders, newest event first, with what the account page shows."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return (
            self.filter(user=user)
            .exclude(status=Order.Status.EXPIRED)
            .select_related("event", "event__venue")
            .prefetch_related("tickets__ticket_type")
            .order_by("-event__starts_at", "-created_at")
        )


class Order(SavesNamedFields):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        REFUNDED = "refunded", _("Refunded")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="orders"
    )
    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_order_reference, editable=False
    )
    token = models.CharField(
        _("access token"), max_length=64, unique=True, default=new_order_token, editable=False
    )
    network_key = models.CharField(
        _("network key"),
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text=_(
            "A keyed hash of the network address the order came from (never the address "
            "itself), so the places one network holds unpaid can be limited."
        ),
    )
    idempotency_key = models.CharField(
        _("submission key"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("One per checkout form, so the same submission never makes two orders."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
    )
    buyer_name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = language_field()
    address_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("state"), max_length=100, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    total = models.DecimalField(_("total"), max_digits=10, decimal_places=2, default=0)
    payment_method = models.CharField(_("payment method"), max_length=20, blank=True)
    payment_instructions = models.TextField(_("payment instructions"), blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    hold_expires_at = models.DateTimeField(_("hold expires at"), null=True, blank=True)
    pay_by = models.DateTimeField(
        _("pay by"),
        null=True,
        blank=True,
        help_text=_("An unpaid reservation is released at this moment."),
    )
    payment_reminder_due_at = models.DateTimeField(
        _("payment reminder due"), null=True, blank=True, editable=False
    )
    payment_reminder_sent_at = models.DateTimeField(
        _("payment reminder sent"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    venue_notice_sent_at = models.DateTimeField(
        _("venue notice sent"), null=True, blank=True, editable=False
    )
    venue_update_sent_at = models.DateTimeField(
        _("update of time or place sent"), null=True, blank=True, editable=False
    )

    objects = OrderQuerySet.as_manager()

    # `orders` and the checkout move an order through its life (and the counters with
    # it); the notices claim their marks with conditional updates. Staff edit the buyer.
    columns_written_elsewhere = (
        "status",
        "payment_method",
        "payment_instructions",
        "paid_at",
        "hold_expires_at",
        "confirmed_at",
        "cancelled_at",
        "venue_notice_sent_at",
        "venue_update_sent_at",
        "pay_by",
        "payment_reminder_due_at",
        "payment_reminder_sent_at",
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(hold_expires_at__isnull=False),
                name="order_pending_has_hold_expiry",
            ),
        ]
        indexes = [
            # Named as it was made in events (the name Django derives would differ here).
            models.Index(
                fields=["status", "hold_expires_at"], name="events_orde_status_c408a2_idx"
            ),
            models.Index(
                fields=["pay_by"], name="order_unpaid_pay_by", condition=Q(paid_at__isnull=True)
            ),
        ]

    def __str__(self):
        return f"{self.reference} ({self.buyer_name})"

    def get_absolute_url(self):
        return reverse("tickets:order_detail", kwargs={"token": self.token})

    @property
    def is_paid(self):
        return self.paid_at is not None or (self.status == self.Status.CONFIRMED and not self.total)

    @property
    def awaits_payment(self) -> bool:
        """Confirmed with money still owed (pay later). Such an order keeps its places until
        it is paid or released at `pay_by`, but is no ticket holder until it is paid (see
        `holds_tickets`)."""
        return self.status == self.Status.CONFIRMED and self.paid_at is None and self.total > 0

    @property
    def holds_tickets(self) -> bool:
        """A ticket holder: confirmed with nothing left to pay (paid, or free).

        The one rule for who counts as a ticket holder (`OrderQuerySet.holding_tickets` is
        the same rule for many rows): who is shown a holders-only venue and the online link,
        who is emailed the venue, who a "ticket holders" mailing reaches. A pay-later
        reservation is confirmed at once and keeps its places, but until its money comes
        it is not a holder: otherwise anyone with an email address could learn a secret
        venue by reserving, then cancel for free."""
        return self.status == self.Status.CONFIRMED and (self.paid_at is not None or not self.total)

    @property
    def buyer_state(self) -> OrderState:
        """The one state the order page, the account page and the door show: a refunded
        order is refunded and nothing else (not also paid), a reservation owes its
        payment, a paid order is confirmed and paid."""
        if self.status == self.Status.PENDING:
            return OrderState.HELD
        if self.status == self.Status.CONFIRMED:
            if self.awaits_payment:
                return OrderState.PAYMENT_DUE
            return OrderState.PAID if self.total and self.paid_at else OrderState.CONFIRMED
        return OrderState(self.status)

    ADDRESS_EXPORT_FIELDS = ("buyer_name", *POSTAL_ADDRESS_FIELDS, "email")

    @staticmethod
    def address_export_headings() -> list[str]:
        return [
            *(field_heading(Order, name) for name in Order.ADDRESS_EXPORT_FIELDS),
            "Order",
            "Tickets",
        ]

    def address_export(self) -> dict[str, object]:
        """This order as a row of the mailing list for materials sent by post
        (`tickets/exports.py`), by heading; `ticket_count` is annotated there."""
        values = [
            *(getattr(self, name) for name in self.ADDRESS_EXPORT_FIELDS),
            self.reference,
            self.ticket_count,
        ]
        return dict(zip(self.address_export_headings(), values, strict=True))

    @property
    def is_confirmed(self) -> bool:
        """Its tickets are the buyer's (paid or not); otherwise still held (pending)."""
        return self.status == self.Status.CONFIRMED

    @property
    def held_until(self) -> datetime.datetime | None:
        """Until when a pending order holds its places (None once it is anything else)."""
        return self.hold_expires_at if self.status == self.Status.PENDING else None

    @property
    def is_closed(self) -> bool:
        """Cancelled, refunded or expired: nothing on it may be used or changed any more."""
        return self.status not in (self.Status.PENDING, self.Status.CONFIRMED)

    @property
    def cancels_only_by_refund(self) -> bool:
        """Paid by card and still open: staff cancel it by refunding it (the refund
        action), so the buyer's money goes back with the places. A plain cancel would keep
        the money; an order paid offline is cancelled as before (money returned by hand)."""
        return (
            self.payment_method == Payment.Method.CARD
            and self.paid_at is not None
            and not self.is_closed
        )

    def buyer_may_cancel(self, now: datetime.datetime) -> bool:
        """The buyer may cancel (all or some tickets) from the order page now, under the
        event's cancellation policy (`Event.refund_policy`, until
        `Event.cancellations_close_at`): an unpaid or free order always may until then; a
        paid one only when the policy cancels paid orders online, and, when it refunds
        anything, only when it was paid by card (Stripe pays back; a check is returned by
        hand)."""
        return not self.is_closed and not self.why_buyer_may_not_cancel(now)

    def why_buyer_may_not_cancel(self, now: datetime.datetime) -> str:
        """Why an open order cannot be cancelled by its buyer online now, in words for the
        buyer (empty when it can, or when it is closed already): pages and emails say this,
        and whom to write to, instead of promising a cancellation the buyer cannot make."""
        if self.is_closed:
            return ""
        event = self.event
        if now >= event.cancellations_close_at:
            return _("It is too close to the event to cancel this order online.")
        if self.paid_at is not None and self.total:
            if event.refund_policy == RefundPolicy.NOT_ONLINE:
                return _("This order is paid, so it cannot be cancelled online.")
            refunds = event.refund_policy in (RefundPolicy.FULL, RefundPolicy.MINUS_FEE)
            if refunds and self.payment_method != Payment.Method.CARD:
                return _("This order was not paid by card, so its refund cannot be made online.")
        return ""

    # tables
    @property
    def refund_is_automatic(self) -> bool:
        """A buyer's cancellation pays money back through Stripe (`tickets/cancellation`)."""
        return self.payment_method == Payment.Method.CARD and self.paid_at is not None

    def refund_on_cancelling(self, tickets) -> Decimal:
        """What the buyer gets back for cancelling these tickets online now (the policy's
        answer on what they cost; nothing for an unpaid or free order)."""
        if self.paid_at is None or not self.total:
            return Decimal(0)
        return self.event.refund_on_cancelling(sum((t.price for t in tickets), Decimal(0)))


class TicketQuerySet(models.QuerySet):
    def confirmed_for(self, event):
        """The event's valid tickets: those of its confirmed orders (a pending checkout is
        not an attendee)."""
        return self.filter(order__event=event, order__status=Order.Status.CONFIRMED)

    def checked_in(self):
        return self.filter(checked_in_at__isnull=False)

    def not_checked_in(self):
        return self.filter(checked_in_at__isnull=True)


class Ticket(SavesNamedFields):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="tickets"
    )
    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("ticket type"), on_delete=models.PROTECT, related_name="tickets"
    )
    price = models.DecimalField(_("price paid"), max_digits=8, decimal_places=2, default=0)
    attendee_name = models.CharField(_("attendee"), max_length=200, blank=True)
    meal_choice = models.CharField(_("meal"), max_length=120, blank=True)
    dietary_notes = models.CharField(_("dietary notes"), max_length=300, blank=True)
    code = models.CharField(
        _("code"), max_length=32, unique=True, default=new_ticket_code, editable=False
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # tables: a seat of a table, and its guest's email
    table_number = models.PositiveIntegerField(
        _("table"), null=True, blank=True, help_text=_("Numbered in the order tables are sold.")
    )
    seat_number = models.PositiveSmallIntegerField(_("seat"), null=True, blank=True)
    attendee_email = models.EmailField(_("attendee's email"), blank=True)
    # tables: a ticket transferred to someone else has its own private page and notice
    holder_token = models.CharField(
        _("holder's access token"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
    )
    transferred_at = models.DateTimeField(_("transferred at"), null=True, editable=False)
    venue_notice_sent_at = models.DateTimeField(
        _("venue notice sent to its holder"), null=True, editable=False
    )

    objects = TicketQuerySet.as_manager()

    # Check-in at the door is one conditional update; an edit of the attendee's name must
    # not undo it (and let the ticket in twice). A transferred ticket's holder is told the
    # venue once (a conditional update too).
    columns_written_elsewhere = ("checked_in_at", "checked_in_by", "venue_notice_sent_at")

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.ticket_type.name}: {self.holder_name}"

    def get_absolute_url(self):
        """The private page of a transferred ticket's holder (none for the others: they are
        on their order's page)."""
        if not self.holder_token:
            return ""
        return reverse("tickets:ticket_detail", kwargs={"token": self.holder_token})

    @property
    def holder_name(self) -> str:
        """The name on the ticket: the attendee's; a table's seat nobody was named for yet,
        "Table 4, seat 7 (unnamed)"; else the buyer's."""
        if self.attendee_name:
            return self.attendee_name
        if self.is_table_seat:
            return _("%(seat)s (unnamed)") % {"seat": self.seat_label}
        return self.order.buyer_name

    # tables
    @property
    def is_table_seat(self) -> bool:
        return self.table_number is not None

    @property
    def seat_label(self) -> str:
        """ "Table 4, seat 7" (empty for a ticket that is no table's seat)."""
        if self.table_number is None:
            return ""
        return _("Table %(table)s, seat %(seat)s") % {
            "table": self.table_number,
            "seat": self.seat_number,
        }

    @property
    def is_transferred(self) -> bool:
        """Given to someone else: its holder has its own page, code and notices."""
        return self.transferred_at is not None

    @staticmethod
    def attendee_export_headings() -> list[str]:
        return [
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
            # tables
            "Table",
            "Seat",
            field_heading(Ticket, "attendee_email"),
        ]

    def attendee_export(self) -> dict[str, object]:
        """This ticket as a row of the attendee list (`tickets/exports.py`), by heading."""
        order = self.order
        values = [
            self.holder_name,
            order.buyer_name,
            order.email,
            order.phone,
            self.ticket_type.name,
            self.meal_choice,
            self.dietary_notes,
            self.code,
            order.reference,
            "yes" if order.is_paid else "no",
            format_short_datetime(self.checked_in_at),
            self.table_number or "",
            self.seat_number or "",
            self.attendee_email,
        ]
        return dict(zip(self.attendee_export_headings(), values, strict=True))

    @staticmethod
    def dietary_export_headings() -> list[str]:
        return [field_heading(Ticket, name) for name in Ticket.DIETARY_EXPORT_FIELDS]

    DIETARY_EXPORT_FIELDS = ("attendee_name", "meal_choice", "dietary_notes")

    def dietary_export(self) -> dict[str, object]:
        """This ticket as a row of the caterer's dietary notes (`tickets/exports.py`)."""
        values = [self.holder_name, self.meal_choice, self.dietary_notes]
        return dict(zip(self.dietary_export_headings(), values, strict=True))


class RefundedTicket(models.Model):
    """A ticket taken off its order by a partial refund (`orders.release_tickets`). The
    ticket itself leaves the order (its place is back on sale and the order's lists and
    totals no longer hold it); this record keeps its code, so the door says "refunded"
    when it is scanned instead of "no ticket has this code". A whole refund keeps the
    tickets on their refunded order and needs no record here."""

    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        on_delete=models.CASCADE,
        related_name="refunded_tickets",
    )
    ticket_type = models.ForeignKey(
        TicketType,
        verbose_name=_("ticket type"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    price = models.DecimalField(_("price paid"), max_digits=8, decimal_places=2, default=0)
    attendee_name = models.CharField(_("attendee"), max_length=200, blank=True)
    code = models.CharField(_("code"), max_length=32, unique=True, editable=False)
    refunded_at = models.DateTimeField(_("refunded at"))

    class Meta:
        verbose_name = _("refunded ticket")
        verbose_name_plural = _("refunded tickets")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.code

    @property
    def holder_name(self) -> str:
        return self.attendee_name or self.order.buyer_name


class OfferState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OPEN = "open", _("Offer open")
    EXPIRED = "expired", _("Offer expired unused")
    BOUGHT = "bought", _("Bought")

    @property
    def is_open(self) -> bool:
        return self == OfferState.OPEN

    @property
    def is_expired(self) -> bool:
        return self == OfferState.EXPIRED

    @property
    def is_bought(self) -> bool:
        return self == OfferState.BOUGHT


def offer_state_conditions(now: datetime.datetime) -> dict[str, Q]:
    """The one rule for where a waiting-list entry stands, as each state's condition (they
    exclude each other): bought once its holder bought; waiting until offered; an offer is
    open until it expires, then expired unused (it holds no places any more)."""
    unbought = Q(fulfilled_at__isnull=True)
    offered = unbought & Q(offered_at__isnull=False)
    return {
        OfferState.BOUGHT: Q(fulfilled_at__isnull=False),
        OfferState.WAITING: unbought & Q(offered_at__isnull=True),
        OfferState.OPEN: offered & Q(offer_expires_at__gt=now),
        OfferState.EXPIRED: offered & ~Q(offer_expires_at__gt=now),
    }


class WaitlistEntryQuerySet(models.QuerySet):
    def with_offer_state(self, now: datetime.datetime):
        """Annotate `offer_state` (an `OfferState`), from `offer_state_conditions`."""
        conditions = offer_state_conditions(now)
        return self.annotate(
            offer_state=Case(
                *(
                    When(condition, then=Value(state))
                    for state, condition in conditions.items()
                    if state != OfferState.EXPIRED
                ),
                default=Value(OfferState.EXPIRED),
                output_field=models.CharField(),
            )
        )

    def in_offer_state(self, state: str, *, now: datetime.datetime):
        """Entries in this state: a plain filter on its condition (its indexes usable, and
        cheap to build: a checkout asks for the open offers twice)."""
        condition = offer_state_conditions(now).get(state)
        return self.none() if condition is None else self.filter(condition)

    def open_offers(self, now: datetime.datetime):
        """Entries whose offer holds places for their holder right now."""
        return self.in_offer_state(OfferState.OPEN, now=now)


class WaitlistEntry(SavesNamedFields):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="waitlist"
    )
    ticket_type = models.ForeignKey(
        TicketType,
        verbose_name=_("ticket type"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="waitlist",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    quantity = models.PositiveSmallIntegerField(_("tickets wanted"), default=1)
    token = models.CharField(max_length=64, unique=True, default=new_order_token, editable=False)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offered_quantity = models.PositiveSmallIntegerField(
        _("places offered"),
        null=True,
        blank=True,
        help_text=_(
            "How many places the offer keeps for this person: what had come back when it "
            "was made, at most the number wanted."
        ),
    )
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("bought at"), null=True, blank=True)

    objects = WaitlistEntryQuerySet.as_manager()

    # The waiting-list job claims an offer and the order marks it bought, each with a
    # conditional update. (Staff may still change `offer_expires_at`, to extend an offer.)
    columns_written_elsewhere = ("offered_at", "offered_quantity", "fulfilled_at")

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting list")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                "event", "email", name="waitlist_one_entry_per_email_per_event"
            ),
            # An offer keeps a number of places, between one and the number wanted; an
            # entry not offered keeps none.
            models.CheckConstraint(
                condition=Q(offered_at__isnull=True, offered_quantity__isnull=True)
                | Q(
                    offered_at__isnull=False,
                    offered_quantity__gte=1,
                    offered_quantity__lte=models.F("quantity"),
                ),
                name="waitlist_offer_keeps_between_one_and_the_places_wanted",
            ),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def offer_standing(self) -> OfferState:
        """Where the entry stands, from `offer_state` (annotated by `with_offer_state`)."""
        return OfferState(self.offer_state)

    def clean(self):
        super().clean()
        # Staff may lower the number wanted, not below the places an offer already keeps.
        if self.offered_quantity is not None and (self.quantity or 0) < self.offered_quantity:
            raise ValidationError(
                {
                    "quantity": _(
                        "%(n)s places were already offered to this person; "
                        "the number wanted cannot go below that."
                    )
                    % {"n": self.offered_quantity}
                }
            )


# ---- tables and self-service (issue 23) ----


class OrderChange(models.Model):
    """One line of an order's history: a guest named, a meal changed, a ticket transferred
    or cancelled, a seat released, by its buyer, a ticket's holder or staff. Written by
    `tickets/self_service.py` and its neighbors, in the transaction of the change."""

    class Actor(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        HOLDER = "holder", _("Ticket holder")
        STAFF = "staff", _("Staff")

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="changes"
    )
    at = models.DateTimeField(_("when"))
    actor = models.CharField(_("by"), max_length=10, choices=Actor.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ticket_code = models.CharField(_("ticket"), max_length=32, blank=True)
    description = models.TextField(_("what changed"))

    class Meta:
        verbose_name = _("change to an order")
        verbose_name_plural = _("history of changes")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.order.reference}: {self.description[:60]}"


class RetiredTicketCode(models.Model):
    """A code a ticket no longer has: a transfer gave the ticket a new one. The door says
    so when the old one is scanned, instead of "no ticket has this code"."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="retired_codes"
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    retired_at = models.DateTimeField(_("replaced at"))

    class Meta:
        verbose_name = _("replaced ticket code")
        verbose_name_plural = _("replaced ticket codes")
        ordering = ["-retired_at"]

    def __str__(self):
        return self.code
