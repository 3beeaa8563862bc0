from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Association, Page, SocialLink

admin.site.site_header = _("Association administration")
admin.site.site_title = _("Association admin")


class SocialLinkInline(admin.TabularInline):
    model = SocialLink
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 1


@admin.register(Association)
class AssociationAdmin(admin.ModelAdmin):
    inlines = [SocialLinkInline]
    fieldsets = (
        (None, {"fields": ("name", "short_name", "tagline", "home_city", "founded_year")}),
        (
            _("Texts"),
            {"fields": ("mission", "aims", "introduction", "join_text", "meta_description")},
        ),
        (_("Contact"), {"fields": ("email", "phone", "postal_address")}),
    )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Association.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "is_published", "position", "updated_at")
    list_editable = ("is_published", "position")
    list_filter = ("is_published",)
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
