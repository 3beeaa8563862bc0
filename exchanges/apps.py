from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    name = "exchanges"
    verbose_name = _("Exchanges")

    def ready(self):
        # Trip deposits and installments are something payments can take money for
        # (payments imports no app).
        from . import trip_payments

        trip_payments.register()
        # What of the page cache its edits change (association/page_cache.py).
        from . import signals  # noqa: F401, PLC0415
