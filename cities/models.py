"""Places and the association's partnerships with them.

`Partnership.objects.current()` is the one answer to "which partnerships does the
association present as its own today"; `paused()` and `inactive()` are the others. A change
of status goes through `Partnership.change_status()`, which keeps the status history.
The Virginia directory (`DirectoryListing`) is a dated snapshot of a published report, kept
apart from the association's live partnerships.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from association.badges import Badge, Tone
from association.formats import format_date, format_month
from association.images import UPLOAD_HELP_TEXT, validate_image_upload

from .countries import country_choices, country_name
from .images import CARD_SIZE, GALLERY_SIZE, store_upload_with_thumbnail
from .pictures import picture_for


class City(models.Model):
    """A city, county or other locality, at home or abroad."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    region = models.CharField(
        _("region"),
        max_length=120,
        blank=True,
        help_text=_("State, province, prefecture or nation within the country, if useful."),
    )
    country = models.CharField(
        _("country"), max_length=2, choices=country_choices, help_text=_("ISO 3166 country.")
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("Decimal degrees, north positive. Needed to show the city on the map."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("Decimal degrees, east positive."),
    )
    is_home = models.BooleanField(
        _("association's home city"),
        default=False,
        help_text=_("The city the association belongs to. Only one city can be the home city."),
    )

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name", "country"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_home"], condition=Q(is_home=True), name="cities_city_one_home"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="cities_city_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="cities_city_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="cities_city_coordinates_both_or_neither",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def country_name(self):
        return country_name(self.country)

    @property
    def label(self):
        """ "Halifax, Nova Scotia, Canada"."""
        return ", ".join(part for part in (self.name, self.region, self.country_name) if part)

    @property
    def has_coordinates(self):
        return self.latitude is not None and self.longitude is not None

    @classmethod
    def home(cls):
        """The association's home city, or None before one is set."""
        return cls.objects.filter(is_home=True).first()


class Origin(models.TextChoices):
    """The ways a partnership develops (Sister Cities International's categories)."""

    MAYORAL = "mayoral", _("Mayoral relationship")
    TRADE = "trade", _("Trade relationship")
    HISTORICAL = "historical", _("Historical connection")
    ANCESTRAL = "ancestral", _("Ancestral or demographic connection")
    EXPATRIATE = "expatriate", _("Expatriate community")
    SHARED_CHALLENGE = "shared_challenge", _("Shared geographic or sector challenge")
    FAITH = "faith", _("Faith-based group")
    PERSONAL = "personal", _("Personal experience (study or work abroad, marriage)")


def validate_origins(value):
    if not isinstance(value, list) or any(item not in Origin.values for item in value):
        raise ValidationError(
            _("Choose the ways the partnership developed from the list."), code="invalid_origin"
        )


class PartnershipQuerySet(models.QuerySet):
    def of_association(self):
        """Partnerships of the association's home city."""
        return self.filter(home_city__is_home=True)

    def for_display(self):
        """Sister cities first, then friendship cities; staff order, then partner name."""
        return self.select_related("home_city", "partner_city").order_by(
            Case(When(kind=Partnership.Kind.SISTER, then=Value(0)), default=Value(1)),
            "position",
            "partner_city__name",
        )

    def current(self):
        """The association's active partnerships, sister cities first."""
        return self.of_association().filter(status=Partnership.Status.ACTIVE).for_display()

    def paused(self):
        return self.of_association().filter(status=Partnership.Status.PAUSED).for_display()

    def inactive(self):
        return self.of_association().filter(status=Partnership.Status.INACTIVE).for_display()

    def public(self):
        """Every partnership of the association that has a page (any status)."""
        return self.of_association().for_display()

    def oldest_year(self):
        """The earliest year established among these partnerships, or None."""
        return self.aggregate(oldest=models.Min("year_established"))["oldest"]


def years_of_friendship(*, oldest_year, today):
    """How many years the association's friendships have lasted, counted from the oldest
    current partnership's year (1959 for Kitakyushu): None when no year is known."""
    if oldest_year is None:
        return None
    return max(0, today.year - oldest_year)


# Partnership slugs share /cities/<slug>/ with these pages.
RESERVED_SLUGS = ["virginia"]


def validate_partnership_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is the address of another page; choose another slug."),
            code="reserved_slug",
            params={"slug": value},
        )


