"""The page cache: which responses anonymous visitors may be served from the cache, for how
long, and which edits make them stale. Built on Django's cache framework: its cache
middleware (subclassed here), a version in the key prefix, `{% cache %}` for fragments.

This module is the ONE place that decides (DESIGN.md, "Caching"). The rules:

- Only views marked `@public_page(scopes=...)` in their app's views module are ever
  stored; each names the scopes of data its page shows ("events", "news", ...; a scope may
  name a URL argument: "event:{slug}"). Every page shows the association ("site" scope,
  its name and links in the footer), so every page depends on it too.
- Only a GET or HEAD without a query string (or with nothing but `?page=N`), from a
  visitor who is not signed in (no session cookie, no messages cookie), is served from
  or stored in the cache.
- A response is stored only when it is a 200, sets no cookie, did not use the CSRF token
  (a form that carries one), did not use the CSP nonce (it would be reused across
  visitors), and does not say `private`, `no-store` or `no-cache`.
- It is kept no longer than its own `max-age` (events/reveal.py's
  `cache_until_next_reveal` bounds it by the next venue reveal among the events the page
  shows; a page showing a scope registered with `changes_by_itself` (news: the next
  scheduled publication) is bounded by that moment), and `DEFAULT_SECONDS` when it names
  none; a copy served later says what is left of that max-age.
- An edit bumps the version of the scopes it changes (`bump`, called after the commit
  from each app's `post_save`/`post_delete` receivers in `<app>/signals.py`, and by
  name where rows are written in bulk). A page's key prefix carries the versions of its
  scopes, so an edit to the news leaves the events pages cached, and a ticket order
  leaves the home page cached unless the event's state of sales shown on it changes.
- The versions live in the shared cache (Redis); each process re-reads them at most once
  every `VERSION_CHECK_SECONDS`: a hit costs no round trip to Redis for the versions,
  and an edit is seen everywhere within a second.
- Pages are kept in the "pages" cache (association/tiered_cache.py): this process's copy
  first, then the shared one in Redis, so a page one worker rendered is served by every
  worker and server, even while the database is down. While Redis is down edits cannot be
  heard of: nothing is served from or stored in the cache (pages are rendered).

What only changes when data changes is also kept per scope: template fragments with
`{% cache None "name" page_versions.<scope> %}` (in the "template_fragments" cache, this
process only), and values with `computed_once_per_version(key, compute, scopes=...)`;
values that also change with the time (the upcoming events) name when with `until`.
"""

import datetime
import functools
import hashlib
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import MiddlewareNotUsed
from django.db import transaction
from django.middleware.cache import CacheMiddleware
from django.urls import get_urlconf
from django.utils import timezone, translation
from django.utils.cache import get_max_age, patch_response_headers

from .shared_cache import with_shared_cache

SITE = "site"
"""The scope every page depends on: the association's name, address and links."""

DEFAULT_SECONDS = 60
"""How long a page that names no max-age of its own is kept (edits invalidate it sooner)."""

VERSION_CHECK_SECONDS = 1.0
"""How often each process re-reads the scopes' versions: the most an edit can lag."""

PAGES_ALIAS = "pages"
VERSION_KEY_PREFIX = "page-cache:scope:"
PAGINATION_PARAMETER = "page"
ANONYMOUS_ONLY_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
UNSHAREABLE_DIRECTIVES = ("private", "no-store", "no-cache")
_MAX_AGE = re.compile(r"max-age=\d+")


def public_page(*, scopes: Iterable[str]) -> Callable:
    """Mark a view (a function, a class-based view or a Feed class) as a public page
    anonymous visitors may be served from the cache, which shows the data of `scopes`
    (the other rules still apply)."""
    names = frozenset({SITE, *scopes})

    def mark(view):
        view.page_cache_scopes = names
        return view

    return mark


_next_changes: dict[str, Callable[[datetime.datetime], datetime.datetime | None]] = {}


def changes_by_itself(scope: str, next_change: Callable) -> None:
    """Register `next_change(now)`: the next moment the data of `scope` changes without an
    edit (news: a post scheduled for later is published), or None. No page showing the
    scope is kept past it (an app's `signals.py` registers it)."""
    _next_changes[scope] = next_change


