"""The exchange committee's admin: programs with their questions, rubric and installments
inline; applications (only those the one rule in access.py lets the viewer see), with
their history; letters are shown to staff only, never to the applicant."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from . import trip_payments
from .access import applications_visible_to
from .models import (
    Answer,
    Application,
    Installment,
    Program,
    Question,
    Reference,
    Review,
    RubricCriterion,
    StatusChange,
    TripPayment,
)


class QuestionInline(TranslationTabularInline):
    model = Question
    extra = 1


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 1


class InstallmentInline(admin.TabularInline):
    model = Installment
    extra = 1


@admin.register(Program)
class ProgramAdmin(TranslationAdmin):
    list_display = [
        "title",
        "partnership",
        "kind",
        "applications_open_at",
        "application_deadline",
        "notification_at",
        "places",
        "published",
    ]
    list_filter = ["kind", "published", "partnership"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["committee"]
    inlines = [QuestionInline, RubricCriterionInline, InstallmentInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "partnership",
                    "kind",
                    "title",
                    "slug",
                    "summary",
                    "description",
                    "published",
                ]
            },
        ),
        (
            _("Dates"),
            {
                "fields": [
                    "travel_starts_on",
                    "travel_ends_on",
                    "applications_open_at",
                    "application_deadline",
                    "reference_deadline",
                    "notification_at",
                ]
            },
        ),
        (_("Places and cost"), {"fields": ["places", "cost", "deposit", "offer_days"]}),
        (
            _("Eligibility"),
            {
                "fields": [
                    "min_age",
                    "max_age",
                    "age_on",
                    "membership_required",
                    "requires_teacher_reference",
                    "eligibility",
                ]
            },
        ),
        (_("Committee"), {"fields": ["chair", "committee"]}),
    ]


class AnswerInline(admin.StackedInline):
    model = Answer
    extra = 0
    readonly_fields = ["question", "text"]
    can_delete = False


class ReferenceInline(admin.StackedInline):
    model = Reference
    extra = 0
    fields = [
        "referee_name",
        "referee_email",
        "relationship",
        "requested_at",
        "reminded_at",
        "received_at",
        "replaced_at",
        "letter",
    ]
    readonly_fields = ["requested_at", "reminded_at", "received_at", "replaced_at", "letter"]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "changed_by", "changed_at", "note"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TripPaymentInline(admin.TabularInline):
    model = TripPayment
    extra = 0
    readonly_fields = ["installment", "amount", "payment", "paid_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "program", "status", "decision", "submitted_at", "balance_due"]
    list_filter = ["status", "decision", "program"]
    search_fields = ["applicant__email", "applicant__first_name", "applicant__last_name"]
    list_select_related = ["program", "applicant"]
    readonly_fields = [
        "program",
        "applicant",
        "status",
        "submitted_at",
        "completed_at",
        "consent_given_at",
        "consent_given_by",
        "decision",
        "decided_at",
        "decided_by",
        "decision_notified_at",
        "offered_at",
        "offer_expires_at",
        "balance_due",
    ]
    fields = [
        "program",
        "applicant",
        "status",
        "date_of_birth",
        "school",
        "guardian_name",
        "guardian_email",
        "guardian_phone",
        "consent_given_at",
        "consent_given_by",
        "photo",
        "transcript",
        "deadline_extended_to",
        "submitted_at",
        "completed_at",
        "decision",
        "decided_at",
        "decided_by",
        "decision_notified_at",
        "waitlist_rank",
        "offered_at",
        "offer_expires_at",
        "scholarship_credit",
        "balance_due",
    ]
    inlines = [AnswerInline, ReferenceInline, StatusChangeInline, TripPaymentInline]
    actions = ["record_checks_received"]

    @admin.action(description=_("Record the travelers' checks as received"))
    def record_checks_received(self, request, queryset):
        now = timezone.now()
        recorded = sum(trip_payments.record_checks_received(a, now=now) for a in queryset)
        self.message_user(request, _("%(count)s check payment(s) recorded.") % {"count": recorded})

    def get_queryset(self, request):
        return applications_visible_to(request.user).exclude(applicant=request.user)

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("Balance due"))
    def balance_due(self, obj):
        return trip_payments.balance(obj) if obj.is_traveler else "—"


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["application", "reviewer", "recused", "updated"]
    list_filter = ["recused", "application__program"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(
                application__in=applications_visible_to(request.user).exclude(
                    applicant=request.user
                )
            )
        )
