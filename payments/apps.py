from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from .checks import check_stripe_keys

        checks.register(check_stripe_keys, checks.Tags.security, deploy=True)
