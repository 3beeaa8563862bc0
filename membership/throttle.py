"""Rate limits on guessing and on mail-sending requests, and the client address they count.

Sign-in failures (and wrong current passwords on the password and email change forms) are
counted per account and per IP address; password-reset requests per account and per IP
address. The per-account count is keyed on the account the typed address MATCHES (as the
sign-in backend finds it, through the database's case folding), not on the text typed, so
no other spelling of an address (a dotless "ı" that PostgreSQL folds to "I") opens a fresh
count. An address that matches no account is keyed on its folded text.

`client_ip(request)` is the one answer to "which client is this request from?" for every
per-IP limit in the project (events, donations and news import it too): an IPv4 address,
or for IPv6 the /64 network the address is in, since one subscriber is usually given a
whole /64 and may pick any of its 2^64 addresses for each request. It reads X-Forwarded-For
only when `BEHIND_PROXY` is on, since without a proxy that header is whatever the client
wrote.

Counts live in Django's cache (a shared cache such as Redis or the database cache in a
multi-process deployment) in fixed windows; the first attempt opens the window. Keys are
hashed so no email address is stored in the cache in clear. `count_attempts` counts
several at once: on Redis in one round trip (a checkout counts two, in a ticket rush).

With the shared cache down or hung, limits still hold, counted in this process alone
(`_process_counts`) until it answers again (association/shared_cache.py: one short
attempt, then not asked for a while, the outage logged once a minute): every form keeps
working, none answers 500, and a guesser meets the limit of each process instead of the
site's.
"""

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from association.shared_cache import with_shared_cache

from .models import User

