"""Every rate limit of the site, in one table (`LIMITS`), and the client address they count.

A limit allows so many attempts per key (an account, an email address, a client address)
in a fixed window that the first attempt opens; the numbers are settings where they are
configurable (the table names them, nsca/settings.py gives each its one default), read
at each use so a changed setting applies at once. The API:

- `limit(name).is_over(key)`: would an attempt now be over the limit? Nothing is counted
  (sign-in asks this first and counts only failures).
- `limit(name).hit(key)`: count this attempt; True when it is over the limit. Counted first
  and judged after (the cache's increment is atomic), so attempts at the same moment
  cannot all pass a check made before any of them was counted.
- `hit_all((name, key), ...)` and `any_over((name, key), ...)`: the same for several limits
  in one go (a checkout counts its client address and its email address).
- `limit(name).reset(key)`: the key starts afresh (a successful sign-in clears its account).
- `too_many_attempts(response, *names)`: the one answer to an attempt over a limit, 429
  with `Retry-After`, whatever page says so; a form that refuses such an attempt gives its
  error the code `OVER_LIMIT` (`refused_over_limit(form)` tells).

A key is what the limit's `per` says: for a per-client limit the request itself (counted
as `client_ip(request)`), for a per-email limit the address as typed (case-folded here),
otherwise the caller's key (an account's, a waiting-list entry's). Keys are hashed, so no
email address is stored in the cache in clear.

Counts live in Django's cache through its public API only: `add(key, 1, window)` opens a
count with its window (one round trip on Redis when the key is new), `incr` counts on
(two: Django's Redis backend asks whether the key exists, then increments), `get_many`
reads several counts at once. A checkout (two limits) therefore costs Redis two round
trips for a first-time buyer, four when its address already has a count open (a rush from
one network), six for a buyer back within the hour (tests/association/test_rate_limits.py
counts them with MONITOR): a few tenths of a millisecond more than the one round trip of
the Lua script this replaced, which reached into the backend's private client. If a
count expires between `incr`'s two steps, Redis's INCR makes a new key without an end;
`hit` sees the count of 1 and gives it its window (`touch`), so no count is left forever.

With the shared cache down or hung, every limit still holds, counted in this process alone
(`_process_counts`) until it answers again (association/shared_cache.py: one short
attempt, then not asked for a while, the outage logged once a minute): every form keeps
working, none answers 500, and a guesser meets each process's limit instead of the site's.

Why not django-ratelimit or django-axes: django-ratelimit counts on the same cache API,
but an unreachable cache either raises from its `add` (only a DNS error is caught) or, with
`RATELIMIT_FAIL_OPEN`, lifts every limit; neither counts per process while Redis is down.
It has no way to clear one key's count (a successful sign-in clears its account) and
counts each limit on its own (two round trips each, always). django-axes limits sign-in
alone (checkouts, gifts and newsletter sign-ups are not sign-ins), keys on the username
as typed rather than the account the database matches (a dotless "ı" would open a fresh
count), and keeps attempts in a table or cache of its own. The few lines here do exactly
what the site needs.
"""

import hashlib
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.cache import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse

from .shared_cache import with_shared_cache


class Per(StrEnum):
    """What a limit counts, and so what its key is."""

    CLIENT = "client address"  # the request: counted as `client_ip(request)`
    ACCOUNT = "account"  # membership's account key (the typed address's account, or its text)
    EMAIL = "email address"  # as typed: case-folded and stripped here
    ENTRY = "waiting-list entry"  # the caller's key for one entry


