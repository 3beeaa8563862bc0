import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from events.models import Event
from outbox.models import OutgoingEmail
from tests.conftest import edit_heard
from tests.events.conftest import SECRET_NAME
from tests.tasks import run_tasks
from tickets.models import Order, TicketType, WaitlistEntry
from tickets.notifications import CONFIRMATION_BUILDER

KEY = "checkout-key-0123456789abcdef"


@pytest.fixture
def dinner(secret_event):
    return secret_event.ticket_types.get()


def url(event):
    return f"/events/{event.slug}/tickets/"


def dinner_post(dinner, quantity=2, **overrides):
    data = {
        f"qty_{dinner.pk}": str(quantity),
        "name": "Grace Buyer",
        "email": "grace@example.org",
        "phone": "757-555-0100",
        "payment_method": "offline",
        "submission": KEY,
    }
    for index in range(quantity if isinstance(quantity, int) else 0):
        data[f"attendee_{index}_name"] = f"Guest {index + 1}"
        data[f"attendee_{index}_meal"] = "Vegetarian" if index else "Chicken"
        data[f"attendee_{index}_diet"] = "No nuts" if index else ""
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def online_class(make_event, make_ticket_type):
    event = make_event(
        title="Perfume class",
        slug="perfume-class",
        format=Event.Format.ONLINE,
        online_link="https://meet.example.org/perfume",
        collects_shipping_address=True,
    )
    make_ticket_type(event, name="Free registration", price=Decimal("0"), max_per_order=2)
    return event


def test_meal_event_asks_how_many_tickets_first(client, secret_event):
    page = client.get(url(secret_event)).content.decode()
    assert 'method="get"' in page
    assert 'name="email"' not in page


def test_checkout_form_has_a_row_per_ticket_and_a_submission_key(client, secret_event, dinner):
    response = client.get(url(secret_event), {f"qty_{dinner.pk}": 2})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="attendee_1_meal"' in page
    assert 'name="attendee_2_meal"' not in page
    key = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    assert len(key) >= 16
    assert "Dinner: $65.00, members $55.00" in page


def test_signed_in_buyer_details_are_filled_in(client, secret_event, dinner, member):
    member.phone = "757-555-0199"
    member.save()
    client.force_login(member)
    page = client.get(url(secret_event), {f"qty_{dinner.pk}": 1}).content.decode()
    assert 'value="member@example.org"' in page
    assert 'value="757-555-0199"' in page


def test_buying_tickets_confirms_and_redirects_to_the_order(client, secret_event, dinner):
    response = client.post(url(secret_event), dinner_post(dinner))
    order = Order.objects.get()
    assert response.status_code == 303
    assert response["Location"] == order.get_absolute_url()
    assert order.status == Order.Status.CONFIRMED
    assert order.payment_method == "offline"
    assert "check" in order.payment_instructions
    assert order.total == Decimal("130.00")
    assert sorted(t.meal_choice for t in order.tickets.all()) == ["Chicken", "Vegetarian"]
    assert order.tickets.filter(dietary_notes="No nuts").count() == 1
    dinner.refresh_from_db()
    assert dinner.reserved == 2
    assert len(mail.outbox) == 1
    assert order.reference in mail.outbox[0].subject
    assert order.get_absolute_url() in mail.outbox[0].body


def test_confirmation_email_shows_each_ticket_qr_code_inline(client, secret_event, dinner):
    client.post(url(secret_event), dinner_post(dinner, quantity=2))
    order = Order.objects.get()
    codes = sorted(order.tickets.values_list("code", flat=True))
    sent = mail.outbox[0]
    html = sent.alternatives[0][0]
    mime = sent.message()
    assert mime.get_content_type() == "multipart/related"
    images = [part for part in mime.walk() if part.get_content_type() == "image/png"]
    assert len(images) == 2
    for image in images:
        assert image.get_payload(decode=True).startswith(b"\x89PNG")
        cid = image["Content-ID"].strip("<>")
        assert f'src="cid:{cid}"' in html
    for code in codes:
        assert code in sent.body  # the plain-text part lists the codes to type


def test_checkout_request_queues_the_confirmation_and_does_not_build_it(
    client, dinner, settings, monkeypatch
):
    """The checkout only writes a row naming the builder: no QR code is drawn and no
    email is rendered or sent in the request; the worker does that."""
    settings.TASKS_RUN_AFTER_COMMIT = False
    drawn = []
    monkeypatch.setattr(
        "tickets.notifications.ticket_qr_png", lambda *args, **kwargs: drawn.append(1)
    )
    response = client.post(url(dinner.event), dinner_post(dinner))
    assert response.status_code == 303
    [row] = OutgoingEmail.objects.all()
    assert (row.builder, row.message, row.status) == (
        CONFIRMATION_BUILDER,
        None,
        OutgoingEmail.Status.QUEUED,
    )
    assert drawn == [] and mail.outbox == []


