from django.apps import AppConfig


class AssociationConfig(AppConfig):
    name = "association"
    verbose_name = "Association"

    def ready(self):
        # Edits of the association reach the pages' "site" scope (association/page_cache.py).
        from . import signals  # noqa: F401, PLC0415
