from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from tests.concurrency import race
from tests.events.factories import (
    make_event,
    make_order,
    make_ticket_type,
    make_venue,
    places_left_for,
)
from tickets import orders
from tickets.availability import InvalidSelection
from tickets.models import Order, TicketType, WaitlistEntry
from tickets.waitlist import checkout_path, is_sold_out, offer_returned_places, places_available

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold_out():
    """A published dinner whose three places are all sold: an order of two tickets and
    one of a single ticket."""
    event = make_event(title="Full dinner", slug="full-dinner")
    ticket_type = make_ticket_type(event, quantity=3)
    make_order(event, [(ticket_type, 2)], paid=True, email="pair@example.org")
    make_order(event, [(ticket_type, 1)], paid=True, email="single@example.org")
    event.refresh_from_db()  # the orders moved its counters
    event.single_order = event.orders.get(email="single@example.org")
    event.ticket_type = ticket_type
    return event


def _url(event):
    return reverse("tickets:waitlist_join", kwargs={"slug": event.slug})


def _join(event, name, email, quantity=1, **extra):
    return WaitlistEntry.objects.create(
        event=event, name=name, email=email, quantity=quantity, **extra
    )


def _give_back_one_place(event):
    orders.cancel_order(order=event.single_order, now=timezone.now())


def test_joining_a_sold_out_event_adds_the_person_and_emails_them(client, sold_out):
    page = client.get(_url(sold_out))
    assert page.status_code == 200
    assert "Join the waiting list" in page.content.decode()
    response = client.post(
        _url(sold_out), {"name": "Wendy Wait", "email": "wendy@example.org", "quantity": "2"}
    )
    assert response.status_code == 302
    entry = WaitlistEntry.objects.get(event=sold_out)
    assert (entry.name, entry.email, entry.quantity) == ("Wendy Wait", "wendy@example.org", 2)
    assert entry.offered_at is None
    assert [m.to for m in mail.outbox] == [["wendy@example.org"]]
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    done = client.get(response["Location"]).content.decode()
    assert "You are on the waiting list" in done


def test_waitlist_page_sends_buyers_to_the_checkout_when_tickets_are_left(client):
    event = make_event(slug="open-dinner")
    make_ticket_type(event, quantity=10)
    response = client.get(_url(event))
    assert response.status_code == 302
    assert response["Location"] == checkout_path(event)
    response = client.post(_url(event), {"name": "Early", "email": "e@example.org", "quantity": 1})
    assert response.status_code == 302
    assert response["Location"] == checkout_path(event)
    assert not WaitlistEntry.objects.exists()


def test_joining_answers_the_same_whether_or_not_the_address_is_on_the_list(client, sold_out):
    """Issue 12, item 9: the page never tells whether an address is on a waiting list (nor
    whether an offer was sent); the address's owner is told by email instead."""
    data = {"name": "Wendy", "email": "wendy@example.org", "quantity": "1"}
    first = client.post(_url(sold_out), data)
    first_page = client.get(first["Location"]).content.decode()
    WaitlistEntry.objects.filter(event=sold_out).update(
        offered_at=timezone.now(), offered_quantity=1, offer_expires_at=timezone.now()
    )
    mail.outbox.clear()

    again = client.post(
        _url(sold_out), {**data, "name": "Someone Else", "email": "Wendy@Example.org"}
    )
    again_page = client.get(again["Location"]).content.decode()
    assert (again.status_code, again["Location"]) == (first.status_code, first["Location"])
    assert again_page.replace("Wendy@Example.org", "wendy@example.org") == first_page
    assert "already on this waiting list" not in again_page
    assert WaitlistEntry.objects.filter(event=sold_out).count() == 1
    (message,) = mail.outbox
    assert message.to == ["wendy@example.org"]
    assert "You are already on it, since" in message.body
    assert "it has expired" in message.body


