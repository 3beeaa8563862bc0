import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from outbox.models import OutgoingEmail
from tests.translated import in_english
from tickets.admin import EventAdmin
from tickets.availability import with_sales_figures
from tickets.models import Order, Ticket, TicketType, WaitlistEntry

from .factories import make_event, make_order, make_staff, make_ticket_type, make_venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def dinner():
    event = make_event(title="Secret dinner", venue=make_venue(name="Hall of Mysteries"))
    event.venue_reveal_at = event.starts_at - timedelta(hours=24)
    event.save(update_fields=["venue_reveal_at"])
    return event


def _figures(event):
    return with_sales_figures(Event.objects.all(), now=timezone.now(), staff_counts=True).get(
        pk=event.pk
    )


ADMIN_PAGES = (
    "events_event",
    "events_venue",
    "tickets_order",
    "tickets_ticket",
    "tickets_waitlistentry",
)


def test_admin_changelists_and_change_pages_load_for_staff(admin_client, dinner):
    ticket_type = make_ticket_type(dinner)
    order = make_order(dinner, [(ticket_type, 2)])
    WaitlistEntry.objects.create(event=dinner, name="Wanda", email="wanda@example.org")
    ticket = order.tickets.first()
    for name in ADMIN_PAGES:
        response = admin_client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200, name
    for url in (
        reverse("admin:events_event_change", args=[dinner.pk]),
        reverse("admin:events_event_add"),
        reverse("admin:tickets_order_change", args=[order.pk]),
        reverse("admin:tickets_ticket_change", args=[ticket.pk]),
        reverse("admin:events_venue_change", args=[dinner.venue.pk]),
    ):
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_refuses_visitors_and_members(client, name):
    url = reverse(f"admin:{name}_changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

    member = make_staff("member@example.org")
    member.is_staff = False
    member.save()
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_see_the_venue_in_the_admin_before_the_reveal(admin_client, dinner):
    assert dinner.venue_reveal_at > timezone.now()
    response = admin_client.get(reverse("admin:events_event_change", args=[dinner.pk]))
    assert "Hall of Mysteries" in response.content.decode()


def test_event_figures_count_sold_held_remaining_checked_in_and_revenue(admin_client, dinner):
    now = timezone.now()
    dinner_type = make_ticket_type(dinner, name="Dinner", price=Decimal("60.00"), quantity=10)
    child_type = make_ticket_type(dinner, name="Child", price=Decimal("20.00"), quantity=5)
    paid = make_order(dinner, [(dinner_type, 2), (child_type, 1)], paid=True)
    make_order(dinner, [(dinner_type, 1)], email="bob@example.org")  # confirmed, unpaid
    make_order(dinner, [(dinner_type, 3)], status=Order.Status.PENDING, email="h@example.org")
    make_order(dinner, [(child_type, 2)], status=Order.Status.CANCELLED, email="c@example.org")
    stale = make_order(
        dinner,
        [(child_type, 1)],
        status=Order.Status.PENDING,
        email="s@example.org",
        now=now - timedelta(hours=1),
    )
    assert stale.hold_expires_at < now
    Ticket.objects.filter(pk=paid.tickets.first().pk).update(checked_in_at=now)

    event = _figures(dinner)
    assert event.figure_sold == 4
    assert event.figure_held == 3
    assert event.figure_checked_in == 1
    assert event.figure_revenue == Decimal("200.00")  # 2×60 + 20, and 60 owed at the door
    admin = EventAdmin(Event, None)
    # 15 places, 4 sold, 3 held, 1 still counted by the stale hold until the job runs.
    assert admin.remaining(event) == 15 - 4 - 3 - 1
    assert admin.revenue(event) == "$200.00"

    response = admin_client.get(reverse("admin:events_event_changelist"))
    assert response.status_code == 200
    assert "$200.00" in response.content.decode()


def test_remaining_respects_the_event_capacity(dinner):
    dinner.capacity = 4
    dinner.save(update_fields=["capacity"])
    ticket_type = make_ticket_type(dinner, quantity=10)
    make_order(dinner, [(ticket_type, 3)])
    assert EventAdmin(Event, None).remaining(_figures(dinner)) == 1


def test_event_changelist_query_count_does_not_grow_with_events(admin_client):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(reverse("admin:events_event_changelist"))
        assert response.status_code == 200
        return len(queries)

    def add_events(n):
        for _ in range(n):
            event = make_event()
            ticket_type = make_ticket_type(event)
            make_ticket_type(event, name="Child")
            make_order(event, [(ticket_type, 2)])

    add_events(2)
    few = count_queries()
    add_events(8)
    assert count_queries() == few


def test_upcoming_and_past_filter(admin_client):
    make_event(title="Coming dinner")
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        make_event(title="Old dinner", starts_at=timezone.now() + timedelta(days=1))
    url = reverse("admin:events_event_changelist")
    upcoming = admin_client.get(url, {"when": "upcoming"}).content.decode()
    past = admin_client.get(url, {"when": "past"}).content.decode()
    assert "Coming dinner" in upcoming and "Old dinner" not in upcoming
    assert "Old dinner" in past and "Coming dinner" not in past


def _event_form_data(**overrides):
    starts = timezone.localtime(timezone.now() + timedelta(days=20)).replace(
        hour=19, minute=0, second=0, microsecond=0
    )
    ends = starts + timedelta(hours=3)
    data = {
        "title": "Reveal dinner",
        "slug": "reveal-dinner",
        "status": "published",
        "summary": "",
        "body": "",
        "starts_at_0": starts.strftime("%Y-%m-%d"),
        "starts_at_1": starts.strftime("%H:%M:%S"),
        "ends_at_0": ends.strftime("%Y-%m-%d"),
        "ends_at_1": ends.strftime("%H:%M:%S"),
        "format": "in_person",
        "venue_hint": "Downtown",
        "reveal_audience": "ticket_holders",
        "venue_reveal_at_0": "",
        "venue_reveal_at_1": "",
        "registration_opens_at_0": "",
        "registration_opens_at_1": "",
        "registration_closes_at_0": "",
        "registration_closes_at_1": "",
        "meal_options": "",
        "pay_later_days": "7",
        "refund_policy": "not_online",
        "cancellation_fee": "0",
        "pay_later_until_0": "",
        "pay_later_until_1": "",
        "ticket_types-TOTAL_FORMS": "1",
        "ticket_types-INITIAL_FORMS": "0",
        "ticket_types-MIN_NUM_FORMS": "0",
        "ticket_types-MAX_NUM_FORMS": "1000",
        "ticket_types-0-name": "Dinner",
        "ticket_types-0-price": "45.00",
        "ticket_types-0-quantity": "30",
        "ticket_types-0-max_per_order": "10",
        "ticket_types-0-seats": "1",
        "ticket_types-0-position": "0",
        "_save": "Save",
    }
    data.update(overrides)
    return in_english(data, Event, inlines={"ticket_types": TicketType}), starts


def test_reveal_checkbox_sets_the_reveal_24_hours_before_the_start(admin_client):
    data, starts = _event_form_data(reveal_24_hours_before="on")
    response = admin_client.post(reverse("admin:events_event_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(slug="reveal-dinner")
    assert event.venue_reveal_at == starts - timedelta(hours=24)
    assert event.ticket_types.get().quantity == 30

    # The change form shows the box ticked, and moving the start moves the reveal.
    page = admin_client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert page.context["adminform"].form["reveal_24_hours_before"].value() is True


def test_staff_may_still_type_a_reveal_time(admin_client):
    # Three hours before the form's own start (whatever the time of day the test runs at:
    # a reveal computed from "now" fell after a 7 PM start when run after 10 PM).
    data, starts = _event_form_data()
    reveal = starts - timedelta(hours=3)
    data["venue_reveal_at_0"] = reveal.strftime("%Y-%m-%d")
    data["venue_reveal_at_1"] = reveal.strftime("%H:%M:%S")
    response = admin_client.post(reverse("admin:events_event_add"), data)
    assert response.status_code == 302
    assert Event.objects.get(slug="reveal-dinner").venue_reveal_at == reveal


def test_event_change_page_links_to_exports_and_checkin(admin_client, dinner):
    html = admin_client.get(reverse("admin:events_event_change", args=[dinner.pk])).content
    html = html.decode()
    for name in ("checkin", "export_attendees", "export_meals", "export_addresses"):
        assert reverse(f"tickets:{name}", kwargs={"slug": dinner.slug}) in html


def _action(client, action, orders):
    return client.post(
        reverse("admin:tickets_order_changelist"),
        {"action": action, "_selected_action": [o.pk for o in orders]},
        follow=True,
    )


def test_mark_paid_action_marks_offline_orders_paid(admin_client, dinner):
    ticket_type = make_ticket_type(dinner)
    order = make_order(dinner, [(ticket_type, 2)])
    assert order.paid_at is None
    response = _action(admin_client, "mark_paid", [order])
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.paid_at is not None and order.status == Order.Status.CONFIRMED
    assert "1 order marked paid" in response.content.decode()


def test_cancel_action_returns_the_tickets_to_sale(admin_client, dinner):
    ticket_type = make_ticket_type(dinner, quantity=10)
    order = make_order(dinner, [(ticket_type, 3)])
    ticket_type.refresh_from_db()
    assert ticket_type.reserved == 3
    _action(admin_client, "cancel_orders", [order])
    order.refresh_from_db()
    ticket_type.refresh_from_db()
    dinner.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert ticket_type.reserved == 0
    assert dinner.reserved == 0


def test_cancel_action_emails_each_buyer_once_and_never_the_venue(admin_client, dinner):
    ticket_type = make_ticket_type(dinner, quantity=10)
    after_reveal = dinner.venue_reveal_at + timedelta(minutes=1)
    with time_machine.travel(dinner.venue_reveal_at - timedelta(hours=1)):
        order = make_order(dinner, [(ticket_type, 2)], email="dan@example.org")
    mail.outbox.clear()
    with time_machine.travel(after_reveal):
        _action(admin_client, "cancel_orders", [order])
        _action(admin_client, "cancel_orders", [order])  # already closed: skipped, no email
    assert [m.to for m in mail.outbox] == [["dan@example.org"]]
    message = mail.outbox[0]
    assert order.reference in message.subject and "cancelled" in message.subject
    for body in (message.body, message.alternatives[0][0]):
        assert "Hall of Mysteries" not in body
        assert dinner.venue.address not in body


def test_cancel_action_works_while_the_mail_server_is_down(admin_client, dinner, mail_server_down):
    ticket_type = make_ticket_type(dinner, quantity=10)
    order = make_order(dinner, [(ticket_type, 1)])
    response = _action(admin_client, "cancel_orders", [order])
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert "error" not in [m.level_tag for m in response.context["messages"]]
    [row] = OutgoingEmail.objects.all()
    assert order.reference in row.subject and row.status == OutgoingEmail.Status.QUEUED


def test_cancel_action_skips_orders_already_closed(admin_client, dinner):
    ticket_type = make_ticket_type(dinner, quantity=10)
    order = make_order(dinner, [(ticket_type, 2)], status=Order.Status.EXPIRED)
    response = _action(admin_client, "cancel_orders", [order])
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert "skipped" in response.content.decode()


def test_resend_confirmation_action_emails_the_buyer(admin_client, dinner):
    ticket_type = make_ticket_type(dinner)
    order = make_order(dinner, [(ticket_type, 1)], email="carol@example.org")
    mail.outbox.clear()
    _action(admin_client, "resend_confirmation", [order])
    assert [message.to for message in mail.outbox] == [["carol@example.org"]]
    assert order.reference in mail.outbox[0].subject


def test_resend_confirmation_queues_it_while_the_mail_server_is_down(
    admin_client, dinner, mail_server_down
):
    ticket_type = make_ticket_type(dinner)
    order = make_order(dinner, [(ticket_type, 1)], email="carol@example.org")
    response = _action(admin_client, "resend_confirmation", [order])
    assert response.status_code == 200
    [row] = OutgoingEmail.objects.all()
    assert row.recipients == "carol@example.org"
    assert (row.status, row.attempts) == (OutgoingEmail.Status.QUEUED, 1)


def test_orders_cannot_be_added_or_deleted_in_the_admin(admin_client, dinner):
    ticket_type = make_ticket_type(dinner)
    order = make_order(dinner, [(ticket_type, 1)])
    assert admin_client.get(reverse("admin:tickets_order_add")).status_code == 403
    assert admin_client.get(reverse("admin:tickets_order_delete", args=[order.pk])).status_code in (
        403,
        302,
    )
    assert Order.objects.filter(pk=order.pk).exists()


def test_order_search_by_reference_name_and_email(admin_client, dinner):
    ticket_type = make_ticket_type(dinner)
    order = make_order(dinner, [(ticket_type, 1)], name="Zelda Quill", email="zq@example.org")
    other = make_order(dinner, [(ticket_type, 1)], name="Other Person", email="op@example.org")
    url = reverse("admin:tickets_order_changelist")
    for term in (order.reference, "Quill", "zq@example"):
        html = admin_client.get(url, {"q": term}).content.decode()
        assert order.reference in html and other.reference not in html, term


def test_ticket_search_by_code(admin_client, dinner):
    ticket_type = make_ticket_type(dinner)
    order = make_order(dinner, [(ticket_type, 2)])
    first, second = order.tickets.all()
    html = admin_client.get(reverse("admin:tickets_ticket_changelist"), {"q": first.code})
    html = html.content.decode()
    assert first.code in html and second.code not in html


def test_remaining_leaves_out_places_offered_to_the_waiting_list(dinner):
    ticket_type = make_ticket_type(dinner, quantity=5)
    make_order(dinner, [(ticket_type, 2)])
    now = timezone.now()
    WaitlistEntry.objects.create(
        event=dinner,
        name="Offered",
        email="offered@example.org",
        quantity=2,
        offered_at=now,
        offered_quantity=2,
        offer_expires_at=now + timedelta(hours=2),
    )
    WaitlistEntry.objects.create(
        event=dinner,
        name="Expired",
        email="expired@example.org",
        quantity=1,
        offered_at=now - timedelta(days=2),
        offered_quantity=1,
        offer_expires_at=now - timedelta(days=1),
    )
    assert EventAdmin(Event, None).remaining(_figures(dinner)) == 5 - 2 - 2


def test_event_change_page_has_buttons_for_check_in_and_exports(admin_client, dinner):
    html = admin_client.get(reverse("admin:events_event_change", args=[dinner.pk])).content
    checkin = reverse("tickets:checkin", kwargs={"slug": dinner.slug})
    assert f'<li><a href="{checkin}">Check-in</a></li>'.encode() in html
    assert b'class="object-tools"' in html and b"Attendees CSV" in html


def test_undo_check_in_action_clears_a_mistaken_scan(admin_client, dinner, staff_user):
    ticket_type = make_ticket_type(dinner)
    ticket = make_order(dinner, [(ticket_type, 1)]).tickets.get()
    Ticket.objects.filter(pk=ticket.pk).update(
        checked_in_at=timezone.now(), checked_in_by=staff_user
    )
    admin_client.post(
        reverse("admin:tickets_ticket_changelist"),
        {"action": "undo_check_in", "_selected_action": [ticket.pk]},
    )
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None and ticket.checked_in_by is None


def test_waitlist_changelist_shows_each_entry_state(admin_client, dinner):
    now = timezone.now()
    WaitlistEntry.objects.create(event=dinner, name="Waiting Wally", email="w@example.org")
    WaitlistEntry.objects.create(
        event=dinner,
        name="Open Olive",
        email="o@example.org",
        offered_at=now,
        offered_quantity=1,
        offer_expires_at=now + timedelta(hours=1),
    )
    html = admin_client.get(reverse("admin:tickets_waitlistentry_changelist")).content.decode()
    assert "Waiting" in html and "Offer open" in html
    open_only = admin_client.get(
        reverse("admin:tickets_waitlistentry_changelist"), {"offer": "open"}
    ).content.decode()
    assert "Open Olive" in open_only and "Waiting Wally" not in open_only


@pytest.mark.parametrize("name", ["order", "ticket", "waitlistentry"])
def test_other_changelists_query_count_does_not_grow_with_rows(admin_client, name):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(reverse(f"admin:tickets_{name}_changelist")).status_code == 200
        return len(queries)

    def add_rows(n):
        for i in range(n):
            event = make_event()
            ticket_type = make_ticket_type(event)
            make_order(event, [(ticket_type, 2)], email=f"buyer{i}@example.org")
            WaitlistEntry.objects.create(
                event=event, ticket_type=ticket_type, name="W", email=f"w{i}@example.org"
            )

    add_rows(2)
    few = count_queries()
    add_rows(6)
    assert count_queries() == few


def test_order_change_page_query_count_does_not_grow_with_tickets(admin_client, staff_user):
    event = make_event()
    ticket_type = make_ticket_type(event, quantity=30)
    # Seen once first: the page fills caches this process keeps (content types), so the
    # counted requests compare like with like whatever this process ran before (in a
    # parallel run, each worker runs a different share of the suite before this test).
    first = make_order(event, [(ticket_type, 1)], email="first@example.org")
    admin_client.get(reverse("admin:tickets_order_change", args=[first.pk]))
    counts = []
    for n in (2, 10):
        order = make_order(event, [(ticket_type, n)], email=f"n{n}@example.org")
        order.tickets.update(checked_in_at=timezone.now(), checked_in_by=staff_user)
        with CaptureQueriesContext(connection) as queries:
            url = reverse("admin:tickets_order_change", args=[order.pk])
            assert admin_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_event_change_page_query_count_does_not_grow_with_ticket_types(admin_client):
    # Seen once first, to fill the caches this process keeps (as in the test above).
    admin_client.get(reverse("admin:events_event_change", args=[make_event().pk]))
    counts = []
    for n in (1, 6):
        event = make_event()
        for i in range(n):
            make_ticket_type(event, name=f"Type {i}")
        with CaptureQueriesContext(connection) as queries:
            url = reverse("admin:events_event_change", args=[event.pk])
            assert admin_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_reveal_after_the_start_is_a_form_error(admin_client):
    starts = timezone.localtime(timezone.now() + timedelta(days=20))
    late = starts + timedelta(days=1)
    data, _ = _event_form_data(
        venue_reveal_at_0=late.strftime("%Y-%m-%d"),
        venue_reveal_at_1=late.strftime("%H:%M:%S"),
    )
    response = admin_client.post(reverse("admin:events_event_add"), data)
    assert response.status_code == 200
    assert "Reveal the venue before the event starts" in response.content.decode()
    assert not Event.objects.filter(slug="reveal-dinner").exists()


def _change_form_data(event, ticket_type, **overrides):
    """The change form of an event made by `_event_form_data`, posted back as it stands."""
    data, _ = _event_form_data(
        **{
            "ticket_types-INITIAL_FORMS": "1",
            "ticket_types-0-id": str(ticket_type.pk),
            "ticket_types-0-event": str(event.pk),
        }
    )
    data.update(in_english(overrides, Event, inlines={"ticket_types": TicketType}))
    return data


@pytest.fixture
def sold_dinner(admin_client):
    """A dinner added through the admin (30 places, capacity 40) with 12 tickets sold."""
    data, _ = _event_form_data(capacity="40")
    response = admin_client.post(reverse("admin:events_event_add"), data)
    assert response.status_code == 302
    event = Event.objects.get(slug="reveal-dinner")
    ticket_type = event.ticket_types.get()
    make_order(event, [(ticket_type, 10)])
    make_order(event, [(ticket_type, 2)], status=Order.Status.PENDING, email="b@example.org")
    return event, ticket_type


def test_a_ticket_quantity_below_the_tickets_sold_is_a_form_error(admin_client, sold_dinner):
    event, ticket_type = sold_dinner
    url = reverse("admin:events_event_change", args=[event.pk])
    data = _change_form_data(event, ticket_type, **{"ticket_types-0-quantity": "11"})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert (
        "12 tickets are already sold or held; the quantity cannot be lower."
        in response.content.decode()
    )
    ticket_type.refresh_from_db()
    assert (ticket_type.quantity, ticket_type.reserved) == (30, 12)


def test_a_capacity_below_the_places_taken_is_a_form_error(admin_client, sold_dinner):
    event, ticket_type = sold_dinner
    now = timezone.now()
    WaitlistEntry.objects.create(
        event=event,
        name="Offered",
        email="offered@example.org",
        quantity=2,
        offered_at=now,
        offered_quantity=2,
        offer_expires_at=now + timedelta(hours=2),
    )
    url = reverse("admin:events_event_change", args=[event.pk])
    data = _change_form_data(event, ticket_type, capacity="13", title="Renamed")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert (
        "12 tickets are already sold or held and 2 offered to the waiting list; "
        "the capacity cannot be lower than 14."
    ) in response.content.decode()
    event.refresh_from_db()
    assert (event.title, event.capacity, event.reserved) == ("Reveal dinner", 40, 12)


def test_quantity_and_capacity_may_go_down_to_what_is_taken(admin_client, sold_dinner):
    event, ticket_type = sold_dinner
    url = reverse("admin:events_event_change", args=[event.pk])
    data = _change_form_data(event, ticket_type, capacity="12", **{"ticket_types-0-quantity": "12"})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    ticket_type.refresh_from_db()
    assert (event.capacity, event.reserved) == (12, 12)
    assert (ticket_type.quantity, ticket_type.reserved) == (12, 12)


def test_saving_an_event_in_the_admin_keeps_its_ticket_counters(admin_client, sold_dinner):
    event, ticket_type = sold_dinner
    url = reverse("admin:events_event_change", args=[event.pk])
    data = _change_form_data(event, ticket_type, summary="Now with music.")
    assert admin_client.post(url, data).status_code == 302
    event.refresh_from_db()
    ticket_type.refresh_from_db()
    assert event.summary == "Now with music."
    assert event.reserved == ticket_type.reserved == 12


@pytest.mark.postgresql
def test_the_admin_saves_an_event_under_its_lock(admin_client, sold_dinner):
    """No ticket sells between the check of a new quantity and its save: the admin holds
    the event's row lock (which every sale takes first) from loading to saving."""
    event, ticket_type = sold_dinner
    url = reverse("admin:events_event_change", args=[event.pk])
    data = _change_form_data(event, ticket_type, **{"ticket_types-0-quantity": "12"})
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.post(url, data).status_code == 302
    sql = [query["sql"] for query in queries]
    lock = next(i for i, q in enumerate(sql) if 'FROM "events_event"' in q and "FOR UPDATE" in q)
    save = next(i for i, q in enumerate(sql) if q.startswith('UPDATE "tickets_tickettype"'))
    check = next(i for i, q in enumerate(sql) if 'SELECT "tickets_tickettype"."reserved"' in q)
    assert lock < check < save


def test_staff_cannot_ask_for_fewer_places_than_an_offer_keeps(admin_client, dinner):
    now = timezone.now()
    entry = WaitlistEntry.objects.create(
        event=dinner,
        name="Offered",
        email="offered@example.org",
        quantity=3,
        offered_at=now,
        offered_quantity=2,
        offer_expires_at=now + timedelta(hours=2),
    )
    url = reverse("admin:tickets_waitlistentry_change", args=[entry.pk])
    expires = timezone.localtime(entry.offer_expires_at)
    data = {
        "event": dinner.pk,
        "ticket_type": "",
        "name": "Offered",
        "email": "offered@example.org",
        "offer_expires_at_0": expires.strftime("%Y-%m-%d"),
        "offer_expires_at_1": expires.strftime("%H:%M:%S"),
    }
    response = admin_client.post(url, {**data, "quantity": "1"})
    assert response.status_code == 200
    assert "2 places were already offered to this person" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.quantity, entry.offered_quantity) == (3, 2)
    assert admin_client.post(url, {**data, "quantity": "2"}).status_code == 302
    entry.refresh_from_db()
    assert (entry.quantity, entry.offered_quantity) == (2, 2)


# --- Admin wording (issue 18, item 21) ---


def test_events_list_is_newest_first(admin_client):
    now = timezone.now()
    make_event(title="Long ago", starts_at=now - timedelta(days=300))
    make_event(title="Next month", starts_at=now + timedelta(days=30))
    make_event(title="Next week", starts_at=now + timedelta(days=7))
    listed = admin_client.get(reverse("admin:events_event_changelist")).context["cl"].result_list
    assert [event.title for event in listed] == ["Next month", "Next week", "Long ago"]


def test_orders_list_shows_money_and_methods_in_words(admin_client, dinner):
    order = make_order(dinner, [(make_ticket_type(dinner), 2)])
    Order.objects.filter(pk=order.pk).update(payment_method="offline")
    page = admin_client.get(reverse("admin:tickets_order_changelist")).content.decode()
    assert "$80.00" in page
    assert ">Check or at the door<" in page and ">offline<" not in page
    cl = admin_client.get(reverse("admin:tickets_order_changelist")).context["cl"]
    assert "email" not in cl.list_display and "created_at" not in cl.list_display


def test_order_and_ticket_pages_show_money_with_a_dollar_sign(admin_client, dinner):
    order = make_order(dinner, [(make_ticket_type(dinner, price=Decimal("12.50")), 1)])
    page = admin_client.get(reverse("admin:tickets_order_change", args=[order.pk])).content
    assert b"$12.50" in page
    ticket = order.tickets.get()
    assert (
        b"$12.50"
        in admin_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content
    )


def test_marking_one_order_paid_says_so_in_the_singular(admin_client, dinner):
    order = make_order(dinner, [(make_ticket_type(dinner), 1)])
    response = admin_client.post(
        reverse("admin:tickets_order_changelist"),
        {"action": "mark_paid", "_selected_action": [order.pk]},
        follow=True,
    )
    assert "1 order marked paid." in response.content.decode()


def _moved_an_hour_later(event, ticket_type, **overrides):
    starts = timezone.localtime(event.starts_at) + timedelta(hours=1)
    ends = timezone.localtime(event.ends_at) + timedelta(hours=1)
    return _change_form_data(
        event,
        ticket_type,
        starts_at_1=starts.strftime("%H:%M:%S"),
        ends_at_1=ends.strftime("%H:%M:%S"),
        **overrides,
    )


def test_moving_an_event_with_tickets_sold_asks_first_then_tells_each_buyer_once(
    admin_client, sold_dinner
):
    """Issue 18, item 17: a new start or end emails every order with valid tickets once,
    with a new calendar file; the admin asks before saving such a change (no JavaScript)."""
    from tickets.notifications import send_event_changes  # noqa: PLC0415

    event, ticket_type = sold_dinner
    url = reverse("admin:events_event_change", args=[event.pk])
    old_start = event.starts_at
    mail.outbox.clear()
    response = admin_client.post(url, _moved_an_hour_later(event, ticket_type))
    assert response.status_code == 200
    assert "1 order has tickets for this event" in response.content.decode()
    event.refresh_from_db()
    assert event.starts_at == old_start  # not moved until staff say so

    response = admin_client.post(
        url, _moved_an_hour_later(event, ticket_type, tell_ticket_holders="on"), follow=True
    )
    assert "The buyer of 1 order will be emailed" in response.content.decode()
    event.refresh_from_db()
    assert event.starts_at == old_start + timedelta(hours=1)
    now = timezone.now()
    assert send_event_changes(now=now) == 1
    assert send_event_changes(now=now + timedelta(minutes=1)) == 0
    [message] = mail.outbox
    assert message.to == ["alice@example.org"]  # the held checkout (b@) is no buyer yet
    assert message.subject == "New date or time for Reveal dinner"
    assert "8:00 PM" in message.body
    [(name, calendar, mimetype)] = message.attachments
    assert (name, mimetype) == ("reveal-dinner.ics", "text/calendar")
    stamp = event.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    assert f"DTSTART:{stamp}" in calendar


def test_an_edit_that_does_not_move_the_event_asks_nothing_and_tells_nobody(
    admin_client, sold_dinner
):
    from tickets.notifications import send_event_changes  # noqa: PLC0415

    event, ticket_type = sold_dinner
    url = reverse("admin:events_event_change", args=[event.pk])
    mail.outbox.clear()
    data = _change_form_data(event, ticket_type, summary="Now with music.")
    assert admin_client.post(url, data).status_code == 302
    assert send_event_changes(now=timezone.now()) == 0
    assert mail.outbox == []


def test_moving_a_secret_venue_event_before_the_reveal_tells_the_time_not_the_venue(
    admin_client, staff_user
):
    from tickets.notifications import record_event_move, send_event_changes  # noqa: PLC0415

    venue = make_venue(name="Hall of Mysteries", address="7 Hidden Row")
    event = make_event(title="Secret dinner", venue=venue)
    event.venue_reveal_at = event.starts_at - timedelta(hours=24)
    event.save(update_fields=["venue_reveal_at"])
    order = make_order(event, [(make_ticket_type(event), 1)], paid=True, email="p@example.org")
    before = Event.objects.get(pk=event.pk)
    event.venue = make_venue(name="Lantern Boathouse", address="9 Pier Road")
    event.starts_at += timedelta(days=1)
    event.ends_at += timedelta(days=1)
    event.venue_reveal_at += timedelta(days=1)
    event.save(update_fields=["venue", "starts_at", "ends_at", "venue_reveal_at"])
    now = timezone.now()
    assert record_event_move(event, before=before, now=now) == 1
    mail.outbox.clear()
    assert send_event_changes(now=now) == 1
    [message] = mail.outbox
    texts = [message.body, message.alternatives[0][0], message.attachments[0][1]]
    for text in texts:
        text = text.decode() if isinstance(text, bytes) else text
        for secret in ("Hall of Mysteries", "Hidden Row", "Lantern Boathouse", "Pier Road"):
            assert secret not in text
    assert message.to == [order.email]


def test_editing_a_venue_address_in_the_admin_after_the_reveal_tells_its_ticket_holders(
    admin_client,
):
    """Venue.save tells nobody; the admin that saved the venue calls the one rule
    (`notifications.record_venue_edit`) and says who will be told."""
    from tickets.notifications import send_due_venue_notices, send_event_changes  # noqa: PLC0415

    venue = make_venue(name="Hall of Mysteries", address="7 Hidden Row")
    event = make_event(title="Secret dinner", venue=venue)
    event.venue_reveal_at = timezone.now() - timedelta(hours=1)
    event.save(update_fields=["venue_reveal_at"])
    make_order(event, [(make_ticket_type(event), 1)], paid=True, email="p@example.org")
    send_due_venue_notices(now=timezone.now())
    mail.outbox.clear()
    response = admin_client.post(
        reverse("admin:events_venue_change", args=[venue.pk]),
        {
            "name": venue.name,
            "address": "9 Pier Road",
            "directions": "",
            "latitude": "",
            "longitude": "",
            "tell_ticket_holders": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "will be emailed the new date, time or venue" in response.content.decode()
    event.refresh_from_db()
    assert event.venue_changed_at is not None
    assert send_event_changes(now=timezone.now()) == 1
    assert "9 Pier Road" in mail.outbox[0].body


def _venue_form_data(venue, **overrides):
    data = {
        "name": venue.name,
        "address": venue.address,
        "directions": venue.directions,
        "latitude": str(venue.latitude or ""),
        "longitude": str(venue.longitude or ""),
    }
    return {**data, **overrides}


def test_editing_a_venue_its_ticket_holders_know_asks_first_then_tells_them_once(
    admin_client, secret_event, buy, now, venue
):
    """Issue 18, item 17: a new name or address of a venue already told to the ticket
    holders of a coming event waits for staff to tick "tell ticket holders", then emails
    each of them once (the event-move email); before the reveal nobody is asked or told."""
    from tickets.notifications import send_due_venue_notices, send_event_changes  # noqa: PLC0415

    buy(secret_event, 1, now=now, email="guest@example.org")
    url = reverse("admin:events_venue_change", args=[venue.pk])
    # Before the reveal nobody knows the venue: the edit is saved without a question.
    before_reveal = _venue_form_data(venue, address="5 Early Street\nNorfolk, VA")
    assert admin_client.post(url, before_reveal).status_code == 302
    venue.refresh_from_db()

    at = secret_event.venue_reveal_at + timedelta(minutes=10)
    send_due_venue_notices(now=at)
    mail.outbox.clear()
    with time_machine.travel(at + timedelta(minutes=5), tick=False):
        edited = _venue_form_data(venue, address="1 New Street\nNorfolk, VA")
        response = admin_client.post(url, edited)
        assert response.status_code == 200
        assert "1 order of a coming event at this venue was told where it is" in (
            response.content.decode()
        )
        venue.refresh_from_db()
        assert venue.address == "5 Early Street\nNorfolk, VA"  # not saved until staff say so
        response = admin_client.post(url, {**edited, "tell_ticket_holders": "on"}, follow=True)
        assert "The buyer of 1 order will be emailed the new date, time or venue." in (
            response.content.decode()
        )
    venue.refresh_from_db()
    assert venue.address == "1 New Street\nNorfolk, VA"
    later = at + timedelta(minutes=10)
    assert send_event_changes(now=later) == 1
    assert send_event_changes(now=later + timedelta(minutes=1)) == 0
    [message] = mail.outbox
    assert message.to == ["guest@example.org"]
    assert "1 New Street" in message.body
