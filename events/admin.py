"""The staff side of events: venues and events, with the venue reveal.

What selling adds to these pages (ticket types, sales figures, telling ticket holders of a
move) is tickets' (tickets/admin.py subclasses these and registers its own in their place).
"""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from .models import Event, Venue

REVEAL_LEAD = timedelta(hours=24)


def fields_the_form_writes(form) -> list[str]:
    """What an admin form saves of an existing row: the model's fields it shows (and those
    stamped on every save), named to `save(update_fields=...)` (`models.SavesNamedFields`).
    The columns other code writes with conditional updates (counters, an order's status,
    check-ins, offers) are read-only here, so the admin never writes them back stale."""
    return [
        field.name
        for field in form._meta.model._meta.concrete_fields
        if not field.primary_key
        and (field.name in form.fields or getattr(field, "auto_now", False))
    ]


class SavesItsFieldsForm(forms.ModelForm):
    """An inline's form: an existing row is saved with the fields the form shows."""

    def save(self, commit=True):
        if not commit or self.instance._state.adding:
            return super().save(commit=commit)
        instance = super().save(commit=False)
        instance.save(update_fields=fields_the_form_writes(self))
        self.save_m2m()
        return instance


class SavesItsFieldsAdmin(admin.ModelAdmin):
    """A change form saves the fields it shows, named (see `fields_the_form_writes`)."""

    def save_model(self, request, obj, form, change):
        obj.save(update_fields=fields_the_form_writes(form) if change else None)


class VenueAdminForm(forms.ModelForm):
    class Meta:
        model = Venue
        fields = "__all__"  # noqa: DJ007 - the admin narrows it to its fieldsets


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    form = VenueAdminForm
    list_display = ("name", "address", "event_count")
    search_fields = ("name", "address")
    fieldsets = (
        (None, {"fields": ("name", "address", "directions")}),
        (_("Coordinates"), {"fields": ("latitude", "longitude"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_event_count=Count("events"))

    @admin.display(description=_("Events"), ordering="_event_count")
    def event_count(self, venue):
        return venue._event_count


class UpcomingOrPastFilter(admin.SimpleListFilter):
    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return (("upcoming", _("Upcoming")), ("past", _("Past")))

    def queryset(self, request, queryset):
        # The public pages' rule (`EventQuerySet.upcoming`/`past`), drafts included.
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.ending_from(now)
        if self.value() == "past":
            return queryset.ended_before(now)
        return queryset


class EventAdminForm(forms.ModelForm):
    # Online links are https (Django 6's default; 5.2 warns without it).
    online_link = forms.URLField(
        label=_("Online link"),
        required=False,
        assume_scheme="https",
        help_text=Event._meta.get_field("online_link").help_text,
    )
    reveal_24_hours_before = forms.BooleanField(
        label=_("Reveal the venue 24 hours before the start"),
        required=False,
        help_text=_(
            "Keeps the venue secret and sets “reveal venue at” to 24 hours before the "
            "start, following the start if it moves. Leave unticked to type a time yourself."
        ),
    )

    class Meta:
        model = Event
        fields = "__all__"  # noqa: DJ007 - the admin narrows it to its fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and instance.venue_reveal_at and instance.starts_at:
            self.fields["reveal_24_hours_before"].initial = (
                instance.starts_at - instance.venue_reveal_at == REVEAL_LEAD
            )

    def clean(self):
        cleaned = super().clean()
        starts_at = cleaned.get("starts_at")
        if cleaned.get("reveal_24_hours_before") and starts_at:
            cleaned["venue_reveal_at"] = starts_at - REVEAL_LEAD
        reveal_at = cleaned.get("venue_reveal_at")
        if reveal_at and starts_at and reveal_at > starts_at:
            self.add_error(
                "venue_reveal_at",
                _("Reveal the venue before the event starts, or leave this empty."),
            )
        return cleaned


@admin.register(Event)
class EventAdmin(TranslationAdmin, SavesItsFieldsAdmin):
    form = EventAdminForm
    list_display = (
        "title",
        "starts_at",
        "status",
        "format",
    )
    list_filter = (UpcomingOrPastFilter, "status", "format")
    list_select_related = ("venue",)
    ordering = ("-starts_at",)  # the newest first: the one being prepared is at the top
    search_fields = ("title", "slug", "summary", "venue__name", "venue_hint")
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("venue",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "status",
                    "summary",
                    "body",
                    "image",
                    "partnership",
                    "is_sample",
                )
            },
        ),
        (_("When"), {"fields": ("starts_at", "ends_at")}),
        (
            _("Where"),
            {
                "fields": (
                    "format",
                    "venue",
                    "venue_hint",
                    "reveal_24_hours_before",
                    "venue_reveal_at",
                    "reveal_audience",
                    "online_link",
                )
            },
        ),
        (
            _("Registration"),
            {
                "fields": (
                    "registration_opens_at",
                    "registration_closes_at",
                    "capacity",
                    "members_only",
                    "collects_shipping_address",
                    "meal_options",
                )
            },
        ),
        (
            _("Pay later"),
            {
                "fields": ("pay_later_allowed", "pay_later_until", "pay_later_days"),
                "description": _(
                    "Buyers who pay later hold their places unpaid: they are reminded once, "
                    "then released to the waiting list if the payment has not come."
                ),
            },
        ),
    )