def test_mail_server_down_never_fails_a_checkout(
    client, secret_event, dinner, mail_server_down, settings
):
    after_reveal = secret_event.venue_reveal_at + datetime.timedelta(hours=1)
    with time_machine.travel(after_reveal, tick=False):
        response = client.post(url(secret_event), dinner_post(dinner), follow=True)
    order = Order.objects.get()
    assert response.redirect_chain == [(order.get_absolute_url(), 303)]
    assert response.status_code == 200
    assert order.reference in response.content.decode()
    assert order.status == Order.Status.CONFIRMED
    # The confirmation waits in the outbox, and goes once the server is back (without the
    # venue: a reservation to pay later is no ticket holder until it is paid).
    [row] = OutgoingEmail.objects.all()
    assert row.status == OutgoingEmail.Status.QUEUED and row.attempts == 1
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_tasks(later=True)
    assert order.reference in mail.outbox[-1].subject
    assert SECRET_NAME not in mail.outbox[-1].body


def test_same_submission_twice_makes_one_order_and_one_email(client, secret_event, dinner):
    first = client.post(url(secret_event), dinner_post(dinner))
    second = client.post(url(secret_event), dinner_post(dinner))
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1
    assert len(mail.outbox) == 1
    dinner.refresh_from_db()
    assert dinner.reserved == 2


def test_member_pays_member_price_at_checkout(client, secret_event, dinner, member):
    client.force_login(member)
    client.post(url(secret_event), dinner_post(dinner, quantity=1, email="member@example.org"))
    order = Order.objects.get()
    assert order.total == Decimal("55.00")
    assert order.user == member


def test_non_member_pays_full_price_at_checkout(client, secret_event, dinner, non_member):
    client.force_login(non_member)
    client.post(url(secret_event), dinner_post(dinner, quantity=1))
    assert Order.objects.get().total == Decimal("65.00")


