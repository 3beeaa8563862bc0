import datetime
import itertools

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from association.csv_export import csv_response, field_heading
from association.formats import format_money
from payments.admin import ManagePaymentsActionsMixin, PaymentMethodFilter
from payments.models import may_manage_payments, method_in_words

from . import email_change
from .dues_payments import record_offline_dues
from .emails import send_password_changed_email
from .forms import AdminSignInForm
from .models import (
    POSTAL_ADDRESS_FIELDS,
    Membership,
    MembershipPlan,
    RenewalReminder,
    User,
)
from .reminders import send_renewal_reminder


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MemberChangeAdminForm(UserChangeAdminForm):
    """The change form for staff other than superusers: no password field, so no link to
    the admin's password form either."""

    password = None


# The admin's sign-in is the most valuable to guess: give it the same limits as the site's.
admin.site.login_form = AdminSignInForm


PAYMENT_FIELDS = ("amount_paid", "payment_method", "paid_at")
"""A membership's fields that record dues as received: the Treasurer's to type."""


class MembershipAdminForm(forms.ModelForm):
    """Making a membership active is recording its dues as paid (an active membership has
    its payment date): only staff who may manage payments do it, and they record the
    payment through "Mark dues paid", so the payments list and the receipt know of it."""

    may_record_dues = True

    class Meta:
        model = Membership
        fields = "__all__"  # noqa: DJ007 - the admin narrows it to its fieldsets

    def clean_status(self):
        status = self.cleaned_data["status"]
        was = self.initial.get("status") if self.instance.pk else None
        if status == Membership.Status.ACTIVE and was != status and not self.may_record_dues:
            raise forms.ValidationError(
                _(
                    "Only the Treasurer records dues as paid. Leave the membership pending "
                    "and ask them to mark the dues paid."
                ),
                code="dues_are_the_treasurers",
            )
        return status


def membership_form_for(request) -> type[MembershipAdminForm]:
    may_record = may_manage_payments(request.user)
    return type("MembershipAdminForm", (MembershipAdminForm,), {"may_record_dues": may_record})


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("plan", "status", "starts_on", "ends_on", "amount_due", "amount_paid", "paid_at")
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, form=membership_form_for(request), **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if may_manage_payments(request.user):
            return readonly
        return (*readonly, *PAYMENT_FIELDS)


