"""What of the association is read in the partners' languages (django-modeltranslation): the
home page's and the membership page's words about it."""

from modeltranslation.translator import TranslationOptions, register

from .models import Association


@register(Association)
class AssociationTranslation(TranslationOptions):
    fields = ("tagline", "mission", "aims", "introduction", "join_text", "meta_description")