BAD_INPUTS = {
    "no tickets": {"qty": "0"},
    "negative": {"qty": "-1"},
    "huge": {"qty": "100000"},
    "over the limit per order": {"qty": "11"},
    "not a number": {"qty": "two"},
    "empty quantity": {"qty": ""},
    "missing name": {"name": ""},
    "missing email": {"email": None},
    "bad email": {"email": "not-an-email"},
    "missing meal": {"attendee_0_meal": ""},
    "meal not offered": {"attendee_0_meal": "Lobster"},
    "missing attendee name": {"attendee_1_name": ""},
    "tampered submission key": {"submission": "<script>"},
    "missing submission key": {"submission": None},
    "attendee rows for fewer tickets": {"attendee_1_name": None, "attendee_1_meal": None},
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_gets_a_form_error_and_changes_nothing(client, secret_event, dinner, case):
    change = dict(BAD_INPUTS[case])
    data = dinner_post(dinner)
    if "qty" in change:
        data[f"qty_{dinner.pk}"] = change.pop("qty")
    for field, value in change.items():
        if value is None:
            data.pop(field, None)
        else:
            data[field] = value
    response = client.post(url(secret_event), data)
    assert 400 <= response.status_code < 500, case
    assert b"errorlist" in response.content or b'role="alert"' in response.content
    assert Order.objects.count() == 0
    dinner.refresh_from_db()
    assert dinner.reserved == 0
    assert mail.outbox == []


def test_ticket_type_of_another_event_is_refused(
    client, secret_event, make_event, make_ticket_type
):
    other = make_event()
    foreign = make_ticket_type(other)
    data = {
        f"qty_{foreign.pk}": "2",
        "name": "Grace",
        "email": "grace@example.org",
        "submission": KEY,
    }
    response = client.post(url(secret_event), data)
    assert response.status_code == 422
    assert Order.objects.count() == 0
    foreign.refresh_from_db()
    assert foreign.reserved == 0


@pytest.mark.parametrize(
    "change, message",
    [
        ({"status": Event.Status.CANCELLED}, "cancelled"),
        ({"registration_closes_at": -1}, "closed"),
        ({"registration_opens_at": 1}, "opens on"),
    ],
)
def test_closed_sale_is_refused_with_a_clear_message(
    client, secret_event, dinner, now, change, message
):
    for field, value in change.items():
        if isinstance(value, int):
            value = now + datetime.timedelta(hours=value)
        setattr(secret_event, field, value)
    secret_event.save(update_fields=list(change))
    response = client.post(url(secret_event), dinner_post(dinner))
    assert response.status_code == 409
    assert message in response.content.decode()
    assert Order.objects.count() == 0
    assert message in client.get(url(secret_event)).content.decode()


def test_draft_event_has_no_checkout(client, make_event, make_ticket_type):
    event = make_event(status=Event.Status.DRAFT)
    make_ticket_type(event)
    assert client.get(url(event)).status_code == 404


def test_sold_out_between_form_and_submit_is_a_clear_409(client, secret_event, dinner):
    dinner.quantity = 1
    dinner.save(update_fields=["quantity"])
    response = client.post(url(secret_event), dinner_post(dinner))
    assert response.status_code in (409, 422)
    assert "left" in response.content.decode() or "sold out" in response.content.decode().lower()
    assert Order.objects.count() == 0


def test_sold_out_event_points_to_the_waiting_list(client, secret_event, dinner, buy, now):
    dinner.quantity = 2
    dinner.save(update_fields=["quantity"])
    buy(secret_event, 2, now=now)
    page = client.get(url(secret_event)).content.decode()
    assert f"/events/{secret_event.slug}/waitlist/" in page


def test_free_class_collects_a_postal_address(client, online_class):
    registration = online_class.ticket_types.get()
    data = {
        f"qty_{registration.pk}": "1",
        "name": "Pat",
        "email": "pat@example.org",
        "submission": KEY,
    }
    missing = client.post(url(online_class), data)
    assert missing.status_code == 422
    assert Order.objects.count() == 0
    data.update(
        address_line1="5 Elm Street",
        city="Norfolk",
        region="VA",
        postal_code="23510",
        country="us",
    )
    response = client.post(url(online_class), data)
    assert response.status_code == 303
    order = Order.objects.get()
    assert order.total == 0
    assert order.payment_method == "free"
    assert order.status == Order.Status.CONFIRMED
    assert (order.address_line1, order.country) == ("5 Elm Street", "US")


def test_waiting_list_offer_lets_its_holder_buy_held_places(client, secret_event, dinner, buy, now):
    dinner.quantity = 4
    dinner.save(update_fields=["quantity"])
    buy(secret_event, 2, now=now)
    entry = WaitlistEntry.objects.create(
        event=secret_event,
        name="Wanda",
        email="wanda@example.org",
        quantity=2,
        offered_at=now,
        offered_quantity=2,
        offer_expires_at=now + datetime.timedelta(hours=24),
    )
    assert "no tickets on sale" in client.get(url(secret_event)).content.decode().lower()
    page = client.get(url(secret_event), {"offer": entry.token, f"qty_{dinner.pk}": 2})
    assert 'value="wanda@example.org"' in page.content.decode()
    response = client.post(url(secret_event), dinner_post(dinner, offer=entry.token))
    assert response.status_code == 303
    entry.refresh_from_db()
    assert entry.fulfilled_at is not None
    assert Order.objects.count() == 2


@pytest.mark.parametrize("offer", ["\x00", "abc\x00defghijklmnopqrstuvwxyz", "x" * 500])
def test_malformed_offer_token_is_ignored(client, secret_event, dinner, offer):
    # A NUL byte reaching a query makes PostgreSQL (psycopg) raise DataError: a 500.
    page = client.get(url(secret_event), {"offer": offer, f"qty_{dinner.pk}": 2})
    assert page.status_code == 200
    assert "waiting-list offer" not in page.content.decode()
    response = client.post(url(secret_event), dinner_post(dinner, offer=offer))
    assert response.status_code == 303
    assert Order.objects.count() == 1


def test_members_only_event_asks_visitors_to_sign_in(client, secret_event, dinner, member):
    secret_event.members_only = True
    secret_event.save(update_fields=["members_only"])
    page = client.get(url(secret_event)).content.decode()
    assert "for members in good standing" in page
    assert client.post(url(secret_event), dinner_post(dinner)).status_code == 403
    assert Order.objects.count() == 0
    client.force_login(member)
    response = client.post(url(secret_event), dinner_post(dinner, email="member@example.org"))
    assert response.status_code == 303


@pytest.mark.parametrize("value", ["-2", "999", "lots"])
def test_bad_quantity_in_the_first_step_is_a_clear_400(client, secret_event, dinner, value):
    response = client.get(url(secret_event), {f"qty_{dinner.pk}": value})
    assert response.status_code == 400
    assert "Please choose from 0 to 10 Dinner tickets." in response.content.decode()
    assert 'name="email"' not in response.content.decode()


@pytest.fixture
def free_talk(make_event, make_ticket_type):
    event = make_event(title="Free talk", slug="free-talk", capacity=100)
    make_ticket_type(event, name="Free entry", price=Decimal("0"), quantity=100, max_per_order=1)
    return event


def _free_talk_post(ticket_type, form_page, number):
    return {
        f"qty_{ticket_type.pk}": "1",
        "name": f"Rush Buyer {number}",
        "email": f"rush{number}@example.org",
        "payment_method": "free",
        "submission": re.search(r'name="submission" value="([^"]+)"', form_page).group(1),
    }


def test_a_guest_checkout_stays_within_its_query_budget(
    client, free_talk, django_assert_max_num_queries, settings, kept
):
    """A ticket rush is this, many times a second: the form, the order, the order page.
    As in production, the event and what is on sale are kept per edit (`kept`): the form
    reads nothing. The POST's queries: the submission's look-up, then one transaction
    (counted as a savepoint in tests): under the event's lock, the types and the offers,
    two counter updates, the free order made confirmed with its ticket, and its
    confirmation queued in the outbox with its sending task (the worker builds it, not this
    request)."""
    settings.TASKS_RUN_AFTER_COMMIT = False  # as in production: the worker sends it
    ticket_type = free_talk.ticket_types.get()
    client.get(url(free_talk))  # the first buyer of the process: nothing is warm yet
    for number in range(2):
        with django_assert_max_num_queries(1):
            form_page = client.get(url(free_talk)).content.decode()
        with django_assert_max_num_queries(12):
            response = client.post(url(free_talk), _free_talk_post(ticket_type, form_page, number))
        assert response.status_code == 303
        with django_assert_max_num_queries(3):
            assert client.get(response["Location"]).status_code == 200
    assert Order.objects.filter(status=Order.Status.CONFIRMED).count() == 2


def test_an_order_is_refused_when_its_terms_changed_after_the_form_was_read(
    client, free_talk, kept
):
    """The checkout reads the event as kept per edit, which may be a second behind an edit
    made through another process: the order is made on the rows under the event's lock,
    and refused, with a clear message, when what the buyer was shown has changed since."""
    ticket_type = free_talk.ticket_types.get()
    form_page = client.get(url(free_talk)).content.decode()
    # Staff make it a paid ticket; this process has not heard yet (its version is kept).
    TicketType.objects.filter(pk=ticket_type.pk).update(price=Decimal("5"))
    response = client.post(url(free_talk), _free_talk_post(ticket_type, form_page, 1))
    assert response.status_code == 422
    assert "The tickets on sale have just changed" in response.content.decode()
    assert not Order.objects.exists()
    free_talk.refresh_from_db()
    assert free_talk.reserved == 0

    edit_heard()
    form_page = client.get(url(free_talk)).content.decode()
    assert "$5.00" in form_page


def test_an_event_published_a_moment_ago_has_its_pages_before_the_process_hears(
    client, free_talk, make_event, make_ticket_type, kept
):
    """What this process keeps may be a second behind; an event it does not keep yet is
    read from the database, not answered 404."""
    client.get(url(free_talk))  # the upcoming events are kept now
    fresh = make_event(title="Just published", slug="just-published", capacity=10)
    make_ticket_type(fresh, name="Free entry", price=Decimal("0"), quantity=10)
    assert client.get(url(fresh)).status_code == 200
    assert client.get(fresh.get_absolute_url()).status_code == 200
    assert client.get("/events/no-such-event/tickets/").status_code == 404


def test_confirmations_built_by_the_worker_name_the_association_as_edited(
    client, free_talk, association, kept, settings
):
    """The worker builds confirmations with the association kept per edit, like a page:
    an edit is in the next one it builds once the edit's version is heard."""
    settings.TASKS_RUN_AFTER_COMMIT = False
    ticket_type = free_talk.ticket_types.get()
    for number, name in enumerate(["Example Sister City Association", "Renamed Association"]):
        if number:
            association.name = name
            association.save()
            edit_heard()
        form_page = client.get(url(free_talk)).content.decode()
        client.post(url(free_talk), _free_talk_post(ticket_type, form_page, number))
        mail.outbox.clear()
        run_tasks(later=True)
        assert len(mail.outbox) == 1
        assert name in mail.outbox[0].body