def page_scopes(resolver_match) -> list[str] | None:
    """The scopes of the public page this request resolved to (URL arguments filled in),
    or None when it is not one."""
    if resolver_match is None:
        return None
    func = resolver_match.func
    names = getattr(func, "page_cache_scopes", None) or getattr(
        getattr(func, "view_class", None), "page_cache_scopes", None
    )
    if names is None:
        return None
    return sorted(name.format(**resolver_match.kwargs) for name in names)


def may_use_cache(request) -> bool:
    """May this request be served from (and its response stored in) the cache at all?"""
    if request.method not in ("GET", "HEAD"):
        return False
    # The headers are looked at before they are parsed: a hit is the hot path, and most
    # visitors send neither a cookie nor a query string.
    if request.META.get("HTTP_COOKIE") and any(
        name in request.COOKIES for name in ANONYMOUS_ONLY_COOKIES
    ):
        return False
    if request.META.get("QUERY_STRING"):
        query = request.GET
        if list(query) != [PAGINATION_PARAMETER] or len(query.getlist(PAGINATION_PARAMETER)) != 1:
            return False
    return True


def storable_seconds(request, response) -> int:
    """How long this response may be kept for other anonymous visitors; 0 for never."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return 0
    scopes = page_scopes(getattr(request, "resolver_match", None))
    if scopes is None:
        return 0
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return 0
    if isinstance(getattr(request, "_csp_nonce", None), str):
        return 0
    cache_control = response.get("Cache-Control", "").lower()
    if any(directive in cache_control for directive in UNSHAREABLE_DIRECTIVES):
        return 0
    max_age = get_max_age(response)
    seconds = DEFAULT_SECONDS if max_age is None else max(max_age, 0)
    now = timezone.now()
    for scope in scopes:
        next_change = _next_changes.get(scope)
        moment = next_change(now) if next_change is not None else None
        if moment is not None:
            seconds = min(seconds, max(int((moment - now).total_seconds()), 0))
    return seconds


class ScopeVersions:
    """The scopes' versions as this process last read them from the shared cache."""

    def __init__(self, *, cache_alias: str = "default"):
        self.cache_alias = cache_alias
        self.known: dict[str, str] = {}
        self.readable = False
        self.checked_at = float("-inf")
        self.lock = threading.Lock()
        # Bumps this process could not write (the shared cache down): written with the
        # next read, so a process that kept pages through the outage (it served none then)
        # does not serve them after an edit made during it.
        self.owed: set[str] = set()
        # Values kept per scope in this process (`computed_once_per_version`).
        self.computed: dict[object, tuple[tuple, object, float, float]] = {}

    def of(self, scopes: Iterable[str]) -> tuple[str, ...] | None:
        """The versions of `scopes`, re-read at most once a second; None while the shared
        cache cannot be read (nothing is then served or kept)."""
        now = time.time()
        # Wall time (time-machine moves it in tests); a clock set back re-reads at once.
        if not 0 <= now - self.checked_at < VERSION_CHECK_SECONDS:
            self._read(list(self.known), now)
        if not self.readable:
            return None
        missing = [scope for scope in scopes if scope not in self.known]
        if missing:
            self._read(missing, now, refresh=False)
            if not self.readable:
                return None
        return tuple(self.known[scope] for scope in scopes)

    def _read(self, scopes: list[str], now: float, *, refresh: bool = True) -> None:
        def read(shared) -> dict[str, str]:
            if self.owed:
                shared.set_many({_key(scope): uuid.uuid4().hex for scope in self.owed}, None)
                self.owed.clear()
            found = shared.get_many([_key(scope) for scope in scopes])
            versions = {scope: found.get(_key(scope)) for scope in scopes}
            for scope, version in versions.items():
                if version is None:  # never bumped yet, or evicted: a version of its own
                    shared.add(_key(scope), uuid.uuid4().hex, None)
                    versions[scope] = shared.get(_key(scope))
            return versions

        versions = with_shared_cache(read, fallback=lambda: None, alias=self.cache_alias)
        with self.lock:
            if versions is None:
                self.known.clear()
                self.computed.clear()
                self.readable = False
            else:
                self.known.update(versions)
                self.readable = True
            if refresh:
                self.checked_at = now

    def bump(self, scopes: Iterable[str]) -> None:
        """Write new versions for `scopes`: every process drops what it kept of them within
        a second, this one included. Not at once here: in a ticket rush every order bumps
        its event, and a process dropping what it keeps on each of its own orders would
        read and render again for each buyer (its next request may go to another process
        anyway: no process reads its own edits sooner than the others)."""
        scopes = set(scopes)

        def write(shared) -> bool:
            shared.set_many({_key(scope): uuid.uuid4().hex for scope in scopes}, None)
            return True

        if not with_shared_cache(write, fallback=lambda: False, alias=self.cache_alias):
            self.owed |= scopes


