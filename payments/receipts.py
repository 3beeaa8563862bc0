"""What a receipt says, for the printable page and the email alike.

The association's legal name and tax number (staff edit them), the date, the amount, what
it paid for (the purpose describes it), and the US quid-pro-quo statement: a payment over
$75 that is partly a gift states the value of the goods and services received and the
deductible part (payment minus that value); a payment whose purpose says its goods value
is zero (a donation) states that no goods or services were provided in exchange.
"""

from decimal import Decimal

from association.formats import format_money
from association.models import Association

from . import purposes
from .models import Payment

QUID_PRO_QUO_THRESHOLD = Decimal("75")


def goods_value(payment: Payment) -> Decimal | None:
    purpose = purposes.get(payment.purpose)
    if purpose.goods_value is None:
        return None
    value = purpose.goods_value(payment=payment)
    return None if value is None else Decimal(value)


def deductible_amount(payment: Payment) -> Decimal | None:
    """The part of a payment over $75 that is a gift; None when no statement is due."""
    value = goods_value(payment)
    net = payment.net_amount
    # Nothing received (a donation) is no quid pro quo: the receipt says so instead.
    if value is None or value <= 0 or net <= QUID_PRO_QUO_THRESHOLD or value >= net:
        return None
    return net - value


def receipt_context(payment: Payment) -> dict:
    association = Association.current()
    value = goods_value(payment)
    deductible = deductible_amount(payment)
    return {
        "payment": payment,
        "association": association,
        "legal_name": association.receipt_name,
        "tax_number": association.tax_number,
        "paid_for": purposes.get(payment.purpose).describe(payment=payment),
        "amount": format_money(payment.amount),
        "refunded": format_money(payment.amount_refunded) if payment.amount_refunded else "",
        "goods_value": format_money(value) if value is not None else "",
        "deductible": format_money(deductible) if deductible is not None else "",
        # A purpose whose goods value is zero (a donation) gave nothing in exchange; the
        # receipt says so, as a donor's written acknowledgment must.
        "no_goods_or_services": value is not None and value == 0,
    }
