"""Trip deposits and installments as something payments can take money for (the
`exchanges.trip` purpose), registered from ExchangesConfig.ready so payments imports no
app. A TripPayment row is what is paid for; `fulfil` marks it paid once."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payments import purposes
from payments.confirmation import Outcome, confirm_offline_payment
from payments.methods import PaymentUnavailable, get_method
from payments.models import Payment
from payments.stripe_api import LineItem

from . import emails
from .models import Application, Installment, InstallmentReminder, TripPayment

PURPOSE = "exchanges.trip"


def fulfil(*, payment: Payment, now: datetime.datetime) -> bool:
    if not payment.object_id.isdigit():
        return False
    pk = int(payment.object_id)
    marked = TripPayment.objects.filter(pk=pk, paid_at__isnull=True).update(
        paid_at=now, payment=payment
    )
    trip_payment = (
        TripPayment.objects.select_related("application__program", "application__applicant")
        .filter(pk=pk)
        .first()
    )
    if trip_payment is None:
        return False
    if marked:
        emails.send_trip_payment_received(trip_payment)
    return True


def describe_payment(*, payment: Payment) -> str:
    trip_payment = (
        TripPayment.objects.select_related("application__program", "installment")
        .filter(pk=int(payment.object_id))
        .first()
        if payment.object_id.isdigit()
        else None
    )
    if trip_payment is None:
        return _("Exchange trip %(ref)s") % {"ref": payment.reference}
    return describe_trip_payment(trip_payment)


def register() -> None:
    purposes.register(
        purposes.Purpose(
            name=PURPOSE,
            label=gettext_lazy("Exchange trip payment"),
            fulfil=fulfil,
            describe=describe_payment,
            goods_value=lambda *, payment: payment.amount,
            staff_permission="exchanges.exchanges",
        )
    )


def paid_total(application: Application) -> Decimal:
    return application.trip_payments.filter(paid_at__isnull=False).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal(0)


def balance_owed(application: Application, *, paid: Decimal) -> Decimal:
    """The one rule for what a traveler still owes: the cost, less the scholarship credit
    and what was paid, never below zero."""
    return max(application.program.cost - application.scholarship_credit - paid, Decimal(0))


def balance(application: Application) -> Decimal:
    return balance_owed(application, paid=paid_total(application))


def start_trip_payment(application: Application, *, installment=None) -> TripPayment:
    """The deposit (no installment) or an installment, to be paid; the same unpaid row is
    reused when the traveler tries again."""
    amount = installment.amount if installment else application.program.deposit
    amount = min(amount, balance(application))
    with transaction.atomic():
        existing = application.trip_payments.filter(
            installment=installment, paid_at__isnull=True
        ).first()
        if existing:
            return existing
        return TripPayment.objects.create(
            application=application, installment=installment, amount=amount
        )


CARD_SESSION_HOURS = 1


class TripPaymentRefused(Exception):
    """The payment could not begin now; the message says why."""


def begin_trip_payment(
    application: Application, *, method_code: str, now: datetime.datetime, installment=None
) -> tuple[TripPayment, str | None, str]:
    """Begin paying the deposit or an installment. Returns the row, where to send the
    traveler (Stripe's page for a card; None to stay) and instructions for a check."""
    if balance(application) <= 0:
        raise TripPaymentRefused(_("Nothing is owed for this trip."))
    trip_payment = start_trip_payment(application, installment=installment)
    try:
        method = get_method(method_code, amount=trip_payment.amount)
    except LookupError:
        raise TripPaymentRefused(_("Please choose how you will pay.")) from None
    description = describe_trip_payment(trip_payment)
    with transaction.atomic():
        try:
            outcome = method.begin(
                amount=trip_payment.amount,
                reference=f"{application.reference}-{trip_payment.pk}",
                description=description,
                email=application.applicant.email,
                purpose=PURPOSE,
                object_id=str(trip_payment.pk),
                payer_name=application.applicant_name,
                lines=[LineItem(name=description, unit_amount=trip_payment.amount, quantity=1)],
                hold_expires_at=now + datetime.timedelta(hours=CARD_SESSION_HOURS),
                return_url=settings.SITE_URL + application.get_absolute_url(),
                now=now,
            )
        except PaymentUnavailable:
            raise TripPaymentRefused(
                _("Card payments are unavailable just now. Please try again or pay by check.")
            ) from None
        payment = (
            Payment.objects.for_object(purpose=PURPOSE, object_id=trip_payment.pk)
            .order_by("-pk")
            .first()
        )
        if payment is not None:
            TripPayment.objects.filter(pk=trip_payment.pk).update(payment=payment)
            trip_payment.payment = payment
    return trip_payment, outcome.redirect_url, outcome.instructions


def record_checks_received(application: Application, *, now: datetime.datetime) -> int:
    """Staff received the traveler's check(s): each pending check payment is confirmed
    through payments' one path (fulfilled once, with a receipt). How many were recorded."""
    recorded = 0
    pending = application.trip_payments.filter(
        paid_at__isnull=True,
        payment__method=Payment.Method.OFFLINE,
        payment__status=Payment.Status.PENDING,
    ).select_related("payment")
    for trip_payment in pending:
        result = confirm_offline_payment(
            purpose=PURPOSE, object_id=trip_payment.pk, amount=trip_payment.amount, now=now
        )
        recorded += result.outcome == Outcome.CONFIRMED
    return recorded


def describe_trip_payment(trip_payment: TripPayment) -> str:
    return _("%(part)s: %(program)s") % {
        "part": trip_payment,
        "program": trip_payment.application.program.title,
    }


def send_due_installment_reminders(*, now: datetime.datetime, days_before: int = 7) -> int:
    """One reminder per traveler and installment, `days_before` its due date, while a
    balance is owed; the unique row is the claim, so two runners never both send."""
    today = timezone.localdate(now)
    sent = 0
    due = Installment.objects.filter(
        due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days_before)
    ).select_related("program")
    for installment in due:
        travelers = installment.program.applications.filter(
            status=Application.Status.ACCEPTED
        ).select_related("applicant", "program")
        for application in travelers:
            owed = balance(application)
            if owed <= 0:
                continue
            with transaction.atomic():
                _row, created = InstallmentReminder.objects.get_or_create(
                    application=application, installment=installment, defaults={"sent_at": now}
                )
                if created:
                    emails.send_installment_reminder(application, installment, balance=owed)
                    sent += 1
    return sent
