from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from association.badges import render_badge
from association.formats import format_money
from payments.admin import ManagePaymentsActionsMixin, PaymentMethodFilter
from payments.models import method_in_words

from .donation_payments import record_check_received
from .models import Designation, Donation


@admin.register(Designation)
class DesignationAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "ordering")
    list_editable = ("active", "ordering")
    list_filter = ("active",)
    search_fields = ("name", "description")


class ReceivedYearFilter(admin.SimpleListFilter):
    """The calendar year a gift was received in: what a donor's tax year and the
    treasurer's books go by (the site's time zone)."""

    title = _("year received")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Donation.objects.received().dates("paid_at", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(paid_at__year=int(value))
        return queryset


class ReceivedFilter(admin.SimpleListFilter):
    title = _("received")
    parameter_name = "received"

    def lookups(self, request, model_admin):
        return [("yes", _("Received")), ("no", _("Not yet"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.received()
        if self.value() == "no":
            return queryset.not_received()
        return queryset


@admin.register(Donation)
class DonationAdmin(ManagePaymentsActionsMixin, admin.ModelAdmin):
    list_display = (
        "reference",
        "created",
        "donor_name",
        "donor_email",
        "gift",
        "designation",
        "method",
        "paid_at",
        "payment_status",
    )
    list_filter = ("designation", ReceivedYearFilter, ReceivedFilter, PaymentMethodFilter)
    search_fields = ("donor_name", "donor_email", "dedication", "user__email")
    list_select_related = ("designation", "payment")
    date_hierarchy = "created"
    actions = ["mark_check_received"]
    readonly_fields = (
        "reference",
        "donor_name",
        "donor_email",
        "user",
        "gift",
        "method",
        "payment_link",
        "paid_at",
        "created",
    )
    fieldsets = (
        (None, {"fields": ("reference", "gift", "designation", "dedication")}),
        (_("Donor"), {"fields": ("donor_name", "donor_email", "user")}),
        (_("Payment"), {"fields": ("method", "payment_link", "paid_at", "created")}),
    )

    def has_add_permission(self, request):
        # A gift begins on the donation page, so it always has its payment record.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Reference"), ordering="pk")
    def reference(self, donation):
        return donation.reference

    @admin.display(description=_("Amount"), ordering="amount")
    def gift(self, donation):
        return format_money(donation.amount)

    @admin.display(description=_("Payment method"), ordering="payment_method")
    def method(self, donation):
        return method_in_words(donation.payment_method)

    @admin.display(description=_("Payment"))
    def payment_status(self, donation):
        return render_badge(donation.payment.badge) if donation.payment else "—"

    @admin.display(description=_("Payment"))
    def payment_link(self, donation):
        payment = donation.payment
        if payment is None:
            return "—"
        return format_html(
            '<a href="{}">{} ({})</a>',
            reverse("admin:payments_payment_change", args=[payment.pk]),
            payment.reference or payment.pk,
            payment.get_status_display(),
        )

    def get_search_results(self, request, queryset, search_term):
        # The reference is derived from the pk: staff type it straight from the check.
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        pk = Donation.pk_from_reference(search_term)
        if pk is not None:
            results |= queryset.filter(pk=pk)
        return results, may_have_duplicates

    @admin.action(
        description=_("Record the check received (emails the donor's receipt)"),
        permissions=["manage_payments"],
    )
    def mark_check_received(self, request, queryset):
        now = timezone.now()
        recorded = sum(
            record_check_received(donation, now=now)
            for donation in queryset.select_related("payment")
        )
        skipped = queryset.count() - recorded
        self.message_user(
            request,
            ngettext("%(count)s check recorded.", "%(count)s checks recorded.", recorded)
            % {"count": recorded},
            messages.SUCCESS if recorded else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)s donation skipped: it is not a check awaiting payment.",
                    "%(count)s donations skipped: they are not checks awaiting payment.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
