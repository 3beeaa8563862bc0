"""The site with its database down or hung: 503 within seconds, and back without an error."""

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
def test_site_answers_503_within_the_pool_wait_while_the_database_is_down_and_recovers():
    settings_dict = connection.settings_dict
    target = (settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    with TcpProxy(target) as database:
        url = (
            f"postgres://{settings_dict['USER']}@127.0.0.1:{database.port}/{settings_dict['NAME']}"
        )
        # The production settings: a 2 s pool wait, checked connections.
        with GunicornServer(env={"DATABASE_URL": url, "DATABASE_POOL_TIMEOUT": None}) as server:
            assert get(server.url + "/healthz")[0] == 200
            assert get(server.url + "/events/")[0] == 200

            database.stop()
            # Long enough for a pool that retries with growing pauses (1, 2, 4 s...) to be
            # in a pause when the database comes back.
            outage_ends = time.monotonic() + 4
            while time.monotonic() < outage_ends:
                status, _headers, body, seconds = timed_get(server.url + "/healthz")
                assert (status, seconds < 2.5) == (503, True), body
                status, headers, body, seconds = timed_get(server.url + "/events/")
                assert seconds < 2.5
                assert_is_the_503_page(status, headers, body)

            database.start()
            # The very first requests after the restart are served: no 500, no 503.
            for _ in range(5):
                assert get(server.url + "/events/")[0] == 200
                assert get(server.url + "/healthz")[0] == 200


# --- a hung database: bounded waits, server-side timeouts, a busy 503 for a lock (issue 18) ---


@pytest.mark.postgresql
@pytest.mark.django_db
def test_every_connection_carries_the_network_and_server_timeouts():
    from django.conf import settings

    with connection.cursor() as cursor:
        shown = {}
        for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"):
            cursor.execute(f"SHOW {name}")
            shown[name] = cursor.fetchone()[0]
    assert shown == {
        "statement_timeout": "5s",
        "lock_timeout": "3s",
        "idle_in_transaction_session_timeout": "30s",
    }
    parameters = connection.connection.info.get_parameters()
    assert parameters["keepalives"] == "1"
    assert parameters["tcp_user_timeout"] == "5000"
    assert parameters["connect_timeout"] == "2"
    pool = settings.DATABASES["default"]["OPTIONS"]["pool"]
    assert pool["timeout"] == 10  # tests/settings.py; production waits 2 s (test_settings)
    assert (pool["connection_class"].answer_within, pool["connection_class"].check_within) == (
        6,
        1,
    )


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_checkout_waiting_too_long_for_its_events_lock_is_told_busy_try_again(client):
    """Another session holds the event's row lock (a stuck checkout, a session whose client
    vanished): past lock_timeout the buyer gets the busy 503 page, not a 500, and nothing
    is reserved."""
    import psycopg
    from django.urls import reverse

    from nsca.unavailable import BUSY_RETRY_AFTER_SECONDS
    from tests.events.factories import make_event, make_ticket_type
    from tickets.models import Order

    event = make_event()
    ticket_type = make_ticket_type(event, quantity=10)
    params = connection.get_connection_params()
    params.pop("pool", None)
    params.pop("connection_class", None)
    with psycopg.connect(**params) as holder:
        holder.execute("SELECT id FROM events_event WHERE id = %s FOR UPDATE", [event.pk])
        with connection.cursor() as cursor:  # the default's 3 s, shortened for the test
            cursor.execute("SET lock_timeout = '200ms'")
        try:
            started = time.monotonic()
            response = client.post(
                reverse("tickets:checkout", kwargs={"slug": event.slug}),
                {
                    f"qty_{ticket_type.pk}": "1",
                    "name": "Pat Buyer",
                    "email": "pat@example.org",
                    "payment_method": "offline",
                    "submission": "lock-timeout-submission-0001",
                },
            )
            seconds = time.monotonic() - started
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    assert response.status_code == 503
    assert response["Retry-After"] == str(BUSY_RETRY_AFTER_SECONDS)
    html = response.content.decode()
    assert "The site is busy: please try again" in html
    assert "try again in a few seconds" in html
    assert seconds < 2
    assert not Order.objects.exists()


def test_a_statement_the_server_cancelled_is_busy_not_down():
    import psycopg.errors

    from nsca.unavailable import is_busy

    assert is_busy(psycopg.errors.LockNotAvailable("lock timeout"))
    try:
        try:
            raise psycopg.errors.QueryCanceled("statement timeout")
        except psycopg.errors.QueryCanceled as error:
            raise OperationalError(str(error)) from error
    except OperationalError as wrapped:
        assert is_busy(wrapped) and is_unavailable(wrapped)
    assert not is_busy(OperationalError("connection refused"))
    assert not is_busy(PoolTimeout("couldn't get a connection after 2.00 sec"))


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_hung_database_gets_the_503_page_within_seconds_and_the_site_heals_by_itself():
    """The database (behind a proxy) stops answering but keeps every connection open, as
    in a network partition: no worker waits for it longer than a few seconds, and once it
    answers again the site is served, nothing restarted."""
    settings_dict = connection.settings_dict
    target = (settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    with TcpProxy(target) as database:
        url = (
            f"postgres://{settings_dict['USER']}@127.0.0.1:{database.port}/{settings_dict['NAME']}"
        )
        with GunicornServer(env={"DATABASE_URL": url, "DATABASE_POOL_TIMEOUT": None}) as server:
            assert get(server.url + "/events/")[0] == 200  # a pooled connection, in use

            database.freeze()
            for path in ("/events/", "/healthz", "/events/"):
                status, headers, body, seconds = timed_get(server.url + path)
                assert status == 503, body
                # the pool's check (1 s) and its wait for a new connection (2 s)
                assert seconds < 4

            database.thaw()
            deadline = time.monotonic() + 5
            while get(server.url + "/healthz")[0] != 200:
                assert time.monotonic() < deadline
            assert get(server.url + "/events/")[0] == 200


def test_production_waits_two_seconds_for_a_pooled_connection_before_the_503(monkeypatch):
    """0.5 s gave 503 to page views under load with the database healthy (a worker's new
    connection, opened while the CPU was saturated, took longer)."""
    from tests.nsca.test_settings import PRODUCTION_ENV, print_setting

    monkeypatch.delenv("DATABASE_POOL_TIMEOUT")  # the suite's own (tests/settings.py)

    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://nsca@127.0.0.1:5432/nsca"}
    assert print_setting('DATABASES["default"]["OPTIONS"]["pool"]["timeout"]', env) == "2"


class _RecordingBackend:
    """An email backend that notes the database session's idle-in-transaction limit."""

    seen: list[str] = []

    def __init__(self, **kwargs):
        pass

    def open(self):
        pass

    def close(self):
        pass

    def send_messages(self, messages):
        with connection.cursor() as cursor:
            cursor.execute("SHOW idle_in_transaction_session_timeout")
            _RecordingBackend.seen.append(cursor.fetchone()[0])
        return len(messages)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_email_worker_talking_to_a_slow_mail_server_is_not_ended_as_idle(settings):
    """Its batch is sent inside the transaction that claimed it: ended between sending and
    marking, the batch would go twice."""
    from django.core.mail import send_mail

    from tests.tasks import run_tasks

    settings.TASKS_RUN_AFTER_COMMIT = False
    settings.OUTBOX_DELIVERY_BACKEND = f"{__name__}._RecordingBackend"
    _RecordingBackend.seen = []
    send_mail("Hello", "Body", "from@example.org", ["to@example.org"])
    assert run_tasks().ran == 1
    assert _RecordingBackend.seen == ["0"]
    with connection.cursor() as cursor:  # SET LOCAL: only inside the batch's transaction
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        assert cursor.fetchone()[0] == "30s"


@pytest.mark.postgresql
@pytest.mark.django_db
def test_a_query_the_database_never_answers_ends_at_the_limit_and_closes_the_connection():
    from nsca.database import DatabaseNotAnswering, bounded_connection_class

    params = connection.get_connection_params()
    params.pop("pool", None)
    target = (params.get("host") or "127.0.0.1", int(params.get("port") or 5432))
    params.update(host="127.0.0.1", autocommit=True)
    Bounded = bounded_connection_class(answer_within=1, check_within=0.2)  # noqa: N806
    with TcpProxy(target) as database:
        params["port"] = database.port
        with Bounded.connect(**params) as hung, Bounded.connect(**params) as checked:
            assert hung.execute("SELECT 1").fetchone() == (1,)
            database.freeze()
            started = time.monotonic()
            with pytest.raises(DatabaseNotAnswering):
                hung.execute("SELECT 1")
            assert 1 <= time.monotonic() - started < 2
            assert hung.closed  # never handed out again
            started = time.monotonic()
            with pytest.raises(DatabaseNotAnswering):
                checked.execute("")  # psycopg_pool's check, with its own shorter limit
            assert time.monotonic() - started < 0.7