# The counts while the shared cache cannot be reached: this process's own, bounded in size
# (LocMemCache culls the oldest), forgotten when the shared cache is back.
_process_counts = LocMemCache("throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def _on_counts(operation):
    """`operation(cache)` on the shared cache, or on this process's counts while it is down."""
    return with_shared_cache(operation, fallback=lambda: operation(_process_counts))


class AttemptLimiter:
    """At most `limit` attempts per key within `window_seconds` of the first one."""

    def __init__(self, scope: str, *, limit: int, window_seconds: int):
        self.scope = scope
        self.limit = limit
        self.window_seconds = window_seconds

    def _cache_key(self, key: str) -> str:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return f"throttle:{self.scope}:{digest}"

    def is_blocked(self, key: str) -> bool:
        cache_key = self._cache_key(key)
        return _on_counts(lambda counts: counts.get(cache_key, 0)) >= self.limit

    def record_failure(self, key: str) -> int:
        """Count one attempt (a failure, or a request where every request counts)."""
        cache_key = self._cache_key(key)
        return _on_counts(lambda counts: self._count_in(counts, cache_key))

    def _count_in(self, counts: BaseCache, cache_key: str) -> int:
        if counts.add(cache_key, 1, self.window_seconds):
            return 1
        try:
            return counts.incr(cache_key)
        except ValueError:  # expired between add and incr
            counts.add(cache_key, 1, self.window_seconds)
            return 1

    def count_is_over(self, key: str) -> bool:
        """Count this attempt, then say whether it is one too many. Counting first (the
        cache's increment is atomic) means attempts at the same moment cannot all pass a
        check made before any of them was counted."""
        return any_count_is_over((self, key))

    def reset(self, key: str) -> None:
        cache_key = self._cache_key(key)
        _on_counts(lambda counts: counts.delete(cache_key))


# Each key: counted, and given its window when this count opened it, atomically (a script
# runs whole), so no count is ever left without an end.
_COUNT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
    counts[i] = redis.call('INCR', key)
    if counts[i] == 1 then
        redis.call('EXPIRE', key, ARGV[i])
    end
end
return counts
"""


def count_attempts(*counted: tuple[AttemptLimiter, str]) -> list[int]:
    """Count one attempt for each `(limiter, key)` pair; the count each has reached. On
    Redis, one round trip for them all; on other caches, `record_failure` for each."""

    def count(counts: BaseCache) -> list[int]:
        if not isinstance(counts, RedisCache):
            return [limiter._count_in(counts, limiter._cache_key(key)) for limiter, key in counted]
        keys = [counts.make_and_validate_key(limiter._cache_key(key)) for limiter, key in counted]
        windows = [limiter.window_seconds for limiter, _key in counted]
        client = counts._cache.get_client(write=True)
        return [int(n) for n in client.eval(_COUNT_SCRIPT, len(keys), *keys, *windows)]

    return _on_counts(count)


def any_count_is_over(*counted: tuple[AttemptLimiter, str]) -> bool:
    """Count one attempt for each `(limiter, key)` pair, then say whether any of them is
    one too many (see `AttemptLimiter.count_is_over`)."""
    counts = count_attempts(*counted)
    return any(n > limiter.limit for n, (limiter, _key) in zip(counts, counted, strict=True))


def account_limiter() -> AttemptLimiter:
    return AttemptLimiter(
        "signin-account",
        limit=settings.MEMBERSHIP_SIGNIN_LIMIT_PER_ACCOUNT,
        window_seconds=settings.MEMBERSHIP_SIGNIN_WINDOW_SECONDS,
    )


def ip_limiter() -> AttemptLimiter:
    return AttemptLimiter(
        "signin-ip",
        limit=settings.MEMBERSHIP_SIGNIN_LIMIT_PER_IP,
        window_seconds=settings.MEMBERSHIP_SIGNIN_WINDOW_SECONDS,
    )


def reset_address_limiter() -> AttemptLimiter:
    return AttemptLimiter(
        "reset-account",
        limit=settings.MEMBERSHIP_PASSWORD_RESET_LIMIT_PER_ADDRESS,
        window_seconds=settings.MEMBERSHIP_PASSWORD_RESET_WINDOW_SECONDS,
    )


def reset_ip_limiter() -> AttemptLimiter:
    return AttemptLimiter(
        "reset-ip",
        limit=settings.MEMBERSHIP_PASSWORD_RESET_LIMIT_PER_IP,
        window_seconds=settings.MEMBERSHIP_PASSWORD_RESET_WINDOW_SECONDS,
    )


IPV6_PREFIX_LENGTH = 64
"""An IPv6 client is counted by its network of this size: the usual assignment to one
subscriber (a home, a phone), every address of which is the client's to use."""


def client_ip(request) -> str:
    """The client that sent `request`, as every per-IP limit counts it: its IPv4 address,
    or its IPv6 /64 network (`IPV6_PREFIX_LENGTH`), written "2001:db8:1:2::/64".

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


def account_key(user) -> str:
    return f"user:{user.pk}"


def typed_address_key(email: str) -> str:
    """The per-account key for an address as typed: the account the sign-in backend would
    match (email__iexact, PostgreSQL's case folding), else the folded text itself."""
    email = (email or "").strip()
    user = User._default_manager.filter(email__iexact=email).only("pk").first() if email else None
    return account_key(user) if user else f"email:{email.casefold()}"


def signin_is_blocked(request, *, key: str) -> bool:
    return account_limiter().is_blocked(key) or ip_limiter().is_blocked(client_ip(request))


def record_failed_signin(request, *, key: str) -> None:
    account_limiter().record_failure(key)
    ip_limiter().record_failure(client_ip(request))


def clear_account_failures(*, key: str) -> None:
    """The account starts afresh (after a successful sign-in, or a password reset, which
    proves the owner holds the mailbox); the IP count stays, so one valid account cannot
    be used to reset an address that is guessing others."""
    account_limiter().reset(key)


def password_reset_ip_is_blocked(request) -> bool:
    return reset_ip_limiter().is_blocked(client_ip(request))


def record_password_reset_request(request, *, key: str) -> bool:
    """Count a reset request against the IP address and the account; False once the
    account has had its share of reset emails in the window (send no more)."""
    reset_ip_limiter().record_failure(client_ip(request))
    limiter = reset_address_limiter()
    if limiter.is_blocked(key):
        return False
    limiter.record_failure(key)
    return True
