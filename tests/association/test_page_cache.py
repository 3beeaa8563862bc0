"""The page cache's rules (association/page_cache.py), one test per rule: what anonymous
visitors are served from it, what is never stored, and how an edit reaches every process
(only the pages showing what it changed)."""

import datetime

import pytest
import time_machine
from django.core.cache import cache, caches
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone

from association import page_cache
from events.models import Event
from news.models import Post
from nsca.models import Page
from tests.conftest import edit_heard, emptied_page_store
from tests.events import factories
from tickets.models import Order


class PageStore:
    """What the page cache holds, as a test looks at it: the "pages" cache's two tiers."""

    @property
    def pages(self) -> dict:
        local = caches[page_cache.PAGES_ALIAS].local
        return {key: value for key, value in local._cache.items() if ".GET." in key}

    def clear(self):
        caches[page_cache.PAGES_ALIAS].clear()
        cache.clear()


@pytest.fixture
def page_store(settings):
    """The page cache on, with nothing kept (the suite runs it off)."""
    settings.PAGE_CACHE_ENABLED = True
    emptied_page_store()
    yield PageStore()
    emptied_page_store()


@pytest.fixture
def event(db):
    Page.objects.create(title="About us", slug="about", body="Who we are.")
    event = factories.make_event(title="Harbour Supper", slug="harbour-supper")
    factories.make_ticket_type(event)
    return event


def views_run(client, url, times=2, **extra) -> list[int]:
    """The number of queries each of `times` requests ran (0: served from the cache).

    What is kept per edit (`computed_once_per_version`: the upcoming events, the
    association) is forgotten before each request, so a page rendered always reads
    something and only a page served from the cache runs no query."""
    counts = []
    for _ in range(times):
        page_cache.versions.computed.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, **extra)
        assert response.status_code in (200, 302, 404), response.status_code
        counts.append(len(queries))
    return counts


@pytest.mark.parametrize(
    "url", ["/", "/about/", "/cities/", "/events/", "/events/past/", "/membership/"]
)
def test_anonymous_visitor_is_served_public_pages_from_the_cache(client, page_store, event, url):
    first, second = views_run(client, url)
    assert first > 0
    assert second == 0


def test_event_page_is_served_from_the_cache(client, page_store, event):
    first, second = views_run(client, event.get_absolute_url())
    assert (first > 0, second) == (True, 0)
    assert client.get(event.get_absolute_url()).content.decode().count("Harbour Supper") >= 1


def test_signed_in_visitor_is_never_served_from_or_stored_in_the_cache(
    client, page_store, event, staff_user
):
    views_run(client, "/events/")  # stored for anonymous visitors
    client.force_login(staff_user)
    assert all(count > 0 for count in views_run(client, "/events/"))
    client.logout()
    client.cookies.clear()
    page_store.clear()
    client.force_login(staff_user)
    views_run(client, "/events/")
    assert page_store.pages == {}


def test_page_with_a_csrf_token_is_never_stored(client, page_store, event):
    """The checkout form carries a token; even a page on the public list that used the
    token (the CSRF middleware's flag) is refused."""
    assert all(count > 0 for count in views_run(client, f"/events/{event.slug}/tickets/"))
    request = RequestFactory().get("/events/")
    request.resolver_match = resolve("/events/")
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    assert page_cache.storable_seconds(request, HttpResponse("form")) == 0
    assert page_store.pages == {}


def test_donation_and_membership_join_forms_are_never_stored(client, page_store, db):
    client.get("/donate/")
    client.get("/membership/join/individual/")
    assert page_store.pages == {}


def test_order_page_is_never_stored(client, page_store, event):
    order = factories.make_order(
        event, [(event.ticket_types.first(), 1)], name="A Buyer", email="a@example.org", phone=""
    )
    assert all(count > 0 for count in views_run(client, order.get_absolute_url()))
    assert page_store.pages == {}


def test_payment_receipt_and_webhook_are_never_stored(client, page_store, db):
    client.get("/payments/some-token/")
    client.post("/payments/stripe/webhook/", data="{}", content_type="application/json")
    assert page_store.pages == {}


@pytest.mark.parametrize("directive", ["private", "no-store", "no-cache"])
def test_private_or_no_store_responses_are_never_stored(directive):
    request = RequestFactory().get("/events/")
    request.resolver_match = resolve("/events/")
    response = HttpResponse("page")
    response["Cache-Control"] = f"{directive}, max-age=60"
    assert page_cache.storable_seconds(request, response) == 0
    assert page_cache.storable_seconds(request, HttpResponse("page")) == page_cache.DEFAULT_SECONDS


