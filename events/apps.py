from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"

    def ready(self):
        # Orders are something payments can take money for (payments imports no app).
        from . import order_payments

        order_payments.register()
