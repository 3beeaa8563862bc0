"""Pages the project composes from several apps: home, /account/, a partnership page."""

import datetime
import json
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from cities.models import City, Partnership
from donations.donation_payments import record_check_received
from donations.giving import begin_donation
from donations.models import Designation
from events.models import Event, Venue
from membership.models import User
from tickets.models import TicketType
from tickets.orders import ReservationRequest, confirm_order, reserve_tickets

pytestmark = pytest.mark.django_db

VENUE_NAME = "Hidden Orchard Hall"


@pytest.fixture
def partnership(db):
    home = City.objects.create(
        name="Exampleton",
        slug="exampleton",
        region="Virginia",
        country="US",
        latitude=Decimal("36.85"),
        longitude=Decimal("-76.29"),
        is_home=True,
    )
    partner = City.objects.create(
        name="Toulon",
        slug="toulon-fr",
        region="Provence",
        country="FR",
        latitude=Decimal("43.12"),
        longitude=Decimal("5.93"),
    )
    return Partnership.objects.create(
        home_city=home,
        partner_city=partner,
        slug="toulon",
        kind=Partnership.Kind.SISTER,
        status=Partnership.Status.ACTIVE,
    )


def make_event(number, *, partnership=None, secret=True):
    starts_at = timezone.now() + datetime.timedelta(days=3 + number)
    venue = Venue.objects.create(name=f"{VENUE_NAME} {number}", address="42 Quietwater Lane")
    event = Event.objects.create(
        title=f"Supper {number}",
        slug=f"supper-{number}",
        status=Event.Status.PUBLISHED,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=3),
        venue=venue,
        venue_hint="Somewhere in Ghent",
        venue_reveal_at=starts_at - datetime.timedelta(hours=24) if secret else None,
        partnership=partnership,
    )
    TicketType.objects.create(event=event, name="Dinner", price=Decimal("40"), quantity=20)
    return event


def buy(event, user):
    now = timezone.now()
    ticket_type = event.ticket_types.get()
    order = reserve_tickets(
        ReservationRequest(
            event=event,
            lines=[(ticket_type, 1)],
            user=user,
            idempotency_key=None,
            now=now,
            buyer={"buyer_name": user.get_full_name() or user.email, "email": user.email},
        )
    ).order
    return confirm_order(order=order, now=now)


@pytest.fixture
def member(db):
    return User.objects.create_user(
        email="ada@example.org", password="long-enough-pw-1", first_name="Ada"
    )


def test_home_page_shows_upcoming_events_and_sister_cities_without_secret_venue(
    client, partnership
):
    make_event(1, partnership=partnership)
    html = client.get("/").content.decode()
    assert "Supper 1" in html
    assert "Somewhere in Ghent" in html
    assert VENUE_NAME not in html
    assert "Toulon" in html


def test_home_page_query_count_does_not_grow_with_events(
    client, partnership, django_assert_max_num_queries
):
    make_event(1, partnership=partnership)
    with django_assert_max_num_queries(12) as small:
        client.get("/")
    for number in range(2, 8):
        make_event(number, partnership=partnership)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/")


def test_partnership_page_lists_its_upcoming_events_without_secret_venue(client, partnership):
    make_event(1, partnership=partnership)
    make_event(2)  # not related: must not appear
    html = client.get("/cities/toulon/").content.decode()
    assert "Supper 1" in html
    assert "Supper 2" not in html
    assert VENUE_NAME not in html


def test_account_page_lists_the_members_own_orders_only(client, member):
    event = make_event(1)
    other = User.objects.create_user(email="bo@example.org", password="long-enough-pw-2")
    own_order = buy(event, member)
    other_order = buy(event, other)
    client.force_login(member)
    html = client.get("/account/").content.decode()
    assert own_order.reference in html
    assert other_order.reference not in html
    assert VENUE_NAME not in html


def test_account_data_download_includes_the_members_orders(client, member):
    own_order = buy(make_event(1), member)
    client.force_login(member)
    response = client.get("/account/data/")
    data = json.loads(response.content)
    assert [o["reference"] for o in data["orders"]] == [own_order.reference]
    assert data["account"]["email"] == "ada@example.org"


