from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from association.csv_export import csv_response

from . import purposes
from .models import Payment, Refund, WebhookEvent
from .refunds import RefundRefused, refund_payment
from .stripe_api import StripeUnavailable


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ("created_at", "amount", "reason", "provider_id", "requested_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        # A refund goes through Stripe (refunds.refund_payment), never a bare row.
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "purpose",
        "reference",
        "payer_name",
        "amount",
        "amount_refunded",
        "method",
        "status",
        "has_problem",
        "stripe_link",
    )
    list_filter = ("purpose", "status", "method", ("created_at", admin.DateFieldListFilter))
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
    readonly_fields = [field.name for field in Payment._meta.fields] + ["stripe_link"]
    fieldsets = (
        (None, {"fields": ("purpose", "object_id", "reference", "description")}),
        (_("Payer"), {"fields": ("payer_name", "payer_email")}),
        (
            _("Money"),
            {"fields": ("amount", "currency", "amount_refunded", "method", "status", "problem")},
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

    # Who sees which payments follows what they were for: each purpose names the permission
    # of its own staff (Event managers change orders, the Membership secretary memberships),
    # so no group needs payments' own permissions and none sees another's payments.
    @staticmethod
    def _purposes_for(request) -> list[str] | None:
        """The purposes this user may see; None for all (a superuser)."""
        if request.user.is_superuser:
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

    def has_refund_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(
        description=_("Refund in full (Stripe pays back; tickets return to sale)"),
        permissions=["refund"],
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
            self.message_user(request, _("%(n)s payment(s) refunded.") % {"n": done})

    @admin.action(description=_("Download for the treasurer (CSV)"), permissions=["view"])
    def treasurer_csv(self, request, queryset):
        def label(name):
            try:
                return purposes.get(name).label
            except LookupError:
                return name

        def rows():
            yield ["Date", "Payer", "Purpose", "Reference", "Gross", "Refunded", "Net", "Status"]
            for payment in queryset.filter(paid_at__isnull=False).order_by("paid_at", "pk"):
                yield [
                    timezone.localtime(payment.paid_at).date().isoformat(),
                    payment.payer_name,
                    label(payment.purpose),
                    payment.reference,
                    payment.amount,
                    payment.amount_refunded,
                    payment.net_amount,
                    payment.get_status_display(),
                ]

        return csv_response(rows(), filename="payments.csv")

    @admin.display(boolean=True, description=_("needs a look"))
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
