"""Events, ticket types, orders, tickets and the waiting list.

Rules about one row live here, on its model or QuerySet: whether registration is open and
a ticket type on sale (`Event.registration_window`, `TicketType.sales_window`), whether the
venue's moment has come (`Event.venue_is_revealed`), whether a buyer may still cancel
(`Order.buyer_may_cancel`), the name on a ticket (`Ticket.holder_name`), a waiting-list
entry's state (`WaitlistEntryQuerySet.with_offer_state`). Rules that span rows or
concurrency live elsewhere, each in one place:
- who may see the venue: `events/reveal.py`;
- what can be sold: `events/availability.py`;
- reserving, confirming, paying, cancelling and expiring orders: `events/orders.py`;
- what a person pays: `events/pricing.py`;
- how much one buyer may take without paying: `events/limits.py`.
Pay later (check or at the door) is staff's choice per event (`Event.pay_later_is_offered`);
an order placed that way holds its tickets unpaid until `Order.pay_by`, then is released
(`orders.release_unpaid_order`, run by `events/jobs.py`).
The counters `TicketType.reserved` and `Event.reserved` are written only by `orders`;
their CheckConstraints make overselling impossible in the database itself. Saving a loaded
row names the columns it writes, so none is ever written back stale (`SavesNamedFields`).
"""

import datetime
import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from association.csv_export import field_heading
from association.formats import format_short_datetime
from association.images import UPLOAD_HELP_TEXT, store_sanitized_upload, validate_image_upload
from membership.models import POSTAL_ADDRESS_FIELDS
from payments.models import Payment

ORDER_PURPOSE = "events.order"
"""What payments calls a ticket order (events/order_payments.py registers it)."""


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


def normalise_line_breaks(text):
    """Browsers send a textarea's line breaks as CRLF; a shell or a fixture writes LF. The
    same text must compare (and be stored) the same either way."""
    if not isinstance(text, str):
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