class InGoodStandingFilter(admin.SimpleListFilter):
    title = _("membership")
    parameter_name = "member"

    def lookups(self, request, model_admin):
        return [("yes", _("In good standing")), ("no", _("Not in good standing"))]

    def queryset(self, request, queryset):
        standing = Membership.objects.in_good_standing(timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(memberships__in=standing).distinct()
        if self.value() == "no":
            return queryset.exclude(memberships__in=standing)
        return queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ("last_name", "first_name", "email")
    list_display = ("email", "first_name", "last_name", "phone", "newsletter_opt_in", "is_staff")
    list_filter = (
        InGoodStandingFilter,
        "newsletter_opt_in",
        "is_staff",
        "is_superuser",
        "is_active",
        "groups",
    )
    search_fields = ("email", "first_name", "last_name", "phone")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "phone", "newsletter_opt_in")}),
        (
            _("Postal address"),
            {"fields": POSTAL_ADDRESS_FIELDS},
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    # Staff who look after members (the "Membership secretary" group has change_user) see
    # and change members only: only a superuser sees a staff or superuser account (lists,
    # search, the autocomplete of the membership form, change pages), grants permissions,
    # or sets anyone's password (members reset their own), since a password set by staff
    # lets them sign in as that member and reach the member's orders. The email address is
    # the other half of signing in (a password reset goes to it), so only a superuser
    # changes it, and the old address is told (email_change.may_change_email).
    permission_fields = ("is_staff", "is_superuser", "groups", "user_permissions")

    def get_queryset(self, request):
        users = super().get_queryset(request)
        if request.user.is_superuser:
            return users
        return users.filter(is_staff=False, is_superuser=False)

    def get_object(self, request, object_id, from_field=None):
        user = super().get_object(request, object_id, from_field)
        if user is None and not request.user.is_superuser:
            # A staff account is not in the queryset: refuse it exactly like an id that does
            # not exist (403, not the admin's "perhaps it was deleted" redirect), so neither
            # can be told from the other.
            raise PermissionDenied
        return user

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None and not request.user.is_superuser:
            kwargs["form"] = MemberChangeAdminForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if not email_change.may_change_email(request.user) and obj is not None:
            # Read-only fields are left out of the form, so a posted address is ignored.
            readonly = (*readonly, "email")
        if request.user.is_superuser:
            return readonly
        return (*readonly, *self.permission_fields)

    def save_model(self, request, obj, form, change):
        changed_email = change and "email" in form.changed_data
        if changed_email and not email_change.may_change_email(request.user):
            raise PermissionDenied
        super().save_model(request, obj, form, change)
        if changed_email:
            # In the admin's transaction, through the outbox like every email.
            email_change.tell_old_address(user=obj, old_email=form.initial["email"], by_staff=True)

    def may_manage_account(self, request, obj) -> bool:
        """Only a superuser may see or change a staff or superuser account."""
        return obj is None or request.user.is_superuser or not (obj.is_staff or obj.is_superuser)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.may_manage_account(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_manage_account(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_manage_account(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        response = super().user_change_password(request, id, form_url)
        # Success redirects to the change page (a conflicting form back to this page).
        if request.method == "POST" and response.get("Location") not in (None, request.path):
            # Every password change reaches the owner, a superuser's included.
            send_password_changed_email(self.get_object(request, unquote(id)), how="change")
        return response


@admin.register(MembershipPlan)
class MembershipPlanAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "dues",
        "is_sample_price",
        "term_months",
        "people_covered",
        "is_offered",
        "position",
        "member_count",
    )
    list_editable = ("is_offered", "position")
    list_filter = ("is_offered", "is_sample_price")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _member_count=Count(
                    "memberships",
                    filter=Q(
                        memberships__in=Membership.objects.in_good_standing(timezone.localdate())
                    ),
                )
            )
        )

    @admin.display(description=_("Members in good standing"), ordering="_member_count")
    def member_count(self, plan):
        return plan._member_count

    @admin.display(description=_("Dues"), ordering="annual_dues")
    def dues(self, plan):
        return format_money(plan.annual_dues)


class EndingSoonFilter(admin.SimpleListFilter):
    title = _("term")
    parameter_name = "term"

    def lookups(self, request, model_admin):
        return [
            ("ending", _("Ending in the next 30 days")),
            ("grace", _("Ended, in grace period")),
            ("lapsed", _("Lapsed (past the grace period, not renewed)")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "ending":
            return queryset.ending_between(today, today + datetime.timedelta(days=30))
        if self.value() == "grace":
            return queryset.in_grace(today)
        if self.value() == "lapsed":
            return queryset.lapsed(today).not_renewed()
        return queryset


def mailing_list_headers() -> list[str]:
    """Column headings staff read in a spreadsheet: the fields' own verbose names."""
    user_fields = ("email", "first_name", "last_name", *POSTAL_ADDRESS_FIELDS)
    return [
        *(field_heading(User, name) for name in user_fields),
        field_heading(Membership, "plan"),
        field_heading(Membership, "ends_on"),
    ]


def mailing_list_rows(*, on: datetime.date):
    """Members in good standing on `on` who agreed to the newsletter, one row each."""
    standing = Membership.objects.in_good_standing(on)
    users = (
        User.objects.filter(newsletter_opt_in=True, is_active=True, memberships__in=standing)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )
    plans = {}
    # The membership that runs longest is the member's (as in membership_in_good_standing),
    # so a lifetime membership is never shown as a dated one.
    for membership in standing.select_related("plan").longest_first():
        plans.setdefault(membership.user_id, membership)
    for user in users.iterator():
        membership = plans.get(user.pk)
        yield [
            user.email,
            user.first_name,
            user.last_name,
            user.address_line1,
            user.address_line2,
            user.city,
            user.region,
            user.postal_code,
            user.country,
            membership.plan.name if membership else "",
            membership.ends_on.isoformat() if membership and membership.ends_on else "lifetime",
        ]


@admin.register(Membership)
class MembershipAdmin(ManagePaymentsActionsMixin, admin.ModelAdmin):
    list_display = (
        "reference",
        "user",
        "user_email",
        "plan",
        "status",
        "starts_on",
        "ends_on",
        "dues_owed",
        "dues_paid",
        "paid_at",
        "method",
    )
    list_filter = ("plan", "status", EndingSoonFilter, PaymentMethodFilter)
    search_fields = (
        "user__email",
        "user__first_name",
        "user__last_name",
        "household_member_names",
        "interests",
    )
    list_select_related = ("user", "plan")
    autocomplete_fields = ("user",)
    date_hierarchy = "starts_on"
    readonly_fields = ("reference", "created_at", "updated_at", "payment_instructions")
    actions = ["mark_dues_paid", "send_reminder"]
    fieldsets = (
        (None, {"fields": ("reference", "user", "plan", "status")}),
        (_("Term"), {"fields": ("starts_on", "ends_on")}),
        (
            _("Dues"),
            {
                "fields": (
                    "amount_due",
                    "amount_paid",
                    "payment_method",
                    "paid_at",
                    "payment_instructions",
                )
            },
        ),
        (_("Member's answers"), {"fields": ("household_member_names", "interests")}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description=_("Email"), ordering="user__email")
    def user_email(self, membership):
        return membership.user.email

    @admin.display(description=_("Reference"), ordering="pk")
    def reference(self, membership):
        return membership.reference if membership.pk else "—"

    @admin.display(description=_("Dues owed"), ordering="amount_due")
    def dues_owed(self, membership):
        return format_money(membership.amount_due)

    @admin.display(description=_("Amount paid"), ordering="amount_paid")
    def dues_paid(self, membership):
        return format_money(membership.amount_paid)

    @admin.display(description=_("Payment method"), ordering="payment_method")
    def method(self, membership):
        return method_in_words(membership.payment_method)

    def get_form(self, request, obj=None, **kwargs):
        return super().get_form(request, obj, form=membership_form_for(request), **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if may_manage_payments(request.user):
            return readonly
        return (*readonly, *PAYMENT_FIELDS)

    def get_search_results(self, request, queryset, search_term):
        # The reference is derived from the pk, not stored, so search_fields cannot find
        # "M-00001"; staff type it straight from the check.
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        pk = Membership.pk_from_reference(search_term)
        if pk is not None:
            results |= queryset.filter(pk=pk)
        return results, may_have_duplicates

    # Recording dues is moving money (the Treasurer's); the reminder changes nothing but
    # is staff's who change memberships. Staff without the permission neither see an
    # action nor can post it.
    @admin.action(
        description=_("Mark dues paid (activates pending memberships)"),
        permissions=["manage_payments"],
    )
    def mark_dues_paid(self, request, queryset):
        now = timezone.now()
        # Through the membership's payment record, so the payments list, the treasurer's
        # CSV and the receipt know of dues paid by check too.
        confirmed = sum(
            record_offline_dues(m, now=now) for m in queryset.select_related("plan", "user")
        )
        skipped = queryset.count() - confirmed
        self.message_user(
            request,
            ngettext(
                "%(count)s membership marked paid.", "%(count)s memberships marked paid.", confirmed
            )
            % {"count": confirmed},
            messages.SUCCESS if confirmed else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)s membership skipped: it was not waiting for payment.",
                    "%(count)s memberships skipped: they were not waiting for payment.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Send a renewal reminder"), permissions=["change"])
    def send_reminder(self, request, queryset):
        now = timezone.now()
        # The reminder says "renew now": only those the join page would let renew get one.
        due = list(
            queryset.open_for_renewal(timezone.localdate(now))
            .not_renewed()
            .select_related("user", "plan")
        )
        sent = 0
        for membership in due:
            sent += send_renewal_reminder(membership, kind=RenewalReminder.Kind.MANUAL, now=now)
        self.message_user(
            request,
            ngettext("%(count)s reminder sent.", "%(count)s reminders sent.", sent)
            % {"count": sent},
            messages.SUCCESS if sent else messages.WARNING,
        )
        skipped = queryset.count() - len(due)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)s membership skipped: it cannot be renewed yet (renewal opens "
                    "%(days)s days before the term ends), or it is pending, cancelled, "
                    "lifetime or already renewed.",
                    "%(count)s memberships skipped: they cannot be renewed yet (renewal opens "
                    "%(days)s days before the term ends), or they are pending, cancelled, "
                    "lifetime or already renewed.",
                    skipped,
                )
                % {"count": skipped, "days": settings.MEMBERSHIP_RENEWAL_WINDOW_DAYS},
                messages.WARNING,
            )

    def get_urls(self):
        urls = super().get_urls()
        return [
            path(
                "mailing-list.csv",
                self.admin_site.admin_view(self.mailing_list_view),
                name="membership_membership_mailing_list",
            ),
            *urls,
        ]

    def mailing_list_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        rows = itertools.chain([mailing_list_headers()], mailing_list_rows(on=today))
        return csv_response(rows, filename=f"members-mailing-list-{today.isoformat()}.csv")


@admin.register(RenewalReminder)
class RenewalReminderAdmin(admin.ModelAdmin):
    list_display = ("membership", "kind", "term_ends_on", "sent_at")
    list_filter = ("kind",)
    search_fields = ("membership__user__email",)
    list_select_related = ("membership__user", "membership__plan")
    date_hierarchy = "sent_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
