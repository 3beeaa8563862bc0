"""The shared cache (Redis in production) when it is down or hangs: one short attempt, then
the site does without it for a while, without asking again.

Every use of the shared cache that must not fail a request goes through
`with_shared_cache` (the page cache's version, rate-limit counts, QR codes, /healthz), so
the rule lives here once:

- A call is one short attempt: the Redis client makes no retries and its socket timeouts
  are short (`CACHE_SOCKET_TIMEOUT`, nsca/settings.py CACHES).
- A call that fails (refused, timed out, dropped) opens this process's breaker for
  `OPEN_SECONDS`: until then every call gets its fallback at once, without touching Redis,
  so a hung Redis costs a worker one timeout per `OPEN_SECONDS`, not one per cache read.
  The first call after that asks Redis again (one attempt): an answer closes the breaker,
  a failure opens it for another `OPEN_SECONDS`.
- What each caller does without the cache is its own fallback: the page cache renders
  every page, rate limits count in this process only, QR codes are made again.
- The outage is logged when the breaker opens, at most once per `LOG_EVERY_SECONDS` per
  process, never once per request; its end once. `/healthz` reports the cache as degraded
  (`shared_cache_answers`).

Each breaker belongs to one cache (its alias and location), so a test or a second cache
pointed at a dead server does not switch off the others.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import BaseCache, caches

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a dependency; a cache without it
    CACHE_ERRORS: tuple[type[BaseException], ...] = (OSError,)
else:
    # redis-py's ConnectionError and TimeoutError are RedisErrors; OSError for a socket
    # error it lets through. Anything else is a bug and is raised as such.
    CACHE_ERRORS = (RedisError, OSError)

OPEN_SECONDS = 30
"""How long a process goes without the shared cache after a failed call."""

LOG_EVERY_SECONDS = 60
"""At most one warning per this many seconds per process while the cache is down."""

HEALTH_KEY = "healthz:probe"

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Breaker:
    """Whether one cache is to be left alone for now, in this process."""

    def __init__(self, name: str):
        self.name = name
        self.opened_at: float | None = None
        self.logged_at: float | None = None
        self.lock = threading.Lock()

    def is_open(self, now: float) -> bool:
        # Wall time (time-machine moves it in tests); a clock set back asks again at once.
        return self.opened_at is not None and 0 <= now - self.opened_at < OPEN_SECONDS

    def open(self, error: BaseException, now: float) -> None:
        with self.lock:
            self.opened_at = now
            if self.logged_at is not None and 0 <= now - self.logged_at < LOG_EVERY_SECONDS:
                return
            self.logged_at = now
        logger.warning(
            "Shared cache %s unreachable (%s: %s): going without it for %s seconds "
            "(pages rendered, rate limits counted per process)",
            self.name,
            type(error).__name__,
            error,
            OPEN_SECONDS,
        )

    def close(self) -> None:
        if self.opened_at is None:
            return
        with self.lock:
            self.opened_at = None
        logger.warning("Shared cache %s answers again", self.name)


_breakers: dict[tuple[str, str], Breaker] = {}


def breaker_for(alias: str) -> Breaker:
    location = str(settings.CACHES.get(alias, {}).get("LOCATION", ""))
    key = (alias, location)
    breaker = _breakers.get(key)
    if breaker is None:
        breaker = _breakers.setdefault(key, Breaker(f"{alias!r} ({location})"))
    return breaker


def with_shared_cache(
    operation: Callable[[BaseCache], T], *, fallback: Callable[[], T], alias: str = "default"
) -> T:
    """`operation(cache)` on the shared cache; `fallback()` when that fails, or failed less
    than `OPEN_SECONDS` ago in this process (then the cache is not asked at all)."""
    breaker = breaker_for(alias)
    now = time.time()
    if breaker.is_open(now):
        return fallback()
    try:
        result = operation(caches[alias])
    except CACHE_ERRORS as error:
        breaker.open(error, now)
        return fallback()
    breaker.close()
    return result


def shared_cache_answers(alias: str = "default") -> bool:
    """False while the shared cache is down for this process (for /healthz): one read,
    unless a call failed less than `OPEN_SECONDS` ago."""

    def probe(shared: BaseCache) -> bool:
        shared.get(HEALTH_KEY)
        return True

    return with_shared_cache(probe, fallback=lambda: False, alias=alias)