def test_only_get_and_head_use_the_cache():
    factory = RequestFactory()
    assert not page_cache.may_use_cache(factory.post("/events/"))
    assert page_cache.may_use_cache(factory.head("/events/"))
    assert page_cache.may_use_cache(factory.get("/events/"))


def test_query_strings_other_than_pagination_bypass_the_cache(client, page_store, event):
    factory = RequestFactory()
    assert page_cache.may_use_cache(factory.get("/events/past/?page=2"))
    assert not page_cache.may_use_cache(factory.get("/events/?utm_source=x"))
    assert not page_cache.may_use_cache(factory.get("/events/past/?page=2&page=3"))
    assert all(count > 0 for count in views_run(client, "/events/?utm=1"))
    first, second = views_run(client, "/events/past/?page=1")
    assert second == 0


def test_responses_other_than_200_are_never_stored(client, page_store, db):
    assert all(count > 0 for count in views_run(client, "/events/no-such-event/"))
    assert page_store.pages == {}


def test_pages_not_named_public_are_never_stored(client, page_store, db):
    request = RequestFactory().get("/healthz")
    request.resolver_match = resolve("/healthz")
    assert page_cache.storable_seconds(request, HttpResponse("ok")) == 0


@pytest.mark.django_db
def test_a_view_marked_public_page_may_be_stored():
    view = page_cache.public_page(scopes=["news"])(lambda request: HttpResponse("news"))
    request = RequestFactory().get("/news/")
    request.resolver_match = type("Match", (), {"kwargs": {}, "func": view})()
    assert page_cache.storable_seconds(request, HttpResponse("news")) == page_cache.DEFAULT_SECONDS
    assert page_cache.page_scopes(request.resolver_match) == ["news", "site"]


@pytest.mark.django_db
def test_a_page_showing_the_news_is_never_kept_past_a_scheduled_publication():
    """Nothing is written when a scheduled post's time comes: the pages showing the news
    are kept no longer than until then (news/signals.py registers the moment)."""
    now = timezone.now()
    Post.objects.create(
        title="Later",
        slug="later",
        body="Text.",
        published_at=now + datetime.timedelta(seconds=20),
        status=Post.Status.PUBLISHED,
    )
    request = RequestFactory().get("/news/")
    request.resolver_match = resolve("/news/")
    with time_machine.travel(now, tick=False):
        assert page_cache.storable_seconds(request, HttpResponse("news")) in (19, 20)
    request.resolver_match = resolve("/cities/")
    with time_machine.travel(now, tick=False):
        assert page_cache.storable_seconds(request, HttpResponse("cities")) == 60


def test_each_app_marks_its_public_pages_with_the_scopes_they_show():
    """The decorator in each app's views module, not a list in association: a page's
    scopes name its URL's arguments (one event's availability)."""
    assert page_cache.page_scopes(resolve("/events/some-dinner/")) == [
        "event:some-dinner",
        "events",
        "news",
        "site",
    ]
    assert page_cache.page_scopes(resolve("/news/feed/")) == ["news", "site"]
    assert page_cache.page_scopes(resolve("/cities/")) == ["cities", "site"]
    assert page_cache.page_scopes(resolve("/healthz")) is None
    assert page_cache.page_scopes(resolve("/events/some-dinner/tickets/")) is None
    assert not hasattr(page_cache, "PUBLIC_PAGES")


def test_cached_page_carries_no_csp_nonce(client, page_store, event):
    first = client.get(event.get_absolute_url())
    second = client.get(event.get_absolute_url())
    assert "nonce" not in first.content.decode()
    assert "nonce-" not in first["Content-Security-Policy"]
    assert second.content == first.content
    assert page_store.pages


def test_response_that_used_the_csp_nonce_is_never_stored():
    request = RequestFactory().get("/events/")
    request.resolver_match = resolve("/events/")
    request._csp_nonce = "per-request-secret"
    assert page_cache.storable_seconds(request, HttpResponse("page")) == 0


def test_page_is_never_kept_past_its_max_age(client, page_store, event):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        views_run(client, "/events/", times=1)
    with time_machine.travel(start + datetime.timedelta(seconds=59), tick=False):
        assert views_run(client, "/events/", times=1) == [0]
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        assert views_run(client, "/events/", times=1)[0] > 0


def scope_versions(*scopes) -> dict[str, str]:
    """The scopes' versions as another process would read them now (the shared cache)."""
    other = page_cache.ScopeVersions()
    return dict(zip(scopes, other.of(scopes), strict=True))


