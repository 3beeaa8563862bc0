import datetime
from decimal import Decimal

import pytest
from django.core import mail

from exchanges import trip_payments
from exchanges.decisions import record_decision, send_due_decisions
from exchanges.models import Installment, TripPayment
from payments.confirmation import confirm_offline_payment
from payments.models import Payment

from .conftest import NOW, complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def traveler(program, chair, applicant):
    application = complete(program, applicant)
    record_decision(application, decision="accepted", by=chair, at=NOW)
    send_due_decisions(now=program.notification_at)
    application.refresh_from_db()
    Installment.objects.create(
        program=program, due_on=datetime.date(2027, 5, 1), amount=Decimal("865.00")
    )
    Installment.objects.create(
        program=program, due_on=datetime.date(2027, 6, 1), amount=Decimal("865.00")
    )
    return application


def pay_webhook(client, fake_stripe, payment, django_capture_on_commit_callbacks):
    event = fake_stripe.pay(payment.checkout_session_id, deliver=False)
    payload, signature = fake_stripe.signed(event)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/payments/stripe/webhook/",
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )
    assert response.status_code == 200


def test_deposit_and_installment_by_card_through_stripe(
    client,
    fake_stripe,
    traveler,
    applicant,
    program,
    django_capture_on_commit_callbacks,
    time_machine,
):
    time_machine.move_to(program.notification_at + datetime.timedelta(days=1))
    client.force_login(applicant)
    response = client.post(f"/exchanges/{program.slug}/apply/pay/", {"method": "card"})
    assert response.status_code == 302 and response["Location"].startswith(fake_stripe.url)
    deposit = TripPayment.objects.get()
    assert deposit.is_deposit and deposit.amount == Decimal("300.00")
    assert (
        deposit.payment.purpose == "exchanges.trip"
        and deposit.payment.status == Payment.Status.PENDING
    )
    assert fake_stripe.sessions[deposit.payment.checkout_session_id]["amount_total"] == 30000
    mail.outbox.clear()
    pay_webhook(client, fake_stripe, deposit.payment, django_capture_on_commit_callbacks)
    deposit.refresh_from_db()
    assert deposit.paid_at is not None
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    assert deposit.payment.get_absolute_url() in mail.outbox[0].body
    assert trip_payments.balance(traveler) == Decimal("1730.00")

    first = program.installments.first()
    response = client.post(
        f"/exchanges/{program.slug}/apply/pay/", {"method": "card", "installment": first.pk}
    )
    installment_payment = TripPayment.objects.get(installment=first)
    pay_webhook(
        client, fake_stripe, installment_payment.payment, django_capture_on_commit_callbacks
    )
    assert trip_payments.balance(traveler) == Decimal("865.00")
    html = client.get("/account/").content.decode()
    assert "My exchange applications" in html
    assert "$865.00" in html  # balance
    assert deposit.payment.get_absolute_url() in html  # a receipt


def test_deposit_by_check_is_confirmed_by_staff_through_payments(traveler, program):
    trip_payment, redirect_url, instructions = trip_payments.begin_trip_payment(
        traveler, method_code="offline", now=NOW
    )
    assert redirect_url is None and instructions
    assert trip_payment.payment.method == Payment.Method.OFFLINE
    confirm_offline_payment(
        purpose="exchanges.trip", object_id=trip_payment.pk, amount=trip_payment.amount, now=NOW
    )
    trip_payment.refresh_from_db()
    assert trip_payment.paid_at is not None


def test_exchange_committee_records_a_check_in_the_admin(client, traveler, applicant):
    from django.contrib.auth.models import Group

    from membership.models import User

    trip_payment, _url, _instructions = trip_payments.begin_trip_payment(
        traveler, method_code="offline", now=NOW
    )
    clerk = User.objects.create_user(
        email="clerk@example.org", password="pw-123-abc", is_staff=True
    )
    clerk.groups.add(Group.objects.get(name="Exchange committee"))
    client.force_login(clerk)
    response = client.post(
        "/admin/exchanges/application/",
        {"action": "record_checks_received", "_selected_action": [traveler.pk]},
    )
    assert response.status_code == 302
    trip_payment.refresh_from_db()
    assert trip_payment.paid_at is not None
    # The committee sees its trip payments and no other payments.
    listing = client.get("/admin/payments/payment/")
    assert listing.status_code == 200
    assert all(p.purpose == "exchanges.trip" for p in listing.context["cl"].queryset)


def test_scholarship_credit_lowers_the_balance(traveler):
    traveler.scholarship_credit = Decimal("500.00")
    traveler.save(update_fields=["scholarship_credit"])
    assert trip_payments.balance(traveler) == Decimal("1530.00")


def test_only_travelers_pay_and_bad_input_is_a_400(
    client, program, applicant, traveler, time_machine
):
    time_machine.move_to(program.notification_at + datetime.timedelta(days=1))
    client.force_login(applicant)
    assert (
        client.post(f"/exchanges/{program.slug}/apply/pay/", {"method": "gold"}).status_code == 400
    )
    assert (
        client.post(
            f"/exchanges/{program.slug}/apply/pay/", {"method": "card", "installment": 999999}
        ).status_code
        == 404
    )


def test_one_reminder_before_each_installment(
    traveler, program, django_capture_on_commit_callbacks
):
    first = program.installments.first()
    before = datetime.datetime.combine(first.due_on, datetime.time(12)) - datetime.timedelta(
        days=10
    )
    at = NOW.replace(year=before.year, month=before.month, day=before.day)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert trip_payments.send_due_installment_reminders(now=at) == 0
        soon = at + datetime.timedelta(days=4)
        assert trip_payments.send_due_installment_reminders(now=soon) == 1
        assert (
            trip_payments.send_due_installment_reminders(now=soon + datetime.timedelta(days=1)) == 0
        )
    assert len(mail.outbox) == 1 and "Payment due" in mail.outbox[0].subject
