"""The site with Redis stopped or hung: every form and page still answers (limits counted
per process), the outage is logged once a minute, /healthz says the cache is degraded, and
a hung Redis costs one short timeout, then is not asked again for a while."""

import datetime
import logging
import time
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from redis.backoff import NoBackoff
from redis.retry import Retry

from association import page_cache, rate_limits, shared_cache
from tests.conftest import emptied_page_store
from tests.donations.conftest import donation_data
from tests.events.factories import make_event, make_ticket_type
from tests.servers.silent_listener import SilentListener

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-member-password"


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user(email="ada@example.org", password=PASSWORD)


@pytest.fixture
def dinner():
    event = make_event(starts_at=timezone.now() + datetime.timedelta(days=10))
    make_ticket_type(event, name="Dinner", price=Decimal("50.00"), quantity=40)
    return event


def test_every_rate_limited_form_still_answers_with_redis_down(
    client, shared_cache_down, member, dinner
):
    ticket_type = dinner.ticket_types.get()
    signed_in = client.post(
        "/account/login/", {"username": "ada@example.org", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    client.post("/account/logout/")
    wrong = client.post("/account/login/", {"username": "ada@example.org", "password": "wrong"})
    assert wrong.status_code == 400
    checkout = client.post(
        reverse("tickets:checkout", kwargs={"slug": dinner.slug}),
        {
            f"qty_{ticket_type.pk}": "1",
            "name": "Pat Buyer",
            "email": "pat@example.org",
            "payment_method": "offline",
            "submission": "redis-down-submission-0001",
        },
    )
    assert checkout.status_code == 303, checkout.content.decode()[:500]
    assert client.post("/donate/", donation_data()).status_code == 303
    reset = client.post("/account/password/reset/", {"email": "ada@example.org"})
    assert reset.status_code == 302
    subscribed = client.post("/newsletter/", {"email": "new@example.org", "name": "New"})
    assert subscribed.status_code in (302, 303)
    assert client.get("/").status_code == 200
    assert len(mail.outbox) >= 2  # the reset link and the newsletter confirmation went


def test_limits_still_hold_counted_in_each_process_while_redis_is_down(
    client, shared_cache_down, member
):
    shared_cache_down.MEMBERSHIP_SIGNIN_LIMIT_PER_ACCOUNT = 3
    for n in range(3):
        response = client.post(
            "/account/login/",
            {"username": "ada@example.org", "password": "wrong"},
            REMOTE_ADDR=f"203.0.113.{n}",
        )
        assert response.status_code == 400
    locked = client.post("/account/login/", {"username": "ada@example.org", "password": PASSWORD})
    assert locked.status_code == 429


def test_redis_down_is_logged_once_a_minute_not_once_a_request(client, shared_cache_down, caplog):
    start = timezone.now()
    caplog.set_level(logging.WARNING, logger="association.shared_cache")

    def outage_warnings():
        return [r for r in caplog.records if "unreachable" in r.getMessage()]

    with time_machine.travel(start, tick=False):
        for _ in range(5):
            assert client.post("/newsletter/", {"email": "a@example.org"}).status_code < 500
    # Asked again after OPEN_SECONDS, still down: counted, not logged again yet.
    with time_machine.travel(start + datetime.timedelta(seconds=31), tick=False):
        assert client.post("/newsletter/", {"email": "a@example.org"}).status_code < 500
    assert len(outage_warnings()) == 1
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        assert client.post("/newsletter/", {"email": "a@example.org"}).status_code < 500
    assert len(outage_warnings()) == 2


def test_healthz_reports_the_cache_degraded_and_stays_200_with_redis_down(
    client, shared_cache_down
):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "degraded"}


def test_healthz_reports_the_cache_ok_when_it_answers(client):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.fixture
def hung_redis(settings):
    """The default cache is a Redis that accepts connections and never answers, with the
    options nsca/settings.py gives a Redis CACHE_URL; the page cache on, as it is then."""
    shared_cache._breakers.clear()
    rate_limits._process_counts.clear()
    emptied_page_store()
    with SilentListener() as hung:
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "association.redis_cache.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{hung.port}/0",
                "OPTIONS": {
                    "socket_connect_timeout": 0.5,
                    "socket_timeout": 0.5,
                    "retry": Retry(NoBackoff(), 0),
                },
            },
        }
        settings.PAGE_CACHE_ENABLED = True
        yield hung
        page_cache.versions.known.clear()
        page_cache.versions.checked_at = float("-inf")
    shared_cache._breakers.clear()
    rate_limits._process_counts.clear()


def timed_get(client, path):
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


def test_a_hung_redis_costs_one_short_wait_then_is_not_asked_again(client, hung_redis, dinner):
    response, seconds = timed_get(client, "/")
    assert response.status_code == 200
    assert seconds < 2
    asked = (hung_redis.connections, hung_redis.received)
    assert asked[0] == 1  # one attempt, no retry

    page_cache.versions.checked_at = float("-inf")  # the versions would be read again now
    for path in ("/", f"/events/{dinner.slug}/", "/healthz"):
        response, seconds = timed_get(client, path)
        assert response.status_code == 200
        assert seconds < 1  # the cache is not waited for again (and not asked: below)
    assert (hung_redis.connections, hung_redis.received) == asked
    assert client.get("/healthz").json()["cache"] == "degraded"


def test_a_redis_cache_url_gets_one_short_attempt_per_call():
    from tests.nsca.test_settings import PRODUCTION_ENV, print_setting

    options = print_setting('CACHES["default"]["OPTIONS"]', PRODUCTION_ENV)
    assert "'socket_connect_timeout': 0.5, 'socket_timeout': 0.5" in options
    assert "Retry" in options
    retries = print_setting('CACHES["default"]["OPTIONS"]["retry"].get_retries()', PRODUCTION_ENV)
    assert retries == "0"