def test_the_owner_is_reminded_at_most_once_a_day(client, sold_out):
    data = {"name": "Wendy", "email": "wendy@example.org", "quantity": "1"}
    client.post(_url(sold_out), data)
    for _ in range(5):
        assert client.post(_url(sold_out), data).status_code == 302
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "You are on the waiting list",
        "You are already on the waiting list",
    ]


@pytest.mark.parametrize(
    "data",
    [
        {"name": "A", "email": "a@example.org", "quantity": "0"},
        {"name": "A", "email": "a@example.org", "quantity": "-1"},
        {"name": "A", "email": "a@example.org", "quantity": "999999999999"},
        {"name": "A", "email": "a@example.org", "quantity": "two"},
        {"name": "A", "email": "not-an-email", "quantity": "1"},
        {"name": "   ", "email": "a@example.org", "quantity": "1"},
        {"email": "a@example.org", "quantity": "1"},
        {"name": "A", "email": "a@example.org", "quantity": "1", "ticket_type": "999999"},
    ],
)
def test_bad_input_is_a_form_error_and_changes_nothing(client, sold_out, data):
    second = make_ticket_type(sold_out, name="Second type", quantity=1)
    make_order(sold_out, [(second, 1)], paid=True, email="second@example.org")
    if data.get("ticket_type") == "999999":
        other = make_event()
        data = {**data, "ticket_type": str(make_ticket_type(other).pk)}
    response = client.post(_url(sold_out), data)
    assert response.status_code == 400
    assert not WaitlistEntry.objects.exists()


def test_waitlist_is_closed_for_cancelled_and_past_events(client, sold_out):
    sold_out.status = Event.Status.CANCELLED
    sold_out.save(update_fields=["status"])
    assert "closed" in client.get(_url(sold_out)).content.decode()
    response = client.post(_url(sold_out), {"name": "A", "email": "a@example.org", "quantity": 1})
    assert response.status_code == 400
    with time_machine.travel(sold_out.starts_at + timedelta(days=1)):
        sold_out.status = Event.Status.PUBLISHED
        sold_out.save(update_fields=["status"])
        assert "closed" in client.get(_url(sold_out)).content.decode()
    assert not WaitlistEntry.objects.exists()


def test_draft_event_has_no_waitlist_page(client):
    event = make_event(status=Event.Status.DRAFT)
    assert client.get(_url(event)).status_code == 404


def test_returned_place_is_offered_to_the_first_person_once(sold_out):
    first = _join(sold_out, "First", "first@example.org")
    second = _join(sold_out, "Second", "second@example.org")
    now = timezone.now()
    assert offer_returned_places(now=now) == "0 waiting-list offer(s) sent"

    _give_back_one_place(sold_out)
    assert offer_returned_places(now=now) == "1 waiting-list offer(s) sent"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.offered_at == now
    assert first.offer_expires_at == now + timedelta(hours=settings.EVENTS_WAITLIST_OFFER_HOURS)
    assert second.offered_at is None
    assert [m.to for m in mail.outbox] == [["first@example.org"]]
    link = f"{settings.SITE_URL}{checkout_path(sold_out)}?offer={first.token}"
    assert link in mail.outbox[0].body
    assert link in mail.outbox[0].alternatives[0][0]

    assert offer_returned_places(now=now + timedelta(minutes=1)).startswith("0 ")
    assert len(mail.outbox) == 1


def test_open_offer_keeps_the_places_for_that_person(client, sold_out):
    first = _join(sold_out, "First", "first@example.org")
    _give_back_one_place(sold_out)
    now = timezone.now()
    offer_returned_places(now=now)
    first.refresh_from_db()
    ticket_type = sold_out.ticket_type
    ticket_type.refresh_from_db()
    assert places_left_for(ticket_type, now=now) == 0
    assert places_left_for(ticket_type, now=now, offer=first) == 1
    # Everyone else still finds the event full and may join the list.
    assert client.get(_url(sold_out)).status_code == 200


