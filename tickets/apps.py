from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Tickets"

    def ready(self):
        # Orders are something payments can take money for (payments imports no app).
        from . import order_payments

        order_payments.register()
        # The order confirmation is built by the outbox's worker, not the checkout request.
        from outbox.builds import register

        from .notifications import CONFIRMATION_BUILDER, build_order_confirmation

        register(CONFIRMATION_BUILDER, build_order_confirmation)
        # events' pages and admin count places left with tickets' inventory.
        from events import sales

        from .availability import places_left, with_sales_figures

        sales.register_seller(
            sales.Seller(with_sales_figures=with_sales_figures, places_left=places_left)
        )
        # What of the page cache an order, a ticket type or a waiting-list entry changes.
        from . import signals  # noqa: F401
