"""The page cache: which responses anonymous visitors may be served from a shared cache,
for how long, and how every server process learns that they went stale.

This module is the ONE place that decides (DESIGN.md, "Caching"). The rules:

- Only the public pages named in `PUBLIC_PAGES` (by URL name) or marked with
  `@public_page` are ever stored: a new app's page opts in here or with the decorator.
- Only a GET or HEAD without a query string (or with nothing but `?page=N`), from a
  visitor who is not signed in (no session cookie, no messages cookie), is served from
  or stored in the cache.
- A response is stored only when it is a 200, sets no cookie, did not use the CSRF token
  (a form that carries one), did not use the CSP nonce (it would be reused across
  visitors), and does not say `private`, `no-store` or `no-cache`.
- It is kept no longer than its own `max-age` (events/reveal.py's
  `cache_until_next_reveal` bounds it by the next venue reveal among the events the page
  shows), and `DEFAULT_SECONDS` when it names none.
- Every committed write to a table of the project's apps (a save in the admin, a job's
  `.update()`, an order taking a place) bumps one site-wide version held in the shared
  cache (Redis in production). Pages are kept in each process, tagged with the version
  read before they were rendered, and each process re-reads the version at most once
  every `VERSION_CHECK_SECONDS`: a hit costs no round trip to Redis, and an edit is seen
  everywhere within a second.

What only changes when data changes (the association's name and links on every page, the
world map, the Virginia directory) is computed once per version and process with
`computed_once_per_version`, not once per request; so are rows that also change with the
time (the upcoming events), kept no later than the first moment they may change by
themselves (an event ending, a waiting-list offer running out).

Writes are caught where they reach the database (an execute wrapper installed on every
connection), not model by model: `.update()`, `bulk_create` and raw SQL bump the version
as surely as `save()` does, so no job can forget to.
"""

import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_max_age

from .shared_cache import with_shared_cache

PUBLIC_PAGES = frozenset(
    {
        "home",
        "about",
        "page",
        "robots_txt",
        "django.contrib.sitemaps.views.sitemap",
        "cities:partnership_list",
        "cities:partnership_detail",
        "cities:virginia_directory",
        "events:event_list",
        "events:event_past",
        "events:event_detail",
        "events:feed",
        "events:calendar_ics",
        "events:event_ics",
        "membership:plan_list",
        "news:post_list",
        "news:post_detail",
        "news:feed",
    }
)
"""URL names of the pages anonymous visitors are served from the cache. A new app adds its
own here or decorates the view with `@public_page`. A post scheduled for later appears on
them within `DEFAULT_SECONDS` of its time (nothing is written when the moment comes)."""

DEFAULT_SECONDS = 60
"""How long a page that names no max-age of its own is kept (edits invalidate it sooner)."""

VERSION_CHECK_SECONDS = 1.0
"""How often each process re-reads the site-wide version: the most an edit can lag."""

MAX_PAGES = 2000
"""Pages kept per process; the oldest stored goes first."""

VERSION_KEY = "page-cache:version"
PAGINATION_PARAMETER = "page"
ANONYMOUS_ONLY_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
UNSHAREABLE_DIRECTIVES = ("private", "no-store", "no-cache")

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def public_page(view: Callable) -> Callable:
    """Mark a view's page as cacheable for anonymous visitors (the other rules still apply)."""
    view.public_page = True
    return view


def is_public_page(resolver_match) -> bool:
    """Is the page this request resolved to one the cache may hold?"""
    if resolver_match is None:
        return False
    if resolver_match.view_name in PUBLIC_PAGES:
        return True
    return getattr(resolver_match.func, "public_page", False) or getattr(
        getattr(resolver_match.func, "view_class", None), "public_page", False
    )


def cache_key(request) -> str | None:
    """The key a request is looked up under, or None when it may not use the cache at all."""
    if request.method not in ("GET", "HEAD"):
        return None
    # The headers are looked at before they are parsed: a hit is the hot path, and most
    # visitors send neither a cookie nor a query string.
    if request.META.get("HTTP_COOKIE") and any(
        name in request.COOKIES for name in ANONYMOUS_ONLY_COOKIES
    ):
        return None
    page = ""
    if request.META.get("QUERY_STRING"):
        query = request.GET
        if list(query) != [PAGINATION_PARAMETER] or len(query.getlist(PAGINATION_PARAMETER)) != 1:
            return None
        page = query[PAGINATION_PARAMETER]
    # The scheme too: pages hold absolute addresses (canonical links, the sitemap's).
    return f"{request.method}:{request.scheme}:{request.get_host()}:{request.path}:{page}"


