import datetime
import json
import re
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from events.models import Event
from tickets.models import Order, TicketType

from .factories import make_order


def test_upcoming_list_shows_date_format_location_and_price(client, secret_event):
    page = client.get("/events/").content.decode()
    assert "Secret Supper" in page
    assert "Somewhere in Ghent" in page
    assert "In person" in page
    assert "$65.00" in page
    local = secret_event.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert local.strftime("%-I:%M %p") in page


def test_upcoming_list_soonest_first_and_past_list_most_recent_first(client, make_event, now):
    make_event(title="Later one", starts_at=now + datetime.timedelta(days=9))
    make_event(title="Sooner one", starts_at=now + datetime.timedelta(days=2))
    make_event(title="Old one", starts_at=now - datetime.timedelta(days=40))
    make_event(title="Recent one", starts_at=now - datetime.timedelta(days=4))
    upcoming = client.get("/events/").content.decode()
    past = client.get("/events/past/").content.decode()
    assert upcoming.index("Sooner one") < upcoming.index("Later one")
    assert "Old one" not in upcoming
    assert past.index("Recent one") < past.index("Old one")
    assert "Sooner one" not in past


@pytest.mark.parametrize(
    "setup, label",
    [
        ({"status": Event.Status.CANCELLED}, "Cancelled"),
        ({"registration_opens_at": 24}, "Registration not yet open"),
        ({"registration_closes_at": -1}, "Registration closed"),
        ({"quantity": 0}, "Sold out"),
        ({"quantity": 30, "sold": 27}, "Few left"),
        ({"quantity": 3}, ""),  # nothing sold: never "few left" (and no badge)
    ],
)
def test_list_shows_sales_states(client, make_event, make_ticket_type, now, setup, label):
    setup = dict(setup)
    quantity = setup.pop("quantity", 50)
    sold = setup.pop("sold", 0)
    for field, value in setup.items():
        if isinstance(value, int):
            setup[field] = now + datetime.timedelta(hours=value)
    event = make_event(**setup)
    ticket_type = make_ticket_type(event, quantity=quantity, max_per_order=30)
    if sold:
        make_order(event, [(ticket_type, sold)], now=now)
    page = client.get("/events/").content.decode()
    assert label in page
    if not label:
        assert "Few left" not in page


def test_detail_shows_ticket_types_prices_and_member_prices(client, secret_event):
    page = client.get(secret_event.get_absolute_url()).content.decode()
    assert "Dinner" in page
    assert "$65.00" in page
    assert "Members $55.00" in page
    assert "50 left" in page
    assert "Buy tickets" in page


def test_detail_says_when_the_location_will_be_revealed(client, secret_event):
    page = client.get(secret_event.get_absolute_url()).content.decode()
    match = re.search(
        r"The location will be revealed to ticket holders on (\w+, \w+ \d+, \d{4}), "
        r"([\d:]+ [AP]M)\.",
        page,
    )
    assert match, page


def test_detail_json_ld_is_a_schema_org_event_with_the_public_location(client, secret_event):
    page = client.get(secret_event.get_absolute_url()).content.decode()
    # A data block, not a script: it needs no CSP nonce, so the page may be shared from the
    # cache without handing one visitor's nonce to another (association/page_cache.py).
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert script
    data = json.loads(script.group(1))
    assert data["@type"] == "Event"
    assert data["location"]["name"] == "Somewhere in Ghent"
    assert data["offers"][0]["price"] == "65.00"
    assert data["startDate"].startswith(str(secret_event.starts_at.year))


def test_json_ld_cannot_close_its_script_element(client, make_event):
    event = make_event(title="</script><script>alert(1)</script>")
    page = client.get(event.get_absolute_url()).content.decode()
    script = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, re.S)
    assert "<" not in script.group(1)
    assert json.loads(script.group(1))["name"] == event.title