def test_expired_offer_moves_on_to_the_next_person(sold_out):
    first = _join(sold_out, "First", "first@example.org")
    second = _join(sold_out, "Second", "second@example.org")
    _give_back_one_place(sold_out)
    now = timezone.now()
    offer_returned_places(now=now)
    hours = settings.EVENTS_WAITLIST_OFFER_HOURS

    # Still open an hour before the end: nothing moves.
    assert offer_returned_places(now=now + timedelta(hours=hours - 1)).startswith("0 ")
    later = now + timedelta(hours=hours, minutes=1)
    with time_machine.travel(later, tick=False):
        assert offer_returned_places(now=later).startswith("1 ")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.offered_at == now  # never offered twice
    assert second.offered_at == later
    assert [m.to for m in mail.outbox] == [["first@example.org"], ["second@example.org"]]


def test_a_bought_offer_is_not_offered_again(sold_out):
    first = _join(sold_out, "First", "first@example.org")
    _join(sold_out, "Second", "second@example.org")
    _give_back_one_place(sold_out)
    now = timezone.now()
    offer_returned_places(now=now)
    first.refresh_from_db()
    ticket_type = sold_out.ticket_type
    ticket_type.refresh_from_db()
    order = orders.reserve_tickets(
        orders.ReservationRequest(
            event=sold_out,
            lines=[(ticket_type, 1)],
            buyer={"name": "First", "email": "first@example.org"},
            idempotency_key=None,
            now=now,
            offer=first,
        )
    ).order
    orders.confirm_order(order=order, now=now)
    first.refresh_from_db()
    assert first.fulfilled_at == now
    later = now + timedelta(hours=settings.EVENTS_WAITLIST_OFFER_HOURS + 1)
    assert offer_returned_places(now=later).startswith("0 ")  # the place was bought
    assert len(mail.outbox) == 1


def test_entries_wait_for_their_own_ticket_type(sold_out):
    child = make_ticket_type(sold_out, name="Child", quantity=1)
    child_order = make_order(sold_out, [(child, 1)], paid=True, email="kid@example.org")
    wants_dinner = _join(
        sold_out, "Dinner only", "dinner@example.org", ticket_type=sold_out.ticket_type
    )
    any_type = _join(sold_out, "Anything", "any@example.org")
    orders.cancel_order(order=child_order, now=timezone.now())
    offer_returned_places(now=timezone.now())
    wants_dinner.refresh_from_db()
    any_type.refresh_from_db()
    assert wants_dinner.offered_at is None
    assert any_type.offered_at is not None


def test_an_offer_for_any_type_is_counted_once_against_the_places_left(sold_out):
    child = make_ticket_type(sold_out, name="Child", quantity=1)
    first = _join(sold_out, "First", "first@example.org")
    second = _join(sold_out, "Second", "second@example.org")
    _give_back_one_place(sold_out)  # one Dinner place and one Child place are free
    now = timezone.now()
    assert offer_returned_places(now=now).startswith("2 ")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.offered_at == second.offered_at == now
    # Both free places are kept, once each: nothing is left for anyone else.
    assert is_sold_out(sold_out, now=now)
    assert is_sold_out(sold_out, now=now, ticket_type=child)
    assert places_left_for(child, now=now, offer=first) == 1


def test_one_offer_for_any_type_leaves_the_other_place_on_sale(sold_out):
    child = make_ticket_type(sold_out, name="Child", quantity=1)
    first = _join(sold_out, "First", "first@example.org")
    _give_back_one_place(sold_out)
    now = timezone.now()
    assert offer_returned_places(now=now).startswith("1 ")
    first.refresh_from_db()
    assert places_available(sold_out, now=now) == 1
    assert places_available(sold_out, now=now, ticket_type=child) == 1
    assert places_available(sold_out, now=now, ticket_type=sold_out.ticket_type) == 1


