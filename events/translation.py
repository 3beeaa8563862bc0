"""What of an event is read in the partners' languages (django-modeltranslation). The venue
is not: what the reveal gate hides is compared as it is stored to tell a move
(Venue.revealed_details), and an address is written one way."""

from modeltranslation.translator import TranslationOptions, register

from .models import Event


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "summary", "body", "venue_hint")
