"""Sign-in rate limits: failed attempts counted per account and per IP address.

Counts live in Django's cache (a shared cache such as Redis or the database cache in a
multi-process deployment) in fixed windows; the first failure opens the window. Keys are
hashed so no email address is stored in the cache in clear.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


class AttemptLimiter:
    """At most `limit` failures per key within `window_seconds` of the first one."""

    def __init__(self, scope: str, *, limit: int, window_seconds: int):
        self.scope = scope
        self.limit = limit
        self.window_seconds = window_seconds

    def _cache_key(self, key: str) -> str:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return f"throttle:{self.scope}:{digest}"

    def is_blocked(self, key: str) -> bool:
        return cache.get(self._cache_key(key), 0) >= self.limit

    def record_failure(self, key: str) -> int:
        cache_key = self._cache_key(key)
        if cache.add(cache_key, 1, self.window_seconds):
            return 1
        try:
            return cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, self.window_seconds)
            return 1

    def reset(self, key: str) -> None:
        cache.delete(self._cache_key(key))


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


def client_ip(request) -> str:
    # REMOTE_ADDR only: a proxy in front must set it (e.g. gunicorn --forwarded-allow-ips),
    # because X-Forwarded-For is chosen by the client.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _account_key(email: str) -> str:
    return (email or "").strip().lower()


def signin_is_blocked(request, email: str) -> bool:
    return account_limiter().is_blocked(_account_key(email)) or ip_limiter().is_blocked(
        client_ip(request)
    )


def record_failed_signin(request, email: str) -> None:
    account_limiter().record_failure(_account_key(email))
    ip_limiter().record_failure(client_ip(request))


def clear_account_failures(email: str) -> None:
    """After a successful sign-in the account starts afresh; the IP count stays, so one
    valid account cannot be used to reset an address that is guessing others."""
    account_limiter().reset(_account_key(email))