def test_offers_go_in_join_order_while_places_last(sold_out):
    entries = [_join(sold_out, f"P{i}", f"p{i}@example.org") for i in range(3)]
    orders.cancel_order(order=sold_out.orders.get(email="pair@example.org"), now=timezone.now())
    offer_returned_places(now=timezone.now())
    offered = [e.pk for e in WaitlistEntry.objects.filter(offered_at__isnull=False)]
    assert sorted(offered) == [entries[0].pk, entries[1].pk]


def test_offer_email_does_not_reveal_a_secret_venue(sold_out):
    sold_out.venue = make_venue(name="Hidden Wine Cellar", address="77 Secret Street")
    sold_out.venue_reveal_at = sold_out.starts_at - timedelta(hours=24)
    sold_out.venue_hint = "Downtown Norfolk"
    sold_out.save(update_fields=["venue", "venue_reveal_at", "venue_hint"])
    _join(sold_out, "First", "first@example.org")
    _give_back_one_place(sold_out)
    offer_returned_places(now=timezone.now())
    (message,) = mail.outbox
    for body in (message.body, message.alternatives[0][0]):
        assert "Downtown Norfolk" in body
        assert "Hidden Wine Cellar" not in body and "Secret Street" not in body


def test_call_to_action_links_to_the_waitlist_page(sold_out):
    html = render_to_string("tickets/includes/waitlist_cta.html", {"event": sold_out})
    assert f'href="{_url(sold_out)}"' in html
    assert "waiting list" in html


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_make_one_offer():
    event = make_event()
    ticket_type = make_ticket_type(event, quantity=1)
    order = make_order(event, [(ticket_type, 1)], paid=True)
    for i in range(3):
        _join(event, f"P{i}", f"p{i}@example.org")
    orders.cancel_order(order=order, now=timezone.now())
    assert event.orders.get().status == Order.Status.CANCELLED

    now = timezone.now()
    summaries = race(2, lambda _index: offer_returned_places(now=now))
    assert sorted(summaries) == ["0 waiting-list offer(s) sent", "1 waiting-list offer(s) sent"]
    assert WaitlistEntry.objects.filter(offered_at__isnull=False).count() == 1
    assert len(mail.outbox) == 1


def test_signed_in_person_finds_their_details_filled_in(client, sold_out):
    from membership.models import User

    user = User.objects.create_user(
        email="member@example.org", password="x-pass-12345", first_name="Mem", last_name="Ber"
    )
    client.force_login(user)
    html = client.get(_url(sold_out)).content.decode()
    assert 'value="member@example.org"' in html and 'value="Mem Ber"' in html


def test_event_without_tickets_has_no_waiting_list(client):
    event = make_event(slug="talk-no-tickets")
    assert "closed" in client.get(_url(event)).content.decode()
    response = client.post(_url(event), {"name": "A", "email": "a@example.org", "quantity": 1})
    assert response.status_code == 400
    assert not WaitlistEntry.objects.exists()


def test_offer_link_opens_the_checkout_with_the_kept_places(client, sold_out):
    first = _join(sold_out, "First", "first@example.org")
    _give_back_one_place(sold_out)
    offer_returned_places(now=timezone.now())
    first.refresh_from_db()
    with_offer = client.get(checkout_path(sold_out), {"offer": first.token})
    assert with_offer.status_code == 200
    assert "no longer open" not in with_offer.content.decode()
    assert with_offer.context["offer"] == first
    assert "Places are held for you" in with_offer.content.decode()
    # A made-up token is not an offer: the place stays kept, and the page offers the list.
    made_up = client.get(checkout_path(sold_out), {"offer": "not-a-token"})
    assert made_up.context["offer"] is None
    assert f'href="{_url(sold_out)}"' in made_up.content.decode()


# --- Issue 12, item 2: an offer keeps what it offered, and no more ---------------------


