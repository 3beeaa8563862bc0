"""The "Partner editor" role, one rule: an account assigned to a partnership
(`PartnerEditor`) may open in the admin that partnership, its committees, milestones and
photos, and change only their translations (every language but English); anything else is
refused (403), and the admin's index lists nothing else. Staff in the other roles keep what
their groups give them."""

from django.conf import settings
from modeltranslation.utils import build_localized_fieldname

from .review import ENGLISH, translated_fields

GROUP_NAME = "Partner editors"


def partnership_edited_by(user) -> int | None:
    """The pk of the partnership `user` edits as a partner editor, or None (not one, or a
    superuser, who is never limited)."""
    if not user.is_authenticated or user.is_superuser:
        return None
    if not hasattr(user, "_partner_editor_partnership"):
        from .models import PartnerEditor  # noqa: PLC0415

        user._partner_editor_partnership = (
            PartnerEditor.objects.filter(user=user).values_list("partnership_id", flat=True).first()
        )
    return user._partner_editor_partnership


def editable_columns(model) -> list[str]:
    """What a partner editor may change on a row of `model`: its translations."""
    return [
        build_localized_fieldname(field, code)
        for field in translated_fields(model)
        for code, _name in settings.LANGUAGES
        if code != ENGLISH
    ]


def may_open(user, partnership_id: int | None) -> bool:
    """May `user` open a row belonging to `partnership_id`? Only their own, when they are a
    partner editor; anyone else is left to their permissions."""
    own = partnership_edited_by(user)
    return own is None or own == partnership_id


class PartnerEditorAdminMixin:
    """Admin classes of a partnership's rows: a partner editor sees their own partnership's
    rows only, changes their translations only, and adds or deletes nothing."""

    def partnership_id_of(self, obj) -> int | None:
        # An inline is asked about its parent, the partnership itself.
        from cities.models import Partnership  # noqa: PLC0415

        return obj.pk if isinstance(obj, Partnership) else getattr(obj, "partnership_id", None)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        own = partnership_edited_by(request.user)
        if own is None:
            return queryset
        return queryset.filter(**{self.partnership_lookup: own})

    partnership_lookup = "partnership_id"

    def get_object(self, request, object_id, from_field=None):
        # Looked up among all rows: another partnership's row is refused (403), not "does
        # not exist".
        model = self.model
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            return model._default_manager.get(**{field.name: field.to_python(object_id)})
        except (model.DoesNotExist, ValueError, TypeError):
            return None

    def has_view_permission(self, request, obj=None):
        if obj is not None and not may_open(request.user, self.partnership_id_of(obj)):
            return False
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not may_open(request.user, self.partnership_id_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request, *args):
        if partnership_edited_by(request.user) is not None:
            return False
        return super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None):
        if partnership_edited_by(request.user) is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if partnership_edited_by(request.user) is None:
            return readonly
        editable = set(editable_columns(self.model))
        # The original of a translated field is never in the form (its columns are); naming
        # it would make modeltranslation lock every language of it.
        originals = set(translated_fields(self.model))
        shown = [
            field.name
            for field in self.model._meta.fields
            if field.editable and field.name not in originals
        ]
        return readonly + [name for name in shown if name not in editable and name not in readonly]
