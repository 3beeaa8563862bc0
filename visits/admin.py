"""Visits and hosting in the admin, for the "Visit coordinators" group: visits with their
delegates and itinerary inline, host households with their adults (background checks,
orientation attendance), children and times away, matches and volunteers.

Sensitive fields (access.py) are left out of every form and list for staff the rule does
not allow: a delegate's birth date, allergies, health notes and emergency contact, an
adult's background check. The exchange committee's applications list gains a column
"Hosted before": families who hosted get priority on the partnership's next outgoing
program.
"""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from exchanges.admin import ApplicationAdmin
from exchanges.models import Application

from . import access, itinerary, matching, roster
from .models import (
    AwayPeriod,
    Delegate,
    HostHousehold,
    HouseholdAdult,
    HouseholdChild,
    ItineraryItem,
    Match,
    Visit,
    Volunteer,
)


class DelegateInline(admin.TabularInline):
    model = Delegate
    extra = 0
    fields = [
        "first_name",
        "last_name",
        "gender",
        "english_level",
        "languages",
        "diet",
        "needs_host",
        "sibling_group",
        "birth_date",
        "allergies",
        "allergic_to_animals",
        "needs_smoke_free",
        "emergency_contact_name",
        "emergency_contact_phone",
    ]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and access.may_coordinate(request.user, obj):
            return fields
        if obj is None and access.is_hosting_staff(request.user):
            return fields
        return [f for f in fields if f not in access.DELEGATE_SENSITIVE_FIELDS]


class ItineraryItemInline(admin.TabularInline):
    model = ItineraryItem
    extra = 1
    fields = [
        "starts_at",
        "ends_at",
        "place",
        "title",
        "drivers_needed",
        "interpreters_needed",
        "hosts_needed",
    ]


