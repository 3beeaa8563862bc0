"""The site's rate limits (association/rate_limits.py): one table, counted through Django's
public cache API in fixed windows, per process while the shared cache is down, a 429 with
Retry-After for an attempt over one, and the client address every per-client limit counts."""

import datetime
import uuid

import pytest
import redis
import time_machine
from django.conf import settings as django_settings
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponse
from django.test import RequestFactory

from association import rate_limits
from association.rate_limits import (
    LIMITS,
    Limit,
    Per,
    any_over,
    client_ip,
    hit_all,
    limit,
    too_many_attempts,
)
from tickets.limits import LimitReached, count_checkout


def request_from(remote_addr, forwarded_for=None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **headers)


# --- the table ---


def test_every_limit_in_the_table_reads_a_setting_or_a_number_that_exists():
    for rule in LIMITS.values():
        assert isinstance(rule.allowed, int) and rule.allowed > 0, rule.name
        assert isinstance(rule.window, int) and rule.window > 0, rule.name


def test_the_table_keeps_every_setting_name_and_its_default():
    assert {name: (rule.allowed_by, rule.window_by) for name, rule in LIMITS.items()} == {
        "signin-account": (
            "MEMBERSHIP_SIGNIN_LIMIT_PER_ACCOUNT",
            "MEMBERSHIP_SIGNIN_WINDOW_SECONDS",
        ),
        "signin-ip": ("MEMBERSHIP_SIGNIN_LIMIT_PER_IP", "MEMBERSHIP_SIGNIN_WINDOW_SECONDS"),
        "reset-account": (
            "MEMBERSHIP_PASSWORD_RESET_LIMIT_PER_ADDRESS",
            "MEMBERSHIP_PASSWORD_RESET_WINDOW_SECONDS",
        ),
        "reset-ip": (
            "MEMBERSHIP_PASSWORD_RESET_LIMIT_PER_IP",
            "MEMBERSHIP_PASSWORD_RESET_WINDOW_SECONDS",
        ),
        "checkout-ip": ("EVENTS_CHECKOUT_LIMIT_PER_IP", "EVENTS_CHECKOUT_WINDOW_SECONDS"),
        "checkout-email": ("EVENTS_CHECKOUT_LIMIT_PER_EMAIL", "EVENTS_CHECKOUT_WINDOW_SECONDS"),
        "donation-ip": ("DONATIONS_LIMIT_PER_IP", "DONATIONS_LIMIT_WINDOW_SECONDS"),
        "newsletter-ip": ("NEWS_SIGNUP_LIMIT_PER_IP", "NEWS_SIGNUP_WINDOW_SECONDS"),
        "waitlist-already": (1, 86400),
    }
    # The defaults, as nsca/settings.py gives them (the suite does not change them).
    assert [limit(name).allowed for name in ("signin-account", "signin-ip")] == [5, 20]
    assert limit("signin-ip").window == 900
    assert limit("checkout-email").allowed == 5 and limit("checkout-email").window == 3600


def test_a_limit_reads_its_setting_at_each_use(settings):
    settings.DONATIONS_LIMIT_PER_IP = 1
    request = request_from("192.0.2.10")
    assert not limit("donation-ip").hit(request)
    assert limit("donation-ip").hit(request)
    settings.DONATIONS_LIMIT_PER_IP = 3
    assert not limit("donation-ip").hit(request)  # the third of three


# --- counting ---


def test_a_limit_is_over_after_its_share_and_resets():
    rule = Limit("test", Per.ACCOUNT, 2, 60)
    assert not rule.is_over("k")
    assert not rule.hit("k")
    assert not rule.is_over("k")
    assert not rule.hit("k")  # the second of two: allowed
    assert rule.is_over("k")  # a third now would be over
    assert rule.hit("k")
    assert not rule.is_over("other")
    rule.reset("k")
    assert not rule.is_over("k")


def test_the_window_opens_at_the_first_attempt_and_ends_after_it():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)) as clock:
        rule = Limit("test-window", Per.ACCOUNT, 1, 60)
        rule.hit("k")
        clock.shift(30)
        rule.hit("k")  # counted, but the window is not moved on
        assert rule.is_over("k")
        clock.shift(31)
        assert not rule.is_over("k")