def storable_seconds(request, response) -> int:
    """How long this response may be kept for other anonymous visitors; 0 for never."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return 0
    if not is_public_page(getattr(request, "resolver_match", None)):
        return 0
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return 0
    if isinstance(getattr(request, "_csp_nonce", None), str):
        return 0
    cache_control = response.get("Cache-Control", "").lower()
    if any(directive in cache_control for directive in UNSHAREABLE_DIRECTIVES):
        return 0
    max_age = get_max_age(response)
    return DEFAULT_SECONDS if max_age is None else max(max_age, 0)


class PageStore:
    """One process's pages, tagged with the site-wide version they were rendered under."""

    def __init__(self, *, cache_alias: str = "default"):
        self.cache_alias = cache_alias
        self.pages: OrderedDict[str, tuple[str, float, int, bytes, list, str | None]] = (
            OrderedDict()
        )
        self.computed: dict[object, tuple[str, object, float, float]] = {}
        self.version: str | None = ""
        self.checked_at = float("-inf")
        self.lock = threading.Lock()
        # A bump this process could not write (the shared cache down): written with the
        # next version it reads, so a process that kept pages through the outage (it
        # served none then) does not keep them past an edit made during it.
        self.bump_owed = False

    def current_version(self) -> str | None:
        """The site-wide version, re-read from the shared cache at most once a second;
        None while the shared cache cannot be read (nothing is then served or kept)."""
        now = time.time()
        # Wall time (time-machine moves it in tests); a clock set back re-reads at once.
        if not 0 <= now - self.checked_at < VERSION_CHECK_SECONDS:
            # Redis down or hung: render every page (correct, slower) rather than answer
            # 500 or serve pages whose edits this process can no longer hear of; after one
            # failed read Redis is left alone for a while (association/shared_cache.py).
            version = with_shared_cache(
                self._read_version, fallback=lambda: None, alias=self.cache_alias
            )
            if version != self.version:
                self.pages.clear()
                self.computed.clear()
                self.version = version
            self.checked_at = now
        return self.version

    def _read_version(self, shared) -> str:
        if self.bump_owed:
            # An edit made here while the cache was down: the others hear of it now.
            shared.set(VERSION_KEY, uuid.uuid4().hex, None)
            self.bump_owed = False
        version = shared.get(VERSION_KEY)
        if version is None:
            shared.add(VERSION_KEY, uuid.uuid4().hex, None)
            version = shared.get(VERSION_KEY)
        return version

    def get(self, key: str, *, version: str) -> HttpResponse | None:
        entry = self.pages.get(key)
        if entry is None:
            return None
        stored_version, expires, status, content, headers, cache_control = entry
        if stored_version != version or time.time() >= expires:
            self.pages.pop(key, None)
            return None
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response.headers[name] = value
        if cache_control is not None:
            # What is left of the max-age, not all of it again: a browser or proxy keeping
            # this copy must not keep it past the reveal that bounded it either.
            max_age = f"max-age={max(int(expires - time.time()), 0)}"
            response.headers["Cache-Control"] = f"{cache_control}, {max_age}".lstrip(", ")
        return response

    def put(self, key: str, response, *, version: str, expires: float) -> None:
        # Cache-Control is taken apart once here, its max-age left out (each hit writes
        # what is left of it), not parsed again on every hit: the hit is the hot path.
        headers = [(n, v) for n, v in response.headers.items() if n.lower() != "cache-control"]
        cache_control = None
        if "Cache-Control" in response.headers:
            cache_control = ", ".join(
                directive.strip()
                for directive in response["Cache-Control"].split(",")
                if directive.strip() and not directive.strip().lower().startswith("max-age")
            )
        with self.lock:
            self.pages[key] = (
                version,
                expires,
                response.status_code,
                response.content,
                headers,
                cache_control,
            )
            while len(self.pages) > MAX_PAGES:
                self.pages.popitem(last=False)

    def bump(self) -> None:
        """A public page may have changed: every process drops its pages within a second,
        this one included. Not at once here: in a ticket rush every order bumps, and a
        process dropping what it keeps on each of its own orders would read and render
        everything again for each buyer. (A process's next request may go to another
        anyway: no process reads its own edits sooner than the others.)"""

        def write(shared) -> bool:
            shared.set(VERSION_KEY, uuid.uuid4().hex, None)
            return True

        if not with_shared_cache(write, fallback=lambda: False, alias=self.cache_alias):
            self.bump_owed = True


