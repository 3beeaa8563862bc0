"""Accounts and membership.

`User` signs in with an email address that is unique regardless of letter case; the
database enforces it with a functional unique constraint on `Lower("email")`.

`MembershipPlan` is what staff offer; `Membership` is one term of one member's
membership (a renewal is a new row). Whether a term still covers a day, its grace period
included, is `Membership.covers(day)` (rows: `Membership.objects.covering(day)`); who is in
good standing on a day is answered through `membership.standing`.
"""

import datetime
import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from association.badges import Badge, Tone
from association.languages import language_field

POSTAL_ADDRESS_FIELDS = (
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
)
"""The postal address fields, named alike on `User` and on events' `Order`."""


class EmailUserManager(UserManager):
    """Users are created and found by email; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email)
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("email address"), unique=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("state"), max_length=100, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, default="US")
    newsletter_opt_in = models.BooleanField(
        _("newsletter"), default=False, help_text=_("Agreed to receive the newsletter.")
    )
    language = language_field()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = type(self).objects.normalize_email(self.email)
        clash = type(self).objects.filter(email__iexact=self.email).exclude(pk=self.pk)
        if self.email and clash.exists():
            from django.core.exceptions import ValidationError

            raise ValidationError(
                {"email": _("An account with this email address already exists.")}
            )


class MembershipPlanQuerySet(models.QuerySet):
    def offered(self):
        return self.filter(is_offered=True)


class MembershipPlan(models.Model):
    """A kind of membership staff offer: individual, household, student, lifetime..."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(
        _("benefits"), blank=True, help_text=_("Who the plan is for and what it includes.")
    )
    annual_dues = models.DecimalField(
        _("dues"),
        max_digits=8,
        decimal_places=2,
        help_text=_("Paid per term; for a lifetime plan, paid once. Zero makes the plan free."),
    )
    goods_value = models.DecimalField(
        _("value of goods and services"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "What the dues buy in goods and services: receipts of payments over $75 state "
            "the rest as deductible. Empty: no statement."
        ),
    )
    term_months = models.PositiveSmallIntegerField(
        _("term in months"),
        null=True,
        blank=True,
        help_text=_("Usually 12. Leave empty for a lifetime membership."),
    )
    people_covered = models.PositiveSmallIntegerField(
        _("people covered"),
        default=1,
        help_text=_("1 for an individual; more for a household (member prices for this many)."),
    )
    is_offered = models.BooleanField(
        _("offered on the site"), default=True, help_text=_("Visitors may join this plan.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_sample_price = models.BooleanField(
        _("sample price"),
        default=False,
        help_text=_("The dues are a sample value, not the association's; the site says so."),
    )

    objects = MembershipPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership plan")
        verbose_name_plural = _("membership plans")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(annual_dues__gte=0), name="plan_dues_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(people_covered__gte=1), name="plan_covers_someone"
            ),
            models.CheckConstraint(
                condition=models.Q(term_months__isnull=True) | models.Q(term_months__gte=1),
                name="plan_term_positive_or_lifetime",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("membership:join", kwargs={"slug": self.slug})

    @property
    def is_lifetime(self) -> bool:
        return self.term_months is None

    @property
    def is_free(self) -> bool:
        return self.annual_dues == 0

    @property
    def covers_household(self) -> bool:
        return self.people_covered > 1


def _covering(day: datetime.date) -> models.Q:
    """The rows' form of `Membership.covers(day)`: lifetime, or ended at most the grace
    period before `day`. `covering()` and `lapsed()` build on it; a test holds it to
    `covers()`."""
    return models.Q(ends_on__isnull=True) | models.Q(
        ends_on__gte=day - datetime.timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)
    )


