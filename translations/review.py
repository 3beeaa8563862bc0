""" "Needs review": when the English of a translated field changes, each translation of it
that was written before (and not rewritten in the same save) is marked stale; saving a new
translation of the field (or a translator marking it reviewed in the admin) clears the mark.
One rule, `translations_made_stale`, for every translated model (each app's translation.py)."""

import functools

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save, pre_save
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

ENGLISH = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
TRANSLATIONS = [code for code, _name in settings.LANGUAGES if code != ENGLISH]


def translated_fields(model) -> list[str]:
    return list(translator.get_options_for_model(model).fields)


def columns(model) -> list[str]:
    """Every language's column of every translated field of `model`."""
    return [
        build_localized_fieldname(field, code)
        for field in translated_fields(model)
        for code, _name in settings.LANGUAGES
    ]


def translations_made_stale(model, before: dict, after: dict):
    """(stale, reviewed): the (field, language) pairs whose translation a save from
    `before` to `after` (column values) leaves behind its changed English, and those
    whose translation it rewrote."""
    stale, reviewed = [], []
    for field in translated_fields(model):
        english = build_localized_fieldname(field, ENGLISH)
        english_changed = (before.get(english) or "") != (after.get(english) or "")
        for code in TRANSLATIONS:
            column = build_localized_fieldname(field, code)
            old, new = before.get(column) or "", after.get(column) or ""
            if old != new:
                reviewed.append((field, code))
            elif english_changed and new:
                stale.append((field, code))
    return stale, reviewed


def partnership_id_of(instance) -> int | None:
    """The partnership a translated row belongs to (itself, or its `partnership`)."""
    from cities.models import Partnership  # noqa: PLC0415

    if isinstance(instance, Partnership):
        return instance.pk
    return getattr(instance, "partnership_id", None)


@functools.cache
def _translated_models() -> frozenset:
    return frozenset(translator.get_registered_models(abstract=False))


def _is_translated(model) -> bool:
    return model in _translated_models()


def _remember_before(sender, instance, raw=False, **kwargs):
    if not _is_translated(sender):
        return
    instance._translations_before = None
    if raw or instance.pk is None:
        return
    instance._translations_before = (
        sender._base_manager.filter(pk=instance.pk).values(*columns(sender)).first()
    )


def _record(sender, instance, created=False, raw=False, **kwargs):
    from .models import StaleTranslation  # noqa: PLC0415

    before = getattr(instance, "_translations_before", None)
    if raw or created or before is None or not _is_translated(sender):
        return
    after = {column: getattr(instance, column) for column in columns(sender)}
    stale, reviewed = translations_made_stale(sender, before, after)
    content_type = ContentType.objects.get_for_model(sender)
    for field, code in reviewed:
        StaleTranslation.objects.filter(
            content_type=content_type, object_id=instance.pk, field=field, language=code
        ).delete()
    if stale:
        StaleTranslation.objects.bulk_create(
            [
                StaleTranslation(
                    content_type=content_type,
                    object_id=instance.pk,
                    field=field,
                    language=code,
                    partnership_id=partnership_id_of(instance),
                )
                for field, code in stale
            ],
            ignore_conflicts=True,
        )


def connect():
    # For every model: modeltranslation registers the translated ones after this app is
    # ready (it comes later in INSTALLED_APPS), so each save asks whether it is one.
    pre_save.connect(_remember_before, dispatch_uid="translations:before")
    post_save.connect(_record, dispatch_uid="translations:after")
