"""What of a visit is read in the partners' languages (django-modeltranslation): its title
and purpose, which partner pages and the home page show. Delegates, itineraries and
households are the coordinator's working records, kept as entered."""

from modeltranslation.translator import TranslationOptions, register

from .models import Visit


@register(Visit)
class VisitTranslation(TranslationOptions):
    fields = ("title", "purpose")