def test_an_offer_keeps_only_the_places_it_offered_and_the_rest_go_to_the_next_person(
    sold_out,
):
    wants_ten = _join(sold_out, "Ten", "ten@example.org", quantity=10)
    next_one = _join(sold_out, "Next", "next@example.org", quantity=1)
    now = timezone.now()
    _give_back_one_place(sold_out)  # one of three places comes back
    assert offer_returned_places(now=now).startswith("1 ")
    wants_ten.refresh_from_db()
    assert wants_ten.offered_quantity == 1
    assert "1 place" in mail.outbox[0].body
    assert is_sold_out(sold_out, now=now)

    # Two more places come back: they are on sale, not kept for the first offer...
    orders.cancel_order(order=sold_out.orders.get(email="pair@example.org"), now=now)
    assert places_available(sold_out, now=now) == 2
    # ...and the next run offers them to the next person, who asked for one.
    assert offer_returned_places(now=now).startswith("1 ")
    next_one.refresh_from_db()
    wants_ten.refresh_from_db()
    assert next_one.offered_quantity == 1
    assert wants_ten.offered_quantity == 1  # never offered twice
    assert places_available(sold_out, now=now) == 1


def test_the_holder_may_buy_exactly_the_places_offered(sold_out):
    wants_ten = _join(sold_out, "Ten", "ten@example.org", quantity=10)
    now = timezone.now()
    _give_back_one_place(sold_out)
    offer_returned_places(now=now)
    orders.cancel_order(order=sold_out.orders.get(email="pair@example.org"), now=now)
    wants_ten.refresh_from_db()
    ticket_type = sold_out.ticket_type
    ticket_type.refresh_from_db()

    def buy(quantity):
        return orders.reserve_tickets(
            orders.ReservationRequest(
                event=sold_out,
                lines=[(ticket_type, quantity)],
                buyer={"name": "Ten", "email": "ten@example.org"},
                idempotency_key=None,
                now=now,
                offer=wants_ten,
            )
        ).order

    with pytest.raises(InvalidSelection, match="offer is for 1 ticket"):
        buy(2)
    assert buy(1).tickets.count() == 1


def test_the_checkout_says_how_many_places_an_offer_keeps(client, sold_out):
    wants_ten = _join(sold_out, "Ten", "ten@example.org", quantity=10)
    _give_back_one_place(sold_out)
    offer_returned_places(now=timezone.now())
    page = client.get(checkout_path(sold_out), {"offer": wants_ten.token}).content.decode()
    assert "1 place, to buy in one order" in page


def test_one_may_ask_for_no_more_places_than_one_order_holds(client, sold_out):
    ticket_type = sold_out.ticket_type
    TicketType.objects.filter(pk=ticket_type.pk).update(max_per_order=4)
    data = {"name": "Greedy", "email": "greedy@example.org", "quantity": "5"}
    response = client.post(_url(sold_out), data)
    assert response.status_code == 400
    assert "at most 4 tickets" in response.content.decode()
    assert not WaitlistEntry.objects.exists()
    assert client.post(_url(sold_out), {**data, "quantity": "4"}).status_code == 302
    assert WaitlistEntry.objects.get().quantity == 4


def test_for_no_type_in_particular_the_most_generous_type_caps_the_places(client, sold_out):
    TicketType.objects.filter(pk=sold_out.ticket_type.pk).update(max_per_order=2)
    child = make_ticket_type(sold_out, name="Child", quantity=1, max_per_order=6)
    make_order(sold_out, [(child, 1)], paid=True, email="kid@example.org")
    any_type = {"name": "Any", "email": "any@example.org", "quantity": "7"}
    assert client.post(_url(sold_out), any_type).status_code == 400
    dinner_only = {**any_type, "quantity": "3", "ticket_type": str(sold_out.ticket_type.pk)}
    assert client.post(_url(sold_out), dinner_only).status_code == 400
    assert not WaitlistEntry.objects.exists()
    assert client.post(_url(sold_out), {**any_type, "quantity": "6"}).status_code == 302
