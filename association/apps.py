from django.apps import AppConfig
from django.db.backends.signals import connection_created


class AssociationConfig(AppConfig):
    name = "association"
    verbose_name = "Association"

    def ready(self):
        from . import page_cache  # noqa: PLC0415 (reads settings, so not before they load)

        # Every write to a project table bumps the page cache's version (page_cache.py).
        connection_created.connect(page_cache.watch_writes, dispatch_uid="page_cache_watch")