class SavesNamedFields(models.Model):
    """A model with columns that only their owning module writes, with conditional
    UPDATEs: the `reserved` counters, an order's status and its notice marks, a door
    check-in, a waiting-list offer (`columns_written_elsewhere`).

    A full save() writes every column with the value read when the row was loaded, so a
    copy loaded a moment earlier (the admin's change form, a shell session) would undo what
    the owner wrote since: tickets bought in between vanish from the counters, a cancelled
    order comes back, a venue notice goes out twice. So saving an existing row names the
    columns it writes (`save(update_fields=[...])`), and a save that names none is refused
    with an error: never narrowed in silence. The admin writes the fields its form shows
    (`events.admin.fields_the_form_writes`). A new row is saved whole, as usual.
    """

    columns_written_elsewhere: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if (
            not self._state.adding
            and not args
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            raise TypeError(
                f"{type(self).__name__}.save() of an existing row must name update_fields: "
                f"{', '.join(self.columns_written_elsewhere)} are written by their owner "
                "alone, and a full save would write back the values loaded with this copy."
            )
        super().save(*args, **kwargs)


class SalesWindow(models.TextChoices):
    """Where a moment falls in a window of sales (an event's registration, a ticket type's
    own dates): not yet open, open, or closed."""

    NOT_YET_OPEN = "not_open", _("not yet open")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")

    @classmethod
    def at(cls, moment, *, opens, closes) -> "SalesWindow":
        """Open from `opens` (empty: always was) until just before `closes` (empty: never
        closes)."""
        if opens is not None and opens > moment:
            return cls.NOT_YET_OPEN
        if closes is not None and closes <= moment:
            return cls.CLOSED
        return cls.OPEN


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"))
    directions = models.TextField(_("directions"), blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    # What the reveal gate hides; a change to any of these after the reveal is news.
    REVEALED_FIELDS = ("name", "address", "directions", "latitude", "longitude")

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Stored with plain line breaks, whoever saves it: an unchanged admin save (CRLF) of
        # an address stored with LF must not look like a move (`revealed_details`).
        for name in ("address", "directions"):
            if name in self.__dict__:  # a deferred field is not loaded just for this
                self.__dict__[name] = normalise_line_breaks(self.__dict__[name])
        super().save(*args, **kwargs)

    def revealed_details(self) -> tuple:
        """What the reveal gate hides of this venue, as compared to tell whether an edit
        moved it (`notifications.record_venue_edit`). Line breaks are normalised, or an
        unchanged admin save (CRLF) of an address stored with LF would look like a move and
        email every ticket holder after the reveal."""
        return tuple(normalise_line_breaks(getattr(self, name)) for name in self.REVEALED_FIELDS)


class EventQuerySet(models.QuerySet):
    def published(self):
        """Visible to the public: published or cancelled (a cancelled event stays listed)."""
        return self.filter(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])

    def listed(self):
        """What list pages need in one query: the venue (for the gate) and the partnership."""
        return self.select_related("venue", "partnership", "partnership__partner_city")

    def ending_from(self, now: datetime.datetime):
        """Events not over at `now` (published or not): to come, or under way."""
        return self.filter(ends_at__gte=now)

    def ended_before(self, now: datetime.datetime):
        """Events over by `now` (published or not)."""
        return self.filter(ends_at__lt=now)

    def upcoming(self, now=None):
        now = now or timezone.now()
        return self.published().ending_from(now).order_by("starts_at")

    def past(self, now=None):
        now = now or timezone.now()
        return self.published().ended_before(now).order_by("-starts_at")

    def with_sales_figures(self, now: datetime.datetime, *, staff_counts: bool = True):
        """The figures of sales, for the public pages and the admin alike, in a fixed number
        of queries whatever the number of events: the ticket types (in page order) and the
        open waiting-list offers (`event.open_offers`), from which
        `availability.places_left` tells what can still be sold (what both show); and, with
        `staff_counts` (the admin; public pages never show them and skip their cost),
        counted by the database, `figure_sold` (tickets of confirmed orders),
        `figure_held` (of pending orders still holding), `figure_unpaid` (of confirmed
        orders still owing money: pay later), `figure_checked_in` and `figure_revenue`
        (what confirmed orders brought in, net of refunds; an unpaid one counts its total).
        Subqueries, not joins, so the counts never multiply."""
        events = self.prefetch_related(
            Prefetch(
                "ticket_types", queryset=TicketType.objects.order_by("position", "price", "pk")
            ),
            Prefetch(
                "waitlist", queryset=WaitlistEntry.objects.open_offers(now), to_attr="open_offers"
            ),
        )
        if not staff_counts:
            # Before the staff subqueries are even built: building them is a millisecond
            # of Python a public page (a checkout in a rush) would spend for nothing.
            return events
        tickets = Ticket.objects.filter(order__event=OuterRef("pk")).order_by()
        confirmed = Q(order__status=Order.Status.CONFIRMED)

        def count(condition):
            rows = tickets.filter(condition).values("order__event").annotate(n=Count("pk"))
            return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), Value(0))

        money = DecimalField(max_digits=12, decimal_places=2)
        # An order paid brought in what its payments kept after refunds (a partial refund
        # made in Stripe's dashboard lowers it without touching the tickets); one not yet
        # paid (pay later) counts its total.
        revenue = (
            Order.objects.confirmed()
            .filter(event=OuterRef("pk"))
            .annotate(
                brought_in=Coalesce(
                    Payment.objects.net_received_for(
                        purpose=ORDER_PURPOSE, object_id=OuterRef("pk")
                    ),
                    F("total"),
                    output_field=money,
                )
            )
            .order_by()
            .values("event")
            .annotate(sum=Sum("brought_in"))
            .values("sum")
        )
        return events.annotate(
            figure_sold=count(confirmed),
            figure_held=count(
                Q(order__status=Order.Status.PENDING, order__hold_expires_at__gt=now)
            ),
            figure_unpaid=count(confirmed & Q(order__paid_at__isnull=True, order__total__gt=0)),
            figure_checked_in=count(confirmed & Q(checked_in_at__isnull=False)),
            figure_revenue=Coalesce(
                Subquery(revenue, output_field=money), Value(0, output_field=money)
            ),
        )


# tables: the cancellation policy's choices (Event.refund_policy)
class RefundPolicy(models.TextChoices):
    NOT_ONLINE = "not_online", _("Paid orders are not cancelled online (buyers write to us)")
    FULL = "full", _("Cancelled online and refunded in full")
    MINUS_FEE = "minus_fee", _("Cancelled online and refunded minus the fee")
    NO_REFUND = "no_refund", _("Cancelled online, not refunded")


CHANGE_DEADLINE_BEFORE_START = timedelta(days=3)
"""An event's change deadline when staff set none (`Event.changes_close_at`)."""


