"""The page cache's rules (association/page_cache.py), one test per rule: what anonymous
visitors are served from it, what is never stored, and how an edit reaches every process."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone

from association import page_cache
from events.models import Event, Order
from nsca.models import Page
from tests.events import factories


@pytest.fixture
def page_store(settings):
    """The page cache on, with this process's store emptied (the suite runs it off)."""
    settings.PAGE_CACHE_ENABLED = True
    page_cache.store.pages.clear()
    page_cache.store.version = ""
    page_cache.store.checked_at = float("-inf")
    yield page_cache.store
    page_cache.store.pages.clear()


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
        page_cache.store.computed.clear()
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
    page_store.pages.clear()
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
    assert page_cache.cache_key(factory.post("/events/")) is None
    assert page_cache.cache_key(factory.head("/events/")) is not None
    assert page_cache.cache_key(factory.get("/events/")) is not None


def test_query_strings_other_than_pagination_bypass_the_cache(client, page_store, event):
    factory = RequestFactory()
    assert page_cache.cache_key(factory.get("/events/past/?page=2")) is not None
    assert page_cache.cache_key(factory.get("/events/?utm_source=x")) is None
    assert page_cache.cache_key(factory.get("/events/past/?page=2&page=3")) is None
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


def test_a_view_marked_public_page_may_be_stored():
    view = page_cache.public_page(lambda request: HttpResponse("news"))
    request = RequestFactory().get("/news/")
    request.resolver_match = type("Match", (), {"view_name": "news:post_list", "func": view})()
    assert page_cache.storable_seconds(request, HttpResponse("news")) == page_cache.DEFAULT_SECONDS


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


# Writes that bump the version really commit here: the bump waits for the commit.
@pytest.mark.django_db(transaction=True)
def test_staff_edit_is_seen_by_every_process_within_a_second(page_store, event):
    """Two processes: this one (the module's store, which makes the edit) and another
    store reading the same shared cache (Redis in production)."""
    other = page_cache.PageStore()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        version = page_store.current_version()
        assert other.current_version() == version
        other.put("GET:testserver:/events/:", HttpResponse("old"), version=version, expires=1e12)
        event.title = "Renamed Supper"
        event.save(update_fields=["title"])
        # Within the second, another process may still serve its page, and so may the
        # one that wrote (in a ticket rush every order bumps: it does not drop what it
        # keeps on each of its own)...
        assert other.current_version() == version
        assert page_store.current_version() == version
    with time_machine.travel(start + datetime.timedelta(seconds=1), tick=False):
        # ...and not after it.
        new = other.current_version()
        assert new == page_store.current_version() != version
        assert other.get("GET:testserver:/events/:", version=new) is None


@pytest.mark.django_db(transaction=True)
def test_writes_by_update_bump_the_version(page_store, event):
    """Jobs write with .update() (holds released, counters moved): no save() signal fires."""
    before = page_store.current_version()
    Event.objects.filter(pk=event.pk).update(capacity=3)
    page_store.checked_at = float("-inf")
    assert page_store.current_version() != before


@pytest.mark.django_db(transaction=True)
def test_expired_hold_released_by_the_job_bumps_the_version(page_store, event):
    """ "Few left" changes when a hold expires, so the job's write invalidates the pages."""
    from events.orders import expire_stale_holds  # noqa: PLC0415

    order = factories.make_order(
        event,
        [(event.ticket_types.first(), 2)],
        status=Order.Status.PENDING,
        name="A Buyer",
        email="a@example.org",
        phone="",
    )
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now())
    before = page_store.current_version()
    released = expire_stale_holds(now=timezone.now() + datetime.timedelta(minutes=1))
    assert released
    page_store.checked_at = float("-inf")
    assert page_store.current_version() != before


@pytest.mark.django_db(transaction=True)
def test_rolled_back_write_does_not_bump_the_version(page_store, event):
    from django.db import transaction  # noqa: PLC0415

    before = page_store.current_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(capacity=3)
        raise RuntimeError
    page_store.checked_at = float("-inf")
    assert page_store.current_version() == before


@pytest.mark.django_db(transaction=True)
def test_writes_outside_the_project_tables_do_not_bump_the_version(page_store):
    from django.contrib.sessions.backends.db import SessionStore  # noqa: PLC0415

    before = page_store.current_version()
    SessionStore().create()
    page_store.checked_at = float("-inf")
    assert page_store.current_version() == before


@pytest.mark.django_db(transaction=True)
def test_emails_queued_in_the_outbox_do_not_bump_the_version(page_store, settings):
    """No public page shows the outbox: an email written to it keeps every cached page."""
    from django.core.mail import send_mail  # noqa: PLC0415

    from outbox.models import OutgoingEmail  # noqa: PLC0415

    settings.TASKS_RUN_AFTER_COMMIT = False
    before = page_store.current_version()
    send_mail("Hello", "Body", None, ["someone@example.org"])
    OutgoingEmail.objects.update(attempts=1)
    page_store.checked_at = float("-inf")
    assert OutgoingEmail.objects.count() == 1
    assert page_store.current_version() == before


def test_served_page_is_dropped_once_the_version_changes(client, page_store, event):
    views_run(client, "/events/", times=1)
    assert views_run(client, "/events/", times=1) == [0]
    cache.set(page_cache.VERSION_KEY, "another", None)
    page_store.checked_at = float("-inf")
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
    page_store.cache_alias = "unreachable"
    try:
        assert page_store.current_version() is None
        assert all(count > 0 for count in views_run(client, "/events/"))
        assert page_store.pages == {}
    finally:
        page_store.cache_alias = "default"
        page_store.checked_at = float("-inf")


def test_a_value_computed_once_per_version_is_kept_until_the_moment_it_names(page_store):
    page_store.computed.clear()
    calls = []
    start = timezone.now()
    ends = start + datetime.timedelta(minutes=5)  # true for five minutes after computed

    def compute():
        calls.append(timezone.now())
        return len(calls)

    def read():
        return page_cache.computed_once_per_version(
            "test:until", compute, until=lambda _: calls[-1] + datetime.timedelta(minutes=5)
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
    # Without `until`, kept until the next edit, whatever the time.
    assert page_cache.computed_once_per_version("test:forever", lambda: "kept") == "kept"
    assert page_cache.computed_once_per_version("test:forever", lambda: "again") == "kept"
    page_store.computed.clear()


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
    assert page_cache.cache_key(factory.get("/events/", HTTP_COOKIE="sessionid=abc")) is None
    assert page_cache.cache_key(factory.get("/events/", HTTP_COOKIE="messages=x")) is None
    assert page_cache.cache_key(factory.get("/events/", HTTP_COOKIE="theme=dark")) is not None
    plain = page_cache.cache_key(factory.get("/events/past/"))
    assert plain == page_cache.cache_key(factory.get("/events/past/?"))
    assert plain != page_cache.cache_key(factory.get("/events/past/?page=2"))
    assert page_cache.cache_key(factory.get("/events/past/", secure=True)) != plain
