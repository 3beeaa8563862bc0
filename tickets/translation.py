"""What of a ticket type is read in the partners' languages (django-modeltranslation): its
name and description, as the checkout, the order page and the emails show them. Prices,
places and the rest are the same in every language."""

from modeltranslation.translator import TranslationOptions, register

from .models import TicketType


@register(TicketType)
class TicketTypeTranslation(TranslationOptions):
    fields = ("name", "description")