def test_account_page_requires_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_join_form_offers_the_sister_cities_and_committees_as_interests(client, partnership):
    from cities.models import Committee
    from membership.models import Membership, MembershipPlan

    Committee.objects.create(partnership=partnership, name="Youth exchange")
    plan = MembershipPlan.objects.create(
        name="Individual", slug="individual", annual_dues=Decimal("35"), term_months=12
    )
    html = client.get("/membership/join/individual/").content.decode()
    assert "Toulon (sister city)" in html
    assert "Toulon: Youth exchange" in html

    response = client.post(
        "/membership/join/individual/",
        {
            "email": "new@example.org",
            "password1": "Unguessable-Phrase-42",
            "password2": "Unguessable-Phrase-42",
            "first_name": "New",
            "last_name": "Member",
            "address_line1": "1 Main Street",
            "city": "Norfolk",
            "region": "VA",
            "postal_code": "23510",
            "country": "US",
            "interest_choices": ["Toulon: Youth exchange"],
            "interests": "Photography",
            "payment_method": "offline",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # The membership begins once the new address is confirmed, in the same browser.
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/confirm/" in line)
    client.post(urlsplit(link.strip()).path)
    membership = Membership.objects.get(user__email="new@example.org", plan=plan)
    assert membership.interests == "Toulon: Youth exchange\nPhotography"


def test_join_form_refuses_an_interest_that_is_not_offered(client, partnership):
    from membership.models import Membership, MembershipPlan

    MembershipPlan.objects.create(
        name="Individual", slug="individual", annual_dues=Decimal("35"), term_months=12
    )
    response = client.post(
        "/membership/join/individual/",
        {"email": "new@example.org", "interest_choices": ["Atlantis"], "payment_method": "offline"},
    )
    assert response.status_code == 400
    assert not Membership.objects.exists()


def test_account_page_query_count_does_not_grow_with_orders(
    client, member, django_assert_max_num_queries
):
    buy(make_event(1), member)
    client.force_login(member)
    with django_assert_max_num_queries(30) as small:
        assert client.get("/account/").status_code == 200
    for number in range(2, 7):
        buy(make_event(number), member)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get("/account/").content.decode()
    assert html.count('class="card account-order"') == 6


def test_order_page_query_count_does_not_grow_with_tickets(
    client, member, django_assert_max_num_queries
):
    event = make_event(1)
    ticket_type = event.ticket_types.get()
    now = timezone.now()
    small_order = confirm_order(
        order=reserve_tickets(
            ReservationRequest(
                event=event,
                lines=[(ticket_type, 1)],
                user=None,
                idempotency_key=None,
                now=now,
                buyer={"buyer_name": "A", "email": "a@example.org"},
            )
        ).order,
        now=now,
    )
    large_order = confirm_order(
        order=reserve_tickets(
            ReservationRequest(
                event=event,
                lines=[(ticket_type, 8)],
                user=None,
                idempotency_key=None,
                now=now,
                buyer={"buyer_name": "B", "email": "b@example.org"},
            )
        ).order,
        now=now,
    )
    with django_assert_max_num_queries(30) as small:
        assert client.get(small_order.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(large_order.get_absolute_url()).content.decode()
    assert html.count("ticket-qr") >= 8


def test_partnership_page_query_count_does_not_grow_with_events(
    client, partnership, django_assert_max_num_queries
):
    make_event(1, partnership=partnership)
    with django_assert_max_num_queries(30) as small:
        client.get("/cities/toulon/")
    for number in range(2, 7):
        make_event(number, partnership=partnership)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get("/cities/toulon/").content.decode()
    assert "Supper 6" in html


def give(user, amount, *, received_at=None, designation=None):
    """A donation by the member, received (by check, through payments) at `received_at`."""
    donation, _ = begin_donation(
        donor_name=user.get_full_name() or "Donor",
        donor_email=user.email,
        amount=Decimal(amount),
        payment_method="offline",
        designation=designation,
        user=user,
        now=timezone.now(),
    )
    if received_at is not None:
        record_check_received(donation, now=received_at)
    return donation


def test_account_page_lists_the_members_donations_with_a_total_per_calendar_year(client, member):
    other = User.objects.create_user(email="bo@example.org", password="long-enough-pw-1")
    give(member, "25", received_at=datetime.datetime(2025, 5, 1, 15, tzinfo=datetime.UTC))
    give(member, "40", received_at=datetime.datetime(2025, 9, 1, 15, tzinfo=datetime.UTC))
    give(member, "100", received_at=datetime.datetime(2026, 2, 1, 15, tzinfo=datetime.UTC))
    pledged = give(member, "30")
    give(other, "999", received_at=datetime.datetime(2026, 2, 1, 15, tzinfo=datetime.UTC))
    client.force_login(member)
    page = client.get("/account/").content.decode()
    section = page[page.index('id="donations"') :]
    assert "My donations" in section
    assert "<td>2025</td><td>2</td><td>$65.00</td>" in section
    assert "<td>2026</td><td>1</td><td>$100.00</td>" in section
    assert pledged.reference in section and "Not received yet" in section
    assert "$999.00" not in page


def test_account_data_download_includes_the_members_donations(client, member):
    donation = give(member, "50", received_at=timezone.now())
    client.force_login(member)
    data = json.loads(client.get("/account/data/").content)
    assert [d["reference"] for d in data["donations"]] == [donation.reference]
    assert data["donations"][0]["amount"] == "50.00"


def test_account_page_query_count_does_not_grow_with_donations(
    client, member, django_assert_max_num_queries
):
    fund = Designation.objects.create(name="General fund")
    give(member, "25", received_at=timezone.now(), designation=fund)
    client.force_login(member)
    with django_assert_max_num_queries(30) as small:
        assert client.get("/account/").status_code == 200
    for number in range(6):
        give(
            member,
            str(30 + number),
            received_at=timezone.now() - datetime.timedelta(days=400 * number),
            designation=Designation.objects.create(name=f"Fund {number}"),
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get("/account/").content.decode()
    assert html.count("Received: receipt") == 7


def test_a_scheduled_post_appears_on_the_pages_that_keep_news_when_its_time_comes(
    client, kept, partnership
):
    import time_machine

    from news.models import Post

    now = timezone.now().replace(microsecond=0)
    event = make_event(1, partnership=partnership, secret=False)
    post = Post.objects.create(
        title="Toulon delegation lands",
        slug="toulon-delegation",
        body="Text.",
        published_at=now + datetime.timedelta(hours=1),
        status=Post.Status.SCHEDULED,
        event=event,
    )
    post.partnerships.add(partnership)
    # Rendered each time (a query string), from what is kept per edit: no edit happens
    # between the two moments, only the time passes.
    pages = {
        "/?x": post.title,
        event.get_absolute_url() + "?x": post.title,
        partnership.get_absolute_url() + "?x": post.title,
        "/sitemap.xml?x": post.get_absolute_url(),
        "/news/feed/?x": post.title,
    }
    with time_machine.travel(now, tick=False):
        for url, shown in pages.items():
            assert shown not in client.get(url).content.decode(), url
    with time_machine.travel(post.published_at, tick=False):
        for url, shown in pages.items():
            assert shown in client.get(url).content.decode(), url


def test_the_association_kept_for_pages_changes_with_an_edit(client, kept):
    from association.models import Association
    from tests.conftest import edit_heard

    Association.objects.create(pk=1, name="Old Name Association")
    assert "Old Name Association" in client.get("/events/feed/?x").content.decode()
    Association.objects.filter(pk=1).update(name="New Name Association")
    assert "Old Name Association" in client.get("/events/feed/?x").content.decode()
    edit_heard()
    assert "New Name Association" in client.get("/events/feed/?x").content.decode()


@pytest.mark.parametrize("path", ["/sitemap.xml", "/events/feed/", "/news/feed/"])
def test_documents_with_absolute_addresses_are_kept_for_each_host_and_scheme(
    client, kept, settings, path
):
    # Served from the page cache (no query string) and rendered from what is kept (one).
    settings.ALLOWED_HOSTS = ["one.example.org", "two.example.org"]
    for url in (path, path + "?x"):
        one = client.get(url, HTTP_HOST="one.example.org").content.decode()
        two = client.get(url, HTTP_HOST="two.example.org").content.decode()
        secure = client.get(url, HTTP_HOST="one.example.org", secure=True).content.decode()
        assert "http://one.example.org/" in one and "two.example.org" not in one
        assert "http://two.example.org/" in two and "one.example.org" not in two
        assert "https://one.example.org/" in secure