class Partnership(models.Model):
    class Kind(models.TextChoices):
        SISTER = "sister", _("Sister city")
        FRIENDSHIP = "friendship", _("Friendship city")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        INACTIVE = "inactive", _("Inactive")

    home_city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        related_name="partnerships_as_home",
        verbose_name=_("home city"),
    )
    partner_city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        related_name="partnerships_as_partner",
        verbose_name=_("partner city"),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=140,
        unique=True,
        validators=[validate_partnership_slug],
        help_text=_("The last part of the page address, e.g. kitakyushu for /cities/kitakyushu/."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=Kind.choices,
        default=Kind.SISTER,
        help_text=_(
            "A friendship city is less formal than a sister city and may become one later."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    status_note = models.TextField(
        _("status note"),
        blank=True,
        help_text=_("Shown to visitors beside the status, e.g. why a partnership is paused."),
    )
    year_established = models.PositiveSmallIntegerField(
        _("year established"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    origins = models.JSONField(
        _("how it developed"),
        default=list,
        blank=True,
        validators=[validate_origins],
        help_text=_("One or more of the ways the partnership developed."),
    )
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One line for cards and search engines."),
    )
    story = models.TextField(
        _("story"), blank=True, help_text=_("Plain text; a blank line starts a new paragraph.")
    )
    population = models.PositiveIntegerField(
        _("population"),
        null=True,
        blank=True,
        help_text=_("About how many people live in the partner city, shown rounded."),
    )
    population_year = models.PositiveSmallIntegerField(
        _("population counted in"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
        help_text=_("The year of the count or estimate, if the source gives one."),
    )
    known_for = models.CharField(
        _("known for"),
        max_length=300,
        blank=True,
        help_text=_("What the partner city is known for, in a line (shown in “At a glance”)."),
    )
    image = models.ImageField(
        _("image"),
        upload_to="cities/partnerships/",
        blank=True,
        validators=[validate_image_upload],
        help_text=UPLOAD_HELP_TEXT,
    )
    image_card = models.ImageField(
        _("card image"), upload_to="cities/partnerships/", blank=True, editable=False
    )
    image_alt = models.CharField(
        _("image description"),
        max_length=200,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower numbers are listed first.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["position", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["home_city", "partner_city"], name="cities_partnership_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(home_city=models.F("partner_city")),
                name="cities_partnership_not_with_itself",
            ),
            models.CheckConstraint(
                condition=~Q(slug__in=RESERVED_SLUGS), name="cities_partnership_slug_not_reserved"
            ),
            models.CheckConstraint(
                condition=Q(year_established__isnull=True)
                | Q(year_established__gte=1800, year_established__lte=2100),
                name="cities_partnership_year_range",
            ),
        ]

    def __str__(self):
        return f"{self.home_city.name} – {self.partner_city.name} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        store_upload_with_thumbnail(self.image, self.image_card, CARD_SIZE)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("cities:partnership_detail", kwargs={"slug": self.slug})

    @property
    def is_current(self):
        return self.status == self.Status.ACTIVE

    @property
    def relationship_label(self):
        """What the partner city is to the home city now, in words: "sister city",
        "friendship city (paused)", "former sister city". Every page that names the kind
        uses this, so a paused or ended partnership is never presented as a current one."""
        kind = self.get_kind_display().lower()
        if self.status == self.Status.PAUSED:
            return gettext("%(kind)s (paused)") % {"kind": kind}
        if self.status == self.Status.INACTIVE:
            return gettext("former %(kind)s") % {"kind": kind}
        return kind

    @property
    def badge(self) -> Badge:
        """The partnership's status as a badge (association/badges.py)."""
        tone = {self.Status.ACTIVE: Tone.OK, self.Status.PAUSED: Tone.WARN}.get(
            self.status, Tone.PLAIN
        )
        return Badge(self.get_status_display(), tone)

    @property
    def relationship_badge(self) -> Badge:
        """What the partner city is now (`relationship_label`) as a badge, a paused one
        marked as such."""
        tone = Tone.WARN if self.status == self.Status.PAUSED else Tone.PLAIN
        return Badge(capfirst(self.relationship_label), tone)

    @property
    def relationship_description(self):
        """The relationship with the home city named: "sister city of Norfolk since 1962",
        "sister city of Norfolk (paused)", "former sister city of Norfolk". "Since" only for
        a current partnership, where the year says how long it has lasted."""
        params = {
            "kind": self.get_kind_display().lower(),
            "home": self.home_city.name,
            "year": self.year_established,
        }
        if self.status == self.Status.PAUSED:
            return gettext("%(kind)s of %(home)s (paused)") % params
        if self.status == self.Status.INACTIVE:
            return gettext("former %(kind)s of %(home)s") % params
        if self.year_established:
            return gettext("%(kind)s of %(home)s since %(year)s") % params
        return gettext("%(kind)s of %(home)s") % params

    @property
    def gallery_photos(self):
        """Photos that have their thumbnail (the gallery shows thumbnails, linking to the
        full image); one saved without it would break the page. Uses prefetched photos."""
        return [photo for photo in self.photos.all() if photo.thumbnail]

    @property
    def picture(self):
        """The drawn picture (map crop or flag) shown when no photo is uploaded, or None
        (cities/pictures.py)."""
        return picture_for(self)

    @property
    def population_label(self):
        """ "About 940,000 (2019)", "About 76,000" or "" when not known."""
        if not self.population:
            return ""
        params = {"count": f"{self.population:,}", "year": self.population_year}
        if self.population_year:
            return gettext("About %(count)s (%(year)s)") % params
        return gettext("About %(count)s") % params

    @property
    def origin_labels(self):
        labels = dict(Origin.choices)
        return [labels[value] for value in self.origins if value in labels]

    @property
    def story_paragraphs(self):
        return [part.strip() for part in self.story.split("\n\n") if part.strip()]

    @property
    def status_history(self):
        """The status history a visitor is shown, newest first (uses prefetched rows).

        Empty when its one entry is the initial status with neither a date nor a note (as
        `load_demo` records from seeds that give none): "Active", under "Status: Active",
        would tell the visitor nothing."""
        changes = list(self.status_changes.all())
        if len(changes) == 1 and changes[0].changed_on is None and not changes[0].note:
            return []
        return changes

    def change_status(self, *, status, note="", on=None, by=None, date_unknown=False):
        """Set a status and note, and record it in the status history.

        Used for a partnership's first status too (added in the admin, loaded by
        `load_demo`), so the history starts where the partnership does. The entry is dated
        `on` (today if not given), or not at all with `date_unknown`, when the source gives
        no day: the note then says what is known ("Paused in 2022 ...")."""
        on = None if date_unknown else (on or timezone.localdate())
        with transaction.atomic():
            self.status = status
            self.status_note = note
            self.save()
            return self.status_changes.create(
                status=status, changed_on=on, note=note, recorded_by=by
            )


class PartnershipStatusChange(models.Model):
    """One entry of a partnership's status history."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("partnership"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Partnership.Status.choices)
    changed_on = models.DateField(
        _("date"),
        null=True,
        blank=True,
        default=timezone.localdate,
        help_text=_("Empty when the day is not known; say in the note what is (a year)."),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        # Undated entries last: they come from sources older than anything staff record.
        ordering = [models.F("changed_on").desc(nulls_last=True), "-recorded_at"]

    def __str__(self):
        if self.changed_on is None:
            return f"{self.get_status_display()} ({gettext('date unknown')})"
        return f"{self.get_status_display()} ({self.changed_on:%Y-%m-%d})"


class Committee(models.Model):
    """A working group of a partnership; each chooses a project to work on."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="committees",
        verbose_name=_("partnership"),
    )
    name = models.CharField(_("name"), max_length=120)
    focus = models.CharField(
        _("focus"), max_length=200, blank=True, help_text=_("E.g. education, arts, business.")
    )
    current_project = models.TextField(_("current project"), blank=True)
    chair = models.CharField(_("chair"), max_length=120, blank=True)
    contact = models.CharField(
        _("contact"),
        max_length=200,
        blank=True,
        help_text=_("A public email address or phone number for the committee."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    @property
    def contact_is_email(self):
        return "@" in self.contact and " " not in self.contact.strip()


class Photo(models.Model):
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("partnership"),
    )
    image = models.ImageField(
        _("image"),
        upload_to="cities/photos/",
        validators=[validate_image_upload],
        help_text=UPLOAD_HELP_TEXT,
    )
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to="cities/photos/", blank=True, editable=False
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    alt_text = models.CharField(
        _("image description"),
        max_length=200,
        blank=True,
        help_text=_("What the photo shows, for people who cannot see it. Defaults to the caption."),
    )
    credit = models.CharField(_("credit"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "id"]

    def __str__(self):
        return self.caption or self.image.name

    def save(self, *args, **kwargs):
        store_upload_with_thumbnail(self.image, self.thumbnail, GALLERY_SIZE)
        super().save(*args, **kwargs)

    @property
    def description(self):
        return self.alt_text or self.caption


class MilestoneQuerySet(models.QuerySet):
    def happened(self, today):
        """Milestones dated on or before `today`, newest first."""
        return self.filter(date__lte=today).order_by("-date", "-id")

    def latest_of_current_partnerships(self, today):
        """The newest milestone of the association's current partnerships by `today`
        (the home page's "latest milestone"), with its partnership, or None."""
        return (
            self.filter(partnership__in=Partnership.objects.current().order_by())
            .happened(today)
            .select_related("partnership__partner_city", "partnership__home_city")
            .first()
        )


class Milestone(models.Model):
    """A dated event in a partnership's history: a signing, a delegation, an exchange, a
    gift. Sources often give only a year or a month: `precision` says how much of `date` is
    known, and the page shows no more than that (`when`)."""

    class Precision(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")
        YEAR = "year", _("Year")

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("partnership"),
    )
    date = models.DateField(
        _("date"),
        help_text=_("For a month or a year only, any day in it (the first, say)."),
    )
    precision = models.CharField(
        _("date known to the"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text=_("How much of the date the sources give: the page shows no more."),
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to="cities/milestones/",
        blank=True,
        validators=[validate_image_upload],
        help_text=UPLOAD_HELP_TEXT,
    )
    photo_thumbnail = models.ImageField(
        _("photo thumbnail"), upload_to="cities/milestones/", blank=True, editable=False
    )
    photo_alt = models.CharField(
        _("photo description"),
        max_length=200,
        blank=True,
        help_text=_("What the photo shows, for people who cannot see it. Defaults to the title."),
    )

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["date", "id"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        store_upload_with_thumbnail(self.photo, self.photo_thumbnail, GALLERY_SIZE)
        super().save(*args, **kwargs)

    @property
    def when(self):
        """The date as far as it is known: "July 14, 1959", "April 2020" or "1976"."""
        return format_partial_date(self.date, self.precision)

    @property
    def machine_date(self):
        """The date for a <time datetime>, as far as it is known: 1959-07-14, 2020-04, 1976."""
        iso = self.date.isoformat()
        return {self.Precision.YEAR: iso[:4], self.Precision.MONTH: iso[:7]}.get(
            self.precision, iso
        )

    @property
    def photo_description(self):
        return self.photo_alt or self.title


def format_partial_date(day, precision):
    """A date shown to the precision the sources give: the day ("July 14, 1959", the
    site's date format), the month ("April 2020") or the year ("1976")."""
    if precision == Milestone.Precision.YEAR:
        return str(day.year)
    if precision == Milestone.Precision.MONTH:
        return format_month(day)
    return format_date(day)


class DirectoryListingQuerySet(models.QuerySet):
    def for_display(self):
        return self.select_related("locality", "partner").order_by(
            "locality__name", "locality_id", "position", "partner__name"
        )


class DirectoryListing(models.Model):
    """One line of a published directory of sister cities (a dated snapshot, not live data)."""

    locality = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        related_name="directory_listings",
        verbose_name=_("locality"),
    )
    partner = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="+", verbose_name=_("partner")
    )
    is_friendship = models.BooleanField(_("friendship city"), default=False)
    source = models.CharField(
        _("source"), max_length=200, help_text=_("The publication this listing comes from.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = DirectoryListingQuerySet.as_manager()

    class Meta:
        verbose_name = _("directory listing")
        verbose_name_plural = _("directory listings")
        ordering = ["locality__name", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["locality", "partner", "source"], name="cities_listing_unique"
            ),
            models.CheckConstraint(
                condition=~Q(locality=models.F("partner")), name="cities_listing_not_itself"
            ),
        ]

    def __str__(self):
        return f"{self.locality.name} – {self.partner.name}"
