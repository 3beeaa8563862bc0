"""Tickets paid by card through Stripe Checkout (the fake Stripe on loopback)."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from payments.models import Payment
from tests.concurrency import race
from tickets.availability import with_sales_figures
from tickets.models import Order

KEY = "card-checkout-key-0123456789abcdef"


@pytest.fixture
def dinner_event(make_event, make_ticket_type):
    event = make_event(title="Harbour Dinner", slug="harbour-dinner")
    make_ticket_type(event, name="Dinner", price=Decimal("65.00"), quantity=3)
    return event


def card_post(event, quantity=2, key=KEY, **overrides):
    ticket_type = event.ticket_types.get()
    data = {
        f"qty_{ticket_type.pk}": str(quantity),
        "name": "Grace Buyer",
        "email": "grace@example.org",
        "phone": "",
        "payment_method": "card",
        "submission": key,
    }
    data.update(overrides)
    return data


def checkout_by_card(client, event, **kwargs) -> tuple[Order, Payment]:
    response = client.post(f"/events/{event.slug}/tickets/", card_post(event, **kwargs))
    assert response.status_code == 303, response.content.decode()[:2000]
    order = Order.objects.get(idempotency_key=kwargs.get("key", KEY))
    payment = Payment.objects.get(purpose="events.order", object_id=str(order.pk))
    assert response["Location"] == payment.checkout_url
    return order, payment


@pytest.fixture(autouse=True)
def _commits(request):
    """In a test's own transaction nothing commits: run on-commit work (the confirmation
    email) when each request ends, as a real commit would."""
    global _capture
    _capture = request.getfixturevalue("django_capture_on_commit_callbacks")
    yield
    _capture = None


_capture = None


def committed(action):
    with _capture(execute=True):
        return action()


def post_signed(client, payload, header):
    return committed(
        lambda: client.post(
            "/payments/stripe/webhook/",
            payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        )
    )


def post_event(client, fake_stripe, event):
    payload, header = fake_stripe.signed(event)
    return post_signed(client, payload, header)


def get_page(client, url):
    return committed(lambda: client.get(url)).content.decode()


def test_card_is_offered_only_when_both_stripe_keys_are_set(client, dinner_event, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = ""
    page = client.get(f"/events/{dinner_event.slug}/tickets/").content.decode()
    assert 'value="card"' not in page
    settings.STRIPE_WEBHOOK_SECRET = "whsec_x"
    page = client.get(f"/events/{dinner_event.slug}/tickets/").content.decode()
    assert 'value="card"' in page


@pytest.mark.django_db
def test_paying_by_card_holds_the_order_and_redirects_to_a_checkout_session(
    client, dinner_event, fake_stripe
):
    order, payment = checkout_by_card(client, dinner_event)
    assert order.status == Order.Status.PENDING
    assert order.payment_method == "card"
    session = fake_stripe.sessions[payment.checkout_session_id]
    assert session["client_reference_id"] == order.reference
    assert session["customer_email"] == "grace@example.org"
    assert session["amount_total"] == 13000
    assert session["_line_items"][0]["quantity"] == "2"
    assert session["_line_items"][0]["price_data"]["unit_amount"] == "6500"
    assert mail.outbox == []


@pytest.mark.django_db
def test_webhook_confirms_the_order_once_and_emails_once(client, dinner_event, fake_stripe):
    order, payment = checkout_by_card(client, dinner_event)
    event = fake_stripe.pay(payment.checkout_session_id, deliver=False)
    assert post_event(client, fake_stripe, event).status_code == 200
    assert post_event(client, fake_stripe, event).status_code == 200  # delivered twice
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert order.paid_at is not None
    assert len(mail.outbox) == 1
    # The return page asks Stripe too, and finds it already confirmed.
    page = get_page(client, order.get_absolute_url() + "?checkout=done")
    assert "Payment received" in page
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_return_from_stripe_asks_stripe_and_never_marks_paid_by_itself(
    client, dinner_event, fake_stripe
):
    order, payment = checkout_by_card(client, dinner_event)
    page = get_page(client, order.get_absolute_url() + "?checkout=done")
    assert "Payment not completed: try again or choose another way" in page
    assert payment.checkout_url in page  # the retry, while the hold lasts
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    fake_stripe.pay(payment.checkout_session_id, deliver=False)  # the webhook is lost
    page = get_page(client, order.get_absolute_url() + "?checkout=done")
    assert "Payment received" in page
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_webhook_with_a_bad_or_stale_signature_is_refused_and_changes_nothing(
    client, dinner_event, fake_stripe
):
    order, payment = checkout_by_card(client, dinner_event)
    event = fake_stripe.pay(payment.checkout_session_id, deliver=False)
    payload, header = fake_stripe.signed(event)
    bad = client.post(
        "/payments/stripe/webhook/",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header[:-4] + "0000",
    )
    stale_payload, stale_header = fake_stripe.signed(
        event, timestamp=int(timezone.now().timestamp()) - 3600
    )
    stale = client.post(
        "/payments/stripe/webhook/",
        stale_payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stale_header,
    )
    missing = client.post("/payments/stripe/webhook/", payload, content_type="application/json")
    assert (bad.status_code, stale.status_code, missing.status_code) == (400, 400, 400)
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert mail.outbox == []


@pytest.mark.django_db
def test_webhook_junk_huge_and_wrong_method_get_4xx(client, fake_stripe):
    url = "/payments/stripe/webhook/"
    assert client.get(url).status_code == 405
    junk = client.post(
        url,
        b"\x00\xffnot json",
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE="t=1,v1=abc",
    )
    assert junk.status_code == 400
    huge = client.post(
        url,
        b"x" * (300 * 1024),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE="t=1,v1=abc",
    )
    assert huge.status_code == 413


@pytest.mark.django_db
def test_amount_mismatch_in_a_webhook_changes_nothing_and_is_shown_to_staff(
    client, dinner_event, fake_stripe
):
    order, payment = checkout_by_card(client, dinner_event)
    event = fake_stripe.pay(payment.checkout_session_id, deliver=False, amount=100)
    assert post_event(client, fake_stripe, event).status_code == 200
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert payment.status == Payment.Status.PENDING
    assert "130.00" in payment.problem
    assert mail.outbox == []


@pytest.mark.django_db
def test_refund_before_payment_event_out_of_order_confirms_then_refunds(
    client, dinner_event, fake_stripe
):
    order, payment = checkout_by_card(client, dinner_event)
    fake_stripe.pay(payment.checkout_session_id, deliver=False)  # completed comes later
    intent_id = fake_stripe.sessions[payment.checkout_session_id]["payment_intent"]
    fake_stripe.refund_in_dashboard(intent_id)
    payload, header = fake_stripe.outbox[-1]
    response = post_signed(client, payload, header)
    assert response.status_code == 200
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.amount_refunded == Decimal("130.00")
    assert order.status == Order.Status.REFUNDED
    assert dinner_event.ticket_types.get().reserved == 0


@pytest.mark.django_db
def test_dispute_from_stripe_flags_the_payment(client, dinner_event, fake_stripe):
    order, payment = checkout_by_card(client, dinner_event)
    post_event(client, fake_stripe, fake_stripe.pay(payment.checkout_session_id, deliver=False))
    intent_id = fake_stripe.sessions[payment.checkout_session_id]["payment_intent"]
    fake_stripe.dispute(intent_id)
    post_signed(client, *fake_stripe.outbox[-1])
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DISPUTED


@pytest.mark.django_db
def test_a_late_payment_never_revives_an_expired_order_even_with_its_places_free(
    client, dinner_event, fake_stripe
):
    from tickets.orders import expire_stale_holds

    order, payment = checkout_by_card(client, dinner_event)
    expire_stale_holds(now=timezone.now() + datetime.timedelta(hours=1))
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    # The session was left open (Stripe did not answer the job): the buyer pays it late.
    post_event(client, fake_stripe, fake_stripe.pay(payment.checkout_session_id, deliver=False))
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert order.paid_at is None
    assert dinner_event.ticket_types.get().reserved == 0
    assert payment.status == Payment.Status.REFUNDED
    assert payment.amount_refunded == payment.amount
    assert [m.subject for m in mail.outbox] == [
        f"Your payment for order {order.reference} was refunded"
    ]
    assert "could not accept it" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_late_payment_whose_refund_stripe_did_not_take_is_refunded_on_the_webhooks_retry(
    client, dinner_event, fake_stripe
):
    from tickets.orders import expire_stale_holds

    order, payment = checkout_by_card(client, dinner_event)
    expire_stale_holds(now=timezone.now() + datetime.timedelta(hours=1))
    event = fake_stripe.pay(payment.checkout_session_id, deliver=False)
    fake_stripe.fail(500)  # the refund is refused
    assert post_event(client, fake_stripe, event).status_code == 503  # Stripe will retry
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and payment.refund_owed
    fake_stripe.fail(None)
    assert post_event(client, fake_stripe, event).status_code == 200
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert order.status == Order.Status.EXPIRED
    assert len(fake_stripe.refunds) == 1
    assert [m.subject for m in mail.outbox] == [
        f"Your payment for order {order.reference} was refunded"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("trouble", ["hang", "fail"])
def test_card_payments_not_answering_tell_the_buyer_and_keep_nothing(
    client, dinner_event, stripe_in_trouble, trouble
):
    stripe_in_trouble.hang() if trouble == "hang" else stripe_in_trouble.fail(500)
    response = client.post(f"/events/{dinner_event.slug}/tickets/", card_post(dinner_event))
    assert response.status_code == 503
    page = response.content.decode()
    assert "Card payments are not answering just now, so nothing was charged" in page
    # Asked once (no retry on a buyer's request), within the timeout.
    assert stripe_in_trouble.received == [("POST", "/v1/checkout/sessions")]
    order = Order.objects.get(idempotency_key=KEY)
    assert order.status == Order.Status.EXPIRED
    assert dinner_event.ticket_types.get().reserved == 0
    payment = Payment.objects.get(purpose="events.order", object_id=str(order.pk))
    assert payment.status == Payment.Status.FAILED  # never pending without a session
    assert payment.problem
    # Trying again is a new order: the form carries a new submission key.
    assert f'value="{KEY}"' not in page
    stripe_in_trouble.answer()
    stripe_in_trouble.fail(None)
    again, _payment = checkout_by_card(client, dinner_event, key="card-checkout-key-second-try-01")
    assert again.pk != order.pk and again.status == Order.Status.PENDING


@pytest.mark.django_db
def test_order_page_with_stripe_hung_shows_the_payment_not_completed(
    client, dinner_event, stripe_in_trouble
):
    order, _payment = checkout_by_card(client, dinner_event)
    stripe_in_trouble.hang()
    response = committed(lambda: client.get(order.get_absolute_url() + "?checkout=done"))
    assert response.status_code == 200
    assert "Payment not completed" in response.content.decode()


@pytest.mark.django_db
def test_payment_after_expiry_is_refunded_in_full_when_the_places_are_gone(
    client, dinner_event, fake_stripe, buy
):
    from tickets.orders import expire_stale_holds

    order, payment = checkout_by_card(client, dinner_event)
    later = timezone.now() + datetime.timedelta(hours=1)
    expire_stale_holds(now=later)
    buy(dinner_event, 3, now=timezone.now())  # the three places are sold again
    post_event(client, fake_stripe, fake_stripe.pay(payment.checkout_session_id, deliver=False))
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert payment.status == Payment.Status.REFUNDED
    assert "refunded in full" in payment.problem
    assert dinner_event.ticket_types.get().reserved == 3  # never oversold
    assert [m.subject for m in mail.outbox] == [
        f"Your payment for order {order.reference} was refunded"
    ]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_and_return_confirm_once_and_email_once(
    client, dinner_event, fake_stripe
):
    from django.test import Client

    order, payment = checkout_by_card(client, dinner_event)
    event = fake_stripe.pay(payment.checkout_session_id, deliver=False)
    payload, header = fake_stripe.signed(event)

    def deliver(index):
        visitor = Client()
        if index == 3:
            return visitor.get(order.get_absolute_url() + "?checkout=done").status_code
        return visitor.post(
            "/payments/stripe/webhook/",
            payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        ).status_code

    outcomes = race(4, deliver)
    assert sorted(outcomes) == [200, 200, 200, 200]
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_run_jobs_expires_the_session_when_the_hold_lapses_and_releases_tickets(
    client, dinner_event, fake_stripe
):
    from io import StringIO

    import time_machine
    from django.core.management import call_command

    order, payment = checkout_by_card(client, dinner_event)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=20), tick=False):
        call_command("run_jobs", stdout=StringIO())
    order.refresh_from_db()
    payment.refresh_from_db()
    assert fake_stripe.sessions[payment.checkout_session_id]["status"] == "expired"
    assert payment.status == Payment.Status.EXPIRED
    assert order.status == Order.Status.EXPIRED
    assert dinner_event.ticket_types.get().reserved == 0


@pytest.mark.django_db
def test_staff_refund_in_full_from_the_admin_returns_tickets_and_emails_the_buyer(
    client, dinner_event, fake_stripe, staff_user
):
    order, payment = checkout_by_card(client, dinner_event)
    post_event(client, fake_stripe, fake_stripe.pay(payment.checkout_session_id, deliver=False))
    mail.outbox.clear()
    client.force_login(staff_user)
    response = committed(
        lambda: client.post(
            "/admin/payments/payment/",
            {"action": "refund_in_full", "_selected_action": [payment.pk]},
        )
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.refunds.get().requested_by == staff_user
    assert order.status == Order.Status.REFUNDED
    assert dinner_event.ticket_types.get().reserved == 0
    intent = fake_stripe.intents[payment.payment_intent_id]
    assert fake_stripe.charges[intent["latest_charge"]]["amount_refunded"] == 13000
    assert [m.subject for m in mail.outbox] == [f"A refund for order {order.reference}"]
    # The payments list shows it, with its Stripe id.
    listing = client.get("/admin/payments/payment/").content.decode()
    assert payment.payment_intent_id in listing


@pytest.mark.django_db
def test_confirmation_email_and_order_page_link_the_receipt_with_the_deductible_part(
    client, make_event, make_ticket_type, fake_stripe, association
):
    event = make_event(title="Supporters' Dinner", slug="supporters-dinner")
    make_ticket_type(event, name="Supporter", price=Decimal("100.00"), goods_value=Decimal("40"))
    order, payment = checkout_by_card(client, event, quantity=1)
    post_event(client, fake_stripe, fake_stripe.pay(payment.checkout_session_id, deliver=False))
    payment.refresh_from_db()
    receipt = payment.get_absolute_url()
    assert receipt in mail.outbox[0].body
    assert receipt in get_page(client, order.get_absolute_url())
    page = client.get(receipt).content.decode()
    assert "The amount deductible for US federal income tax purposes is $60.00" in page
    assert "Supporters&#x27; Dinner" in page


def paid_card_order(client, event, fake_stripe, quantity=2):
    order, payment = checkout_by_card(client, event, quantity=quantity)
    post_event(client, fake_stripe, fake_stripe.pay(payment.checkout_session_id, deliver=False))
    mail.outbox.clear()
    order.refresh_from_db()
    payment.refresh_from_db()
    return order, payment


@pytest.mark.django_db
def test_staff_refund_some_tickets_returns_them_to_sale_and_lowers_revenue(
    client, dinner_event, fake_stripe
):
    from events.models import Event
    from tests.events.factories import make_staff

    order, payment = paid_card_order(client, dinner_event, fake_stripe)
    manager = make_staff(group="Treasurer")  # refunds are the Treasurer's (payments)
    client.force_login(manager)
    url = f"/admin/tickets/order/{order.pk}/refund/"
    form = client.get(url)
    assert form.status_code == 200
    first = order.tickets.order_by("pk").first()
    response = committed(
        lambda: client.post(url, {"ticket": [str(first.pk)], "reason": "Cannot come"})
    )
    assert response.status_code == 302
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert order.tickets.count() == 1
    assert order.total == Decimal("65.00")
    assert payment.status == Payment.Status.PARTLY_REFUNDED
    assert payment.amount_refunded == Decimal("65.00")
    assert payment.refunds.get().requested_by == manager
    assert dinner_event.ticket_types.get().reserved == 1
    figures = with_sales_figures(Event.objects.all(), now=timezone.now(), staff_counts=True).get(
        pk=dinner_event.pk
    )
    assert figures.figure_revenue == Decimal("65.00")
    assert [m.subject for m in mail.outbox] == [f"A refund for order {order.reference}"]
    # The order's admin page shows where the card payment stands.
    assert (
        "Partly refunded" in client.get(f"/admin/tickets/order/{order.pk}/change/").content.decode()
    )


@pytest.mark.django_db
def test_staff_refund_of_the_whole_order_closes_it_and_keeps_its_tickets_on_record(
    client, dinner_event, fake_stripe, staff_user
):
    order, payment = paid_card_order(client, dinner_event, fake_stripe)
    client.force_login(staff_user)
    ids = [str(pk) for pk in order.tickets.values_list("pk", flat=True)]
    committed(lambda: client.post(f"/admin/tickets/order/{order.pk}/refund/", {"ticket": ids}))
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert order.tickets.count() == 2
    assert payment.status == Payment.Status.REFUNDED
    assert dinner_event.ticket_types.get().reserved == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_refund_form_refuses_junk_and_orders_not_paid_by_card(
    client, dinner_event, fake_stripe, staff_user, buy
):
    client.force_login(staff_user)
    order, _payment = paid_card_order(client, dinner_event, fake_stripe)
    junk = client.post(f"/admin/tickets/order/{order.pk}/refund/", {"ticket": ["x", "-1"]})
    assert junk.status_code == 422
    offline = buy(dinner_event, 1, now=timezone.now())
    refused = client.post(
        f"/admin/tickets/order/{offline.pk}/refund/",
        {"ticket": [str(t) for t in offline.tickets.values_list("pk", flat=True)]},
    )
    assert refused.status_code == 422
    assert client.get("/admin/tickets/order/999999/refund/").status_code == 403


@pytest.mark.django_db
def test_refund_page_is_a_form_whose_bad_input_is_a_422_and_refunds_nothing(
    client, dinner_event, fake_stripe, staff_user
):
    client.force_login(staff_user)
    order, payment = paid_card_order(client, dinner_event, fake_stripe)
    url = f"/admin/tickets/order/{order.pk}/refund/"
    page = client.get(url).content.decode()
    assert page.count('name="ticket"') == 2 and page.count("checked") >= 2
    ids = [str(pk) for pk in order.tickets.values_list("pk", flat=True)]
    too_long = client.post(url, {"ticket": ids, "reason": "x" * 301})
    assert too_long.status_code == 422
    assert "at most 300 characters" in too_long.content.decode()
    none_chosen = client.post(url, {"reason": "Cannot come"})
    assert none_chosen.status_code == 422
    assert "Please choose the tickets to refund." in none_chosen.content.decode()
    payment.refresh_from_db()
    assert payment.amount_refunded == 0 and not fake_stripe.refunds


@pytest.mark.django_db
def test_late_expired_event_after_completion_changes_nothing(client, dinner_event, fake_stripe):
    order, payment = paid_card_order(client, dinner_event, fake_stripe)
    session = dict(fake_stripe.sessions[payment.checkout_session_id], status="expired")
    post_event(client, fake_stripe, fake_stripe.event("checkout.session.expired", session))
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert order.status == Order.Status.CONFIRMED


@pytest.mark.django_db
def test_cancel_action_refuses_a_card_paid_order_and_points_to_the_refund(
    client, dinner_event, fake_stripe, staff_user, buy
):
    order, payment = paid_card_order(client, dinner_event, fake_stripe)
    offline = buy(dinner_event, 1, now=timezone.now())
    client.force_login(staff_user)
    response = committed(
        lambda: client.post(
            "/admin/tickets/order/",
            {"action": "cancel_orders", "_selected_action": [order.pk, offline.pk]},
            follow=True,
        )
    )
    order.refresh_from_db()
    payment.refresh_from_db()
    offline.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert payment.status == Payment.Status.PAID and payment.amount_refunded == 0
    assert dinner_event.ticket_types.get().reserved == 2
    assert offline.status == Order.Status.CANCELLED  # not paid by card: cancelled as before
    text = [str(m) for m in response.context["messages"]]
    assert any(order.reference in m and "Refund by card" in m for m in text), text
    assert any("1 order cancelled" in m for m in text), text


@pytest.mark.django_db
def test_partial_refund_in_stripes_dashboard_lowers_the_event_revenue(
    client, dinner_event, fake_stripe, buy
):
    from events.models import Event

    order, payment = paid_card_order(client, dinner_event, fake_stripe)
    buy(dinner_event, 1, now=timezone.now())  # pay later, unpaid: counts its total

    def revenue():
        return with_sales_figures(Event.objects.all(), now=timezone.now(), staff_counts=True).get(
            pk=dinner_event.pk
        )

    assert revenue().figure_revenue == Decimal("195.00")
    fake_stripe.refund_in_dashboard(payment.payment_intent_id, amount=2000)
    post_signed(client, *fake_stripe.outbox[-1])
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.amount_refunded == Decimal("20.00")
    assert order.status == Order.Status.CONFIRMED and order.tickets.count() == 2
    assert revenue().figure_revenue == Decimal("175.00")
    assert revenue().figure_sold == 3


@pytest.mark.django_db
def test_a_refunded_order_page_says_refunded_and_nothing_else(
    client, dinner_event, fake_stripe, staff_user
):
    """Issue 18, item 13: not also "Payment received... your tickets are confirmed"."""
    order, payment = paid_card_order(client, dinner_event, fake_stripe)
    client.force_login(staff_user)
    ids = [str(pk) for pk in order.tickets.values_list("pk", flat=True)]
    committed(lambda: client.post(f"/admin/tickets/order/{order.pk}/refund/", {"ticket": ids}))
    client.logout()
    page = get_page(client, order.get_absolute_url() + "?checkout=done")
    assert "This order is refunded" in page
    assert 'order-state">Refunded<' in page
    for promise in ("Payment received", "tickets are confirmed", "Confirmed", "Paid"):
        assert promise not in page, promise
    assert "Cancel this order" not in page


@pytest.mark.django_db
def test_a_card_paid_order_promises_no_cancellation_and_names_whom_to_write_to(
    client, dinner_event, fake_stripe, association
):
    """Issue 18, item 14: the buyer of a paid order cannot cancel it online; the page and
    the confirmation say so, and give the association's address instead."""
    order, payment = checkout_by_card(client, dinner_event)
    post_event(client, fake_stripe, fake_stripe.pay(payment.checkout_session_id, deliver=False))
    [confirmation] = mail.outbox
    page = get_page(client, order.get_absolute_url())
    for text in (confirmation.body, confirmation.alternatives[0][0], page):
        assert "option to cancel" not in text
        assert "and cancel" not in text
        assert "cannot be cancelled online" in text
        assert "info@example.org" in text
    assert "Cancel this order" not in page


@pytest.mark.django_db
def test_a_payment_left_without_its_session_never_stops_later_sessions_expiring(
    client, dinner_event, fake_stripe
):
    from io import StringIO

    import time_machine
    from django.core.management import call_command

    # What a worker killed while Stripe hung left behind, before this order.
    orphan = Payment.objects.create(
        purpose="events.order",
        object_id="999999",
        amount=Decimal("65.00"),
        method=Payment.Method.CARD,
        expires_at=timezone.now(),
    )
    order, payment = checkout_by_card(client, dinner_event)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=20), tick=False):
        call_command("run_jobs", stdout=StringIO())
    payment.refresh_from_db()
    orphan.refresh_from_db()
    order.refresh_from_db()
    assert orphan.status == Payment.Status.FAILED
    assert fake_stripe.sessions[payment.checkout_session_id]["status"] == "expired"
    assert payment.status == Payment.Status.EXPIRED
    assert order.status == Order.Status.EXPIRED