# Writes that bump a version really commit here: the bump waits for the commit.
@pytest.mark.django_db(transaction=True)
def test_staff_edit_is_seen_by_every_process_within_a_second(page_store, event):
    """Two processes: this one (the module's versions, which makes the edit) and another
    reading the same shared cache (Redis in production)."""
    this = page_cache.versions
    other = page_cache.ScopeVersions()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        version = this.of(["events"])
        assert other.of(["events"]) == version
        event.title = "Renamed Supper"
        event.save(update_fields=["title"])
        # Within the second, another process may still serve its page, and so may the
        # one that wrote (in a ticket rush every order bumps its event: it does not drop
        # what it keeps on each of its own)...
        assert other.of(["events"]) == version
        assert this.of(["events"]) == version
    with time_machine.travel(start + datetime.timedelta(seconds=1), tick=False):
        # ...and not after it.
        assert other.of(["events"]) == this.of(["events"]) != version


@pytest.mark.django_db(transaction=True)
def test_an_edit_invalidates_only_the_scopes_it_changes(page_store, event):
    """A post edited: the news pages are rendered again, the events and cities pages
    stay cached."""
    scopes = ("news", "events", "cities", "site", "pages")
    before = scope_versions(*scopes)
    Post.objects.create(title="Hello", slug="hello", body="Text.", published_at=timezone.now())
    after = scope_versions(*scopes)
    assert {scope for scope in scopes if after[scope] != before[scope]} == {"news"}


@pytest.mark.django_db(transaction=True)
def test_a_ticket_order_leaves_the_home_news_and_cities_pages_cached(page_store, event):
    """In a ticket rush an order changes what its event's page shows of its availability,
    not the other pages: unless the state of sales on the lists' cards changes (few left,
    sold out), the lists and the home page stay cached too."""
    ticket_type = event.ticket_types.first()
    factories.make_order(event, [(ticket_type, 1)], name="First", email="a@example.org", phone="")
    scopes = ("site", "news", "cities", "events", "pages", f"event:{event.slug}", "sales")
    before = scope_versions(*scopes)
    for number in range(3):
        factories.make_order(
            event, [(ticket_type, 1)], name="Buyer", email=f"b{number}@example.org", phone=""
        )
    after = scope_versions(*scopes)
    changed = {scope for scope in scopes if after[scope] != before[scope]}
    assert changed == {f"event:{event.slug}", "sales"}


@pytest.mark.django_db(transaction=True)
def test_an_order_that_sells_out_an_event_invalidates_the_lists(page_store, db):
    event = factories.make_event(title="Small Supper", slug="small-supper")
    ticket_type = factories.make_ticket_type(event, quantity=2)
    factories.make_order(event, [(ticket_type, 1)], name="First", email="a@example.org", phone="")
    before = scope_versions("events", "news")
    factories.make_order(event, [(ticket_type, 1)], name="Last", email="b@example.org", phone="")
    after = scope_versions("events", "news")
    assert after["events"] != before["events"]  # "sold out" on the cards
    assert after["news"] == before["news"]


@pytest.mark.django_db(transaction=True)
def test_expired_hold_released_by_the_job_invalidates_its_event_page(page_store, event):
    """ "Few left" changes when a hold expires, so the job's write invalidates the pages."""
    from tickets.orders import expire_stale_holds  # noqa: PLC0415

    order = factories.make_order(
        event,
        [(event.ticket_types.first(), 2)],
        status=Order.Status.PENDING,
        name="A Buyer",
        email="a@example.org",
        phone="",
    )
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now())
    before = scope_versions(f"event:{event.slug}")
    released = expire_stale_holds(now=timezone.now() + datetime.timedelta(minutes=1))
    assert released
    assert scope_versions(f"event:{event.slug}") != before


@pytest.mark.django_db(transaction=True)
def test_bulk_writes_bump_by_name(page_store, event):
    """No signal fires for `.update()`: the code writing in bulk calls `bump` by name."""
    before = scope_versions("events")
    Event.objects.filter(pk=event.pk).update(capacity=3)
    assert scope_versions("events") == before
    page_cache.bump("events")
    assert scope_versions("events") != before


@pytest.mark.django_db(transaction=True)
def test_rolled_back_write_does_not_bump_the_version(page_store, event):
    from django.db import transaction  # noqa: PLC0415

    before = scope_versions("events")
    with pytest.raises(RuntimeError), transaction.atomic():
        event.title = "Never"
        event.save(update_fields=["title"])
        raise RuntimeError
    assert scope_versions("events") == before


