"""What of a news post is read in the partners' languages (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Post


@register(Post)
class PostTranslation(TranslationOptions):
    fields = ("title", "summary", "body", "image_alt")