@dataclass(frozen=True)
class Limit:
    """At most `allowed` attempts per key within `window` seconds of the first one. Each
    of `allowed` and `window` is a number or the name of the setting that holds it."""

    name: str
    per: Per
    allowed_by: int | str
    window_by: int | str

    @property
    def allowed(self) -> int:
        return _value(self.allowed_by)

    @property
    def window(self) -> int:
        return _value(self.window_by)

    def is_over(self, key) -> bool:
        """Would an attempt now be over the limit? Nothing is counted."""
        return any_over((self, key))

    def hit(self, key) -> bool:
        """Count one attempt; True when it is over the limit."""
        return hit_all((self, key))[0]

    def reset(self, key) -> None:
        cache_key = self.cache_key(key)
        _on_counts(lambda counts: counts.delete(cache_key))

    def cache_key(self, key) -> str:
        if self.per is Per.CLIENT and isinstance(key, HttpRequest):
            # The request, or its address already read (`client_ip`) by whoever has it.
            key = client_ip(key)
        elif self.per is Per.EMAIL:
            key = key.strip().casefold()
        digest = hashlib.sha256(str(key).encode("utf-8")).hexdigest()
        return f"throttle:{self.name}:{digest}"


def _value(number_or_setting: int | str) -> int:
    if isinstance(number_or_setting, str):
        return getattr(settings, number_or_setting)
    return number_or_setting


LIMITS: dict[str, Limit] = {
    limit.name: limit
    for limit in (
        # Wrong passwords (sign-in, the site's and the admin's, and the current password on
        # the password and email change forms): counted on failure only.
        Limit(
            "signin-account",
            Per.ACCOUNT,
            "MEMBERSHIP_SIGNIN_LIMIT_PER_ACCOUNT",
            "MEMBERSHIP_SIGNIN_WINDOW_SECONDS",
        ),
        Limit(
            "signin-ip",
            Per.CLIENT,
            "MEMBERSHIP_SIGNIN_LIMIT_PER_IP",
            "MEMBERSHIP_SIGNIN_WINDOW_SECONDS",
        ),
        # Password-reset requests: over the account's limit, the same answer but no email;
        # over the client's, a 429 page.
        Limit(
            "reset-account",
            Per.ACCOUNT,
            "MEMBERSHIP_PASSWORD_RESET_LIMIT_PER_ADDRESS",
            "MEMBERSHIP_PASSWORD_RESET_WINDOW_SECONDS",
        ),
        Limit(
            "reset-ip",
            Per.CLIENT,
            "MEMBERSHIP_PASSWORD_RESET_LIMIT_PER_IP",
            "MEMBERSHIP_PASSWORD_RESET_WINDOW_SECONDS",
        ),
        # Checkouts that may make an order (tickets/limits.py: against hoarding).
        Limit(
            "checkout-ip",
            Per.CLIENT,
            "EVENTS_CHECKOUT_LIMIT_PER_IP",
            "EVENTS_CHECKOUT_WINDOW_SECONDS",
        ),
        Limit(
            "checkout-email",
            Per.EMAIL,
            "EVENTS_CHECKOUT_LIMIT_PER_EMAIL",
            "EVENTS_CHECKOUT_WINDOW_SECONDS",
        ),
        # Gifts begun (card testers try stolen numbers as small gifts).
        Limit(
            "donation-ip", Per.CLIENT, "DONATIONS_LIMIT_PER_IP", "DONATIONS_LIMIT_WINDOW_SECONDS"
        ),
        # Newsletter sign-ups: each may send a confirmation email to any address.
        Limit(
            "newsletter-ip", Per.CLIENT, "NEWS_SIGNUP_LIMIT_PER_IP", "NEWS_SIGNUP_WINDOW_SECONDS"
        ),
        # "You are already on the waiting list" emails: one a day per entry.
        Limit("waitlist-already", Per.ENTRY, 1, 24 * 60 * 60),
    )
}


def limit(name: str) -> Limit:
    return LIMITS[name]


Attempt = tuple[Limit | str, object]
"""A limit (or its name) and the key an attempt is counted under."""


def _resolved(attempts: Iterable[Attempt]) -> list[tuple[Limit, str]]:
    return [
        (rule, rule.cache_key(key))
        for rule, key in ((LIMITS[r] if isinstance(r, str) else r, key) for r, key in attempts)
    ]