@pytest.mark.django_db(transaction=True)
def test_writes_outside_the_public_pages_do_not_bump_any_version(page_store, settings):
    """Sessions and the outbox (written with every email) are on no public page."""
    from django.contrib.sessions.backends.db import SessionStore  # noqa: PLC0415
    from django.core.mail import send_mail  # noqa: PLC0415

    from outbox.models import OutgoingEmail  # noqa: PLC0415

    settings.TASKS_RUN_AFTER_COMMIT = False
    scopes = ("site", "news", "cities", "events", "pages", "membership", "sales")
    before = scope_versions(*scopes)
    SessionStore().create()
    send_mail("Hello", "Body", None, ["someone@example.org"])
    OutgoingEmail.objects.update(attempts=1)
    assert OutgoingEmail.objects.count() == 1
    assert scope_versions(*scopes) == before


def test_served_page_is_dropped_once_a_version_it_shows_changes(client, page_store, event):
    views_run(client, "/events/", times=1)
    assert views_run(client, "/events/", times=1) == [0]
    edit_heard("news")  # not shown on /events/
    assert views_run(client, "/events/", times=1) == [0]
    cache.set(page_cache.VERSION_KEY_PREFIX + "events", "another", None)
    page_cache.versions.checked_at = float("-inf")
    assert views_run(client, "/events/", times=1)[0] > 0


def test_pages_are_rendered_and_never_kept_while_the_shared_cache_is_down(
    client, settings, page_store, event
):
    """Redis unreachable: edits could not be heard of, so nothing is served from or kept
    in the page cache, and the page still answers (rendered) rather than a 500."""
    settings.CACHES = {
        **settings.CACHES,
        "unreachable": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    page_cache.versions.cache_alias = "unreachable"
    page_cache.versions.checked_at = float("-inf")
    try:
        assert page_cache.versions.of(["events"]) is None
        assert all(count > 0 for count in views_run(client, "/events/"))
        assert page_store.pages == {}
    finally:
        page_cache.versions.cache_alias = "default"
        page_cache.versions.checked_at = float("-inf")


def test_a_value_computed_once_per_version_is_kept_until_the_moment_it_names(page_store):
    calls = []
    start = timezone.now()
    ends = start + datetime.timedelta(minutes=5)  # true for five minutes after computed

    def compute():
        calls.append(timezone.now())
        return len(calls)

    def read():
        return page_cache.computed_once_per_version(
            "test:until",
            compute,
            scopes=["events"],
            until=lambda _: calls[-1] + datetime.timedelta(minutes=5),
        )

    with time_machine.travel(start, tick=False):
        assert (read(), read()) == (1, 1)
    with time_machine.travel(ends - datetime.timedelta(seconds=1), tick=False):
        assert read() == 1
    with time_machine.travel(ends, tick=False):
        assert (read(), read()) == (2, 2)
    # A clock set back before the value was computed: computed again, not trusted.
    with time_machine.travel(start, tick=False):
        assert read() == 3
    # Without `until`, kept until the next edit of its scopes, whatever the time.
    kept = page_cache.computed_once_per_version
    assert kept("test:forever", lambda: "kept", scopes=["cities"]) == "kept"
    assert kept("test:forever", lambda: "again", scopes=["cities"]) == "kept"
    edit_heard("news")
    assert kept("test:forever", lambda: "again", scopes=["cities"]) == "kept"
    edit_heard("cities")
    assert kept("test:forever", lambda: "again", scopes=["cities"]) == "again"


def test_a_page_served_from_the_cache_keeps_the_security_headers_and_the_https_redirect(
    client, page_store, event, settings
):
    # The page cache comes first in MIDDLEWARE: a page is stored with what the security
    # middleware added, and a request over plain http never finds a page to be served.
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    first, second = views_run(client, "/about/", secure=True)
    assert (first > 0, second) == (True, 0)
    served = client.get("/about/", secure=True)
    assert served["Strict-Transport-Security"].startswith("max-age=3600")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Referrer-Policy"] == "strict-origin-when-cross-origin"
    plain = client.get("/about/")
    assert (plain.status_code, plain["Location"]) == (301, "https://testserver/about/")


def test_cookies_and_query_strings_are_looked_at_only_when_sent():
    factory = RequestFactory()
    assert not page_cache.may_use_cache(factory.get("/events/", HTTP_COOKIE="sessionid=abc"))
    assert not page_cache.may_use_cache(factory.get("/events/", HTTP_COOKIE="messages=x"))
    assert page_cache.may_use_cache(factory.get("/events/", HTTP_COOKIE="theme=dark"))
    assert page_cache.may_use_cache(factory.get("/events/past/?"))
