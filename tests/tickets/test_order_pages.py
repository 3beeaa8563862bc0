import datetime
import re

import pytest
import time_machine
from django.core import mail

from events.models import Event
from tickets.models import Order
from tickets.orders import ReservationRequest, cancel_order, reserve_tickets
from tickets.qr import ticket_qr_svg


@pytest.fixture
def order(secret_event, buy, now):
    return buy(secret_event, 2, now=now)


@pytest.fixture
def unpaid_order(secret_event, buy, now):
    """A pay-later reservation: its buyer may still cancel it online."""
    return buy(secret_event, 2, now=now, paid=False)


def test_order_page_shows_each_ticket_with_its_qr_code(client, order):
    response = client.get(order.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="ticket-qr"') == 2
    for ticket in order.tickets.all():
        assert ticket.code in page
    assert order.reference in page
    assert response["X-Robots-Tag"] == "noindex"


def test_order_page_qr_codes_open_the_check_in_page_and_show_the_code(client, order, settings):
    settings.SITE_URL = "https://tickets.example.org"
    page = client.get(order.get_absolute_url()).content.decode()
    for ticket in order.tickets.all():
        modules = re.search(r' d="([^"]+)"', ticket_qr_svg(ticket, event=order.event)).group(1)
        assert modules in page  # the QR code of the check-in URL, not of the bare code
        assert f"<code>{ticket.code}</code>" in page  # and the code itself, to type


def test_order_page_keeps_its_token_on_this_site_but_lets_forms_post(client, order):
    # "no-referrer" made Chromium post the cancel form with `Origin: null` (CSRF 403).
    response = client.get(order.get_absolute_url())
    assert response["Referrer-Policy"] == "same-origin"


def test_unknown_order_token_is_404(client, db):
    assert client.get("/orders/not-a-real-token/").status_code == 404


@pytest.mark.parametrize(
    "path", ["/orders/%00/", "/orders/abc%00defghijklmnopq/", "/orders/%00/event.ics"]
)
def test_malformed_order_token_is_404_not_a_database_error(client, db, path):
    # A NUL byte reaching a query makes PostgreSQL (psycopg) raise DataError: a 500.
    assert client.get(path).status_code == 404


def test_malformed_order_token_cannot_be_cancelled(client, db):
    assert client.post("/orders/%00/cancel/").status_code == 404


def test_order_page_shows_reveal_state_in_plain_words(client, order, secret_event):
    page = client.get(order.get_absolute_url()).content.decode()
    assert "The location will be revealed to ticket holders on" in page
    # The moment itself, never "in 2 days", which is wrong by the time it is read again.
    assert "\xa0day" not in page


def test_order_page_promises_the_venue_email_only_before_the_reveal(client, order, now):
    promise = "We will email it to you then."
    assert promise in client.get(order.get_absolute_url()).content.decode()
    cancel_order(order=order, now=now)
    assert promise not in client.get(order.get_absolute_url()).content.decode()
    with time_machine.travel(order.event.venue_reveal_at + datetime.timedelta(minutes=1)):
        page = client.get(order.get_absolute_url()).content.decode()
    assert "The location was revealed to ticket holders on" in page
    assert promise not in page


def test_online_link_only_for_ticket_holders(client, make_event, make_ticket_type, buy, now):
    event = make_event(format=Event.Format.ONLINE, online_link="https://meet.example.org/x1")
    make_ticket_type(event)
    order = buy(event, 1, now=now)
    assert "meet.example.org/x1" not in client.get(event.get_absolute_url()).content.decode()
    assert "meet.example.org/x1" in client.get(order.get_absolute_url()).content.decode()


def test_held_order_link_does_not_reveal_the_venue(client, secret_event, now):
    held = reserve_tickets(
        ReservationRequest(
            event=secret_event,
            lines=[(secret_event.ticket_types.get(), 1)],
            buyer={"name": "H", "email": "h@example.org"},
            idempotency_key=None,
            now=now,
        )
    ).order
    with time_machine.travel(secret_event.venue_reveal_at + datetime.timedelta(minutes=1)):
        page = client.get(held.get_absolute_url()).content.decode()
    assert "Hidden Orchard Hall" not in page


def test_buyer_cancels_from_the_order_page_and_tickets_return(client, unpaid_order, secret_event):
    page = client.get(unpaid_order.get_absolute_url()).content.decode()
    assert "Cancel this order" in page
    response = client.post(f"/orders/{unpaid_order.token}/cancel/")
    assert response.status_code == 303
    unpaid_order.refresh_from_db()
    assert unpaid_order.status == Order.Status.CANCELLED
    assert secret_event.ticket_types.get().reserved == 0
    assert "Cancel this order" not in client.get(unpaid_order.get_absolute_url()).content.decode()


def test_buyer_who_cancels_gets_one_cancellation_email(client, unpaid_order):
    mail.outbox.clear()
    client.post(f"/orders/{unpaid_order.token}/cancel/")
    client.post(f"/orders/{unpaid_order.token}/cancel/")  # a second click: no second email
    assert [m.to for m in mail.outbox] == [[unpaid_order.email]]
    message = mail.outbox[0]
    assert message.subject == f"Your order {unpaid_order.reference} for Secret Supper is cancelled"
    assert "is cancelled" in message.body
    assert "is cancelled" in message.alternatives[0][0]


def test_cancellation_is_shown_even_when_its_email_fails(client, unpaid_order, mail_server_down):
    response = client.post(f"/orders/{unpaid_order.token}/cancel/", follow=True)
    assert response.status_code == 200
    assert "Your order is cancelled" in response.content.decode()


def test_cancelled_order_page_says_so_and_offers_nothing_to_use(client, order, now):
    order.address_line1 = "1 Main St"
    order.save(update_fields=["address_line1"])
    cancel_order(order=order, now=now)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "This order is cancelled since" in page
    assert "Its tickets are no longer valid." in page
    assert 'class="ticket-qr"' not in page
    for ticket in order.tickets.all():
        assert ticket.code not in page
    assert "Add to calendar" not in page
    assert "Materials go to" not in page
    assert "cancel this order" not in page.lower()


def test_cancel_refused_close_to_the_event(client, order, secret_event, settings):
    too_late = secret_event.cancellations_close_at + datetime.timedelta(hours=1)
    with time_machine.travel(too_late):
        assert "Cancel this order" not in client.get(order.get_absolute_url()).content.decode()
        response = client.post(f"/orders/{order.token}/cancel/")
    assert response.status_code == 409
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED


def test_cancel_address_opened_with_get_leads_to_the_order_page_and_cancels_nothing(client, order):
    response = client.get(f"/orders/{order.token}/cancel/")
    assert response.status_code == 302
    assert response["Location"] == order.get_absolute_url()
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED


def test_paid_order_is_cancelled_by_staff_not_online(client, order, now):
    from tickets.orders import mark_order_paid

    mark_order_paid(order=order, now=now)
    assert client.post(f"/orders/{order.token}/cancel/").status_code == 409


def test_orders_for_user_in_few_queries(
    django_assert_max_num_queries, secret_event, buy, now, non_member
):
    for _ in range(3):
        buy(secret_event, 2, now=now, user=non_member)
    with django_assert_max_num_queries(3):
        orders = list(Order.objects.for_user(non_member))
        tickets = [t.ticket_type.name for o in orders for t in o.tickets.all()]
        events = [o.event.title for o in orders]
    assert len(orders) == 3 and len(tickets) == 6 and len(events) == 3


def test_account_orders_include_lists_the_orders(rf, secret_event, buy, now, non_member):
    from django.template.loader import render_to_string

    order = buy(secret_event, 2, now=now, user=non_member)
    html = render_to_string(
        "tickets/includes/account_orders.html", {"orders": Order.objects.for_user(non_member)}
    )
    assert order.reference in html
    assert order.get_absolute_url() in html
    assert "Hidden Orchard Hall" not in html


def test_an_unpaid_order_may_still_be_cancelled_and_says_so(client, unpaid_order, association):
    page = client.get(unpaid_order.get_absolute_url()).content.decode()
    assert "Cancel this order" in page
    assert "and cancel this order" in page
    assert "cannot be cancelled online" not in page


def test_too_close_to_the_event_the_page_offers_no_cancellation_but_whom_to_write_to(
    client, unpaid_order, association, settings
):
    """Issue 18, item 14: past the buyer's deadline, no promise of a cancellation."""
    deadline = unpaid_order.event.cancellations_close_at
    with time_machine.travel(deadline + datetime.timedelta(minutes=1)):
        page = client.get(unpaid_order.get_absolute_url()).content.decode()
        response = client.post(f"/orders/{unpaid_order.token}/cancel/")
    assert "Cancel this order" not in page and "and cancel" not in page
    assert "too close to the event to cancel this order online" in page
    assert "mailto:info@example.org" in page and unpaid_order.reference in page
    assert response.status_code == 409


def test_the_account_page_shows_an_unpaid_reservation_as_payment_due(
    client, secret_event, buy, non_member, now
):
    buy(secret_event, 1, now=now, user=non_member, paid=False)
    client.force_login(non_member)
    page = client.get("/account/").content.decode()
    assert "Reserved, payment due" in page
