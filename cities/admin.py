from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from .countries import country_name
from .models import (
    City,
    Committee,
    DirectoryListing,
    Milestone,
    Origin,
    Partnership,
    PartnershipStatusChange,
    Photo,
)


class CountryListFilter(admin.SimpleListFilter):
    """Only the countries that appear, by name (not all 249 ISO codes)."""

    title = _("country")
    parameter_name = "country"
    country_field = "country"

    def lookups(self, request, model_admin):
        codes = (
            model_admin.get_queryset(request)
            .order_by()
            .values_list(self.country_field, flat=True)
            .distinct()
        )
        return sorted(((code, country_name(code)) for code in codes), key=lambda c: c[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.country_field: self.value()})
        return queryset


class PartnerCountryListFilter(CountryListFilter):
    country_field = "partner_city__country"


def thumbnail_preview(image_file, *, width=120):
    if not image_file:
        return "—"
    return format_html('<img src="{}" alt="" width="{}">', image_file.url, width)


@admin.register(City)
class CityAdmin(TranslationAdmin):
    list_display = ["name", "region", "country_display", "is_home", "latitude", "longitude"]
    list_filter = ["is_home", CountryListFilter]
    search_fields = ["name", "region", "slug", "country"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "region", "country", "is_home"]}),
        (_("Position on the map"), {"fields": ["latitude", "longitude"]}),
    ]

    @admin.display(description=_("Country"), ordering="country")
    def country_display(self, city):
        return city.country_name


class CommitteeInline(TranslationStackedInline):
    model = Committee
    extra = 0
    fields = [("name", "position"), "focus", "current_project", ("chair", "contact")]


class PhotoInline(TranslationTabularInline):
    model = Photo
    extra = 0
    fields = ["preview", "image", "caption", "alt_text", "credit", "position"]
    readonly_fields = ["preview"]

    @admin.display(description=_("Preview"))
    def preview(self, photo):
        return thumbnail_preview(photo.thumbnail)


class MilestoneInline(TranslationStackedInline):
    model = Milestone
    extra = 0
    fields = [("date", "precision"), "title", "text", ("photo", "preview"), "photo_alt"]
    readonly_fields = ["preview"]

    @admin.display(description=_("Preview"))
    def preview(self, milestone):
        return thumbnail_preview(milestone.photo_thumbnail)


class StatusChangeInline(admin.TabularInline):
    model = PartnershipStatusChange
    extra = 0
    fields = ["changed_on", "status", "note", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]
    verbose_name_plural = _(
        "status history (recorded when the partnership is added and when its status changes)"
    )


class PartnershipAdminForm(forms.ModelForm):
    origins = forms.MultipleChoiceField(
        label=_("How it developed"),
        choices=Origin.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    status_changed_on = forms.DateField(
        label=_("Status changed on"),
        required=False,
        help_text=_(
            "When you add the partnership or change its status, the status is recorded in "
            "the status history with this date (today if empty) and the status note."
        ),
    )

    class Meta:
        model = Partnership
        fields = [
            "home_city",
            "partner_city",
            "slug",
            "kind",
            "position",
            "status",
            "status_note",
            "year_established",
            "origins",
            "summary",
            "story",
            "population",
            "population_year",
            "known_for",
            "image",
            "image_alt",
        ]

    def clean_origins(self):
        # Keep the order of the choices, whatever order the boxes were ticked in.
        chosen = set(self.cleaned_data["origins"])
        return [value for value in Origin.values if value in chosen]


@admin.register(Partnership)
class PartnershipAdmin(TranslationAdmin):
    form = PartnershipAdminForm
    list_display = [
        "partner",
        "country",
        "kind",
        "status",
        "year_established",
        "home_city",
        "position",
    ]
    list_editable = ["position"]
    list_filter = [
        "kind",
        "status",
        PartnerCountryListFilter,
        ("home_city", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["partner_city", "home_city"]
    search_fields = ["partner_city__name", "partner_city__region", "slug", "summary", "story"]
    autocomplete_fields = ["home_city", "partner_city"]
    readonly_fields = ["image_preview", "created_at", "updated_at"]
    inlines = [CommitteeInline, PhotoInline, MilestoneInline, StatusChangeInline]
    fieldsets = [
        (None, {"fields": ["home_city", "partner_city", "slug", "kind", "position"]}),
        (_("Status"), {"fields": ["status", "status_note", "status_changed_on"]}),
        (_("History"), {"fields": ["year_established", "origins"]}),
        (_("The city"), {"fields": [("population", "population_year"), "known_for"]}),
        (_("Page"), {"fields": ["summary", "story", "image", "image_preview", "image_alt"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(description=_("Partner"), ordering="partner_city__name")
    def partner(self, partnership):
        return partnership.partner_city.name

    @admin.display(description=_("Country"), ordering="partner_city__country")
    def country(self, partnership):
        return partnership.partner_city.country_name

    @admin.display(description=_("Card image"))
    def image_preview(self, partnership):
        return thumbnail_preview(partnership.image_card, width=320)

    def save_model(self, request, obj, form, change):
        # A new partnership's first status is history too: without it, the history of a
        # partnership added as paused would not say since when, or why.
        if not change or "status" in form.changed_data:
            obj.change_status(
                status=obj.status,
                note=obj.status_note,
                on=form.cleaned_data.get("status_changed_on") or timezone.localdate(),
                by=request.user,
            )
        else:
            super().save_model(request, obj, form, change)


@admin.register(Photo)
class PhotoAdmin(TranslationAdmin):
    list_display = ["preview", "__str__", "partnership", "credit", "position"]
    list_filter = [("partnership", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["partnership__home_city", "partnership__partner_city"]
    search_fields = ["caption", "credit", "partnership__partner_city__name"]
    fields = ["partnership", "image", "preview", "caption", "alt_text", "credit", "position"]
    readonly_fields = ["preview"]

    @admin.display(description=_("Preview"))
    def preview(self, photo):
        return thumbnail_preview(photo.thumbnail)

    def view_on_site(self, photo):
        return photo.partnership.get_absolute_url()


@admin.register(DirectoryListing)
class DirectoryListingAdmin(admin.ModelAdmin):
    list_display = ["locality", "partner", "is_friendship", "source", "position"]
    list_filter = ["source", "is_friendship", ("locality", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["locality", "partner"]
    search_fields = ["locality__name", "partner__name", "partner__region"]
    autocomplete_fields = ["locality", "partner"]

    def view_on_site(self, listing):
        return reverse("cities:virginia_directory") + f"#{listing.locality.slug}"
