from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("Donations")

    def ready(self):
        # Donations are something payments can take money for (payments imports no app).
        from . import donation_payments

        donation_payments.register()
