"""Two gunicorn servers against one PostgreSQL and one Redis (CACHE_URL), as behind a load
balancer: what one server counts, the other sees."""

import pytest
import redis
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from membership.models import User
from tests.servers.gunicorn_server import GunicornServer
from tests.servers.http_client import Visitor

REDIS_URL = "redis://127.0.0.1:6379/12"
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
    env = {"DATABASE_URL": database_url, "CACHE_URL": REDIS_URL, "GUNICORN_ACCESS_LOG": "off"}
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