store = PageStore()


def bump_version() -> None:
    store.bump()


def computed_once_per_version(
    key, compute: Callable[[], object], *, until: Callable[[object], object] | None = None
):
    """`compute()`'s value, kept in this process until the site-wide version changes (an
    edit anywhere, seen within a second). It must depend on stored data only, never on
    the request; with the page cache off it is computed every time.

    A value that also depends on the time (the events that have not ended yet, the
    waiting-list offers still open) names with `until(value)` the first moment it may
    stop being true without any edit (an aware datetime; None: never). It is computed
    afresh from then on, and for any moment before the one it was computed at (a clock
    set back, as tests do)."""
    if not settings.PAGE_CACHE_ENABLED:
        return compute()
    version = store.current_version()
    if version is None:
        return compute()
    now = time.time()
    found = store.computed.get(key)
    if found is not None and found[0] == version and found[2] <= now < found[3]:
        return found[1]
    value = compute()
    ends = until(value) if until is not None else None
    store.computed[key] = (version, value, now, float("inf") if ends is None else ends.timestamp())
    return value


class KeptResponse:
    """A rendered response's status, body and headers, to keep with
    `computed_once_per_version` (a whole document built once per edit: the sitemap, the
    feeds) and to answer each request with a response of its own (`response()`), whose
    headers the view may still change (its max-age, at the request's moment)."""

    def __init__(self, response: HttpResponse):
        if hasattr(response, "render"):
            response.render()
        self.status = response.status_code
        self.content = response.content
        self.headers = list(response.headers.items())

    def response(self) -> HttpResponse:
        return HttpResponse(self.content, status=self.status, headers=dict(self.headers))


class PageCacheMiddleware:
    """Serves anonymous visitors' public pages from this process's store; put it first in
    MIDDLEWARE, so a hit skips everything else: a page is stored with the headers the
    security middleware added, under a key naming the scheme (a request over plain http,
    redirected to https, never finds one)."""

    def __init__(self, get_response, *, page_store: PageStore | None = None):
        if not settings.PAGE_CACHE_ENABLED:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.store = page_store or store

    def __call__(self, request):
        key = cache_key(request)
        if key is None:
            return self.get_response(request)
        # Read before the view runs: a page rendered from data older than the version it
        # is tagged with could otherwise outlive the edit that made it stale.
        version = self.store.current_version()
        if version is None:
            return self.get_response(request)
        cached = self.store.get(key, version=version)
        if cached is not None:
            return cached
        started = time.time()
        response = self.get_response(request)
        seconds = storable_seconds(request, response)
        if seconds:
            self.store.put(key, response, version=version, expires=started + seconds)
        return response


# Project apps whose tables no public page shows: writing to them changes no page. The
# outbox is written with every email (a checkout, a mailing's thousands of deliveries):
# counted, each would throw away every cached page for nothing.
APPS_ON_NO_PAGE = frozenset({"outbox"})


def _project_tables() -> frozenset[str]:
    from django.apps import apps  # noqa: PLC0415 (read once the registry is ready)

    tables = set()
    for label in settings.PROJECT_APPS:
        if label in APPS_ON_NO_PAGE:
            continue
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            tables.add(model._meta.db_table)
    return frozenset(tables)


class WriteWatcher:
    """An execute wrapper: after a write to a project table, bump the version once the
    transaction commits (at once in autocommit), never before the data is visible."""

    def __init__(self):
        self.tables = None

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        match = _WRITE.match(sql) if isinstance(sql, str) else None
        if match:
            if self.tables is None:
                self.tables = _project_tables()
            if match.group(1) in self.tables:
                connection = context["connection"]
                pending = getattr(connection, "run_on_commit", ())
                if not any(entry[1] is bump_version for entry in pending):
                    # robust: a bump that fails is logged, and never turns a committed
                    # write into an error page (Redis down: owed, see PageStore.bump).
                    transaction.on_commit(bump_version, using=connection.alias, robust=True)
        return result


watcher = WriteWatcher()


def watch_writes(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: install the watcher once on each connection."""
    if watcher not in connection.execute_wrappers:
        connection.execute_wrappers.append(watcher)