def test_limits_do_not_share_counts():
    Limit("a", Per.ACCOUNT, 1, 60).hit("k")
    assert not Limit("b", Per.ACCOUNT, 1, 60).is_over("k")


def test_a_per_email_limit_counts_an_address_whatever_its_case_and_spaces():
    rule = Limit("test-email", Per.EMAIL, 2, 60)
    rule.hit("Pat@Example.org")
    rule.hit(" pat@example.ORG ")
    assert rule.is_over("PAT@EXAMPLE.ORG")


def test_a_per_client_limit_counts_the_requests_client_address():
    rule = Limit("test-client", Per.CLIENT, 1, 60)
    rule.hit(request_from("2001:db8:1:2::1"))
    assert rule.is_over(request_from("2001:db8:1:2::99"))  # the same /64
    assert not rule.is_over(request_from("2001:db8:1:3::1"))


def test_hit_all_counts_each_and_says_which_went_over():
    by_client = Limit("test-all-client", Per.CLIENT, 1, 60)
    by_email = Limit("test-all-email", Per.EMAIL, 5, 60)
    request = request_from("192.0.2.7")
    assert hit_all((by_client, request), (by_email, "a@example.org")) == [False, False]
    assert hit_all((by_client, request), (by_email, "b@example.org")) == [True, False]
    assert any_over((by_client, request), (by_email, "c@example.org"))
    assert not any_over((by_email, "a@example.org"))


def test_no_address_is_kept_in_the_cache_in_clear():
    key = Limit("test", Per.EMAIL, 1, 60).cache_key("Pat@Example.org")
    assert "pat" not in key.casefold() and "example" not in key


class IncrementsAnEndedCountAsRedisDoes(LocMemCache):
    """A cache whose count ends between `incr`'s check that it exists and its increment:
    Redis's INCR then makes a new key, with no end."""

    def incr(self, key, delta=1, version=None):
        self.set(key, delta, timeout=None, version=version)
        return delta


def test_a_count_made_anew_by_incr_is_given_its_window(monkeypatch):
    counts = IncrementsAnEndedCountAsRedisDoes("ended-count", {})
    monkeypatch.setattr(rate_limits, "_on_counts", lambda operation: operation(counts))
    rule = Limit("test-touch", Per.ACCOUNT, 5, 60)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)) as clock:
        rule.hit("k")  # opens the count (add)
        rule.hit("k")  # incr finds it gone and makes it again: 1, without an end
        assert counts.get(rule.cache_key("k")) == 1
        clock.shift(61)
        assert counts.get(rule.cache_key("k")) is None  # it has its window all the same


# --- the answer ---


def test_too_many_attempts_is_a_429_with_the_longest_window_to_wait(settings):
    settings.EVENTS_CHECKOUT_WINDOW_SECONDS = 600
    settings.NEWS_SIGNUP_WINDOW_SECONDS = 1200
    page = too_many_attempts(HttpResponse("Too many"), "checkout-ip", "newsletter-ip")
    assert page.status_code == 429
    assert page["Retry-After"] == "1200"
    assert page.content == b"Too many"
    # A limit that waiting does not lift (paying does) names no time.
    assert not too_many_attempts(HttpResponse()).has_header("Retry-After")


def test_a_form_refused_over_a_limit_is_told_apart_from_one_with_wrong_data():
    from django import forms
    from django.core.exceptions import ValidationError

    class GuessForm(forms.Form):
        password = forms.CharField()

    over = GuessForm({"password": "x"})
    over.is_valid()
    over.add_error("password", ValidationError("Too many", code=rate_limits.OVER_LIMIT))
    wrong = GuessForm({})
    assert rate_limits.refused_over_limit(over)
    assert not wrong.is_valid() and not rate_limits.refused_over_limit(wrong)


# --- the shared cache down: counted in this process ---


def test_with_the_shared_cache_down_counts_go_on_in_this_process(shared_cache_down):
    rule = Limit("test-down", Per.ACCOUNT, 2, 60)
    assert hit_all((rule, "k"), (rule, "k")) == [False, False]
    assert rule.is_over("k")
    assert rate_limits._process_counts.get(rule.cache_key("k")) == 2


