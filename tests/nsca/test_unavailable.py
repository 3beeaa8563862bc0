"""The site with its database down: 503 within a second, and back without an error."""

import time

import pytest
from django.db import OperationalError, connection
from django.test import RequestFactory
from psycopg_pool import PoolTimeout

from nsca.unavailable import RETRY_AFTER_SECONDS, is_unavailable
from nsca.views import server_error
from tests.servers.gunicorn_server import GunicornServer, get
from tests.servers.tcp_proxy import TcpProxy


def assert_is_the_503_page(status, headers, html):
    assert status == 503
    assert headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-store" in headers["Cache-Control"]
    assert "We will be back in a moment" in html
    assert '<html lang="en">' in html


def test_unreachable_database_errors_are_named_as_such():
    assert is_unavailable(OperationalError("connection refused"))
    assert is_unavailable(PoolTimeout("couldn't get a connection after 0.50 sec"))
    assert not is_unavailable(RuntimeError("a bug"))
    assert not is_unavailable(None)


@pytest.mark.urls("tests.nsca.urls_with_failing_view")
def test_a_view_meeting_an_unreachable_database_gets_the_503_page(client, db):
    response = client.get("/test-only/database-down/")
    assert_is_the_503_page(response.status_code, response.headers, response.content.decode())
    assert "Connection refused" not in response.content.decode()


def test_an_unreachable_database_met_outside_a_view_gets_the_503_page_not_the_500():
    # handler500 runs inside Django's exception handler: the error is the current one.
    request = RequestFactory().get("/events/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert_is_the_503_page(response.status_code, response.headers, response.content.decode())


def test_a_bug_met_outside_a_view_still_gets_the_500_page():
    request = RequestFactory().get("/events/")
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(request)
    assert response.status_code == 500


def timed_get(url):
    started = time.monotonic()
    status, headers, body = get(url)
    return status, headers, body, time.monotonic() - started


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_site_answers_503_within_a_second_while_the_database_is_down_and_recovers_without_error():
    settings_dict = connection.settings_dict
    target = (settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    with TcpProxy(target) as database:
        url = (
            f"postgres://{settings_dict['USER']}@127.0.0.1:{database.port}/{settings_dict['NAME']}"
        )
        # The production settings: short pool wait, checked connections.
        with GunicornServer(env={"DATABASE_URL": url, "DATABASE_POOL_TIMEOUT": None}) as server:
            assert get(server.url + "/healthz")[0] == 200
            assert get(server.url + "/events/")[0] == 200

            database.stop()
            # Long enough for a pool that retries with growing pauses (1, 2, 4 s...) to be
            # in a pause when the database comes back.
            outage_ends = time.monotonic() + 4
            while time.monotonic() < outage_ends:
                status, _headers, body, seconds = timed_get(server.url + "/healthz")
                assert (status, seconds < 1) == (503, True), body
                status, headers, body, seconds = timed_get(server.url + "/events/")
                assert seconds < 1
                assert_is_the_503_page(status, headers, body)

            database.start()
            # The very first requests after the restart are served: no 500, no 503.
            for _ in range(5):
                assert get(server.url + "/events/")[0] == 200
                assert get(server.url + "/healthz")[0] == 200
