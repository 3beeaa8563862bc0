"""What of the cities app is read in the partners' languages (django-modeltranslation): a
column per language beside each field, the English one falling back field by field."""

from modeltranslation.translator import TranslationOptions, register

from .models import City, Committee, Milestone, Partnership, Photo


@register(City)
class CityTranslation(TranslationOptions):
    fields = ("name",)


@register(Partnership)
class PartnershipTranslation(TranslationOptions):
    fields = ("summary", "story", "known_for", "status_note", "image_alt")


@register(Committee)
class CommitteeTranslation(TranslationOptions):
    fields = ("name", "focus", "current_project")


@register(Milestone)
class MilestoneTranslation(TranslationOptions):
    fields = ("title", "text", "photo_alt")


@register(Photo)
class PhotoTranslation(TranslationOptions):
    fields = ("caption", "alt_text")
