"""Two gunicorn servers against one PostgreSQL and one Redis (CACHE_URL), as behind a load
balancer (docs/deploy.md): sign-in limits count across both, a rush split between them never
oversells, a staff edit through one shows on the other within a second (a page cache
must keep this true), and a page one rendered is served by the other with the database
down."""

import time
import urllib.error
import urllib.request
from decimal import Decimal

import pytest
import redis
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

from association.page_cache import VERSION_CHECK_SECONDS
from membership.models import User
from news.models import Post
from nsca.models import Page
from tests.concurrency import race
from tests.events.factories import make_event, make_ticket_type
from tests.servers.gunicorn_server import GunicornServer
from tests.servers.http_client import Visitor
from tests.servers.tcp_proxy import TcpProxy
from tickets.forms import new_submission_key
from tickets.models import Order, Ticket

REDIS_URL = "redis://127.0.0.1:6379/12"
# The servers share Redis database 12, flushed before and after each test: in a parallel run
# (pytest-xdist) these tests run one after another on one worker, never beside the tests
# that count every command the Redis server runs (tests/membership/test_throttle.py).
pytestmark = pytest.mark.xdist_group("one_redis")
BLOCKED = "Too many failed sign-in attempts"
PASSWORD = "the-right-password-1"


def make_member():
    # Hashed as the servers' production settings verify it (the test settings' fast MD5
    # hasher is unknown to them).
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsalt", iterations=1000)
    return User.objects.create(email="member@example.org", password=hashed)


@pytest.fixture
def two_servers():
    redis.Redis.from_url(REDIS_URL).flushdb()
    settings_dict = connection.settings_dict
    database_url = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )
    env = {
        "DATABASE_URL": database_url,
        "CACHE_URL": REDIS_URL,
        "GUNICORN_ACCESS_LOG": "off",
        # Every buyer here comes from 127.0.0.1: the per-address brake is not what is tested.
        "EVENTS_CHECKOUT_LIMIT_PER_IP": "1000",
        # Redis is up throughout: on a CI machine whose other test workers take both cores, a
        # call can wait longer than production's 0.5 s, and the breaker it would open keeps
        # that process's count local, which is not what these tests are about (the breaker
        # has its own tests, tests/nsca/test_shared_cache_down.py).
        "CACHE_SOCKET_TIMEOUT": "5",
    }
    with GunicornServer(env=env, workers=2) as one, GunicornServer(env=env, workers=2) as two:
        yield one, two
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_wrong_passwords_split_between_two_servers_block_the_account_on_both(two_servers):
    one, two = two_servers
    make_member()
    login = "/account/login/"
    # The default limit is 5 per account: five wrong passwords, alternating servers (and
    # so processes), each refused as wrong, not yet as too many.
    for attempt in range(5):
        server = (one, two)[attempt % 2]
        status, html = Visitor().post_form(
            server.url + login, {"username": "member@example.org", "password": f"wrong-{attempt}"}
        )
        assert status != 302 and BLOCKED not in html
    # Now even the right password is refused, on either server.
    for server in (one, two):
        status, html = Visitor().post_form(
            server.url + login,
            {"username": "member@example.org", "password": PASSWORD},
        )
        assert status != 302 and BLOCKED in html


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_right_password_signs_in_through_either_server(two_servers):
    # The control for the test above: the form and the servers work, a sign-in succeeds.
    make_member()
    for server in two_servers:
        status, _html = Visitor().post_form(
            server.url + "/account/login/",
            {"username": "member@example.org", "password": PASSWORD},
        )
        assert status == 302


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_rush_of_buyers_split_between_two_servers_never_oversells(two_servers):
    event = make_event(title="Rush", slug="rush")
    places = make_ticket_type(event, name="Free place", price=Decimal("0"), quantity=10)
    buyers = 24

    def buy(index):
        server = two_servers[index % 2]
        return Visitor().post_form(
            f"{server.url}/events/rush/tickets/",
            {
                f"qty_{places.pk}": "1",
                "name": f"Buyer {index}",
                "email": f"buyer{index}@example.org",
                "submission": new_submission_key(),
            },
        )[0]

    outcomes = race(buyers, buy)
    # Each place sold once, its buyer sent on to the order (303); the others told it is
    # sold out (409). No error, whichever server a buyer reached.
    assert sorted(outcomes) == [303] * 10 + [409] * (buyers - 10)
    assert Ticket.objects.filter(ticket_type=places).count() == 10
    assert Order.objects.filter(event=event, status=Order.Status.CONFIRMED).count() == 10


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_staff_edit_through_one_server_shows_on_the_other_within_a_second(two_servers):
    one, two = two_servers
    page = Page.objects.create(
        title="Visiting Toulon", slug="visiting-toulon", body="The old programme."
    )
    staff = make_member()
    User.objects.filter(pk=staff.pk).update(is_staff=True, is_superuser=True)
    # Seen on the second server first, as a visitor would (and a cache might keep it).
    assert "The old programme." in Visitor().request(f"{two.url}/pages/{page.slug}/")[1]

    volunteer = Visitor()
    status, _html = volunteer.post_form(
        f"{one.url}/admin/login/",
        {"username": staff.email, "password": PASSWORD, "next": "/admin/"},
    )
    assert status == 302
    status, _html = volunteer.post_form(
        f"{one.url}/admin/nsca/page/{page.pk}/change/",
        {
            "title_en": page.title,
            "slug": page.slug,
            "summary_en": "",
            "body_en": "The new programme.",
            "is_published": "on",
            "position": "0",
            "_save": "Save",
        },
    )
    assert status == 302
    edited_at = time.monotonic()
    while "The new programme." not in Visitor().request(f"{two.url}/pages/{page.slug}/")[1]:
        assert time.monotonic() - edited_at < 1, "the edit did not reach the other server"
        time.sleep(0.05)