class MembershipQuerySet(models.QuerySet):
    def covering(self, day: datetime.date):
        """Memberships whose term still covers `day`, grace included (`Membership.covers`),
        paid or not, begun or not."""
        return self.filter(_covering(day))

    def in_good_standing(self, on: datetime.date):
        """Active memberships that have begun and still cover `on`, grace included;
        lifetime memberships never end."""
        return self.covering(on).filter(status=Membership.Status.ACTIVE, starts_on__lte=on)

    def ending_between(self, first: datetime.date, last: datetime.date):
        """Active memberships whose term ends from `first` to `last` inclusive."""
        return self.filter(status=Membership.Status.ACTIVE, ends_on__gte=first, ends_on__lte=last)

    def open_for_renewal(self, on: datetime.date):
        """Active dated memberships the member may renew on `on` (as `can_renew_on`): the
        renewal window has opened, and stays open once the term, or its grace, is over."""
        return self.filter(
            status=Membership.Status.ACTIVE,
            ends_on__lte=on + datetime.timedelta(days=settings.MEMBERSHIP_RENEWAL_WINDOW_DAYS),
        )

    def unpaid_since(self, moment: datetime.datetime):
        """Memberships still waiting for their dues that were started before `moment`."""
        return self.filter(status=Membership.Status.PENDING, created_at__lt=moment)

    def in_grace(self, on: datetime.date):
        """In good standing on `on` only thanks to the grace period: the term has ended."""
        return self.in_good_standing(on).filter(ends_on__lt=on)

    def lapsed(self, on: datetime.date):
        """Active memberships whose term and grace period are over on `on`."""
        return self.filter(status=Membership.Status.ACTIVE).exclude(_covering(on))

    def longest_first(self):
        """The membership that runs longest first, lifetime before any dated one. The NULL
        order is spelt out: SQLite sorts NULL first and PostgreSQL last."""
        return self.order_by(models.F("ends_on").desc(nulls_first=True), "-starts_on", "-pk")

    def not_renewed(self):
        """Memberships the member has not followed with another paid (active) one that runs
        longer. A pending renewal does not count: clicking Renew without paying renews
        nothing, and the member still needs the reminders.

        Of two rows over the same term (bought twice) only the later-created one counts as
        not renewed, so the member is reminded once, not twice."""
        later = Membership.objects.filter(
            user=models.OuterRef("user"), status=Membership.Status.ACTIVE
        ).filter(
            models.Q(ends_on__isnull=True)
            | models.Q(ends_on__gt=models.OuterRef("ends_on"))
            | models.Q(ends_on=models.OuterRef("ends_on"), pk__gt=models.OuterRef("pk"))
        )
        return self.exclude(models.Exists(later.exclude(pk=models.OuterRef("pk"))))


# The inverse of Membership.reference, lenient about how people copy it from a check.
REFERENCE_PATTERN = re.compile(r"[Mm]\s*-?\s*(?P<number>\d{1,9})")


