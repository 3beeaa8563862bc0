"""Designations (where a gift goes, which staff edit) and donations.

A `Donation` is received once its payment is confirmed: `paid_at` is set by
`donation_payments.fulfil` only, the one path every confirmation takes (webhook, return
from Stripe, the reconciling job, staff recording a check). `DonationQuerySet.received`
and `yearly_totals` are what the account page, the export and the admin all read.
"""

import re
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from association.languages import language_field


def new_donation_token():
    return secrets.token_urlsafe(24)


class DesignationQuerySet(models.QuerySet):
    def active(self):
        """The designations a donor may choose on the donation page."""
        return self.filter(active=True)


class Designation(models.Model):
    name = models.CharField(
        _("name"),
        max_length=120,
        unique=True,
        help_text=_(
            'Donors can always choose "Where it is most needed": no designation is needed for '
            "that (a general fund would offer the same choice twice)."
        ),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("A sentence or two shown to donors.")
    )
    active = models.BooleanField(
        _("offered"), default=True, help_text=_("Offered on the donation page.")
    )
    ordering = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = DesignationQuerySet.as_manager()

    class Meta:
        verbose_name = _("designation")
        verbose_name_plural = _("designations")
        ordering = ["ordering", "name"]

    def __str__(self):
        return self.name


class DonationQuerySet(models.QuerySet):
    def received(self):
        """Donations whose money arrived (refunds are counted by `with_net_amount`)."""
        return self.filter(paid_at__isnull=False)

    def not_received(self):
        """Pledges and card payments not (yet) received."""
        return self.filter(paid_at__isnull=True)

    def listed_for_donor(self):
        """What a donor's own list shows: gifts received and checks awaited; a card payment
        that was never completed was no gift."""
        return self.exclude(paid_at__isnull=True, payment_method="card")

    def for_user(self, user):
        return self.filter(user=user) if user.is_authenticated else self.none()

    def with_net_amount(self):
        """`net_amount`: the gift less what was refunded of it."""
        return self.annotate(
            net_amount=F("amount") - Coalesce(F("payment__amount_refunded"), Value(Decimal("0.00")))
        )

    def yearly_totals(self) -> list[dict]:
        """One row per calendar year the gifts were received in (the site's time zone), newest
        first: {"year": 2026, "total": Decimal, "count": n}. One query, however many."""
        return list(
            self.received()
            .with_net_amount()
            .annotate(year=ExtractYear("paid_at"))
            .order_by()
            .values("year")
            .annotate(total=Sum("net_amount"), count=models.Count("pk"))
            .order_by("-year")
        )


# The inverse of Donation.reference, lenient about how people copy it from a check.
REFERENCE_PATTERN = re.compile(r"[Dd]\s*-?\s*(?P<number>\d{1,9})")


class Donation(models.Model):
    donor_name = models.CharField(_("donor's name"), max_length=200)
    donor_email = models.EmailField(_("donor's email"))
    language = language_field()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="donations",
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    designation = models.ForeignKey(
        Designation,
        verbose_name=_("designation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
        help_text=_("Empty: where it is most needed."),
    )
    dedication = models.CharField(
        _("dedication"), max_length=200, blank=True, help_text=_('For example "In honor of ...".')
    )
    payment_method = models.CharField(
        _("payment method"), max_length=20, help_text=_("The payment method's code.")
    )
    payment = models.ForeignKey(
        "payments.Payment",
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    token = models.CharField(
        _("access token"), max_length=64, unique=True, default=new_donation_token, editable=False
    )
    paid_at = models.DateTimeField(_("received"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DonationQuerySet.as_manager()

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
        ]

    def __str__(self):
        return f"{self.reference} {self.donor_name}: {self.amount}"

    def get_absolute_url(self):
        """The donor's private thank-you page (a guest has no account to find it by)."""
        return reverse("donations:thanks", kwargs={"token": self.token})

    @property
    def reference(self) -> str:
        """The short reference a donor writes on a check."""
        return f"D-{self.pk:05d}"

    @staticmethod
    def pk_from_reference(text: str) -> int | None:
        match = REFERENCE_PATTERN.fullmatch(text.strip())
        return int(match["number"]) if match else None

    @property
    def is_received(self) -> bool:
        return self.paid_at is not None
