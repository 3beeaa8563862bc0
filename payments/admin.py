from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from association.badges import render_badge
from association.csv_export import csv_response
from association.formats import format_money

from . import purposes
from .models import Payment, Refund, WebhookEvent, may_manage_payments
from .refunds import RefundRefused, refund_payment
from .stripe_api import StripeUnavailable


class ManagePaymentsActionsMixin:
    """For a ModelAdmin whose actions move money: such an action names
    `permissions=["manage_payments"]`, and only staff who may manage payments see it or
    can post it (Django leaves an action out of the changelist, and refuses it on POST,
    when its permission check fails). Views outside actions call the check themselves."""

    def has_manage_payments_permission(self, request, obj=None):
        return may_manage_payments(request.user)


class PaymentMethodFilter(admin.SimpleListFilter):
    """The payment method in words ("Card"), for a model keeping the method's code in a
    plain `payment_method` field (orders, memberships, donations)."""

    title = _("payment method")
    parameter_name = "payment_method"

    def lookups(self, request, model_admin):
        return Payment.Method.choices

    def queryset(self, request, queryset):
        if self.value() in Payment.Method.values:
            return queryset.filter(payment_method=self.value())
        return queryset


class PurposeFilter(admin.SimpleListFilter):
    title = _("purpose")
    parameter_name = "purpose"

    def lookups(self, request, model_admin):
        return [(purpose.name, purpose.label) for purpose in purposes.registered()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(purpose=self.value())
        return queryset


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ("created_at", "refund_amount", "reason", "provider_id", "requested_by")
    readonly_fields = fields

    @admin.display(description=_("Amount"))
    def refund_amount(self, refund):
        return format_money(refund.amount)

    def has_add_permission(self, request, obj=None):
        # A refund goes through Stripe (refunds.refund_payment), never a bare row.
        return False


@admin.register(Payment)
class PaymentAdmin(ManagePaymentsActionsMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "purpose_in_words",
        "reference",
        "payer_name",
        "amount_money",
        "refunded_money",
        "method",
        "status_badge",
        "has_problem",
        "stripe_link",
    )
    list_filter = (
        "status",
        "method",
        PurposeFilter,
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = (
        "reference",
        "payer_name",
        "payer_email",
        "checkout_session_id",
        "payment_intent_id",
    )
    date_hierarchy = "created_at"
    inlines = [RefundInline]
    actions = ["refund_in_full", "treasurer_csv"]
    readonly_fields = [field.name for field in Payment._meta.fields] + [
        "stripe_link",
        "purpose_in_words",
        "amount_money",
        "refunded_money",
    ]
    fieldsets = (
        (None, {"fields": ("purpose_in_words", "object_id", "reference", "description")}),
        (_("Payer"), {"fields": ("payer_name", "payer_email")}),
        (
            _("Money"),
            {
                "fields": (
                    "amount_money",
                    "currency",
                    "refunded_money",
                    "method",
                    "status",
                    "problem",
                )
            },
        ),
        (
            _("Stripe"),
            {"fields": ("checkout_session_id", "payment_intent_id", "stripe_link")},
        ),
        (
            _("Dates"),
            {"fields": ("created_at", "expires_at", "paid_at", "fulfilled_at", "updated_at")},
        ),
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Purpose"), ordering="purpose")
    def purpose_in_words(self, payment):
        return purposes.label_of(payment.purpose)

    @admin.display(description=_("Amount"), ordering="amount")
    def amount_money(self, payment):
        return format_money(payment.amount)

    @admin.display(description=_("Refunded"), ordering="amount_refunded")
    def refunded_money(self, payment):
        return format_money(payment.amount_refunded)

    # Who sees which payments follows what they were for: each purpose names the permission
    # of its own staff (Event managers change orders, the Membership secretary memberships),
    # so none sees another's payments. The Treasurer (payments.view_payment) sees them all.
    @staticmethod
    def _purposes_for(request) -> list[str] | None:
        """The purposes this user may see; None for all (a superuser, the Treasurer)."""
        if request.user.has_perm("payments.view_payment"):
            return None
        return [
            purpose.name
            for purpose in purposes.registered()
            if purpose.staff_permission and request.user.has_perm(purpose.staff_permission)
        ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        allowed = self._purposes_for(request)
        return queryset if allowed is None else queryset.filter(purpose__in=allowed)

    def has_view_permission(self, request, obj=None):
        allowed = self._purposes_for(request)
        if allowed is None:
            return True
        if obj is not None:
            return obj.purpose in allowed
        return bool(allowed)

    def has_module_permission(self, request):
        return (
            request.user.is_active and request.user.is_staff and self.has_view_permission(request)
        )

    def has_change_permission(self, request, obj=None):
        # Nothing on a payment is edited by hand; actions check the view right (by purpose).
        return False

    @admin.action(
        description=_("Refund in full (Stripe pays back; tickets return to sale)"),
        permissions=["manage_payments"],
    )
    def refund_in_full(self, request, queryset):
        now = timezone.now()
        done = 0
        for payment in queryset.order_by("pk"):
            if payment.method != Payment.Method.CARD:
                # Check or cash goes back by hand; recording it here would close the order
                # and tell the buyer they were refunded before any money moved.
                self.message_user(
                    request,
                    _(
                        "%(payment)s was not paid by card: return the money by hand and cancel "
                        "what it paid for."
                    )
                    % {"payment": payment},
                    messages.ERROR,
                )
                continue
            left = payment.amount - payment.amount_refunded
            try:
                refund_payment(
                    payment=payment,
                    amount=left,
                    reason=str(_("Refunded by staff")),
                    now=now,
                    requested_by=request.user,
                )
            except (RefundRefused, StripeUnavailable) as error:
                self.message_user(request, f"{payment}: {error}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(n)s payment refunded.", "%(n)s payments refunded.", done) % {"n": done},
            )

    @admin.action(description=_("Download for the treasurer (CSV)"), permissions=["view"])
    def treasurer_csv(self, request, queryset):
        def rows():
            yield ["Date", "Payer", "Purpose", "Reference", "Gross", "Refunded", "Net", "Status"]
            for payment in queryset.filter(paid_at__isnull=False).order_by("paid_at", "pk"):
                yield [
                    timezone.localtime(payment.paid_at).date().isoformat(),
                    payment.payer_name,
                    purposes.label_of(payment.purpose),
                    payment.reference,
                    payment.amount,
                    payment.amount_refunded,
                    payment.net_amount,
                    payment.get_status_display(),
                ]

        return csv_response(rows(), filename="payments.csv")

    @admin.display(description=_("Status"), ordering="status")
    def status_badge(self, obj):
        return render_badge(obj.badge)

    @admin.display(boolean=True, description=_("Needs a look"))
    def has_problem(self, obj):
        return bool(obj.problem)

    @admin.display(description=_("Stripe"))
    def stripe_link(self, obj):
        url = obj.stripe_dashboard_url()
        if not url:
            return ""
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>', url, obj.payment_intent_id
        )


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("received_at", "type", "provider_event_id", "processed_at")
    list_filter = ("type",)
    search_fields = ("provider_event_id",)
    readonly_fields = ("provider_event_id", "type", "received_at", "processed_at")

    def has_add_permission(self, request):
        return False
