"""When the database cannot be reached, every page answers a friendly 503, at once.

The rule: a request that meets an unreachable database (psycopg's pool timing out, a
refused or dropped connection: Django's `OperationalError`, which wraps both) gets the
503 page with `Retry-After`, never a 500 and never a wait longer than the pool's short
timeout (`DATABASE_POOL_TIMEOUT` in nsca/settings.py). The pool checks each connection
before handing it out (`CONN_HEALTH_CHECKS`), so when the database is back the next
request is served, without a restart and without an error.

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


def is_unavailable(error: BaseException | None) -> bool:
    """True when `error` says the database cannot be reached now (and may be later).

    psycopg_pool's PoolTimeout is a psycopg OperationalError, which Django wraps in its
    own; both are named so an error raised outside Django's wrapper is caught too.
    """
    from psycopg import OperationalError as PsycopgOperationalError

    return isinstance(error, OperationalError | PsycopgOperationalError)


def unavailable_response() -> HttpResponse:
    """The 503 page. Rendered without a RequestContext: the context processors read the
    database, which is the thing that is down."""
    response = HttpResponse(
        loader.get_template("503.html").render({}),
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
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
        logger.warning("Database unavailable on %s: %s", request.path, exception)
        return unavailable_response()