def test_detail_has_open_graph_tags_and_calendar_links(client, secret_event):
    page = client.get(secret_event.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Secret Supper">' in page
    assert "Somewhere in Ghent" in re.search(r'og:description" content="([^"]*)"', page).group(1)
    assert f"/events/{secret_event.slug}/event.ics" in page
    google = re.search(r'href="(https://calendar.google.com/[^"]+)"', page).group(1)
    assert "location=Somewhere+in+Ghent" in google.replace("&amp;", "&")


def test_detail_links_the_related_sister_city(client, secret_event):
    from cities.models import City, Partnership

    home = City.objects.create(name="Norfolk", slug="norfolk", country="US", is_home=True)
    toulon = City.objects.create(name="Toulon", slug="toulon", country="FR")
    partnership = Partnership.objects.create(home_city=home, partner_city=toulon, slug="toulon")
    secret_event.partnership = partnership
    secret_event.save(update_fields=["partnership"])
    page = client.get(secret_event.get_absolute_url()).content.decode()
    assert 'href="/cities/toulon/"' in page
    assert "Toulon" in page


def test_detail_names_a_paused_partnership_without_nested_parentheses(client, secret_event):
    from cities.models import City, Partnership

    home = City.objects.create(name="Norfolk", slug="norfolk", country="US", is_home=True)
    city = City.objects.create(name="Kitakyushu", slug="kitakyushu", country="JP")
    secret_event.partnership = Partnership.objects.create(
        home_city=home, partner_city=city, slug="kitakyushu", status=Partnership.Status.PAUSED
    )
    secret_event.save(update_fields=["partnership"])
    page = client.get(secret_event.get_absolute_url()).content.decode()
    assert '<a href="/cities/kitakyushu/">Kitakyushu</a>, sister city (paused)' in page
    assert "(sister city (paused))" not in page


def test_sold_out_detail_offers_the_waiting_list(client, secret_event, buy, now):
    TicketType.objects.filter(event=secret_event).update(quantity=1)
    buy(secret_event, 1, now=now)
    page = client.get(secret_event.get_absolute_url()).content.decode()
    assert "Sold out" in page
    assert f"/events/{secret_event.slug}/waitlist/" in page
    assert "Buy tickets" not in page


def test_sold_out_ticket_page_puts_no_punctuation_after_the_waiting_list_link(
    client, secret_event, buy, now
):
    # The link ends in a title only screen readers get; a colon after it read "<title> :".
    TicketType.objects.filter(event=secret_event).update(quantity=1)
    buy(secret_event, 1, now=now)
    page = client.get(f"/events/{secret_event.slug}/tickets/").content.decode()
    assert "Sold out. If places come back, we will email you in the order people joined." in page
    assert (
        re.search(r"</a>\s*[:.,;]", page.split('class="waitlist-cta"')[1].split("</p>")[0]) is None
    )


def test_sample_event_is_marked_as_a_sample(client, make_event):
    event = make_event(is_sample=True)
    assert "Sample event" in client.get(event.get_absolute_url()).content.decode()
    assert "Sample event" in client.get("/events/").content.decode()


def make_many(make_event, make_ticket_type, venue, now, count, types_each):
    for number in range(count):
        event = make_event(
            starts_at=now + datetime.timedelta(days=number + 1),
            venue=venue,
            venue_reveal_at=now + datetime.timedelta(days=number),
            capacity=100,
        )
        for position in range(types_each):
            make_ticket_type(event, name=f"Type {position}", position=position)


@pytest.mark.parametrize("count, types_each", [(2, 1), (12, 4)])
def test_event_list_query_count_does_not_grow(
    client,
    make_event,
    make_ticket_type,
    venue,
    now,
    django_assert_max_num_queries,
    count,
    types_each,
):
    make_many(make_event, make_ticket_type, venue, now, count, types_each)
    client.get("/events/")  # warm the association cache
    with django_assert_max_num_queries(6):
        response = client.get("/events/")
    assert response.content.decode().count("event-card-title") == count


@pytest.mark.parametrize("count, types_each", [(2, 1), (12, 4)])
def test_past_list_query_count_does_not_grow(
    client,
    make_event,
    make_ticket_type,
    venue,
    now,
    django_assert_max_num_queries,
    count,
    types_each,
):
    make_many(
        make_event, make_ticket_type, venue, now - datetime.timedelta(days=60), count, types_each
    )
    client.get("/events/past/")
    with django_assert_max_num_queries(7):
        response = client.get("/events/past/")
    assert response.content.decode().count("event-card-title") == count


@pytest.mark.parametrize("types_count", [1, 15])
def test_event_detail_query_count_does_not_grow(
    client, secret_event, make_ticket_type, buy, now, django_assert_max_num_queries, types_count
):
    for position in range(types_count):
        make_ticket_type(secret_event, name=f"Type {position}", member_price=Decimal("1"))
    buy(secret_event, 1, now=now)
    client.get(secret_event.get_absolute_url())
    with django_assert_max_num_queries(6):
        response = client.get(secret_event.get_absolute_url())
    assert response.content.decode().count('class="ticket-type"') == types_count + 1


def test_event_detail_query_count_for_a_signed_in_member(
    client, secret_event, make_ticket_type, member, django_assert_max_num_queries
):
    for position in range(10):
        make_ticket_type(secret_event, name=f"Type {position}")
    client.force_login(member)
    client.get(secret_event.get_absolute_url())
    with django_assert_max_num_queries(12):
        client.get(secret_event.get_absolute_url())


def test_event_cards_include_renders_prepared_events(secret_event, now):
    from django.template.loader import render_to_string

    from events.listing import describe_events, with_ticket_types

    events = describe_events(with_ticket_types(Event.objects.upcoming(now), now=now), now=now)
    html = render_to_string("events/includes/event_cards.html", {"events": events})
    assert "Secret Supper" in html
    assert "Somewhere in Ghent" in html
    assert "Hidden Orchard Hall" not in html


def test_load_demo_is_idempotent_and_marks_samples(db):
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    soiree = Event.objects.get(slug="2023-soiree-en-blanc")
    perfume = Event.objects.get(slug="perfume-masterclass-hosted-by-suleko")
    assert soiree.starts_at.year == 2023 and soiree.starts_at.month == 5
    assert soiree.venue_reveal_at == soiree.starts_at - datetime.timedelta(hours=24)
    assert "Baker's Crust" in soiree.body
    assert perfume.collects_shipping_address and perfume.format == Event.Format.ONLINE
    samples = Event.objects.filter(is_sample=True)
    assert samples.count() == 4
    assert all(event.title.startswith("Sample") for event in samples)
    dinner = samples.get(slug="sample-secret-venue-dinner")
    assert dinner.venue_reveal_at == dinner.starts_at - datetime.timedelta(hours=24)
    assert dinner.meal_choices and dinner.ticket_types.filter(member_price__isnull=False).exists()
    sold_out = samples.get(slug="sample-sold-out-evening")
    ticket_type = sold_out.ticket_types.get()
    assert ticket_type.reserved == ticket_type.quantity
    assert Order.objects.filter(event=sold_out, status=Order.Status.CONFIRMED).count() == 2
    assert sold_out.waitlist.exists()
    # The international luncheon: $55 members, $65 others, a table of 10 for $500, one
    # table sold with two guests named and eight seats left to name.
    luncheon = samples.get(slug="sample-international-luncheon")
    seat = luncheon.ticket_types.get(seats=1)
    table = luncheon.ticket_types.get(seats=10)
    assert (seat.price, seat.member_price, table.price) == (65, 55, 500)
    host = Order.objects.get(event=luncheon)
    assert host.tickets.count() == 10 == table.reserved
    assert host.tickets.exclude(attendee_name="").count() == 2
    assert luncheon.refund_policy == "full"
    from membership.models import User

    assert not User.objects.exists()


def test_open_page_reloads_itself_at_the_reveal_only_while_it_is_pending(client, secret_event):
    before = client.get(secret_event.get_absolute_url()).content.decode()
    assert "js/events-reveal.js" in before
    assert "data-reveal-at=" in before
    secret_event.venue_reveal_at = secret_event.starts_at - datetime.timedelta(days=10)
    secret_event.save(update_fields=["venue_reveal_at"])
    after = client.get(secret_event.get_absolute_url()).content.decode()
    assert "js/events-reveal.js" not in after
    assert "data-reveal-at=" not in after
