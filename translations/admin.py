"""The translators' admin: the translations to review, the partner editors, and the
partnership admin limited for partner editors (translations/partner_editors.py)."""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cities import admin as cities_admin
from cities.models import Partnership, Photo

from .models import PartnerEditor, StaleTranslation
from .partner_editors import PartnerEditorAdminMixin, partnership_edited_by


class PartnerCommitteeInline(PartnerEditorAdminMixin, cities_admin.CommitteeInline):
    pass


class PartnerPhotoInline(PartnerEditorAdminMixin, cities_admin.PhotoInline):
    pass


class PartnerMilestoneInline(PartnerEditorAdminMixin, cities_admin.MilestoneInline):
    pass


class PartnerStatusChangeInline(PartnerEditorAdminMixin, cities_admin.StatusChangeInline):
    def has_view_permission(self, request, obj=None):
        return partnership_edited_by(request.user) is None and super().has_view_permission(
            request, obj
        )


admin.site.unregister(Partnership)


@admin.register(Partnership)
class PartnershipAdmin(PartnerEditorAdminMixin, cities_admin.PartnershipAdmin):
    partnership_lookup = "pk"
    inlines = [
        PartnerCommitteeInline,
        PartnerPhotoInline,
        PartnerMilestoneInline,
        PartnerStatusChangeInline,
    ]


admin.site.unregister(Photo)


@admin.register(Photo)
class PhotoAdmin(PartnerEditorAdminMixin, cities_admin.PhotoAdmin):
    pass


@admin.register(StaleTranslation)
class StaleTranslationAdmin(admin.ModelAdmin):
    list_display = ["item_link", "field", "language", "since"]
    list_filter = ["language", "content_type"]
    list_select_related = ["content_type"]
    actions = ["mark_reviewed"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        own = partnership_edited_by(request.user)
        return queryset if own is None else queryset.filter(partnership_id=own)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Item"))
    def item_link(self, stale):
        label = f"{stale.content_type.name} #{stale.object_id}"
        try:
            url = reverse(
                f"admin:{stale.content_type.app_label}_{stale.content_type.model}_change",
                args=[stale.object_id],
            )
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.action(description=_("Mark as reviewed"), permissions=["delete"])
    def mark_reviewed(self, request, queryset):
        count, _rows = queryset.delete()
        self.message_user(request, _("Marked as reviewed."))


@admin.register(PartnerEditor)
class PartnerEditorAdmin(admin.ModelAdmin):
    list_display = ["user", "partnership"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "partnership__partner_city"]
