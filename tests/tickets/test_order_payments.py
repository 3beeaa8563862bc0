"""Offline money goes through the same payment records as card money: a pay-later order
records a pending offline payment, staff's "mark paid" confirms it through
`payments.confirmation.confirm_payment` (so the payments list, the treasurer's CSV and the
receipt know of it), and a released or cancelled order closes it. Free orders have none."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from payments.models import Payment
from tests.events.factories import make_event, make_order, make_ticket_type, place_free_order
from tickets.availability import InvalidSelection
from tickets.checkout import place_order
from tickets.models import Order
from tickets.orders import ReservationRequest, cancel_order, release_unpaid_order
from tickets.receipts import order_receipt_url

pytestmark = pytest.mark.django_db

KEYS = (f"offline-payment-key-{n:04d}-abcdefgh" for n in range(1, 10_000))


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def dinner(now):
    event = make_event(title="Check Dinner", starts_at=now + timedelta(days=10), pay_later_days=7)
    make_ticket_type(event, name="Dinner", price=Decimal("50.00"), quantity=4)
    return event


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def reserve_unpaid(event, *, now, quantity=2) -> Order:
    return place_order(
        ReservationRequest(
            event=event,
            lines=[(event.ticket_types.get(), quantity)],
            buyer={"name": "Pat Buyer", "email": "pat@example.org"},
            attendees=None,
            user=None,
            idempotency_key=next(KEYS),
            now=now,
        ),
        payment_method="offline",
    ).order


def mark_paid(client, orders):
    return client.post(
        reverse("admin:tickets_order_changelist"),
        {"action": "mark_paid", "_selected_action": [o.pk for o in orders]},
        follow=True,
    )


def test_pay_later_order_records_a_pending_offline_payment(dinner, now):
    order = reserve_unpaid(dinner, now=now)
    payment = Payment.objects.get(purpose="events.order", object_id=str(order.pk))
    assert payment.method == Payment.Method.OFFLINE
    assert payment.status == Payment.Status.PENDING
    assert payment.amount == Decimal("100.00")
    assert payment.reference == order.reference
    assert payment.payer_email == "pat@example.org"
    assert order_receipt_url(order) == ""  # nothing paid yet: no receipt


def test_staff_mark_paid_confirms_the_offline_payment_once_with_a_receipt(
    admin_client, dinner, now
):
    order = reserve_unpaid(dinner, now=now)
    mail.outbox.clear()
    response = mark_paid(admin_client, [order])
    assert "1 order marked paid" in response.content.decode()
    order.refresh_from_db()
    payment = Payment.objects.get(purpose="events.order", object_id=str(order.pk))
    assert order.paid_at is not None and order.status == Order.Status.CONFIRMED
    assert payment.status == Payment.Status.PAID
    assert payment.paid_at is not None and payment.fulfilled_at is not None
    # Paid at last: the buyer is sent their tickets, once.
    assert [m.to for m in mail.outbox] == [[order.email]]
    assert order.reference in mail.outbox[0].subject
    receipt = order_receipt_url(order)
    assert receipt.endswith(payment.get_absolute_url())
    page = admin_client.get(payment.get_absolute_url()).content.decode()
    assert "$100.00" in page
    assert payment.get_absolute_url() in admin_client.get(order.get_absolute_url()).content.decode()
    # Marking it paid again changes nothing and makes no second payment (nor email).
    mark_paid(admin_client, [order])
    assert Payment.objects.filter(object_id=str(order.pk)).count() == 1
    assert len(mail.outbox) == 1
    # The treasurer's list and CSV hold offline money too.
    listing = admin_client.get("/admin/payments/payment/").content.decode()
    assert order.reference in listing
    csv = b"".join(
        admin_client.post(
            "/admin/payments/payment/",
            {"action": "treasurer_csv", "_selected_action": [payment.pk]},
        ).streaming_content
    ).decode()
    assert order.reference in csv and "100.00" in csv


def test_mark_paid_records_a_payment_for_an_order_that_had_none(admin_client, dinner):
    # Orders placed before offline payments were recorded get their record when paid.
    order = make_order(dinner, [(dinner.ticket_types.get(), 1)])
    assert not Payment.objects.filter(object_id=str(order.pk)).exists()
    mark_paid(admin_client, [order])
    payment = Payment.objects.get(purpose="events.order", object_id=str(order.pk))
    assert payment.method == Payment.Method.OFFLINE
    assert payment.status == Payment.Status.PAID
    assert payment.amount == Decimal("50.00")


def test_free_order_has_no_payment_record(client, now):
    event = make_event(title="Free Talk", starts_at=now + timedelta(days=3))
    make_ticket_type(event, name="Seat", price=Decimal("0"), quantity=5)
    order = place_free_order(event, now=now).order
    assert order.status == Order.Status.CONFIRMED
    assert not Payment.objects.exists()


def test_free_asked_for_a_paid_ticket_confirms_nothing_and_gives_the_place_back(dinner, now):
    """The "free" method settles an order at once only when nothing is owed: a paid
    ticket is held as usual, then refused as any method not offered for its amount is."""
    with pytest.raises(InvalidSelection, match="Please choose how you will pay"):
        place_free_order(dinner, now=now)
    assert not Order.objects.filter(status=Order.Status.CONFIRMED).exists()
    dinner.refresh_from_db()
    assert dinner.reserved == 0
    assert not mail.outbox


def test_a_free_order_and_its_confirmation_are_one_transaction(monkeypatch, now):
    """Made confirmed with its confirmation queued in the reservation's transaction: if
    the email cannot be queued, there is no order and no place is taken."""
    event = make_event(title="Free Talk", starts_at=now + timedelta(days=3))
    make_ticket_type(event, name="Seat", price=Decimal("0"), quantity=5)

    def outbox_refuses(order, *, now):
        raise RuntimeError("the outbox table is unreachable")

    monkeypatch.setattr("tickets.orders.queue_order_confirmation", outbox_refuses)
    with pytest.raises(RuntimeError):
        place_free_order(event, now=now)
    assert not Order.objects.exists()
    event.refresh_from_db()
    assert event.reserved == 0


def test_released_or_cancelled_unpaid_order_closes_its_offline_payment(dinner, now):
    released = reserve_unpaid(dinner, now=now, quantity=1)
    cancelled = reserve_unpaid(dinner, now=now, quantity=1)
    assert release_unpaid_order(order=released, now=now)
    cancel_order(order=cancelled, now=now)
    statuses = set(
        Payment.objects.filter(object_id__in=[str(released.pk), str(cancelled.pk)]).values_list(
            "status", flat=True
        )
    )
    assert statuses == {Payment.Status.EXPIRED}


def test_payments_admin_does_not_refund_an_offline_payment_by_itself(admin_client, dinner, now):
    order = reserve_unpaid(dinner, now=now)
    mark_paid(admin_client, [order])
    payment = Payment.objects.get(purpose="events.order", object_id=str(order.pk))
    mail.outbox.clear()
    response = admin_client.post(
        "/admin/payments/payment/",
        {"action": "refund_in_full", "_selected_action": [payment.pk]},
        follow=True,
    )
    assert "not paid by card" in response.content.decode()
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == Payment.Status.PAID and payment.amount_refunded == 0
    assert order.status == Order.Status.CONFIRMED
    assert mail.outbox == []


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_staff_marking_an_order_paid_at_once_confirm_one_payment(dinner, now):
    from tests.concurrency import race
    from tickets.order_payments import record_offline_payment

    # An order with no payment record yet: both requests try to create it.
    order = make_order(dinner, [(dinner.ticket_types.get(), 2)])
    outcomes = race(
        2, lambda _i: record_offline_payment(order=Order.objects.get(pk=order.pk), now=now)
    )
    assert sorted(outcomes) == [False, True]
    payment = Payment.objects.get(purpose="events.order", object_id=str(order.pk))
    assert payment.status == Payment.Status.PAID
    order.refresh_from_db()
    assert order.paid_at is not None
