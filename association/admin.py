from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from .models import Association, SocialLink


class SocialLinkInline(admin.TabularInline):
    model = SocialLink
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 1


@admin.register(Association)
class AssociationAdmin(TranslationAdmin):
    inlines = [SocialLinkInline]
    fieldsets = (
        (
            None,
            {
                "fields": ("name", "short_name", "tagline", "founded_year"),
                # The home city is a place, kept with the others (one source for the
                # footer, the maps and the partnerships).
                "description": _(
                    "The home city is set on its city: Cities › city › association's home city."
                ),
            },
        ),
        (
            _("Texts"),
            {"fields": ("mission", "aims", "introduction", "join_text", "meta_description")},
        ),
        (_("Contact"), {"fields": ("email", "phone", "postal_address")}),
        (_("Receipts"), {"fields": ("legal_name", "tax_number")}),
    )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Association.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