@admin.register(Visit)
class VisitAdmin(TranslationAdmin):
    list_display = [
        "title",
        "partnership",
        "direction",
        "starts_on",
        "ends_on",
        "coordinator",
        "delegate_count",
    ]
    list_filter = ["direction", "partnership", "published"]
    search_fields = ["title", "purpose"]
    date_hierarchy = "starts_on"
    inlines = [DelegateInline, ItineraryItemInline]
    actions = ["add_travelers", "email_schedules"]
    fieldsets = [
        (None, {"fields": ["partnership", "direction", "title", "purpose", "published"]}),
        (_("Dates"), {"fields": ["starts_on", "ends_on", "arrival"]}),
        (
            _("People"),
            {
                "fields": [
                    "coordinator",
                    "partner_coordinator_name",
                    "partner_coordinator_email",
                    "partner_coordinator_language",
                    "program",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("partnership__partner_city", "coordinator")
            .annotate(delegates_total=Count("delegates"))
        )

    @admin.display(description=_("Delegates"), ordering="delegates_total")
    def delegate_count(self, obj):
        return obj.delegates_total

    def view_on_site(self, obj):
        return obj.get_absolute_url()

    @admin.action(description=_("Add the program's accepted applicants as travelers"))
    def add_travelers(self, request, queryset):
        added = sum(roster.add_travelers(visit) for visit in queryset)
        self.message_user(request, _("%(count)s traveler(s) added.") % {"count": added})

    @admin.action(description=_("Email everyone their schedule"))
    def email_schedules(self, request, queryset):
        sent = sum(itinerary.send_schedules(visit) for visit in queryset)
        self.message_user(request, _("%(count)s schedule(s) emailed.") % {"count": sent})


@admin.register(Delegate)
class DelegateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "visit", "gender", "needs_host", "placed_with"]
    list_filter = ["visit", "needs_host", "gender"]
    search_fields = ["first_name", "last_name"]
    list_select_related = ["visit"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(visit__in=access.visits_coordinated_by(request.user))
            if not request.user.is_superuser
            else super().get_queryset(request)
        )

    def get_exclude(self, request, obj=None):
        if obj is not None and access.may_see_sensitive(request.user, obj):
            return []
        if obj is None and access.is_hosting_staff(request.user):
            return []
        return list(access.DELEGATE_SENSITIVE_FIELDS)

    @admin.display(description=_("Host family"))
    def placed_with(self, obj):
        match = obj.matches.active().select_related("household").first()
        return match.household.family_name if match else "—"


class AdultInline(admin.StackedInline):
    model = HouseholdAdult
    extra = 0
    autocomplete_fields = ["orientation"]
    fields = [
        "name",
        "email",
        "check_status",
        "check_requested_on",
        "check_expires_on",
        "check_notes",
        "check_details_deleted_on",
        "orientation",
        "orientation_attended_on",
    ]
    readonly_fields = ["check_details_deleted_on"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None or access.may_see_checks(request.user, obj):
            return fields
        return [f for f in fields if f not in access.CHECK_FIELDS]


class ChildInline(admin.TabularInline):
    model = HouseholdChild
    extra = 0


class AwayPeriodInline(admin.TabularInline):
    model = AwayPeriod
    extra = 0


@admin.register(HostHousehold)
class HostHouseholdAdmin(admin.ModelAdmin):
    list_display = ["family_name", "city", "status", "beds", "has_pets", "smoking", "ready_now"]
    list_filter = ["status", "has_pets", "smoking", "guest_gender"]
    search_fields = ["family_name", "email", "adults__name", "city"]
    list_select_related = ["member"]
    inlines = [AdultInline, ChildInline, AwayPeriodInline]
    actions = ["approve"]
    readonly_fields = ["applied_at"]
    raw_id_fields = ["member"]
    fieldsets = [
        (None, {"fields": ["family_name", "member", "status", "applied_at"]}),
        (
            _("Contact"),
            {"fields": ["email", "language", "phone", "street", "city", "postal_code"]},
        ),
        (
            _("Home"),
            {"fields": ["languages", "has_pets", "pets", "smoking", "allergies", "rooms", "beds"]},
        ),
        (
            _("Guests"),
            {
                "fields": [
                    "max_guests",
                    "guest_min_age",
                    "guest_max_age",
                    "guest_gender",
                    "available_from",
                    "available_until",
                ]
            },
        ),
        (
            _("Agreements"),
            {"fields": ["agrees_to_orientation", "agrees_to_background_checks", "notes"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("adults")

    @admin.display(description=_("Ready to host today"), boolean=True)
    def ready_now(self, obj):
        today = timezone.localdate()
        return obj.is_eligible(today, today)

    @admin.action(description=_("Approve the selected households"))
    def approve(self, request, queryset):
        count = queryset.exclude(status=HostHousehold.Status.APPROVED).update(
            status=HostHousehold.Status.APPROVED
        )
        self.message_user(request, _("%(count)s household(s) approved.") % {"count": count})


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    """Matches are made, changed and cancelled from the visit's coordination page, where
    the conflicts are checked and both sides emailed; here they are read and cancelled."""

    list_display = ["delegate", "household", "visit", "bed", "confirmed_at", "cancelled_at"]
    list_filter = ["visit", ("cancelled_at", admin.EmptyFieldListFilter)]
    list_select_related = ["delegate", "household", "visit"]
    readonly_fields = [
        "visit",
        "delegate",
        "household",
        "bed",
        "confirmed_at",
        "confirmed_by",
        "cancelled_at",
        "cancel_reason",
    ]
    actions = ["cancel"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Cancel the selected matches (both sides are emailed)"))
    def cancel(self, request, queryset):
        now = timezone.now()
        count = sum(
            matching.cancel_match(
                match, by=request.user, at=now, reason=str(_("cancelled by staff"))
            )
            for match in queryset.select_related("visit", "delegate", "household")
        )
        self.message_user(request, _("%(count)s match(es) cancelled.") % {"count": count})


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["user", "item", "role", "status", "created"]
    list_filter = ["status", "role", "item__visit"]
    list_select_related = ["user", "item"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    actions = ["confirm", "decline"]
    readonly_fields = ["item", "user", "role", "status", "note", "decided_at"]

    def has_add_permission(self, request):
        return False

    def _decide(self, request, queryset, *, confirm):
        now = timezone.now()
        count = sum(
            itinerary.decide(v, confirm=confirm, at=now)
            for v in queryset.select_related("item__visit", "user")
        )
        self.message_user(
            request, _("%(count)s volunteer(s) told.") % {"count": count}, messages.SUCCESS
        )

    @admin.action(description=_("Confirm the selected volunteers"))
    def confirm(self, request, queryset):
        self._decide(request, queryset, confirm=True)

    @admin.action(description=_("Decline the selected volunteers"))
    def decline(self, request, queryset):
        self._decide(request, queryset, confirm=False)


class ApplicationWithHostingAdmin(ApplicationAdmin):
    """The exchange committee's applications, with whether the applicant's family hosted
    a delegate of the same partnership before the program: they get priority."""

    list_display = [*ApplicationAdmin.list_display, "hosted_before"]

    def get_queryset(self, request):
        return matching.with_hosted_before(super().get_queryset(request))

    @admin.display(description=_("Hosted before (priority)"), boolean=True, ordering="-hosted")
    def hosted_before(self, obj):
        return obj.hosted


admin.site.unregister(Application)
admin.site.register(Application, ApplicationWithHostingAdmin)
