import csv
import io

import pytest
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.urls import reverse

from events.models import Event
from tests.events.factories import make_event, make_order, make_staff, make_ticket_type
from tickets.models import Order, Ticket

pytestmark = pytest.mark.django_db

EXPORTS = ["export_attendees", "export_meals", "export_addresses"]


@pytest.fixture
def dinner():
    event = make_event(title="Soiree", slug="soiree", meal_options="Chicken\nVegetarian\nFish")
    dinner_type = make_ticket_type(event, name="Dinner", quantity=50)
    make_order(
        event,
        [(dinner_type, 2)],
        paid=True,
        name="Ann Able",
        email="ann@example.org",
        attendees=[
            {"attendee_name": "Ann Able", "meal_choice": "Chicken"},
            {
                "attendee_name": "Ben Able",
                "meal_choice": "Vegetarian",
                "dietary_notes": "No nuts",
            },
        ],
        address={
            "address_line1": "1 Granby Street",
            "city": "Norfolk",
            "region": "VA",
            "postal_code": "23510",
            "country": "US",
        },
    )
    make_order(
        event,
        [(dinner_type, 1)],
        name="Cy Dee",
        email="cy@example.org",
        phone="+1 757 555 0101",
        attendees=[{"attendee_name": '=HYPERLINK("http://evil")', "meal_choice": "Chicken"}],
    )
    make_order(
        event,
        [(dinner_type, 1)],
        status=Order.Status.PENDING,
        name="Pending Person",
        email="pending@example.org",
        attendees=[{"attendee_name": "Pending Person", "meal_choice": "Fish"}],
        address={"address_line1": "9 Pending Road", "city": "Norfolk"},
    )
    make_order(
        event,
        [(dinner_type, 1)],
        status=Order.Status.CANCELLED,
        name="Gone Away",
        email="gone@example.org",
        attendees=[{"attendee_name": "Gone Away", "meal_choice": "Fish"}],
        address={"address_line1": "5 Cancelled Court", "city": "Norfolk"},
    )
    return event


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _rows(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_attendee_list_has_every_confirmed_ticket_and_nobody_else(staff_client, dinner):
    response = staff_client.get(reverse("tickets:export_attendees", kwargs={"slug": "soiree"}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="soiree-attendees.csv"' in response["Content-Disposition"]
    rows = _rows(response)
    header, body = rows[0], rows[1:]
    assert header[:8] == [
        "Attendee",
        "Buyer",
        "Email",
        "Phone",
        "Ticket type",
        "Meal",
        "Dietary notes",
        "Code",
    ]
    attendees = sorted(row[0] for row in body)
    assert attendees == sorted(["Ann Able", "Ben Able", '\'=HYPERLINK("http://evil")'])
    ben = next(row for row in body if row[0] == "Ben Able")
    assert ben[1:7] == [
        "Ann Able",
        "ann@example.org",
        "757-555-0100",
        "Dinner",
        "Vegetarian",
        "No nuts",
    ]
    codes = {row[7] for row in body}
    assert codes == set(
        dinner.orders.filter(status="confirmed").values_list("tickets__code", flat=True)
    )


def test_meal_counts_for_the_caterer_with_dietary_notes(staff_client, dinner):
    response = staff_client.get(reverse("tickets:export_meals", kwargs={"slug": "soiree"}))
    assert 'filename="soiree-meals.csv"' in response["Content-Disposition"]
    rows = _rows(response)
    assert rows[:5] == [
        ["Meal", "Count"],
        ["Chicken", "2"],
        ["Vegetarian", "1"],
        ["Fish", "0"],
        ["Total", "3"],
    ]
    assert ["Ben Able", "Vegetarian", "No nuts"] in rows
    assert not any("Pending Person" in row or "Gone Away" in row for row in rows)


def test_postal_addresses_one_row_per_confirmed_order_with_an_address(staff_client, dinner):
    response = staff_client.get(reverse("tickets:export_addresses", kwargs={"slug": "soiree"}))
    assert 'filename="soiree-addresses.csv"' in response["Content-Disposition"]
    rows = _rows(response)
    assert rows[0][:7] == [
        "Name",
        "Address line 1",
        "Address line 2",
        "City",
        "State",
        "ZIP code",
        "Country",
    ]
    assert [row[:7] for row in rows[1:]] == [
        ["Ann Able", "1 Granby Street", "", "Norfolk", "VA", "23510", "US"]
    ]
    assert rows[1][-1] == "2"  # two tickets, for the materials to send


def test_phone_with_a_plus_is_quoted_in_the_attendee_list(staff_client, dinner):
    rows = _rows(staff_client.get(reverse("tickets:export_attendees", kwargs={"slug": "soiree"})))
    assert "'+1 757 555 0101" in [row[3] for row in rows]


@pytest.mark.parametrize("name", EXPORTS)
def test_exports_send_visitors_to_the_admin_sign_in(client, dinner, name):
    response = client.get(reverse(f"tickets:{name}", kwargs={"slug": "soiree"}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("name", EXPORTS)
def test_exports_refuse_staff_without_the_permission(client, dinner, name):
    client.force_login(make_staff("nobody@example.org"))
    response = client.get(reverse(f"tickets:{name}", kwargs={"slug": "soiree"}))
    assert response.status_code == 403


@pytest.mark.parametrize("name", EXPORTS)
def test_exports_of_an_unknown_event_are_404(staff_client, name):
    response = staff_client.get(reverse(f"tickets:{name}", kwargs={"slug": "no-such-event"}))
    assert response.status_code == 404


def test_export_query_count_does_not_grow_with_tickets(staff_client, django_assert_max_num_queries):
    event = make_event(slug="big-dinner")
    ticket_type = make_ticket_type(event, quantity=200)
    url = reverse("tickets:export_attendees", kwargs={"slug": "big-dinner"})
    for n in (2, 40):
        for i in range(n // 2):
            make_order(event, [(ticket_type, 2)], email=f"p{n}-{i}@example.org")
        with django_assert_max_num_queries(8):
            rows = _rows(staff_client.get(url))
        assert len(rows) > n


def test_a_ticket_and_an_order_say_what_their_export_rows_hold_by_heading(dinner):
    """The export's rows are the models' (`Ticket.attendee_export`, `Order.address_export`):
    one dictionary per row, keyed by the column heading."""
    ticket = Ticket.objects.confirmed_for(dinner).get(attendee_name="Ben Able")
    row = ticket.attendee_export()
    assert list(row) == Ticket.attendee_export_headings()
    assert (row["Attendee"], row["Buyer"], row["Paid"]) == ("Ben Able", "Ann Able", "yes")
    assert ticket.dietary_export() == {
        "Attendee": "Ben Able",
        "Meal": "Vegetarian",
        "Dietary notes": "No nuts",
    }
    order = Order.objects.annotate(ticket_count=Count("tickets")).get(email="ann@example.org")
    address = order.address_export()
    assert list(address) == Order.address_export_headings()
    assert (address["Order"], address["Tickets"]) == (order.reference, 2)


def test_admin_filters_are_the_querysets_rules(dinner, now):
    ticket = Ticket.objects.confirmed_for(dinner).first()
    Ticket.objects.filter(pk=ticket.pk).update(checked_in_at=now)
    assert list(Ticket.objects.checked_in()) == [ticket]
    assert ticket not in Ticket.objects.not_checked_in()
    assert dinner in Event.objects.ending_from(now)
    assert dinner not in Event.objects.ended_before(now)
