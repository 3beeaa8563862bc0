from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"

    def ready(self):
        # What of the page cache its edits change (association/page_cache.py).
        # Orders are something payments can take money for (payments imports no app).
        from . import (
            order_payments,
            signals,  # noqa: F401
        )

        order_payments.register()
        # The order confirmation is built by the outbox's worker, not the checkout request.
        from outbox.builds import register

        from .notifications import CONFIRMATION_BUILDER, build_order_confirmation

        register(CONFIRMATION_BUILDER, build_order_confirmation)
