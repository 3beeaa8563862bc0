import datetime

import pytest
import time_machine

from membership.throttle import AttemptLimiter

PASSWORD = "a-long-member-password"


@pytest.fixture
def limits(settings):
    settings.MEMBERSHIP_SIGNIN_LIMIT_PER_ACCOUNT = 3
    settings.MEMBERSHIP_SIGNIN_LIMIT_PER_IP = 5
    settings.MEMBERSHIP_SIGNIN_WINDOW_SECONDS = 600
    return settings


def sign_in(client, email, password, ip="203.0.113.1"):
    return client.post("/account/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_limiter_blocks_after_the_limit_and_resets():
    limiter = AttemptLimiter("test", limit=2, window_seconds=60)
    assert not limiter.is_blocked("k")
    limiter.record_failure("k")
    assert not limiter.is_blocked("k")
    assert limiter.record_failure("k") == 2
    assert limiter.is_blocked("k")
    assert not limiter.is_blocked("other")
    limiter.reset("k")
    assert not limiter.is_blocked("k")


def test_limiter_window_expires():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)) as clock:
        limiter = AttemptLimiter("test-window", limit=1, window_seconds=60)
        limiter.record_failure("k")
        assert limiter.is_blocked("k")
        clock.shift(61)
        assert not limiter.is_blocked("k")


def test_limiter_scopes_do_not_share_counts():
    AttemptLimiter("a", limit=1, window_seconds=60).record_failure("k")
    assert not AttemptLimiter("b", limit=1, window_seconds=60).is_blocked("k")


@pytest.mark.django_db
def test_sign_in_works_and_rotates_the_session(client, member):
    client.get("/account/login/")
    client.session.save()
    before = client.session.session_key
    response = sign_in(client, "ADA@example.org", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert client.session.session_key != before
    assert client.session["_auth_user_id"] == str(member.pk)


@pytest.mark.django_db
def test_wrong_password_is_a_400_with_an_error(client, member):
    response = sign_in(client, "ada@example.org", "wrong")
    assert response.status_code == 400
    assert "not right" in response.content.decode()


@pytest.mark.django_db
def test_sign_in_is_limited_per_account(client, member, limits):
    for ip_suffix in range(3):
        sign_in(client, "ada@example.org", "wrong", ip=f"203.0.113.{ip_suffix}")
    # Even the right password is refused while the account is locked, from any address.
    response = sign_in(client, "Ada@Example.org", PASSWORD, ip="198.51.100.9")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_in_is_limited_per_ip_address(client, member, make_user, limits):
    for n in range(5):
        sign_in(client, f"guess{n}@example.org", "wrong", ip="203.0.113.7")
    assert sign_in(client, "ada@example.org", PASSWORD, ip="203.0.113.7").status_code == 429
    assert sign_in(client, "ada@example.org", PASSWORD, ip="203.0.113.8").status_code == 302


@pytest.mark.django_db
def test_successful_sign_in_clears_the_accounts_failures(client, member, limits):
    sign_in(client, "ada@example.org", "wrong")
    sign_in(client, "ada@example.org", "wrong")
    assert sign_in(client, "ada@example.org", PASSWORD).status_code == 302
    client.post("/account/logout/")
    sign_in(client, "ada@example.org", "wrong")
    sign_in(client, "ada@example.org", "wrong")
    assert sign_in(client, "ada@example.org", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_lock_lifts_after_the_window(client, member, limits):
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)) as clock:
        for _ in range(3):
            sign_in(client, "ada@example.org", "wrong")
        assert sign_in(client, "ada@example.org", PASSWORD).status_code == 429
        clock.shift(601)
        assert sign_in(client, "ada@example.org", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_admin_sign_in_is_limited_too(client, staff_user, limits):
    for _ in range(3):
        client.post("/admin/login/", {"username": "staff@example.org", "password": "wrong"})
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "staff@example.org", "password": "staff-pass-123"},
    )
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
