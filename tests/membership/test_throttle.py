import datetime
import uuid
from collections import Counter

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core import mail
from django.test import RequestFactory

from events.limits import LimitReached, count_checkout
from membership.throttle import AttemptLimiter, any_count_is_over, client_ip, count_attempts

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


# --- the client's address: X-Forwarded-For only behind the proxy (issue 12, item 13) ---


def request_from(remote_addr, forwarded_for=None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **headers)


def test_client_ip_never_reads_forwarded_for_without_a_proxy(settings):
    settings.BEHIND_PROXY = False
    assert client_ip(request_from("198.51.100.4", "203.0.113.9")) == "198.51.100.4"


def test_client_ip_behind_the_proxy_is_the_right_most_forwarded_address(settings):
    settings.BEHIND_PROXY = True
    # The client wrote the left entry itself; the proxy appended the right one.
    assert client_ip(request_from("10.0.0.2", "192.0.2.66, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(request_from("10.0.0.2", "2001:db8::1")) == "2001:db8::/64"


@pytest.mark.parametrize("behind_proxy", [False, True])
def test_per_ip_limits_count_an_ipv6_client_by_its_64_and_ipv4_by_its_address(
    settings, behind_proxy
):
    settings.BEHIND_PROXY = behind_proxy

    def counted(address):
        if behind_proxy:
            return client_ip(request_from("10.0.0.2", address))
        return client_ip(request_from(address))

    one_home = ["2001:db8:1:2::1", "2001:db8:1:2:a1b2:c3d4:e5f6:789", "2001:DB8:1:2::ffff"]
    assert {counted(address) for address in one_home} == {"2001:db8:1:2::/64"}
    assert counted("2001:db8:1:3::1") == "2001:db8:1:3::/64"  # the next /64: someone else
    assert counted("fe80::1%eth0") == "fe80::/64"
    assert counted("::ffff:192.0.2.1") == "192.0.2.1"  # an IPv4 client seen over IPv6
    assert counted("192.0.2.1") == "192.0.2.1"
    assert counted("192.0.2.2") == "192.0.2.2"


@pytest.mark.django_db
def test_sign_in_ip_limit_counts_every_address_of_an_ipv6_64_together(client, make_user, limits):
    for n in range(5):
        sign_in(client, f"guess{n}@example.org", "wrong", ip=f"2001:db8:1:2::{n + 1:x}")
    make_user("bob@example.org", password=PASSWORD)
    assert sign_in(client, "bob@example.org", PASSWORD, ip="2001:db8:1:2::99").status_code == 429
    assert sign_in(client, "bob@example.org", PASSWORD, ip="2001:db8:1:3::1").status_code == 302


def test_client_ip_behind_the_proxy_falls_back_to_the_peer_without_a_usable_header(settings):
    settings.BEHIND_PROXY = True
    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"
    assert client_ip(request_from("10.0.0.2", "203.0.113.9, not-an-address")) == "10.0.0.2"


@pytest.mark.django_db
def test_sign_in_ip_limit_counts_each_client_behind_the_proxy(client, member, limits):
    limits.BEHIND_PROXY = True

    def via_proxy(email, password, client_address):
        return client.post(
            "/account/login/",
            {"username": email, "password": password},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=client_address,
        )

    for n in range(5):
        # Prepending another address to the header does not move the count elsewhere.
        via_proxy(f"guess{n}@example.org", "wrong", f"192.0.2.{n}, 203.0.113.7")
    assert via_proxy("ada@example.org", PASSWORD, "203.0.113.7").status_code == 429
    # Another visitor behind the same proxy is not locked out with the guesser.
    assert via_proxy("ada@example.org", PASSWORD, "203.0.113.8").status_code == 302


@pytest.mark.django_db
def test_sign_in_ip_limit_ignores_forwarded_for_without_a_proxy(client, member, limits):
    limits.BEHIND_PROXY = False
    for n in range(5):
        client.post(
            "/account/login/",
            {"username": f"guess{n}@example.org", "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        "/account/login/",
        {"username": "ada@example.org", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert response.status_code == 429


# --- the per-account count is the account's, however it is spelled (item 6) ---


@pytest.mark.postgresql
@pytest.mark.django_db
def test_sign_in_lockout_counts_another_spelling_against_the_account(client, make_user, limits):
    make_user("ida@example.org")
    dotless = "\u0131da@example.org"  # "ıda": PostgreSQL's UPPER() makes it "IDA"
    # The database matches the other spelling to the real account ...
    assert authenticate(username=dotless, password=PASSWORD).email == "ida@example.org"
    for n in range(3):
        sign_in(client, dotless, "wrong", ip=f"203.0.113.{n}")
    # ... so its failures lock that account, whichever spelling comes next.
    assert sign_in(client, "ida@example.org", PASSWORD, ip="198.51.100.9").status_code == 429
    assert sign_in(client, dotless, PASSWORD, ip="198.51.100.9").status_code == 429


@pytest.mark.django_db
def test_sign_in_lockout_counts_an_unknown_address_by_its_text(client, member, limits):
    for n in range(3):
        sign_in(client, "nobody@example.org", "wrong", ip=f"203.0.113.{n}")
    # The same answer as for a locked account: a lockout tells nobody whether it exists.
    assert sign_in(client, "NOBODY@example.org", "wrong", ip="198.51.100.9").status_code == 429
    assert sign_in(client, "ada@example.org", PASSWORD, ip="198.51.100.9").status_code == 302


# --- a password reset lifts the owner's lockout (item 8) ---


def reset_password(client, email, new_password):
    client.post("/account/password/reset/", {"email": email})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/reset/" in line)
    form_url = client.get(link.split("testserver", 1)[1])["Location"]
    return client.post(form_url, {"new_password1": new_password, "new_password2": new_password})


@pytest.mark.django_db
def test_password_reset_lifts_the_accounts_sign_in_lockout(client, member, limits):
    for n in range(3):
        sign_in(client, "ada@example.org", "wrong", ip=f"203.0.113.{n}")
    assert sign_in(client, "ada@example.org", PASSWORD).status_code == 429
    assert reset_password(client, "ada@example.org", "Brand-New-Phrase-77").status_code == 302
    assert sign_in(client, "ada@example.org", "Brand-New-Phrase-77").status_code == 302


@pytest.mark.django_db
def test_password_reset_lifts_a_superusers_admin_lockout(client, staff_user, limits):
    for _ in range(3):
        client.post("/admin/login/", {"username": "staff@example.org", "password": "wrong"})
    reset_password(client, "staff@example.org", "Brand-New-Phrase-77")
    client.post(
        "/admin/login/?next=/admin/",
        {"username": "staff@example.org", "password": "Brand-New-Phrase-77"},
    )
    assert client.session["_auth_user_id"] == str(staff_user.pk)


@pytest.fixture
def redis_default_cache(settings):
    """The shared cache production runs on (Redis), under a prefix of this test's own."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/13",
            "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}",
        }
    }
    backend = caches["default"]
    yield backend
    client = backend._cache.get_client(write=True)
    for key in client.scan_iter(f"{settings.CACHES['default']['KEY_PREFIX']}:*"):
        client.delete(key)


def _commands_run(client) -> Counter:
    return Counter({name: stats["calls"] for name, stats in client.info("commandstats").items()})


# INFO commandstats counts the commands of the whole Redis server: in a parallel run
# (pytest-xdist) no test that uses it runs beside another (tests/nsca/test_two_servers.py).
@pytest.mark.xdist_group("one_redis")
def test_counts_on_redis_are_one_round_trip_and_each_opens_its_own_window(redis_default_cache):
    """A checkout counts its address and its email; on Redis both are counted by one
    script (one round trip), and the first count gives each key its window, once."""
    client = redis_default_cache._cache.get_client(write=True)
    by_ip = AttemptLimiter("test-ip", limit=2, window_seconds=600)
    by_email = AttemptLimiter("test-email", limit=5, window_seconds=60)
    before = _commands_run(client)
    assert count_attempts((by_ip, "203.0.113.9"), (by_email, "a@example.org")) == [1, 1]
    ran = _commands_run(client) - before
    assert ran["cmdstat_eval"] == 1
    assert ran["cmdstat_incr"] == 2 and ran["cmdstat_expire"] == 2
    ip_key = redis_default_cache.make_and_validate_key(by_ip._cache_key("203.0.113.9"))
    email_key = redis_default_cache.make_and_validate_key(by_email._cache_key("a@example.org"))
    assert 590 < client.ttl(ip_key) <= 600
    assert 50 < client.ttl(email_key) <= 60

    assert count_attempts((by_ip, "203.0.113.9"), (by_email, "b@example.org")) == [2, 1]
    ran = _commands_run(client) - before
    assert ran["cmdstat_expire"] == 3  # the window is not moved on by later counts
    assert by_ip.is_blocked("203.0.113.9")  # the cache's own reads see the counts
    assert not by_email.is_blocked("a@example.org")
    assert any_count_is_over((by_ip, "203.0.113.9"), (by_email, "a@example.org"))
    assert not any_count_is_over((by_email, "a@example.org"))
    by_ip.reset("203.0.113.9")
    assert count_attempts((by_ip, "203.0.113.9")) == [1]


@pytest.mark.xdist_group("one_redis")
def test_checkout_limit_on_redis_refuses_the_order_over_it(redis_default_cache, settings, rf):
    settings.EVENTS_CHECKOUT_LIMIT_PER_IP = 2
    settings.EVENTS_CHECKOUT_LIMIT_PER_EMAIL = 10
    request = rf.post("/", REMOTE_ADDR="198.51.100.7")
    count_checkout(request, email="one@example.org")
    count_checkout(request, email="two@example.org")
    with pytest.raises(LimitReached):
        count_checkout(request, email="three@example.org")


SCANNER_EMAIL = '"><scr<script>ipt>(alert)(/x/)//</scr</script>ipt>'


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", PASSWORD, "This field is required."),
        ("ada@example.org", "", "This field is required."),
        ("", "", "This field is required."),
        ("ada\x00@example.org", PASSWORD, "Null characters are not allowed."),
        ("ada@example.org", "pass\x00word", "Null characters are not allowed."),
        (SCANNER_EMAIL, "", "This field is required."),
        (SCANNER_EMAIL, PASSWORD, "not right"),
    ],
    ids=[
        "no-email",
        "no-password",
        "nothing",
        "nul-email",
        "nul-password",
        "scanner",
        "scanner+pw",
    ],
)
def test_sign_in_with_a_field_that_fails_validation_is_a_400_with_its_message(
    client, member, email, password, message
):
    # The form is novalidate: a browser sends empty fields as they are.
    response = sign_in(client, email, password)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_sign_in_with_an_empty_password_is_a_form_error_not_a_500(client, staff_user):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "staff@example.org", "password": ""}
    )
    assert response.status_code in (200, 400)
    assert "This field is required." in response.content.decode()
