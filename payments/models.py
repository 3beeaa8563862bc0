"""Payment records: what was paid for, by whom, how, and where it stands.

A `Payment` names what it pays for by a purpose (registered by the app that owns the thing:
see `payments/purposes.py`) and that thing's id, so this app imports none of them. Its
`status` is written only by `payments/confirmation.py` and `payments/refunds.py`, under the
row's lock, and by `PaymentQuerySet.close_unpaid_offline` (one conditional UPDATE).
`WebhookEvent` keeps each provider event id once, so a delivery seen twice is handled once.

Moving money by hand is a permission of its own, `payments.manage_payments`
(`may_manage_payments`): marking an order paid, recording a check (dues, a donation) and
refunding. The "Treasurer" group holds it (payments' migration 0003), superusers have it;
other staff see what they look after and where its payment stands, nothing more.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import CharField, DecimalField, F, Q, Subquery, Sum
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from association.badges import Badge, Tone
from association.formats import format_money

from . import purposes

MANAGE_PAYMENTS = "payments.manage_payments"


def may_manage_payments(user) -> bool:
    """Whether this staff member may move money: mark paid, record a check, refund."""
    return user.has_perm(MANAGE_PAYMENTS)


def method_in_words(code: str) -> str:
    """A payment method's code ("card") as staff read it ("Card"); the code itself when
    it is not one of the methods, and "—" when there is none."""
    if not code:
        return "—"
    try:
        return str(Payment.Method(code).label)
    except ValueError:
        return code


def new_payment_token():
    return secrets.token_urlsafe(24)


class PaymentQuerySet(models.QuerySet):
    def for_object(self, *, purpose: str, object_id):
        """The payments of one thing (an order, a membership), newest first."""
        return self.filter(purpose=purpose, object_id=str(object_id)).order_by("-created_at")

    def net_received_for(self, *, purpose: str, object_id) -> Subquery:
        """What the settled payments of one thing brought in, net of every refund (made by
        staff or in Stripe's dashboard): a subquery for annotating the things' rows, with
        `object_id` an `OuterRef` to their pk. NULL when nothing was paid."""
        rows = (
            self.filter(
                purpose=purpose,
                object_id=Cast(object_id, output_field=CharField()),
                paid_at__isnull=False,
            )
            .order_by()
            .values("purpose")
            .annotate(net=Sum(F("amount") - F("amount_refunded")))
            .values("net")
        )
        return Subquery(rows, output_field=DecimalField(max_digits=12, decimal_places=2))

    def close_unpaid_offline(self, *, purpose: str, object_id, now) -> int:
        """The thing was cancelled or released before its check came: its offline payment
        will not come and is closed (expired), so staff and the treasurer do not wait for
        it. One conditional UPDATE, which a payment confirmed at the same moment wins."""
        return self.filter(
            purpose=purpose,
            object_id=str(object_id),
            method=Payment.Method.OFFLINE,
            status=Payment.Status.PENDING,
        ).update(status=Payment.Status.EXPIRED, updated_at=now)

    def card_pending_past_hold(self, now):
        """Card payments still pending whose hold has lapsed: Stripe is asked about them."""
        return self.filter(
            method=Payment.Method.CARD, status=Payment.Status.PENDING, expires_at__lte=now
        )

    def refunds_owed(self):
        """Refused payments whose refund Stripe did not take (`Payment.refund_owed`)."""
        return self.filter(
            status=Payment.Status.PAID,
            paid_at__isnull=False,
            fulfilled_at__isnull=True,
            amount_refunded=0,
        )

    def claim_for_settling(self, *, pk, now, lease):
        """Claim one lapsed card payment for a job that will ask Stripe about it, until
        `now + lease`; that time, or None when another runner holds it or it is no longer
        pending. One conditional UPDATE: of two job runners at once only one asks Stripe
        (and expires its session); a runner that died gives its claim up when the lease
        ends, one that is done gives it back (`release_settling_claim`)."""
        until = now + lease
        claimed = (
            self.card_pending_past_hold(now)
            .filter(pk=pk)
            .filter(Q(settling_until__isnull=True) | Q(settling_until__lte=now))
            .update(settling_until=until)
        )
        return until if claimed else None

    def release_settling_claim(self, *, pk, until) -> None:
        self.filter(pk=pk, settling_until=until).update(settling_until=None)


class Payment(models.Model):
    class Method(models.TextChoices):
        FREE = "free", _("Free")
        OFFLINE = "offline", _("Check or at the door")
        CARD = "card", _("Card")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")
        REFUNDED = "refunded", _("Refunded")
        PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")
        DISPUTED = "disputed", _("Disputed")

    purpose = models.CharField(_("purpose"), max_length=40, db_index=True)
    object_id = models.CharField(_("paid-for id"), max_length=64)
    reference = models.CharField(
        _("reference"), max_length=40, blank=True, help_text=_("The paid-for thing's reference.")
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    payer_name = models.CharField(_("payer"), max_length=200, blank=True)
    payer_email = models.EmailField(_("payer's email"), blank=True)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="usd")
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    amount_refunded = models.DecimalField(_("refunded"), max_digits=10, decimal_places=2, default=0)
    checkout_session_id = models.CharField(
        _("Checkout Session"), max_length=255, unique=True, null=True, blank=True
    )
    checkout_url = models.URLField(_("payment page"), max_length=2000, blank=True)
    payment_intent_id = models.CharField(
        _("PaymentIntent"), max_length=255, blank=True, db_index=True
    )
    token = models.CharField(
        _("access token"), max_length=64, unique=True, default=new_payment_token, editable=False
    )
    expires_at = models.DateTimeField(
        _("hold expires at"), null=True, blank=True, help_text=_("When the thing's hold ends.")
    )
    settling_until = models.DateTimeField(
        _("being settled until"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("A job is asking Stripe about this payment until then; others leave it."),
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    problem = models.TextField(
        _("problem"),
        blank=True,
        help_text=_("Something staff must look at: an amount that did not match, a late payment."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        permissions = [
            ("manage_payments", _("Can mark paid, record checks and refund")),
        ]
        indexes = [models.Index(fields=["purpose", "object_id"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                name="payment_refunds_within_amount",
            ),
            # A thing is paid offline once: two staff marking it paid at the same moment
            # find the same record (payments.confirmation.confirm_offline_payment).
            models.UniqueConstraint(
                fields=["purpose", "object_id"],
                condition=Q(method="offline"),
                name="payment_one_offline_per_thing",
            ),
        ]

    def __str__(self):
        # As staff read it in the admin and its messages: "Ticket order 7MP7U7: $10.00".
        what = purposes.label_of(self.purpose)
        return f"{what} {self.reference or self.object_id}: {format_money(self.amount)}"

    def get_absolute_url(self):
        return reverse("payments:receipt", kwargs={"token": self.token})

    @property
    def badge(self) -> Badge:
        """The payment's status as a badge (association/badges.py)."""
        if self.status == self.Status.PAID:
            tone = Tone.OK
        elif self.status == self.Status.PENDING:
            tone = Tone.WARN
        elif self.status in (self.Status.FAILED, self.Status.EXPIRED, self.Status.DISPUTED):
            tone = Tone.ERROR
        else:
            tone = Tone.PLAIN
        return Badge(self.get_status_display(), tone)

    @property
    def amount_in_minor_units(self) -> int:
        """What Stripe calls the amount: cents for dollars."""
        return int((self.amount * 100).to_integral_value())

    @property
    def net_amount(self):
        return self.amount - self.amount_refunded

    @property
    def is_settled(self) -> bool:
        """The money came (whatever happened after: refunds, a dispute)."""
        return self.paid_at is not None

    @property
    def refund_owed(self) -> bool:
        """Paid, refused (what it paid for could no longer be had), and not yet refunded:
        a refund Stripe did not take when it was asked (payments.confirmation)."""
        return (
            self.status == self.Status.PAID
            and self.paid_at is not None
            and self.fulfilled_at is None
            and not self.amount_refunded
        )

    @property
    def is_awaiting_card(self) -> bool:
        return self.method == self.Method.CARD and self.status == self.Status.PENDING

    def stripe_dashboard_url(self) -> str:
        if not self.payment_intent_id:
            return ""
        test = "test/" if settings.STRIPE_SECRET_KEY.startswith("sk_test_") else ""
        return f"https://dashboard.stripe.com/{test}payments/{self.payment_intent_id}"


class Refund(models.Model):
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    provider_id = models.CharField(
        _("Stripe refund"), max_length=255, unique=True, null=True, blank=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self):
        return f"{self.amount} ({self.reason})" if self.reason else str(self.amount)


class WebhookEvent(models.Model):
    provider_event_id = models.CharField(_("event id"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.provider_event_id}"
