from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"

    def ready(self):
        # What of the page cache its edits change (association/page_cache.py).
        from . import signals  # noqa: F401, PLC0415