class Membership(models.Model):
    """One term of one member's membership. A renewal is a new row."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending payment")
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("member")
    )
    plan = models.ForeignKey(
        MembershipPlan,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("plan"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(
        _("ends on"),
        null=True,
        blank=True,
        help_text=_("The last day of the term. Empty for a lifetime membership."),
    )
    amount_due = models.DecimalField(_("dues owed"), max_digits=8, decimal_places=2, default=0)
    amount_paid = models.DecimalField(_("amount paid"), max_digits=8, decimal_places=2, default=0)
    payment_method = models.CharField(
        _("payment method"), max_length=40, blank=True, help_text=_("The payment method's code.")
    )
    payment_instructions = models.TextField(
        _("payment instructions"), blank=True, help_text=_("What the member was asked to do.")
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    household_member_names = models.TextField(
        _("household members"),
        blank=True,
        help_text=_("The other people a household membership covers, one per line."),
    )
    interests = models.TextField(
        _("interests"),
        blank=True,
        help_text=_("Sister cities and committees the member would like to take part in."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-starts_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="membership_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=models.Q(amount_paid__gte=0) & models.Q(amount_due__gte=0),
                name="membership_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="active") | models.Q(paid_at__isnull=False),
                name="membership_active_has_paid_at",
                violation_error_message=_("An active membership needs the date it was paid."),
            ),
        ]
        indexes = [models.Index(fields=["status", "ends_on"])]

    def __str__(self):
        return f"{self.user} · {self.plan} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("membership:membership_detail", kwargs={"pk": self.pk})

    @property
    def badge(self) -> Badge:
        """The membership's status as a badge (association/badges.py)."""
        tone = {self.Status.ACTIVE: Tone.OK, self.Status.PENDING: Tone.WARN}.get(
            self.status, Tone.PLAIN
        )
        return Badge(self.get_status_display(), tone)

    @property
    def awaits_payment(self) -> bool:
        """Pending until its dues are paid: the page says how to pay."""
        return self.status == self.Status.PENDING

    @property
    def reference(self) -> str:
        """The short reference the member writes on a check."""
        return f"M-{self.pk:05d}"

    @staticmethod
    def pk_from_reference(text: str) -> int | None:
        """The pk a reference such as "M-00001" (as written on a check: any case, spaces,
        with or without the dash or zeros) names; None when `text` is not a reference."""
        match = REFERENCE_PATTERN.fullmatch(text.strip())
        return int(match["number"]) if match else None

    @property
    def is_lifetime(self) -> bool:
        return self.ends_on is None

    def grace_ends_on(self) -> datetime.date | None:
        if self.ends_on is None:
            return None
        return self.ends_on + datetime.timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)

    def covers(self, day: datetime.date) -> bool:
        """This term still covers `day`, its grace period included: a lifetime term always
        does, a dated one until `grace_ends_on()`. Whether it is paid and has begun is the
        caller's question (`membership.standing` asks both; a renewal asks neither)."""
        return self.ends_on is None or day <= self.grace_ends_on()

    def is_in_grace_on(self, day: datetime.date) -> bool:
        """The term has ended but the grace period still covers `day`."""
        return self.ends_on is not None and self.ends_on < day <= self.grace_ends_on()

    def renewal_opens_on(self) -> datetime.date | None:
        """From this day the member may renew (30 days before the end by default)."""
        if self.ends_on is None:
            return None
        return self.ends_on - datetime.timedelta(days=settings.MEMBERSHIP_RENEWAL_WINDOW_DAYS)

    def can_renew_on(self, on: datetime.date) -> bool:
        opens = self.renewal_opens_on()
        return self.status == self.Status.ACTIVE and opens is not None and on >= opens

    def household_names_list(self) -> list[str]:
        return [name.strip() for name in self.household_member_names.splitlines() if name.strip()]


class RenewalReminder(models.Model):
    """A renewal reminder sent for one term; the unique constraint makes "at most once per
    kind and term" hold even when two job runs race."""

    class Kind(models.TextChoices):
        DAYS_30 = "30_days", _("30 days before the end")
        DAYS_7 = "7_days", _("7 days before the end")
        LAPSED = "lapsed", _("after the end")
        MANUAL = "manual", _("sent by staff")

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("membership")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    term_ends_on = models.DateField(_("term ends on"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("renewal reminder")
        verbose_name_plural = _("renewal reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "kind", "term_ends_on"],
                condition=~models.Q(kind="manual"),
                name="reminder_once_per_kind_and_term",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.membership}"


class PendingJoin(models.Model):
    """What a visitor chose on the join page (plan, household, interests, how to pay), kept
    with their account until the emailed link confirms the address. Kept on the server, not
    in the visitor's session, because the link is often opened in another browser (a phone's
    mail app); the membership then begins with these choices wherever the link is opened."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="pending_join", verbose_name=_("account")
    )
    plan = models.ForeignKey(
        MembershipPlan, on_delete=models.CASCADE, related_name="+", verbose_name=_("plan")
    )
    payment_method = models.CharField(_("payment method"), max_length=40)
    household_member_names = models.TextField(_("household members"), blank=True)
    interests = models.TextField(_("interests"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("join awaiting confirmation")
        verbose_name_plural = _("joins awaiting confirmation")

    def __str__(self):
        return f"{self.user} · {self.plan}"

    def as_join_form_initial(self) -> dict:
        return {
            "payment_method": self.payment_method,
            "household_member_names": self.household_member_names,
            "interests": self.interests,
        }
