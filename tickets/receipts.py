"""Where an order's receipt is: the private page of the payment that paid it (payments
renders it). The purpose name under which orders are paid is `models.ORDER_PURPOSE`, so
the checkout, the order page, the emails and the sales figures name it one way."""

from django.conf import settings

from payments.models import Payment

from .models import ORDER_PURPOSE, Order


def order_receipt_url(order: Order) -> str:
    """The absolute address of the paid order's receipt; empty when nothing was paid
    through a payment record."""
    payment = (
        Payment.objects.for_object(purpose=ORDER_PURPOSE, object_id=order.pk)
        .filter(paid_at__isnull=False)
        .first()
    )
    return settings.SITE_URL + payment.get_absolute_url() if payment else ""
