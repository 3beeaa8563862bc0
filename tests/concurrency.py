"""The one harness for concurrency tests: real threads, started together at a barrier.

Each thread runs `work(index)` on its own database connection (closed when it is done, so
the test database can be dropped), and what it returned, or the exception it raised, is
collected: the tests count outcomes. Meant for `django_db(transaction=True)` tests on
PostgreSQL, whose row locks are what is being shown.
"""

import threading
from collections.abc import Callable

from django.db import connections


def race(count: int, work: Callable[[int], object], *, timeout: float = 60) -> list:
    """Run `work(0)` .. `work(count - 1)` in `count` threads at once; their outcomes (a
    return value or an exception), in the order they finished."""
    barrier = threading.Barrier(count)
    outcomes = []
    lock = threading.Lock()

    def run(index):
        try:
            barrier.wait(timeout=timeout)
            outcome = work(index)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test counts
            outcome = error
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