def _key(scope: str) -> str:
    return VERSION_KEY_PREFIX + scope


versions = ScopeVersions()


class _Pending:
    """What a transaction collected for `action`, handed to it once after the commit."""

    def __init__(self, action: Callable[[set], None]):
        self.action = action
        self.items: set = set()

    def __call__(self):
        self.action(self.items)


def on_commit_once(action: Callable[[set], None], items: Iterable, *, using=None) -> None:
    """`action(items)` once the current transaction commits (at once outside one), with
    the items of every call made during it together: one bump for a transaction's many
    saves, never before the data is visible, never for a rollback. `robust`: a bump that
    fails is logged and never turns a committed write into an error page (Redis down: owed,
    see ScopeVersions.bump)."""
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        for _sids, func, _robust in connection.run_on_commit:
            if isinstance(func, _Pending) and func.action == action:
                func.items.update(items)
                return
    pending = _Pending(action)
    pending.items.update(items)
    transaction.on_commit(pending, using=using, robust=True)


def bump(*scopes: str, using: str | None = None) -> None:
    """The data of `scopes` changed (or will, when the current transaction commits): every
    page and fragment showing them is rendered again. The apps' receivers call it on each
    save and delete; code writing rows in bulk (`.update()`, `bulk_create`) calls it by
    name, since no signal fires for those."""
    on_commit_once(versions.bump, scopes, using=using)


def bump_on_change(*models, scopes: Iterable[str]) -> None:
    """Connect `post_save` and `post_delete` of `models` to a bump of `scopes` (for an app's
    `signals.py`: the data of those models is what those scopes show)."""
    from django.db.models.signals import post_delete, post_save  # noqa: PLC0415

    names = tuple(scopes)

    def receiver(sender, **kwargs):
        bump(*names, using=kwargs.get("using"))

    for model in models:
        uid = f"page_cache:{model._meta.label}:{','.join(names)}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=uid)


def computed_once_per_version(
    key,
    compute: Callable[[], object],
    *,
    scopes: Iterable[str],
    until: Callable[[object], object] | None = None,
):
    """`compute()`'s value, kept in this process until a version of `scopes` changes (an
    edit, seen within a second). It must depend on stored data of those scopes only, never
    on the request; with the page cache off it is computed every time.

    A value that also depends on the time (the events that have not ended yet, the
    waiting-list offers still open) names with `until(value)` the first moment it may
    stop being true without any edit (an aware datetime; None: never). It is computed
    afresh from then on, and for any moment before the one it was computed at (a clock
    set back, as tests do)."""
    if not settings.PAGE_CACHE_ENABLED:
        return compute()
    current = versions.of(scopes)
    if current is None:
        return compute()
    # Kept per language: a value may hold translated content or words.
    key = (translation.get_language(), key)
    now = time.time()
    found = versions.computed.get(key)
    if found is not None and found[0] == current and found[2] <= now < found[3]:
        return found[1]
    value = compute()
    ends = until(value) if until is not None else None
    versions.computed[key] = (
        current,
        value,
        now,
        float("inf") if ends is None else ends.timestamp(),
    )
    return value


class PageVersions:
    """`page_versions` in templates: `{{ page_versions.events }}` is the version of the
    "events" scope, for the keys of `{% cache %}` fragments (nsca/context_processors.py)."""

    def __getitem__(self, scope: str) -> str:
        found = versions.of([scope]) if settings.PAGE_CACHE_ENABLED else None
        # No version to be had: a key of its own, never found again (the fragment renders).
        return found[0] if found else uuid.uuid4().hex


page_versions = PageVersions()


class FragmentCache(LocMemCache):
    """The "template_fragments" cache of `{% cache %}`: this process's memory, and nothing
    kept while the page cache is off (settings.PAGE_CACHE_ENABLED, read at each call, so
    tests may turn it on and off). Each fragment is kept per language (the active one
    when it is rendered), so no template needs to name it in its key."""

    def make_key(self, key, version=None):
        return super().make_key(f"{translation.get_language()}:{key}", version)

    def get(self, key, default=None, version=None):
        if not settings.PAGE_CACHE_ENABLED:
            return default
        return super().get(key, default, version)

    def set(self, key, value, timeout=None, version=None):
        if settings.PAGE_CACHE_ENABLED:
            super().set(key, value, timeout, version)