# --- on Redis: the public API only, and its round trips measured ---


@pytest.fixture
def redis_default_cache(settings):
    """The shared cache production runs on (Redis), under a prefix of this test's own."""
    from django.core.cache import caches

    prefix = f"rate-limits-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "association.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/13",
            "KEY_PREFIX": prefix,
        }
    }
    yield caches["default"]
    server = redis.Redis.from_url("redis://127.0.0.1:6379/13")
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def commands_sent(prefix, operation) -> list[str]:
    """The commands Redis received for keys under `prefix` while `operation()` ran (its
    MONITOR feed, which other clients of the server do not disturb): each is one round
    trip, since Django's Redis backend pipelines none of these."""
    server = redis.Redis.from_url("redis://127.0.0.1:6379/13", socket_timeout=5)
    end = f"{prefix}:end-{uuid.uuid4().hex}"
    with server.monitor() as feed:
        operation()
        server.get(end)
        seen = []
        while end not in (command := feed.next_command()["command"]):
            if prefix in command:
                seen.append(command.split()[0])
    return seen


def test_a_checkouts_two_limits_cost_two_round_trips_for_a_new_buyer(redis_default_cache):
    """A first-time buyer: each count is opened with its window in one command (SET NX
    EX). A returning one: SET NX finds the count, then Django's incr asks EXISTS and INCRBYs
    it: three each. The figures the module's docstring gives."""
    prefix = django_settings.CACHES["default"]["KEY_PREFIX"]
    request = request_from("198.51.100.7")

    def checkout(email):
        return lambda: hit_all(("checkout-ip", request), ("checkout-email", email))

    assert commands_sent(prefix, checkout("new@example.org")) == ["SET", "SET"]
    returning = commands_sent(prefix, checkout("new@example.org"))
    assert returning == ["SET", "EXISTS", "INCRBY"] * 2


def test_on_redis_each_count_ends_with_its_window_and_later_counts_do_not_move_it(
    redis_default_cache,
):
    server = redis.Redis.from_url("redis://127.0.0.1:6379/13")
    by_client = Limit("test-ip", Per.CLIENT, 2, 600)
    by_email = Limit("test-email", Per.EMAIL, 5, 60)
    request = request_from("203.0.113.9")
    assert hit_all((by_client, request), (by_email, "a@example.org")) == [False, False]
    client_key = redis_default_cache.make_and_validate_key(by_client.cache_key(request))
    email_key = redis_default_cache.make_and_validate_key(by_email.cache_key("a@example.org"))
    assert 590 < server.ttl(client_key) <= 600
    assert 50 < server.ttl(email_key) <= 60
    server.expire(client_key, 500)  # as if 100 seconds had passed
    assert hit_all((by_client, request), (by_email, "b@example.org")) == [False, False]
    assert server.ttl(client_key) <= 500  # counting on does not move the window on
    assert by_client.is_over(request)  # the cache's own reads see the counts
    assert hit_all((by_client, request)) == [True]
    by_client.reset(request)
    assert not by_client.is_over(request)


def test_checkout_limit_on_redis_refuses_the_order_over_it(redis_default_cache, settings, rf):
    settings.EVENTS_CHECKOUT_LIMIT_PER_IP = 2
    settings.EVENTS_CHECKOUT_LIMIT_PER_EMAIL = 10
    ip = client_ip(rf.post("/", REMOTE_ADDR="198.51.100.7"))
    count_checkout(ip=ip, email="one@example.org")
    count_checkout(ip=ip, email="two@example.org")
    with pytest.raises(LimitReached):
        count_checkout(ip=ip, email="three@example.org")


# --- the client's address: X-Forwarded-For only behind the proxy (issue 12, item 13) ---


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


def test_client_ip_behind_the_proxy_falls_back_to_the_peer_without_a_usable_header(settings):
    settings.BEHIND_PROXY = True
    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"
    assert client_ip(request_from("10.0.0.2", "203.0.113.9, not-an-address")) == "10.0.0.2"
