"""Venues and events: what happens, where and when.

Rules about one row live here, on its model or QuerySet: whether registration is open
(`Event.registration_window`), whether the venue's moment has come
(`Event.venue_is_revealed`), where a moment falls in a window of sales (`SalesWindow`).
Rules that span rows live elsewhere, each in one place: who may see the venue,
`events/reveal.py`; what is sold of an event, and how many places it has left, the
`tickets` app (`tickets/models.py`, `tickets/availability.py`), which events asks through
`events/sales.py` without importing it. `Event.reserved` is written by tickets' orders
alone; its CheckConstraint makes overselling impossible in the database itself. Saving a
loaded row names the columns it writes, so none is ever written back stale
(`SavesNamedFields`).
"""

import datetime
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from association.images import UPLOAD_HELP_TEXT, store_sanitized_upload, validate_image_upload


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
