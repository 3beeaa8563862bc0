from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "membership"
    verbose_name = "Membership"

    def ready(self):
        # What of the page cache its edits change (association/page_cache.py).
        # Dues are something payments can take money for (payments imports no app).
        from . import (
            dues_payments,
            signals,  # noqa: F401
        )

        dues_payments.register()
