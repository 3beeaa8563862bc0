"""When the database cannot be reached, every page answers a friendly 503 within seconds.

The rule: a request that meets an unreachable or hung database (psycopg's pool timing out,
a refused, dropped or unanswered connection: Django's `OperationalError`, which wraps them
all) gets the 503 page with `Retry-After`, never a 500 and never a wait longer than the
bounds of nsca/database.py (the pool's wait, `DATABASE_POOL_TIMEOUT`, 2 s; its check, 1 s;
a query, the statement timeout and a second). The pool checks each connection
before handing it out (`CONN_HEALTH_CHECKS`), so when the database is back the next
request is served, without a restart and without an error.

The same page, worded "busy, try again" and with a shorter `Retry-After`, answers a
statement the server gave up on (`is_busy`): a lock not granted within `lock_timeout` (a
checkout waiting on its event's lock behind a stuck holder) or a statement past
`statement_timeout`. The database is up; this request was not served.

Two ways in, one answer (`unavailable_response`):
- a view that raises: `DatabaseUnavailableMiddleware.process_exception`, so middleware
  around it (a page cache serving hits before any query, CSP headers) composes with it;
- anything else that raises (a session saved by middleware, a template reading the
  association): the site's handler500 (`nsca.views.server_error`) asks `is_unavailable`.
`/healthz` keeps its own JSON answer (nsca/views.py:healthz).
"""

import logging

from django.db import OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

# Long enough not to hammer a database that is restarting, short enough that a visitor's
# browser (or a crawler) comes back soon.
RETRY_AFTER_SECONDS = 30
# A lock or statement timeout: the database answers, the moment was bad.
BUSY_RETRY_AFTER_SECONDS = 5


def is_unavailable(error: BaseException | None) -> bool:
    """True when `error` says the database cannot be reached now (and may be later).

    psycopg_pool's PoolTimeout is a psycopg OperationalError, which Django wraps in its
    own; both are named so an error raised outside Django's wrapper is caught too.
    """
    from psycopg import OperationalError as PsycopgOperationalError

    return isinstance(error, OperationalError | PsycopgOperationalError)


def is_busy(error: BaseException | None) -> bool:
    """True when the server cancelled the statement (lock_timeout, statement_timeout):
    the database is there, and a moment later the same request will likely be served."""
    from psycopg.errors import LockNotAvailable, QueryCanceled

    cancelled = (LockNotAvailable, QueryCanceled)
    # Django's OperationalError carries psycopg's as its cause.
    return isinstance(error, cancelled) or isinstance(getattr(error, "__cause__", None), cancelled)


def unavailable_response(*, busy: bool = False) -> HttpResponse:
    """The 503 page ("busy, try again" when `busy`). Rendered without a RequestContext:
    the context processors read the database, which is the thing that is down."""
    response = HttpResponse(
        loader.get_template("503.html").render({"busy": busy}),
        status=503,
    )
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS if busy else RETRY_AFTER_SECONDS)
    # Never kept by a cache: the page must go the moment the database is back.
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a view's database-unavailable error into the 503 page (see module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_unavailable(exception):
            return None
        busy = is_busy(exception)
        logger.warning(
            "Database %s on %s: %s", "busy" if busy else "unavailable", request.path, exception
        )
        return unavailable_response(busy=busy)
