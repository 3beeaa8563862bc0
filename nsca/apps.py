from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class NscaConfig(AppConfig):
    name = "nsca"
    verbose_name = _("Site and association")

    def ready(self):
        # What of the page cache its edits change (association/page_cache.py).
        from . import signals  # noqa: F401
        from .checks import (
            check_association_details,
            check_cache_is_shared,
            check_default_from_email,
            check_email_backend,
            check_hsts_lasts_a_year,
            check_site_url,
        )

        checks.register(check_site_url, checks.Tags.security, deploy=True)
        checks.register(check_email_backend, checks.Tags.security, deploy=True)
        checks.register(check_hsts_lasts_a_year, checks.Tags.security, deploy=True)
        checks.register(check_cache_is_shared, checks.Tags.caches, deploy=True)
        checks.register(check_association_details, deploy=True)
        checks.register(check_default_from_email, checks.Tags.security, deploy=True)