class Event(SavesNamedFields):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    class RevealAudience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone")
        TICKET_HOLDERS = "ticket_holders", _("Ticket holders only")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("description"), blank=True)
    image = models.ImageField(
        _("image"),
        upload_to="events/",
        blank=True,
        validators=[validate_image_upload],
        help_text=UPLOAD_HELP_TEXT,
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    format = models.CharField(
        _("format"), max_length=20, choices=Format.choices, default=Format.IN_PERSON
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    venue_hint = models.CharField(
        _("public venue hint"),
        max_length=200,
        blank=True,
        help_text=_('Shown until the venue is revealed, for example "Downtown Norfolk".'),
    )
    venue_reveal_at = models.DateTimeField(
        _("reveal venue at"),
        null=True,
        blank=True,
        help_text=_("Empty: the venue is public at once."),
    )
    reveal_audience = models.CharField(
        _("reveal the venue to"),
        max_length=20,
        choices=RevealAudience.choices,
        default=RevealAudience.TICKET_HOLDERS,
    )
    venue_changed_at = models.DateTimeField(
        _("venue last changed"), null=True, blank=True, editable=False
    )
    schedule_changed_at = models.DateTimeField(
        _("date or time last changed"), null=True, blank=True, editable=False
    )
    online_link = models.URLField(
        _("online link"), blank=True, help_text=_("Shown to ticket holders only.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    capacity = models.PositiveIntegerField(
        _("overall capacity"),
        null=True,
        blank=True,
        help_text=_("Empty: only the ticket types' quantities limit sales."),
    )
    reserved = models.PositiveIntegerField(
        _("places reserved"),
        default=0,
        editable=False,
        help_text=_("Tickets held or sold; kept by the inventory module."),
    )
    collects_shipping_address = models.BooleanField(
        _("collects a postal address"),
        default=False,
        help_text=_("For materials sent by post."),
    )
    meal_options = models.TextField(
        _("meal options"), blank=True, help_text=_("One per line. Empty: no meal choice.")
    )
    members_only = models.BooleanField(_("members only"), default=False)
    partnership = models.ForeignKey(
        "cities.Partnership",
        verbose_name=_("related partnership"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        help_text=_("The sister or friendship city this event is about, if any."),
    )
    # Off by default: a new paid event takes no order that holds places without paying
    # unless staff choose to offer it (each such order is a ticket holder until released).
    pay_later_allowed = models.BooleanField(
        _("offer pay later"),
        default=False,
        help_text=_(
            "Let buyers reserve now and pay by check or at the door. Unpaid reservations "
            "are reminded, then released to the waiting list."
        ),
    )
    pay_later_until = models.DateTimeField(
        _("offer pay later until"),
        null=True,
        blank=True,
        help_text=_("Empty: while registration is open, until shortly before the start."),
    )
    pay_later_days = models.PositiveSmallIntegerField(
        _("days to pay"),
        default=7,
        help_text=_(
            "An unpaid reservation is released this many days after it was made, and in "
            "any case before the event starts."
        ),
    )
    is_sample = models.BooleanField(
        _("sample event"), default=False, help_text=_("Demo content, marked as a sample.")
    )
    # tables: attendee self-service until a deadline, and the cancellation policy
    change_deadline = models.DateTimeField(
        _("changes close"),
        null=True,
        blank=True,
        help_text=_(
            "Until then, buyers name their guests and change names, meals, dietary notes "
            "and postal addresses, and transfer tickets, on their order page; after it the "
            "caterer's list is final. Empty: 3 days before the start."
        ),
    )
    cancellation_deadline = models.DateTimeField(
        _("buyers may cancel until"),
        null=True,
        blank=True,
        help_text=_("Empty: until changes close."),
    )
    refund_policy = models.CharField(
        _("cancellation policy"),
        max_length=20,
        choices=RefundPolicy.choices,
        default=RefundPolicy.NOT_ONLINE,
        help_text=_(
            "What a buyer who cancels a paid order online gets back. Unpaid and free "
            "orders may always be cancelled until the deadline."
        ),
    )
    cancellation_fee = models.DecimalField(
        _("cancellation fee"),
        max_digits=8,
        decimal_places=2,
        default=0,
        help_text=_("Kept from each online cancellation's refund, with the policy above."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    # Orders move `reserved`; the moves ticket holders are told of are noted apart
    # (`record_venue_change`, `record_schedule_change`).
    columns_written_elsewhere = ("reserved", "venue_changed_at", "schedule_changed_at")

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(reserved__lte=models.F("capacity")),
                name="event_never_oversold",
            ),
            models.CheckConstraint(
                condition=Q(venue_reveal_at__isnull=True)
                | Q(venue_reveal_at__lte=models.F("starts_at")),
                name="event_venue_revealed_by_start",
                violation_error_message=_("The venue must be revealed by the time it starts."),
            ),
            models.CheckConstraint(
                condition=Q(pay_later_days__gte=1), name="event_pay_later_days_positive"
            ),
            # tables: the fee is money kept, never negative
            models.CheckConstraint(
                condition=Q(cancellation_fee__gte=0), name="event_cancellation_fee_not_negative"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # A venue photo's GPS position would publish a secret venue: only a re-encoded,
        # metadata-free copy of an upload is ever stored.
        store_sanitized_upload(self, field="image")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("events:event_detail", kwargs={"slug": self.slug})

    MOVE_FIELDS = ("starts_at", "ends_at", "venue")
    """What ticket holders must hear of when it changes: when and where the event is
    (`notifications.record_event_move` decides who is told)."""

    def record_venue_change(self, *, at) -> bool:
        """Note that the venue changed, when it happened after the reveal moment: ticket
        holders who already know the venue then get one update email (see notifications).
        Returns whether it noted one."""
        if not self.venue_is_revealed(at):
            return False
        self.venue_changed_at = at
        Event.objects.filter(pk=self.pk).update(venue_changed_at=at)
        return True

    def record_schedule_change(self, *, at) -> None:
        """Note that the start or end moved: every order with valid tickets then gets one
        update email (see notifications)."""
        self.schedule_changed_at = at
        Event.objects.filter(pk=self.pk).update(schedule_changed_at=at)

    def venue_is_revealed(self, at: datetime.datetime) -> bool:
        """Has the moment to reveal the venue come? Always, for an event without one.
        Aware datetimes compare as instants, so this is UTC whatever `at`'s zone. Who may
        see the venue from then on is the gate's business (`events/reveal.py`)."""
        return self.venue_reveal_at is None or self.venue_reveal_at <= at

    @property
    def registration_deadline(self) -> datetime.datetime:
        """Registration closes when staff say, or when the event starts."""
        return self.registration_closes_at or self.starts_at

    def registration_window(self, now: datetime.datetime) -> SalesWindow:
        """Where `now` falls in the registration dates (the status is asked apart)."""
        return SalesWindow.at(
            now, opens=self.registration_opens_at, closes=self.registration_deadline
        )

    def registration_is_open(self, now: datetime.datetime) -> bool:
        """Published, and inside its registration dates."""
        return (
            self.status == self.Status.PUBLISHED
            and self.registration_window(now) == SalesWindow.OPEN
        )

    @property
    def pay_later_cutoff(self) -> datetime.datetime:
        """By when every unpaid reservation is released: `EVENTS_PAY_LATER_RELEASE_HOURS`
        before the start, so its places can still go to the waiting list."""
        return self.starts_at - timedelta(hours=settings.EVENTS_PAY_LATER_RELEASE_HOURS)

    def pay_later_is_offered(self, now: datetime.datetime) -> bool:
        """May a buyer reserve now and pay later? Only when staff allow it, until their
        date, and never after the cutoff (a reservation made then would be released at
        once)."""
        if not self.pay_later_allowed or now >= self.pay_later_cutoff:
            return False
        return self.pay_later_until is None or now < self.pay_later_until

    def pay_by_for(self, placed_at: datetime.datetime) -> datetime.datetime:
        """When a reservation made unpaid at `placed_at` is released if still unpaid."""
        return min(placed_at + timedelta(days=self.pay_later_days), self.pay_later_cutoff)

    SALE_TERMS = (
        "starts_at",
        "members_only",
        "meal_options",
        "collects_shipping_address",
        "pay_later_allowed",
        "pay_later_until",
        "pay_later_days",
    )
    """What a checkout is offered on, beyond what `availability.check_event_on_sale` asks
    of the event itself (its status and registration dates)."""

    def sale_terms(self) -> tuple:
        """See `TicketType.sale_terms`."""
        return tuple(getattr(self, name) for name in self.SALE_TERMS)

    @property
    def meal_choices(self):
        return [line.strip() for line in self.meal_options.splitlines() if line.strip()]

    @property
    def is_online(self):
        return self.format in (self.Format.ONLINE, self.Format.HYBRID)

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    # tables: the change deadline and the cancellation policy
    @property
    def changes_close_at(self) -> datetime.datetime:
        """Until this moment buyers and holders change their tickets (names, meals,
        dietary notes, postal address, transfers); the caterer's list is final after it."""
        return self.change_deadline or self.starts_at - CHANGE_DEADLINE_BEFORE_START

    def changes_are_open(self, now: datetime.datetime) -> bool:
        return now < self.changes_close_at

    @property
    def cancellations_close_at(self) -> datetime.datetime:
        return self.cancellation_deadline or self.changes_close_at

    def refund_on_cancelling(self, amount_paid) -> Decimal:
        """What a buyer who cancels tickets that cost `amount_paid` online gets back,
        under this event's policy (never less than nothing)."""
        amount_paid = Decimal(amount_paid)
        if self.refund_policy == RefundPolicy.FULL:
            return amount_paid
        if self.refund_policy == RefundPolicy.MINUS_FEE:
            return max(amount_paid - self.cancellation_fee, Decimal(0))
        return Decimal(0)


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
        """Members in good standing pay less than the price (see `events/pricing.py`)."""
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
            models.Index(fields=["status", "hold_expires_at"]),
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
        (`events/exports.py`), by heading; `ticket_count` is annotated there."""
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
        """This ticket as a row of the attendee list (`events/exports.py`), by heading."""
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
        """This ticket as a row of the caterer's dietary notes (`events/exports.py`)."""
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
