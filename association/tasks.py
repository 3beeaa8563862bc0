"""The periodic work of every app, as one procrastinate periodic task.

Each app registers its jobs in `<app>/tasks.py` (`@periodic_jobs.register`, callables
taking `now`); `run_periodic_jobs` runs them all, in dependency order
(association/registry.py: payments settle a late card payment before events expire its
hold, and the places given back are offered to the waiting list in the same run). One
task for the ordered list, rather than one per job, because that order matters and
procrastinate orders nothing between periodic tasks.

Its queueing lock keeps at most one run waiting, and its lock lets only one run at a time,
whichever worker or `run_jobs` on whichever machine fetched it. One failing job does not
stop the others; the run is then marked failed (the log says why), and the next minute's
run tries again: jobs are idempotent.
"""

import contextlib
import datetime
import logging
import threading

from asgiref.sync import async_to_sync
from django.conf import settings
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from .registry import periodic_jobs

logger = logging.getLogger(__name__)

PERIODIC_LOCK = "association.periodic-jobs"


class PeriodicJobsFailed(Exception):
    pass


_listener = threading.local()


@contextlib.contextmanager
def reporting(write):
    """Each job's name and result is also passed to `write` while in this block, when the
    jobs run in this thread (`run_jobs` prints them)."""
    _listener.write = write
    try:
        yield
    finally:
        _listener.write = None


def run_every_job(*, now: datetime.datetime) -> int:
    """Run every registered job once, in order; how many failed."""
    report = getattr(_listener, "write", None)
    failures = 0
    for name, job in periodic_jobs.items():
        try:
            result = job(now=now)
        except Exception:
            failures += 1
            logger.exception("Job %s failed", name)
            continue
        line = f"{name}: {result if result is not None else 'done'}"
        if report:
            report(line)
        else:
            logger.info(line)
    return failures


@app.periodic(cron="* * * * *", periodic_id="every-minute")
@app.task(
    name="association.run_periodic_jobs",
    queue="periodic",
    lock=PERIODIC_LOCK,
    queueing_lock=PERIODIC_LOCK,
    pass_context=False,
)
def run_periodic_jobs(timestamp: int | None = None) -> None:
    failures = run_every_job(now=timezone.now())
    if failures:
        raise PeriodicJobsFailed(f"{failures} job(s) failed; see the log.")


@app.periodic(cron="* * * * *", periodic_id="every-minute")
@app.task(
    name="association.retry_stalled_jobs",
    queue="periodic",
    queueing_lock="association.retry-stalled-jobs",
    pass_context=False,
)
def retry_stalled_jobs(timestamp: int | None = None) -> None:
    """A job left "doing" by a worker that stopped beating (killed, its machine gone) is
    queued again: nothing deferred is lost. Its task is idempotent (an email already sent
    is not sent again)."""
    stalled = async_to_sync(app.job_manager.get_stalled_jobs)(
        seconds_since_heartbeat=settings.TASKS_STALLED_SECONDS
    )
    for job in stalled:
        logger.warning("Job %s (%s) stalled: queued again", job.id, job.task_name)
        async_to_sync(app.job_manager.retry_job)(job)


def defer_periodic_jobs_now() -> None:
    """Queue a run of the periodic tasks now (what `run_jobs` does); one queued already
    will run the same jobs."""
    for task in (retry_stalled_jobs, run_periodic_jobs):
        with contextlib.suppress(AlreadyEnqueued):
            task.defer()
