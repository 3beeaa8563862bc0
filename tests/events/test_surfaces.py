"""Every surface a visitor or a ticket holder can reach, rendered before and after the
reveal: the venue's name and address appear exactly where the gate allows."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from events.models import Event
from news.delivery import audience_addresses
from news.models import Mailing
from tests.conftest import emptied_page_store
from tickets.notifications import queue_order_confirmation, send_due_venue_notices
from tickets.order_payments import record_offline_payment

from .conftest import HINT, SECRET_ADDRESS, SECRET_NAME
from .factories import make_staff


@pytest.fixture(autouse=True, params=["rendered afresh", "with the page cache"])
def page_cache_mode(request, settings):
    """Every surface, rendered with nothing kept (the suite's default), then as production
    runs: pages served from the page cache, rows and parts of pages kept per edit."""
    if request.param == "with the page cache":
        settings.PAGE_CACHE_ENABLED = True
    emptied_page_store()
    yield request.param
    emptied_page_store()


@pytest.fixture
def past_secret_event(make_event, make_ticket_type, venue, now):
    """An event that ended yesterday, its venue revealed to ticket holders only."""
    starts_at = now - datetime.timedelta(days=1, hours=3)
    event = make_event(
        title="Last Week's Supper",
        slug="last-weeks-supper",
        starts_at=starts_at,
        venue=venue,
        venue_hint=HINT,
        venue_reveal_at=starts_at - datetime.timedelta(hours=24),
    )
    make_ticket_type(event)
    return event


@pytest.fixture
def partnership(db):
    from cities.models import City, Partnership

    home = City.objects.create(name="Norfolk", slug="norfolk", country="US", is_home=True)
    toulon = City.objects.create(name="Toulon", slug="toulon", country="FR")
    return Partnership.objects.create(home_city=home, partner_city=toulon, slug="toulon")


def public_surfaces(client, event):
    """What anyone can fetch without an order's link, by name."""
    detail = client.get(event.get_absolute_url()).content.decode()
    json_ld = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', detail, re.S)
    og = "\n".join(re.findall(r'<meta property="og:[^>]*>', detail))
    return {
        "event page": detail,
        "JSON-LD": json_ld.group(1),
        "Open Graph": og,
        "event list": client.get("/events/").content.decode(),
        "past list": client.get("/events/past/").content.decode(),
        "home page": client.get("/").content.decode(),
        "event .ics": client.get(f"/events/{event.slug}/event.ics").content.decode(),
        "calendar .ics": client.get("/events/calendar.ics").content.decode(),
        "RSS": client.get("/events/feed/").content.decode(),
        "sitemap": client.get("/sitemap.xml").content.decode(),
        "city page": client.get("/cities/toulon/").content.decode() if event.partnership else "",
    }


def order_surfaces(client, order):
    return {
        "order page": client.get(order.get_absolute_url()).content.decode(),
        "order .ics": client.get(f"/orders/{order.token}/event.ics").content.decode(),
    }


def email_texts():
    texts = []
    for message in mail.outbox:
        texts.append(message.body)
        texts.extend(content for content, _mimetype in message.alternatives)
    return "\n".join(texts)


def shows_venue(text):
    # .ics lines fold at 75 octets; unfold before searching.
    text = text.replace("\r\n ", "").replace("\\,", ",")
    return SECRET_NAME in text or SECRET_ADDRESS in text


def test_venue_hidden_from_every_surface_before_reveal(
    client, secret_event, past_secret_event, partnership, buy, now
):
    secret_event.partnership = partnership
    secret_event.save(update_fields=["partnership"])
    order = buy(secret_event, 2, now=now)
    buy(past_secret_event, 1, now=past_secret_event.starts_at - datetime.timedelta(days=3))
    mail.outbox.clear()
    queue_order_confirmation(order, now=now)

    surfaces = {**public_surfaces(client, secret_event), **order_surfaces(client, order)}
    surfaces["confirmation email"] = email_texts()

    for name, text in surfaces.items():
        assert not shows_venue(text), f"the venue leaks on the {name}"
    assert HINT in surfaces["event page"]
    assert HINT in surfaces["event .ics"].replace("\r\n ", "")
    assert "Secret Supper" in surfaces["event list"]
    assert "Last Week" in surfaces["past list"]
    assert "secret-supper" in surfaces["sitemap"]
    assert "Secret Supper" in surfaces["home page"]
    assert "Secret Supper" in surfaces["city page"]
    assert "will be revealed to ticket holders on" in surfaces["order page"]


def test_venue_hidden_from_a_signed_in_ticket_holder_before_reveal(
    client, secret_event, buy, non_member, now
):
    buy(secret_event, 1, now=now, user=non_member)
    client.force_login(non_member)
    page = client.get(secret_event.get_absolute_url()).content.decode()
    assert not shows_venue(page)


def test_venue_shown_to_ticket_holders_only_after_reveal(
    client, secret_event, partnership, buy, now
):
    secret_event.partnership = partnership
    secret_event.save(update_fields=["partnership"])
    order = buy(secret_event, 1, now=now)
    with time_machine.travel(secret_event.venue_reveal_at + datetime.timedelta(minutes=1)):
        for name, text in public_surfaces(client, secret_event).items():
            assert not shows_venue(text), f"the venue leaks to the public on the {name}"
        for name, text in order_surfaces(client, order).items():
            assert shows_venue(text), f"the ticket holder misses the venue on the {name}"


def test_signed_in_ticket_holder_sees_venue_on_event_page_after_reveal(
    client, secret_event, buy, non_member, now
):
    buy(secret_event, 1, now=now, user=non_member)
    client.force_login(non_member)
    with time_machine.travel(secret_event.venue_reveal_at + datetime.timedelta(minutes=1)):
        page = client.get(secret_event.get_absolute_url()).content.decode()
        listing = client.get("/events/").content.decode()
    assert shows_venue(page)
    assert shows_venue(listing)


def test_venue_shown_everywhere_public_after_reveal_to_everyone(
    client, public_reveal_event, partnership, now
):
    public_reveal_event.partnership = partnership
    public_reveal_event.save(update_fields=["partnership"])
    with time_machine.travel(public_reveal_event.venue_reveal_at + datetime.timedelta(minutes=1)):
        surfaces = public_surfaces(client, public_reveal_event)
    names = ("event page", "JSON-LD", "Open Graph", "event list", "event .ics", "RSS", "home page")
    for name in names:
        assert shows_venue(surfaces[name]), f"the venue is missing on the {name}"
    assert shows_venue(surfaces["calendar .ics"])
    assert not shows_venue(surfaces["sitemap"])  # addresses of pages only


def test_venue_hidden_from_everyone_before_reveal_even_with_audience_everyone(
    client, public_reveal_event
):
    for name, text in public_surfaces(client, public_reveal_event).items():
        assert not shows_venue(text), f"the venue leaks on the {name}"


def test_staff_see_venue_before_reveal(client, secret_event, staff_user):
    client.force_login(staff_user)
    assert shows_venue(client.get(secret_event.get_absolute_url()).content.decode())


def test_a_membership_secretary_sees_no_secret_venue_and_no_draft(
    client, secret_event, partnership, buy, make_event, now
):
    """Issue 12, item 11: being staff is not enough; a Membership secretary (staff, no
    events permission) sees what the public sees, on every surface and on an order's."""
    secret_event.partnership = partnership
    secret_event.format = Event.Format.HYBRID
    secret_event.online_link = "https://meet.example.org/secret-room"
    secret_event.save(update_fields=["partnership", "format", "online_link"])
    order = buy(secret_event, 1, now=now)
    draft = make_event(title="Draft Gala", slug="draft-gala", status=Event.Status.DRAFT)
    client.force_login(make_staff("secretary@example.org", group="Membership secretary"))

    public = public_surfaces(client, secret_event)
    surfaces = {**public, **order_surfaces(client, order)}
    for name, text in surfaces.items():
        assert not shows_venue(text), f"the venue leaks to the secretary on the {name}"
    for name, text in public.items():  # (an order's link is a ticket: it has the link)
        assert "secret-room" not in text, f"the online link leaks on the {name}"
    assert "will be revealed to ticket holders on" in surfaces["order page"]
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(f"/events/{draft.slug}/event.ics").status_code == 404


def test_an_event_manager_sees_the_secret_venue_and_drafts(client, secret_event, make_event):
    secret_event.format = Event.Format.HYBRID
    secret_event.online_link = "https://meet.example.org/secret-room"
    secret_event.save(update_fields=["format", "online_link"])
    draft = make_event(title="Draft Gala", slug="draft-gala", status=Event.Status.DRAFT)
    client.force_login(make_staff("events@example.org", group="Event managers"))

    page = client.get(secret_event.get_absolute_url()).content.decode()
    assert shows_venue(page) and "secret-room" in page
    assert shows_venue(client.get(f"/events/{secret_event.slug}/event.ics").content.decode())
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert client.get(f"/events/{draft.slug}/event.ics").status_code == 200


def test_draft_event_has_no_public_page(client, make_event):
    event = make_event(status=Event.Status.DRAFT)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(f"/events/{event.slug}/event.ics").status_code == 404
    assert event.title not in client.get("/events/").content.decode()


CACHING = [
    "django.middleware.cache.UpdateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.cache.FetchFromCacheMiddleware",
]


@pytest.mark.parametrize(
    "path",
    [
        "detail",
        "/events/",
        "/events/calendar.ics",
        "/events/feed/",
        "/",
        "/cities/toulon/",
    ],
)
def test_cached_page_never_serves_pre_reveal_state_after_reveal(
    client, public_reveal_event, partnership, path
):
    """A shared cache that obeys our headers (Django's own cache middleware here) keeps a
    page at most until the next reveal, so the first request after it sees the venue."""
    public_reveal_event.partnership = partnership
    public_reveal_event.save(update_fields=["partnership"])
    url = public_reveal_event.get_absolute_url() if path == "detail" else path
    reveal = public_reveal_event.venue_reveal_at
    with override_settings(MIDDLEWARE=CACHING, CACHE_MIDDLEWARE_SECONDS=3600):
        with time_machine.travel(reveal - datetime.timedelta(seconds=30), tick=False):
            before = client.get(url)
            again = client.get(url)
        with time_machine.travel(reveal + datetime.timedelta(seconds=1), tick=False):
            after = client.get(url)
    assert not shows_venue(before.content.decode())
    assert not shows_venue(again.content.decode())
    assert "max-age=30" in again["Cache-Control"]
    assert shows_venue(after.content.decode())


def test_city_page_shows_venue_after_reveal_to_everyone(client, public_reveal_event, partnership):
    public_reveal_event.partnership = partnership
    public_reveal_event.save(update_fields=["partnership"])
    with time_machine.travel(public_reveal_event.venue_reveal_at + datetime.timedelta(minutes=1)):
        page = client.get("/cities/toulon/").content.decode()
    assert "Secret Supper" in page
    assert shows_venue(page)


def test_city_page_cache_hook_bounds_caching_by_the_next_reveal(
    client, public_reveal_event, partnership, non_member
):
    """Cities imports nothing of events: the project's hook bounds the partnership page."""
    public_reveal_event.partnership = partnership
    public_reveal_event.save(update_fields=["partnership"])
    with time_machine.travel(public_reveal_event.venue_reveal_at - datetime.timedelta(seconds=30)):
        anonymous = client.get("/cities/toulon/")
        client.force_login(non_member)
        signed_in = client.get("/cities/toulon/")
    assert "Secret Supper" in anonymous.content.decode()
    assert re.search(r"max-age=(29|30)\b", anonymous["Cache-Control"])
    assert "public" in anonymous["Cache-Control"]
    assert "private" in signed_in["Cache-Control"]


def test_public_pages_are_never_cached_longer_than_the_time_to_reveal(client, secret_event):
    with time_machine.travel(secret_event.venue_reveal_at - datetime.timedelta(seconds=12)):
        response = client.get(secret_event.get_absolute_url())
    assert re.search(r"max-age=1[0-2]\b", response["Cache-Control"])


def test_order_page_is_never_cached(client, secret_event, buy, now):
    order = buy(secret_event, 1, now=now)
    response = client.get(order.get_absolute_url())
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    ["detail", "/events/", "/events/calendar.ics", "/events/feed/", "/", "/cities/toulon/"],
)
def test_page_cache_never_serves_pre_reveal_state_after_reveal(
    client, settings, public_reveal_event, partnership, path
):
    """The project's own page cache (association/page_cache.py) keeps a page no longer
    than its max-age, which is bounded by the next reveal among the events it shows."""

    settings.PAGE_CACHE_ENABLED = True
    emptied_page_store()
    public_reveal_event.partnership = partnership
    public_reveal_event.save(update_fields=["partnership"])
    url = public_reveal_event.get_absolute_url() if path == "detail" else path
    reveal = public_reveal_event.venue_reveal_at
    with time_machine.travel(reveal - datetime.timedelta(seconds=30), tick=False):
        before = client.get(url)
    with time_machine.travel(reveal - datetime.timedelta(seconds=1), tick=False):
        again = client.get(url)
    with time_machine.travel(reveal + datetime.timedelta(seconds=1), tick=False):
        after = client.get(url)
    emptied_page_store()
    assert not shows_venue(before.content.decode())
    assert again.content == before.content  # served from the cache until the reveal
    assert re.search(r"max-age=[01]\b", again["Cache-Control"])  # ...for no longer
    assert shows_venue(after.content.decode())


