from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits and hosting")

    def ready(self):
        # What of the page cache its edits change (association/page_cache.py).
        from . import signals  # noqa: F401, PLC0415
