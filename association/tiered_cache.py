"""A cache backend in two tiers: this process's memory first, then the shared cache (Redis).

The page cache keeps its pages here (CACHES["pages"], association/page_cache.py): a page
one worker rendered is in Redis for every worker and server (served even while the
database is down), and a page this worker served once is answered from its own memory
without a round trip. A local copy is never stale after an edit: the page cache's keys
carry the versions of what a page shows, so after a bump the old key is simply not asked
for again (and the local copy ages out).

The shared tier stores each value with the moment it expires, and a copy taken into the
local tier keeps that moment: a page bounded by a venue reveal is not kept past it in any
tier. Calls to the shared tier go through association/shared_cache.py: with Redis down or
hung, the local tier alone answers, and nothing fails.
"""

import itertools
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache

from .shared_cache import with_shared_cache

_MISSING = object()
_names = itertools.count()


class _LocalTier(LocMemCache):
    def validate_key(self, key):
        pass  # the key was made and checked by the TieredCache in front


class TieredCache(BaseCache):
    """OPTIONS: SHARED, the alias of the shared cache ("default"); LOCAL_ENTRIES, how many
    values this process keeps in memory (2000)."""

    def __init__(self, location, params):
        options = dict(params.get("OPTIONS") or {})
        self.shared_alias = options.pop("SHARED", "default")
        local_entries = options.pop("LOCAL_ENTRIES", 2000)
        super().__init__({**params, "OPTIONS": options})
        self.local = _LocalTier(
            f"tiered-{location or ''}-{next(_names)}",
            {"TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": local_entries}},
        )

    def validate_key(self, key):
        """Keys are the page cache's own (short digests): not checked on every hit."""

    def _shared(self, operation, fallback=None):
        return with_shared_cache(operation, fallback=lambda: fallback, alias=self.shared_alias)

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        value = self.local.get(key, _MISSING)
        if value is not _MISSING:
            return value
        found = self._shared(lambda shared: shared.get(key))
        if found is None:
            return default
        expires, value = found
        left = expires - time.time()
        if left <= 0:
            return default
        self.local.set(key, value, left)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        expires = float("inf") if timeout is None else time.time() + timeout
        self.local.set(key, value, timeout)
        if timeout is None or timeout > 0:
            self._shared(lambda shared: shared.set(key, (expires, value), timeout))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if self.has_key(key, version=version):
            return False
        self.set(key, value, timeout, version)
        return True

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return False  # a value keeps the moment it expires, in both tiers

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        local = self.local.delete(key)
        return bool(self._shared(lambda shared: shared.delete(key), fallback=False)) or local

    def has_key(self, key, version=None):
        return self.get(key, _MISSING, version=version) is not _MISSING

    def clear(self):
        """This process's tier only: the shared cache holds other caches' keys too (expired
        pages age out there; an edit's bump makes the others unreachable)."""
        self.local.clear()