ONLINE_LINK = "https://meet.example.org/secret-room"


def holder_surfaces(client, event, order):
    """What the buyer of `order`, signed in, can reach about its event."""
    return {
        "event page": client.get(event.get_absolute_url()).content.decode(),
        "event list": client.get("/events/").content.decode(),
        "event .ics": client.get(f"/events/{event.slug}/event.ics").content.decode(),
        "account page": client.get("/account/").content.decode(),
        **order_surfaces(client, order),
    }


def ticket_holders_mailed(event, now):
    mailing = Mailing.objects.create(
        subject="Parking", body="Park behind the hall.", audience="ticket_holders", event=event
    )
    return {email for email, *_rest in audience_addresses(mailing, now=now)}


@pytest.fixture
def hybrid_secret_event(secret_event):
    secret_event.format = Event.Format.HYBRID
    secret_event.online_link = ONLINE_LINK
    secret_event.save(update_fields=["format", "online_link"])
    return secret_event


def test_an_unpaid_reservation_is_told_the_venue_nowhere_until_it_is_paid(
    client, hybrid_secret_event, buy, non_member, now
):
    """Issue 18, item 1: a pay-later reservation, confirmed at once, is no ticket holder:
    after the reveal, no surface shows it the venue or the online link, no venue email
    goes to it and no ticket-holder mailing reaches it. Once paid, every surface shows
    them, and it is told the venue by email once (never twice)."""
    event = hybrid_secret_event
    order = buy(event, 1, now=now, user=non_member, paid=False)
    client.force_login(non_member)
    after = event.venue_reveal_at + datetime.timedelta(minutes=1)
    mail.outbox.clear()
    with time_machine.travel(after, tick=False):
        queue_order_confirmation(order, now=after)
        assert send_due_venue_notices(now=after) == 0
        surfaces = holder_surfaces(client, event, order)
        surfaces["emails"] = email_texts()
        for name, text in surfaces.items():
            assert not shows_venue(text), f"the venue leaks to the unpaid reservation on the {name}"
            assert ONLINE_LINK not in text, f"the online link leaks on the {name}"
        assert "Once your payment has reached us" in surfaces["order page"]
        assert "payment due" in surfaces["account page"]
        assert order.email not in ticket_holders_mailed(event, after)

        mail.outbox.clear()
        assert record_offline_payment(order=order, now=after)  # staff mark it paid
        assert send_due_venue_notices(now=after) == 0  # its tickets email told it already
        paid = holder_surfaces(client, event, order)
        for name in ("event page", "event list", "event .ics", "order page", "order .ics"):
            assert shows_venue(paid[name]), f"the paid holder misses the venue on the {name}"
        assert ONLINE_LINK in paid["order page"] and ONLINE_LINK in paid["event page"]
        told = [m for m in mail.outbox if SECRET_NAME in m.body]
        assert [m.to for m in told] == [[order.email]]
        assert order.email in ticket_holders_mailed(event, after)
    assert send_due_venue_notices(now=after + datetime.timedelta(hours=1)) == 0


def test_a_reservation_paid_before_the_reveal_gets_the_venue_notice_at_the_reveal(
    client, secret_event, buy, now
):
    paid_in_time = buy(secret_event, 1, now=now, paid=False)
    never_paid = buy(secret_event, 1, now=now, paid=False)
    record_offline_payment(order=paid_in_time, now=now)
    mail.outbox.clear()
    at = secret_event.venue_reveal_at
    assert send_due_venue_notices(now=at) == 1
    assert [m.to for m in mail.outbox] == [[paid_in_time.email]]
    assert SECRET_NAME in mail.outbox[0].body
    with time_machine.travel(at + datetime.timedelta(minutes=1)):
        assert shows_venue(order_surfaces(client, paid_in_time)["order page"])
        for name, text in order_surfaces(client, never_paid).items():
            assert not shows_venue(text), f"the venue leaks to the unpaid order on the {name}"
