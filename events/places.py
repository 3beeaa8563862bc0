"""How many places an event has left, as the app that sells them counts them.

events lists and shows events; it does not sell their tickets. The app that does
(`tickets`, whose `availability.places_left` is the rule) registers its count here when it
loads (`TicketsConfig.ready`), so the event pages, cards and admin say "sold out" or
"3 left" without events importing the app that sells (DESIGN.md: dependencies point one
way)."""

from django.core.exceptions import ImproperlyConfigured

_counter = None


def register_counter(counter) -> None:
    """`counter(event, *, now, offer=None)` returns a mapping of ticket type id to places
    left, with `.total` (tickets.availability.PlacesLeft)."""
    global _counter  # noqa: PLW0603 - set once, when the selling app is ready
    _counter = counter


def places_left(event, *, now, **options):
    if _counter is None:
        raise ImproperlyConfigured("No app counts places left: add 'tickets' to INSTALLED_APPS.")
    return _counter(event, now=now, **options)