def get_as(url, *, host) -> int:
    """The status of a GET of `url` sent with another Host header (as a load balancer
    passes the visitor's own to every server)."""
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_pages_visited_before_a_sale_are_served_by_another_server_when_the_database_goes_down():
    """The page cache's shared copy and scoped invalidation together: pages one server
    rendered are in Redis for the other; orders invalidate only their event's page (the
    state of sales on the lists does not change), so when the database goes down right
    after a few orders the home, news, cities and events pages are still served, by a
    server that never rendered them. Only the event's own page, changed by the orders,
    has to be rendered again: a 503."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    event = make_event(title="Harbour Supper", slug="harbour-supper")
    places = make_ticket_type(event, name="Free place", price=Decimal("0"), quantity=100)
    Post.objects.create(
        title="Spring", slug="spring", body="News.", published_at=timezone.now(), status="published"
    )
    settings_dict = connection.settings_dict
    target = (settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))

    def buy(server, index):
        return Visitor().post_form(
            f"{server.url}/events/{event.slug}/tickets/",
            {
                f"qty_{places.pk}": "1",
                "name": f"Buyer {index}",
                "email": f"buyer{index}@example.org",
                "submission": new_submission_key(),
            },
        )[0]

    with TcpProxy(target) as database:
        url = (
            f"postgres://{settings_dict['USER']}@127.0.0.1:{database.port}/{settings_dict['NAME']}"
        )
        env = {
            "DATABASE_URL": url,
            "DATABASE_POOL_TIMEOUT": None,
            "CACHE_URL": REDIS_URL,
            "GUNICORN_ACCESS_LOG": "off",
            "EVENTS_CHECKOUT_LIMIT_PER_IP": "1000",
            # A loaded test machine may stall a Redis answer past the production 0.5 s, and
            # a process then goes without the cache for a while (association/shared_cache.py):
            # not what is tested here.
            "CACHE_SOCKET_TIMEOUT": "5",
        }
        with GunicornServer(env=env) as one, GunicornServer(env=env) as two:
            assert buy(one, 0) == 303  # the event's state of sales is known from here on
            # That first order changed the lists ("on sale" appeared); each process hears of
            # it within VERSION_CHECK_SECONDS, the one that wrote too.
            time.sleep(VERSION_CHECK_SECONDS + 0.1)
            pages = ["/", "/news/", "/cities/", "/events/", "/news/spring/"]
            for path in pages:
                assert Visitor().request(one.url + path)[0] == 200
            assert [buy(one, index) for index in range(1, 4)] == [303] * 3
            database.stop()
            # Behind a load balancer both servers are asked for the same host: one's.
            host = one.url.split("//", 1)[1]
            for path in pages:
                assert get_as(two.url + path, host=host) == 200, path
            assert get_as(two.url + f"/events/{event.slug}/", host=host) == 503
    redis.Redis.from_url(REDIS_URL).flushdb()
