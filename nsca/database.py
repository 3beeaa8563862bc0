"""A database that stops answering costs a request a few seconds and a 503, never a worker.

The rule: no wait for PostgreSQL is unbounded. nsca/settings.py gives every connection
libpq's own limits, for what the network can show (`connect_timeout`; TCP keepalives and
`tcp_user_timeout` for a peer that stops acknowledging), and the server's own, so no
session holds a lock for ever (`statement_timeout`, `lock_timeout`,
`idle_in_transaction_session_timeout`: a session whose client the server never saw die
is ended, and the event it locked is free again). What none of them covers is a server,
or a proxy or balancer in front of it, that accepts the bytes and never answers: TCP
acknowledges them and psycopg would wait until gunicorn killed the worker. So the pool's
connections are `BoundedConnection`s: every round trip ends within `answer_within`
seconds (the statement timeout and a little more: the server cancels a slow statement
itself first, with its own error), and the pool's check before handing a connection out
(psycopg_pool's `check_connection`, an empty query) within `check_within`. A connection
that misses its limit is closed, and the request gets the 503 page (nsca/unavailable.py).
"""

import psycopg
from psycopg.errors import _WaitTimeout  # psycopg's own "wait timeout expired"

_WAIT_INTERVAL = 0.1  # as psycopg's: how often a wait wakes to notice a signal


class DatabaseNotAnswering(psycopg.OperationalError):
    """The server accepted a query and sent nothing back in time (Django wraps it in its
    OperationalError: the 503 page)."""


class BoundedConnection(psycopg.Connection):
    """A psycopg connection whose every wait for the server has a limit (see module)."""

    answer_within: float | None = None
    check_within: float | None = None
    _limit: float | None = None

    def wait(self, gen, interval=_WAIT_INTERVAL, timeout=None):
        limit = self._limit if self._limit is not None else self.answer_within
        if timeout is not None or not limit:
            return super().wait(gen, interval, timeout)  # a wait with a limit of its own
        try:
            return super().wait(gen, interval, limit)
        except _WaitTimeout:
            # Half way through a query: the connection can never be used again.
            self.pgconn.finish()
            raise DatabaseNotAnswering(
                f"the database did not answer within {limit:g} seconds"
            ) from None

    def execute(self, query, params=None, **kwargs):
        if query == "" and params is None and self.check_within:
            # psycopg_pool's check_connection: a server that answers at all answers an
            # empty query at once, so it is given less time than a real statement.
            self._limit = self.check_within
            try:
                return super().execute(query, params, **kwargs)
            finally:
                self._limit = None
        return super().execute(query, params, **kwargs)


def bounded_connection_class(*, answer_within: float, check_within: float):
    """The connection class for the pool (`connection_class` in its options)."""
    return type(
        "BoundedConnection",
        (BoundedConnection,),
        {"answer_within": answer_within, "check_within": check_within},
    )


def server_options(**settings: int) -> str:
    """libpq's `options`: the server settings each session starts with ("-c name=value";
    times in milliseconds, 0 for none)."""
    return " ".join(f"-c {name}={value}" for name, value in settings.items())