@functools.lru_cache(maxsize=4096)
def _path_scopes(urlconf: str, path_info: str) -> tuple[str, ...] | None:
    """`page_scopes` of what a path resolves to, resolved once per process and path (the
    hot path: a hit does not resolve the URL again)."""
    from django.urls import Resolver404, resolve  # noqa: PLC0415

    # This middleware runs before the locale middleware: a path under /de/ resolves only
    # with German active (i18n_patterns), whatever this thread had active before.
    try:
        with translation.override(translation.get_language_from_path(path_info)):
            match = resolve(path_info, urlconf)
    except Resolver404:
        return None
    scopes = page_scopes(match)
    return None if scopes is None else tuple(scopes)


def page_key(request, prefix: str, method: str) -> str:
    """The key of a page: the versions of what it shows (`prefix`), the method and the
    absolute address (the scheme and host too: pages hold absolute addresses, and a request
    over plain http redirected to https never finds one). Django's `get_cache_key` would
    also look up the response's Vary headers first: nothing stored varies (no cookie of a
    signed-in visitor, no CSRF token, one language per path: /de/ is German whatever the
    browser asks), so one look-up is enough."""
    # What `build_absolute_uri()` says, put together without its cost (the hot path).
    query = request.META.get("QUERY_STRING", "")
    address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    digest = hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()
    return f"page.{prefix}.{method}.{digest}"


class PageCacheMiddleware(CacheMiddleware):
    """Django's cache middleware with the rules above: anonymous visitors' public pages
    only, under a key prefix carrying the versions of the scopes each page shows. Put it
    first in MIDDLEWARE, so a hit skips everything else: a page is stored with the headers
    the security middleware added."""

    def __init__(self, get_response):
        if not settings.PAGE_CACHE_ENABLED:
            raise MiddlewareNotUsed
        super().__init__(
            get_response, page_timeout=DEFAULT_SECONDS, cache_alias=PAGES_ALIAS, key_prefix=""
        )
        # Read once (`self.cache` would look the alias up on every request).
        self.pages = caches[PAGES_ALIAS]

    def process_request(self, request):
        request._cache_update_cache = False
        if not may_use_cache(request):
            return None
        # The page's scopes are known from its URL before its view runs; the versions are
        # read before it runs too: a page rendered from data older than the versions it is
        # stored under could otherwise outlive the edit that made it stale.
        scopes = _path_scopes(get_urlconf() or settings.ROOT_URLCONF, request.path_info)
        current = versions.of(scopes) if scopes is not None else None
        if current is None:
            return None
        # A digest: the versions of five scopes would make a key longer than a cache allows.
        prefix = hashlib.md5(".".join(current).encode(), usedforsecurity=False).hexdigest()
        request._page_cache_prefix = prefix
        request._cache_update_cache = True
        response = self.pages.get(page_key(request, prefix, "GET"))
        if response is None and request.method == "HEAD":
            response = self.pages.get(page_key(request, prefix, "HEAD"))
        if response is None:
            return None
        request._cache_update_cache = False
        # What is left of the max-age, not all of it again: a browser or proxy keeping this
        # copy must not keep it past the reveal that bounded it either.
        expires = getattr(response, "page_cache_expires", None)
        if expires is not None and "Cache-Control" in response:
            left = max(int(expires - time.time()), 0)
            response["Cache-Control"] = _MAX_AGE.sub(f"max-age={left}", response["Cache-Control"])
        return response

    def process_response(self, request, response):
        if not getattr(request, "_cache_update_cache", False):
            return response
        seconds = storable_seconds(request, response)
        if not seconds:
            return response
        patch_response_headers(response, seconds)
        # Kept with the copy (not parsed back from its Expires header on every hit).
        response.page_cache_expires = time.time() + seconds
        if not hasattr(response, "render"):
            # One chunk: a feed is written in hundreds of small ones, each of which would be
            # unpickled and sent on its own at every hit.
            response.content = response.content
        key = page_key(request, request._page_cache_prefix, request.method)
        if hasattr(response, "render") and callable(response.render):
            response.add_post_render_callback(
                lambda rendered: self.pages.set(key, rendered, seconds)
            )
        else:
            self.pages.set(key, response, seconds)
        return response