def hit_all(*attempts: Attempt) -> list[bool]:
    """Count one attempt against each `(limit, key)`; for each, whether it went over."""
    resolved = _resolved(attempts)

    def count(counts: BaseCache) -> list[int]:
        return [_count(counts, cache_key, rule.window) for rule, cache_key in resolved]

    counted = _on_counts(count)
    return [n > rule.allowed for n, (rule, _key) in zip(counted, resolved, strict=True)]


def any_over(*attempts: Attempt) -> bool:
    """Would an attempt now be over any of these limits? One read of them all, nothing
    counted."""
    resolved = _resolved(attempts)
    found = _on_counts(lambda counts: counts.get_many([key for _rule, key in resolved]))
    return any(found.get(key, 0) >= rule.allowed for rule, key in resolved)


def _count(counts: BaseCache, cache_key: str, window: int) -> int:
    if counts.add(cache_key, 1, window):  # the first attempt opens the window
        return 1
    try:
        counted = counts.incr(cache_key)
    except ValueError:  # it ended between add and incr: this attempt opens the next
        counts.add(cache_key, 1, window)
        return 1
    if counted == 1:
        # It ended between incr's check and its increment, and Redis made a new count
        # without an end: give it its window.
        counts.touch(cache_key, window)
    return counted


# The counts while the shared cache cannot be reached: this process's own, bounded in size
# (LocMemCache culls the oldest), forgotten when the shared cache is back.
_process_counts = LocMemCache("rate-limits-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def _on_counts(operation):
    """`operation(cache)` on the shared cache, or on this process's counts while it is down."""
    return with_shared_cache(operation, fallback=lambda: operation(_process_counts))


OVER_LIMIT = "throttled"
"""The code of a form's error that refuses an attempt over a limit (`refused_over_limit`)."""


def refused_over_limit(form) -> bool:
    """Did `form` refuse its data for being an attempt over a limit (an error, on any field
    or none, with the code `OVER_LIMIT`)? Then its page is `too_many_attempts`'s."""
    return any(
        error.code == OVER_LIMIT for errors in form.errors.as_data().values() for error in errors
    )


def too_many_attempts(response: HttpResponse, *names: str) -> HttpResponse:
    """`response`, the page that says so, as the answer to an attempt over the limits
    `names`: a 429, and `Retry-After` the longest of their windows (at most that long to
    wait, since each window opened at its first attempt)."""
    response.status_code = 429
    if names:
        response["Retry-After"] = str(max(LIMITS[name].window for name in names))
    return response


IPV6_PREFIX_LENGTH = 64
"""An IPv6 client is counted by its network of this size: the usual assignment to one
subscriber (a home, a phone), every address of which is the client's to use."""


def client_ip(request: HttpRequest) -> str:
    """The client that sent `request`, as every per-client limit counts it: its IPv4
    address, or its IPv6 /64 network (`IPV6_PREFIX_LENGTH`), written "2001:db8:1:2::/64".

    Behind the proxy (`BEHIND_PROXY` on), REMOTE_ADDR is the proxy's own address, the same
    for everyone; the proxy appends the address it saw to X-Forwarded-For, so the
    right-most entry is the one thing in that header the client cannot choose (entries to
    its left are the client's own words). With `BEHIND_PROXY` off the header is never read.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        try:
            return _counted_as(ipaddress.ip_address(last))
        except ValueError:
            pass  # no header, or a proxy misconfigured: fall back to the connection's peer
    peer = request.META.get("REMOTE_ADDR", "")
    try:
        return _counted_as(ipaddress.ip_address(peer))
    except ValueError:
        return peer or "unknown"


def _counted_as(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1
        return str(address.ipv4_mapped)
    # From the integer, so a zone ("fe80::1%eth0") is dropped with the host bits.
    host_bits = 128 - IPV6_PREFIX_LENGTH
    network = int(address) >> host_bits << host_bits
    return str(ipaddress.IPv6Network((network, IPV6_PREFIX_LENGTH)))
