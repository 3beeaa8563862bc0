from django.apps import AppConfig


class CitiesConfig(AppConfig):
    name = "cities"
    verbose_name = "Cities"

    def ready(self):
        # What of the page cache its edits change (association/page_cache.py).
        from . import signals  # noqa: F401, PLC0415
