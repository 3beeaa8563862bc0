"""Visits, delegates, itinerary and volunteers; host households, their adults and matches.

A rule about one object lives on its model (`Visit.is_upcoming`, `Delegate.age_on`,
`HouseholdAdult.check_is_clear_on`, `HostHousehold.eligibility_problems`); who may see a
delegate's sensitive fields lives in access.py; the hard conflicts between a delegate and
a household live in matching.py.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from association.badges import Badge, Tone
from association.languages import language_field


def age_on(born: datetime.date | None, day: datetime.date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class VisitQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def upcoming(self, on: datetime.date):
        """Published visits that have not ended by `on` (those under way included)."""
        return self.published().filter(ends_on__gte=on)


class Visit(models.Model):
    class Direction(models.TextChoices):
        INCOMING = "incoming", _("Incoming (to us)")
        OUTGOING = "outgoing", _("Outgoing (to the partner city)")

    partnership = models.ForeignKey(
        "cities.Partnership",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("partnership"),
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    title = models.CharField(_("title"), max_length=200)
    purpose = models.CharField(
        _("purpose"),
        max_length=300,
        help_text=_("Shown on the partner city's page with the dates (never the delegates)."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    arrival = models.CharField(
        _("arrival"),
        max_length=200,
        blank=True,
        help_text=_("When and where the delegation arrives, e.g. “Norfolk airport, 4:30 PM”."),
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_visits",
        verbose_name=_("coordinator"),
        limit_choices_to={"is_staff": True},
    )
    partner_coordinator_name = models.CharField(
        _("partner's coordinator"), max_length=200, blank=True
    )
    partner_coordinator_email = models.EmailField(_("partner coordinator's email"), blank=True)
    partner_coordinator_language = models.CharField(
        _("partner coordinator's language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The emails to the partner's coordinator are written in it."),
    )
    program = models.ForeignKey(
        "exchanges.Program",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("exchange program"),
        help_text=_("Outgoing visits: the travelers are the program's accepted applicants."),
    )
    published = models.BooleanField(_("shown on the partner city's page"), default=True)
    sensitive_deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        permissions = [
            (
                "hosting",
                _("Coordinate visits and host families; see delegates' and hosts' private details"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="visit_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("visits:coordinate", kwargs={"pk": self.pk})

    @property
    def is_incoming(self) -> bool:
        return self.direction == self.Direction.INCOMING

    def is_upcoming(self, on: datetime.date) -> bool:
        return self.published and self.ends_on >= on

    def is_coordinated_by(self, user) -> bool:
        return bool(getattr(user, "pk", None)) and self.coordinator_id == user.pk


class Delegate(models.Model):
    """A member of a delegation: a visitor (incoming) or a traveler (outgoing)."""

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other or not said")

    class EnglishLevel(models.TextChoices):
        NONE = "none", _("None")
        BASIC = "basic", _("Basic")
        GOOD = "good", _("Good")
        FLUENT = "fluent", _("Fluent")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="delegates")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    english_level = models.CharField(
        _("English level"), max_length=10, choices=EnglishLevel.choices, blank=True
    )
    languages = models.CharField(
        _("languages spoken"), max_length=200, blank=True, help_text=_("Separated by commas.")
    )
    diet = models.CharField(_("diet"), max_length=200, blank=True)
    needs_host = models.BooleanField(_("needs a host family"), default=True)
    sibling_group = models.CharField(
        _("sibling group"),
        max_length=50,
        blank=True,
        help_text=_("Delegates with the same word here are siblings, best placed together."),
    )
    # Sensitive (access.py): the coordinator and hosting staff only; deleted after the visit.
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    allergies = models.CharField(_("allergies"), max_length=300, blank=True)
    allergic_to_animals = models.BooleanField(
        _("allergic to animals"),
        default=False,
        help_text=_("Never placed with pets. Set from the allergies when imported."),
    )
    needs_smoke_free = models.BooleanField(
        _("needs a smoke-free home"),
        default=False,
        help_text=_("Never placed with smokers. Set from the allergies when imported."),
    )
    health_notes = models.TextField(_("health notes"), blank=True)
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=200, blank=True)
    emergency_contact_phone = models.CharField(
        _("emergency contact's phone"), max_length=40, blank=True
    )
    application = models.OneToOneField(
        "exchanges.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegate",
        verbose_name=_("exchange application"),
    )

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: datetime.date) -> int | None:
        return age_on(self.birth_date, day)

    @property
    def age_at_arrival(self) -> int | None:
        return self.age_on(self.visit.starts_on)

    def language_set(self) -> set[str]:
        return language_set(self.languages)


def language_set(text: str) -> set[str]:
    return {part.strip().casefold() for part in text.replace(";", ",").split(",") if part.strip()}


class ItineraryItem(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="itinerary")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    title = models.CharField(_("what happens"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    drivers_needed = models.PositiveSmallIntegerField(_("drivers needed"), default=0)
    interpreters_needed = models.PositiveSmallIntegerField(_("interpreters needed"), default=0)
    hosts_needed = models.PositiveSmallIntegerField(_("hosts or helpers needed"), default=0)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("itinerary item")
        verbose_name_plural = _("itinerary items")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="itinerary_item_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    def needed(self) -> dict[str, int]:
        """People needed per role (roles with none needed left out)."""
        counts = {
            Volunteer.Role.DRIVER: self.drivers_needed,
            Volunteer.Role.INTERPRETER: self.interpreters_needed,
            Volunteer.Role.HOST: self.hosts_needed,
        }
        return {role: count for role, count in counts.items() if count}

    @property
    def needs_people(self) -> bool:
        return bool(self.needed())


class Volunteer(models.Model):
    """A member offering to help with an itinerary item, confirmed by the coordinator."""

    class Role(models.TextChoices):
        DRIVER = "driver", _("Driver")
        INTERPRETER = "interpreter", _("Interpreter")
        HOST = "host", _("Host or helper")

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Not needed")

    item = models.ForeignKey(ItineraryItem, on_delete=models.CASCADE, related_name="volunteers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visit_volunteering"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OFFERED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["item__starts_at", "pk"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="one_offer_per_item"),
        ]

    def __str__(self):
        return f"{self.user} · {self.item}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def is_declined(self) -> bool:
        return self.status == self.Status.DECLINED

    @property
    def badge(self) -> Badge:
        tones = {self.Status.CONFIRMED: Tone.OK, self.Status.DECLINED: Tone.ERROR}
        return Badge(label=self.get_status_display(), tone=tones.get(self.status, Tone.WARN))


class HostHousehold(models.Model):
    """A family offering to host: applied for by a signed-in member at /hosting/, or
    entered by staff from a paper application (no account)."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("Approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class GuestGender(models.TextChoices):
        ANY = "any", _("Any")
        FEMALE = "female", _("Female guests only")
        MALE = "male", _("Male guests only")

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="host_household",
        verbose_name=_("member who applied"),
        help_text=_("Empty for a family that applied on paper: staff enter it here."),
    )
    family_name = models.CharField(_("family name"), max_length=200)
    email = models.EmailField(
        _("email"), help_text=_("Where the family's guest and schedule emails go.")
    )
    language = language_field()
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    phone = models.CharField(_("phone"), max_length=40)
    street = models.CharField(_("street address"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    postal_code = models.CharField(_("ZIP code"), max_length=20)
    languages = models.CharField(
        _("languages spoken at home"), max_length=200, help_text=_("Separated by commas.")
    )
    has_pets = models.BooleanField(_("we have pets"), default=False)
    pets = models.CharField(_("which pets"), max_length=200, blank=True)
    smoking = models.BooleanField(_("someone smokes in the home"), default=False)
    allergies = models.CharField(_("allergies in the household"), max_length=300, blank=True)
    rooms = models.PositiveSmallIntegerField(_("guest rooms"), default=1)
    beds = models.PositiveSmallIntegerField(_("guest beds"), default=1)
    max_guests = models.PositiveSmallIntegerField(_("guests we can take at once"), default=1)
    guest_min_age = models.PositiveSmallIntegerField(_("youngest guest's age"), default=14)
    guest_max_age = models.PositiveSmallIntegerField(_("oldest guest's age"), default=99)
    guest_gender = models.CharField(
        _("guests' gender"), max_length=10, choices=GuestGender.choices, default=GuestGender.ANY
    )
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    notes = models.TextField(_("anything else we should know"), blank=True)
    agrees_to_orientation = models.BooleanField(_("we will attend an orientation"))
    agrees_to_background_checks = models.BooleanField(_("every adult agrees to a background check"))
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family_name", "pk"]
        verbose_name = _("host household")
        verbose_name_plural = _("host households")
        constraints = [
            models.CheckConstraint(
                condition=Q(guest_max_age__gte=F("guest_min_age")),
                name="household_age_range_in_order",
            ),
            models.CheckConstraint(
                condition=Q(available_until__isnull=True)
                | Q(available_from__isnull=True)
                | Q(available_until__gte=F("available_from")),
                name="household_availability_in_order",
            ),
        ]

    def __str__(self):
        return self.family_name

    @property
    def address(self) -> str:
        return f"{self.street}, {self.city} {self.postal_code}"

    @property
    def capacity(self) -> int:
        """Guests at once: no more than the beds, and no more than the family offers."""
        return min(self.beds, self.max_guests)

    def language_set(self) -> set[str]:
        return language_set(self.languages)

    def is_available(self, starts_on: datetime.date, ends_on: datetime.date) -> bool:
        if self.available_from and starts_on < self.available_from:
            return False
        if self.available_until and ends_on > self.available_until:
            return False
        return not any(
            away.starts_on <= ends_on and starts_on <= away.ends_on
            for away in self.away_periods.all()
        )

    def eligibility_problems(self, starts_on: datetime.date, ends_on: datetime.date) -> list[str]:
        """Why the household may not host from `starts_on` to `ends_on`; empty when it may:
        approved, every adult's background check clear and unexpired through the last day,
        and an orientation attended by one of its adults."""
        problems = []
        if self.status != self.Status.APPROVED:
            problems.append(_("not approved by staff"))
        adults = list(self.adults.all())
        if not adults:
            problems.append(_("no adult named"))
        if any(not adult.check_is_clear_on(ends_on) for adult in adults):
            problems.append(_("an adult's background check is not clear through the visit"))
        if not any(adult.orientation_attended_on for adult in adults):
            problems.append(_("no orientation attended"))
        return problems

    def is_eligible(self, starts_on: datetime.date, ends_on: datetime.date) -> bool:
        return not self.eligibility_problems(starts_on, ends_on)


class HouseholdAdult(models.Model):
    class Check(models.TextChoices):
        NOT_REQUESTED = "", _("Not requested")
        REQUESTED = "requested", _("Requested")
        CLEAR = "clear", _("Clear")
        NOT_CLEAR = "not_clear", _("Not clear")

    household = models.ForeignKey(HostHousehold, on_delete=models.CASCADE, related_name="adults")
    name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    # Background check: sensitive (access.py); its details are deleted when it expires.
    check_status = models.CharField(
        _("background check"), max_length=10, choices=Check.choices, blank=True, default=""
    )
    check_requested_on = models.DateField(_("check requested on"), null=True, blank=True)
    check_expires_on = models.DateField(_("check expires on"), null=True, blank=True)
    check_notes = models.TextField(_("check details"), blank=True)
    check_details_deleted_on = models.DateField(null=True, blank=True, editable=False)
    orientation = models.ForeignKey(
        "events.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("orientation event"),
    )
    orientation_attended_on = models.DateField(_("orientation attended on"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("adult")
        verbose_name_plural = _("adults (18 and over)")
        constraints = [
            models.CheckConstraint(
                condition=~Q(check_status="clear") | Q(check_expires_on__isnull=False),
                name="clear_check_has_expiry",
            ),
        ]

    def __str__(self):
        return self.name

    def check_is_clear_on(self, day: datetime.date) -> bool:
        return (
            self.check_status == self.Check.CLEAR
            and self.check_expires_on is not None
            and day <= self.check_expires_on
        )


class HouseholdChild(models.Model):
    household = models.ForeignKey(HostHousehold, on_delete=models.CASCADE, related_name="children")
    first_name = models.CharField(_("first name"), max_length=100)
    age = models.PositiveSmallIntegerField(_("age"))

    class Meta:
        ordering = ["-age", "pk"]
        verbose_name = _("child")
        verbose_name_plural = _("children")
        constraints = [models.CheckConstraint(condition=Q(age__lt=18), name="child_under_18")]

    def __str__(self):
        return self.first_name


class AwayPeriod(models.Model):
    """Dates the family is away and cannot host."""

    household = models.ForeignKey(
        HostHousehold, on_delete=models.CASCADE, related_name="away_periods"
    )
    starts_on = models.DateField(_("away from"))
    ends_on = models.DateField(_("away until"))

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("time away")
        verbose_name_plural = _("times away")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="away_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.starts_on} – {self.ends_on}"


class MatchQuerySet(models.QuerySet):
    def active(self):
        return self.filter(cancelled_at__isnull=True)


class Match(models.Model):
    """A delegate placed in a household's bed for a visit. One active match per delegate
    and one per bed (the database's unique constraints), confirmed under a lock on the
    household (matching.py)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="matches")
    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="matches")
    household = models.ForeignKey(HostHousehold, on_delete=models.PROTECT, related_name="matches")
    bed = models.PositiveSmallIntegerField(_("bed"))
    confirmed_at = models.DateTimeField(_("confirmed at"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        ordering = ["-confirmed_at", "pk"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [
            models.UniqueConstraint(
                fields=["delegate"],
                condition=Q(cancelled_at__isnull=True),
                name="one_active_match_per_delegate",
            ),
            models.UniqueConstraint(
                fields=["household", "visit", "bed"],
                condition=Q(cancelled_at__isnull=True),
                name="one_active_match_per_bed",
            ),
            models.CheckConstraint(condition=Q(bed__gte=1), name="match_bed_from_one"),
        ]

    def __str__(self):
        return f"{self.delegate} → {self.household}"

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None
