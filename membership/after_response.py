"""Work done after the response has been sent, so its duration shows in no answer.

The password-reset and sign-up answers must take the same time whether or not the address
has an account; looking the account up, making a token, rendering an email and writing it
to the outbox all take longer than nothing. `RedirectThenRun` answers first and does that
work in its `close()`, which the WSGI server (gunicorn, runserver) calls once the body has
been written to the client, and which Django's test client calls before returning, so tests
still find the email in `mail.outbox`.

The email itself is only written to the outbox (its worker sends it within seconds), so
what runs here is short; it stays after the answer because it still differs between an
address with an account and one without. Why not a thread: it would race the request's
database transaction (and the test's), and its work could be lost silently. The cost of
this way: the server process is busy for a moment after each such answer; the per-IP
limits bound how many it takes on.
"""

import logging
from collections.abc import Callable

from django.http import HttpResponseRedirect

logger = logging.getLogger(__name__)


class RedirectThenRun(HttpResponseRedirect):
    """A redirect that runs `tasks` once it has been sent."""

    def __init__(self, redirect_to, *args, tasks: list[Callable[[], object]], **kwargs):
        super().__init__(redirect_to, *args, **kwargs)
        self.tasks = list(tasks)

    def close(self):
        # Before super().close(): that sends request_finished, which may return the
        # database connection the tasks use.
        tasks, self.tasks = self.tasks, []
        for task in tasks:
            try:
                task()
            except Exception:
                # The visitor already has the answer; an unsent email is logged, not raised
                # into the server.
                logger.exception("Work after the response failed: %r", task)
        super().close()
