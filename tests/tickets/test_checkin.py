from decimal import Decimal

import pytest
import segno
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.concurrency import race
from tests.events.factories import make_event, make_order, make_staff, make_ticket_type
from tickets.checkin import check_in, find_ticket, normalize_code, search_by_name
from tickets.models import UNAMBIGUOUS_ALPHABET, Order, Ticket, new_ticket_code
from tickets.qr import QR_MASK, ticket_checkin_url, ticket_qr

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinner():
    return make_event(
        title="Door dinner", slug="door-dinner", meal_options="Chicken\nVegetarian\nFish"
    )


@pytest.fixture
def ticket_type(dinner):
    return make_ticket_type(dinner, name="Dinner", price=Decimal("40.00"))


@pytest.fixture
def door_staff():
    return make_staff("door@example.org", first_name="Dora", last_name="Door", superuser=True)


@pytest.fixture
def door(client, door_staff):
    client.force_login(door_staff)
    return client


def _url(event):
    return reverse("tickets:checkin", kwargs={"slug": event.slug})


def _ticket(order):
    return order.tickets.get() if order.tickets.count() == 1 else order.tickets.first()


def test_lookup_by_code_shows_who_and_which_ticket(door, dinner, ticket_type):
    order = make_order(
        dinner,
        [(ticket_type, 1)],
        paid=True,
        name="Grace Hopper",
        attendees=[{"attendee_name": "Grace Hopper", "meal_choice": "Fish"}],
    )
    ticket = _ticket(order)
    response = door.get(_url(dinner), {"code": f"  {ticket.code} "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Grace Hopper" in html and "Dinner" in html and order.reference in html
    assert "Fish" in html and "Valid ticket." in html
    assert f'name="code" value="{ticket.code}"' in html  # the check-in form


def test_a_code_typed_in_lower_case_finds_the_ticket(door, dinner, ticket_type):
    order = make_order(dinner, [(ticket_type, 1)], paid=True, name="Ada Lovelace")
    ticket = _ticket(order)
    response = door.get(_url(dinner), {"code": ticket.code.lower()})
    assert response.status_code == 200
    assert "Ada Lovelace" in response.content.decode()


def test_ticket_codes_are_unguessable_typable_and_never_a_spreadsheet_formula():
    codes = {new_ticket_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 16
        assert set(code) <= set(UNAMBIGUOUS_ALPHABET)
        assert code[0] not in "=+-@"


def test_check_in_succeeds_once(door, door_staff, dinner, ticket_type):
    ticket = _ticket(make_order(dinner, [(ticket_type, 1)], paid=True, name="Ada"))
    response = door.post(_url(dinner), {"code": ticket.code})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None
    assert ticket.checked_in_by == door_staff
    page = door.get(response["Location"]).content.decode()
    assert "Ada (Dinner): Checked in." in page
    assert "1</strong> of 1 ticket checked in" in page


def test_second_check_in_is_refused_saying_when_and_by_whom(door, dinner, ticket_type):
    ticket = _ticket(make_order(dinner, [(ticket_type, 1)], paid=True))
    moment = timezone.make_aware(timezone.datetime(2026, 5, 18, 19, 5))
    with time_machine.travel(moment, tick=False):
        assert door.post(_url(dinner), {"code": ticket.code}).status_code == 302
    response = door.post(_url(dinner), {"code": ticket.code})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Refused." in html
    assert "Already checked in on Monday, May 18, 2026, 7:05 PM by Dora Door." in html
    ticket.refresh_from_db()
    assert ticket.checked_in_at == moment


def test_ticket_of_another_event_is_refused(door, dinner, ticket_type):
    other = make_event(title="Another party")
    other_ticket = _ticket(make_order(other, [(make_ticket_type(other), 1)], paid=True))
    response = door.post(_url(dinner), {"code": other_ticket.code})
    assert response.status_code == 409
    assert "This ticket is for another event: Another party." in response.content.decode()
    other_ticket.refresh_from_db()
    assert other_ticket.checked_in_at is None


@pytest.mark.parametrize(
    "status, words",
    [
        (Order.Status.CANCELLED, "This order was cancelled."),
        (Order.Status.EXPIRED, "This order expired"),
        (Order.Status.REFUNDED, "This order was refunded."),
        (Order.Status.PENDING, "never completed"),
    ],
)
def test_tickets_of_invalid_orders_are_refused(door, dinner, ticket_type, status, words):
    ticket = _ticket(make_order(dinner, [(ticket_type, 1)], status=status))
    lookup = door.get(_url(dinner), {"code": ticket.code}).content.decode()
    assert words in lookup and "Check in " not in lookup.split("Find a ticket")[0]
    response = door.post(_url(dinner), {"code": ticket.code})
    assert response.status_code == 409
    assert words in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_unpaid_offline_order_is_valid_and_says_what_to_collect(door, dinner, ticket_type):
    order = make_order(dinner, [(ticket_type, 2)], name="Owen Owes")
    assert order.status == Order.Status.CONFIRMED and not order.is_paid
    first = order.tickets.first()
    html = door.get(_url(dinner), {"code": first.code}).content.decode()
    assert "Unpaid: collect $80.00 at the door" in html
    response = door.post(_url(dinner), {"code": first.code}, follow=True)
    assert "collect $80.00 at the door" in response.content.decode()
    first.refresh_from_db()
    assert first.checked_in_at is not None


def test_payment_collected_at_the_door_marks_the_order_paid(door, dinner, ticket_type):
    order = make_order(dinner, [(ticket_type, 1)])
    door.post(_url(dinner), {"code": _ticket(order).code, "payment_collected": "1"})
    order.refresh_from_db()
    assert order.paid_at is not None


def test_unknown_code_is_a_clear_404(door, dinner):
    response = door.post(_url(dinner), {"code": "not-a-real-code"})
    assert response.status_code == 404
    assert "No ticket has this code" in response.content.decode()
    assert "No ticket has this code" in door.get(_url(dinner), {"code": "nope"}).content.decode()


def test_empty_code_is_a_form_error(door, dinner):
    response = door.post(_url(dinner), {"code": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_search_by_name_finds_the_event_confirmed_tickets(door, dinner, ticket_type):
    make_order(
        dinner,
        [(ticket_type, 2)],
        paid=True,
        name="Margaret Hamilton",
        attendees=[{"attendee_name": "Margaret Hamilton"}, {"attendee_name": "Katherine J"}],
    )
    make_order(dinner, [(ticket_type, 1)], status=Order.Status.CANCELLED, name="Margaret Gone")
    other = make_event()
    make_order(other, [(make_ticket_type(other), 1)], name="Margaret Elsewhere")
    response = door.get(_url(dinner), {"q": "margaret"})
    html = response.content.decode()
    assert response.status_code == 200
    # Katherine's ticket was bought by Margaret: found through the buyer's name.
    assert "Margaret Hamilton" in html and "Katherine J" in html
    assert "Margaret Gone" not in html and "Margaret Elsewhere" not in html
    assert "2 tickets found" in html


@pytest.mark.parametrize("code", ["\x00", "ABC\x00DEF", "https://example.org/t/\x00/"])
def test_code_with_a_nul_byte_is_a_form_error_not_a_database_error(door, dinner, code):
    # A NUL byte reaching a query makes PostgreSQL (psycopg) raise DataError: a 500.
    assert door.get(_url(dinner), {"code": code}).status_code == 400
    assert door.post(_url(dinner), {"code": code}).status_code == 400


def test_name_search_with_a_nul_byte_is_a_form_error_not_a_database_error(door, dinner):
    assert door.get(_url(dinner), {"q": "Marg\x00aret"}).status_code == 400


def test_find_ticket_and_search_by_name_refuse_a_nul_byte(dinner):
    # The functions themselves, whatever form calls them.
    assert find_ticket("ABC\x00DEF") is None
    assert list(search_by_name(dinner, "Marg\x00aret")) == []


def test_check_in_page_is_for_staff_with_the_permission(client, dinner):
    response = client.get(_url(dinner))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    client.force_login(make_staff("plain-staff@example.org"))
    assert client.get(_url(dinner)).status_code == 403
    assert client.post(_url(dinner), {"code": "x"}).status_code == 403


def test_check_in_post_needs_the_csrf_token(door_staff, dinner, ticket_type):
    ticket = _ticket(make_order(dinner, [(ticket_type, 1)], paid=True))
    client = Client(enforce_csrf_checks=True)
    client.force_login(door_staff)
    assert client.post(_url(dinner), {"code": ticket.code}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


@pytest.mark.parametrize("scan", ["//[x", "https://[::1/x?code=AB"])
def test_a_malformed_scan_finds_no_ticket_instead_of_failing(door, dinner, scan):
    response = door.get(_url(dinner), {"code": scan})
    assert response.status_code == 200
    assert "No ticket has this code" in response.content.decode()
    assert door.post(_url(dinner), {"code": scan}).status_code == 404
    assert normalize_code(scan) == ""


def test_scanned_codes_are_normalized():
    assert normalize_code("  abc123  ") == "abc123"
    assert normalize_code("https://example.org/t/abc123/") == "abc123"
    assert normalize_code("https://example.org/staff/events/a/check-in/?code=ABC123") == "ABC123"
    assert normalize_code("/staff/events/a/check-in/?x=1&code=%20ABC123") == "ABC123"
    assert normalize_code("") == ""


def test_ticket_qr_code_holds_the_check_in_url_with_the_code(dinner, ticket_type, settings):
    settings.SITE_URL = "https://tickets.example.org"
    ticket = _ticket(make_order(dinner, [(ticket_type, 1)], paid=True))
    expected = f"https://tickets.example.org/staff/events/door-dinner/check-in/?code={ticket.code}"
    assert ticket_checkin_url(ticket, event=dinner) == expected
    assert (
        ticket_qr(ticket, event=dinner).matrix
        == segno.make(expected, error="m", micro=False, mask=QR_MASK).matrix
    )


def test_phone_camera_opening_the_qr_url_finds_the_ticket(door, dinner, ticket_type, settings):
    order = make_order(dinner, [(ticket_type, 1)], paid=True, name="Grace Hopper")
    ticket = _ticket(order)
    url = ticket_checkin_url(ticket, event=dinner)
    path_and_query = url.removeprefix(settings.SITE_URL)
    opened = door.get(path_and_query)
    assert opened.status_code == 200
    assert "Grace Hopper" in opened.content.decode()
    # The check-in page's own scanner submits the whole URL it read.
    assert door.post(_url(dinner), {"code": url}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_phones_scanning_at_once_let_the_ticket_in_once():
    event = make_event()
    ticket = _ticket(make_order(event, [(make_ticket_type(event), 1)], paid=True))
    staff = [make_staff(f"phone{i}@example.org") for i in range(2)]

    def scan(index):
        found = Ticket.objects.select_related("order", "ticket_type").get(pk=ticket.pk)
        return check_in(ticket=found, event=event, by=staff[index], now=timezone.now()).checked_in

    results = race(2, scan)
    assert sorted(results) == [False, True]
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None


def _verdict(html):
    start = html.index('class="checkin-verdict"')
    return html[start : html.index("</p>", start)]


def test_the_verdict_says_each_thing_once(door, dinner, ticket_type):
    paid = make_order(dinner, [(ticket_type, 1)], paid=True)
    verdict = _verdict(door.get(_url(dinner), {"code": _ticket(paid).code}).content.decode())
    assert verdict.count("Valid") == 1
    unpaid = make_order(dinner, [(ticket_type, 2)], name="Owen Owes")
    html = door.get(_url(dinner), {"code": _ticket(unpaid).code}).content.decode()
    assert "Unpaid: collect $80.00 at the door" in _verdict(html)
    assert html.count("to collect") == 0 and html.count("collect $80.00") == 1


def test_a_refunded_ticket_is_shown_refunded_at_the_door(door, dinner, ticket_type):
    """Issue 18, item 13: its order's state is "Refunded", not "Paid", and it is refused."""
    order = make_order(dinner, [(ticket_type, 1)], paid=True, status=Order.Status.REFUNDED)
    ticket = _ticket(order)
    lookup = door.get(_url(dinner), {"code": ticket.code}).content.decode()
    assert 'order-state">Refunded<' in lookup
    assert "This order was refunded." in lookup
    assert "Paid" not in lookup.split("Find a ticket")[0]
    response = door.post(_url(dinner), {"code": ticket.code})
    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_a_ticket_taken_off_its_order_by_a_partial_refund_is_refunded_at_the_door(
    door, dinner, ticket_type
):
    """Issue 18, item 13: a partly refunded order's refunded ticket is not "unknown" at the
    door but refunded, and refused; its place is on sale again."""
    from tests.events.factories import places_left_for
    from tickets.orders import release_tickets

    ticket_type.quantity = 2
    ticket_type.save(update_fields=["quantity"])
    order = make_order(dinner, [(ticket_type, 2)], paid=True, name="Pat Partial")
    refunded, kept = order.tickets.order_by("pk")
    assert places_left_for(ticket_type, now=timezone.now()) == 0
    release_tickets(order=order, ticket_ids=[refunded.pk], now=timezone.now())

    lookup = door.get(_url(dinner), {"code": refunded.code.lower()})
    html = lookup.content.decode()
    assert lookup.status_code == 200
    assert "Refunded." in html and "This ticket was refunded on" in html
    assert "No ticket has this code" not in html and "Check in Pat Partial" not in html
    response = door.post(_url(dinner), {"code": refunded.code})
    assert response.status_code == 409
    assert "This ticket was refunded on" in response.content.decode()
    # The other ticket still admits; the refunded place can be sold again.
    assert door.post(_url(dinner), {"code": kept.code}).status_code == 302
    assert places_left_for(ticket_type, now=timezone.now()) == 1
    assert door.get(_url(dinner)).context["counts"] == {"total": 1, "arrived": 1}
    make_order(dinner, [(ticket_type, 1)], paid=True, name="Next Buyer")
    assert places_left_for(ticket_type, now=timezone.now()) == 0


def test_the_order_admin_lists_the_tickets_a_partial_refund_took_off(client, dinner, ticket_type):
    from tickets.orders import release_tickets

    order = make_order(dinner, [(ticket_type, 2)], paid=True)
    refunded = order.tickets.order_by("pk").first()
    release_tickets(order=order, ticket_ids=[refunded.pk], now=timezone.now())
    client.force_login(make_staff("manager@example.org", group="Event managers"))
    page = client.get(reverse("admin:tickets_order_change", args=[order.pk])).content.decode()
    assert "Refunded tickets" in page and refunded.code in page
