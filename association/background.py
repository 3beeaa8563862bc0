"""Background work: procrastinate's task queue, and the one place that chooses how its jobs
are stored and run, by the database in use.

- PostgreSQL: the Django connector. `task.defer()` writes the job through Django's own
  connection, so inside the caller's transaction: a rolled-back order defers nothing. The
  worker (`manage.py procrastinate worker`, several on several machines) runs the jobs;
  `manage.py run_jobs` runs what is queued once, for operators without a worker.
- SQLite (`make run`'s default, `make test` without DATABASE_URL): procrastinate's tables
  need PostgreSQL, so jobs are kept in the process (procrastinate's InMemoryConnector),
  held until the transaction that deferred them commits, and then run at once, in the
  process, by the same task functions. A rolled-back transaction's jobs never run.

`run_queued_jobs()` runs every job that is due, in the calling thread and on its database
connection, through procrastinate's own queries (fetch, finish, retry with the task's
RetryStrategy): it is what `run_jobs` does after deferring the periodic jobs, what the
SQLite mode does after a commit, and what the test suite does after an action's commit.
(procrastinate's own worker runs a synchronous task in another thread, on another
connection, which could not see the uncommitted rows of a test's transaction.)
"""

import contextlib
import dataclasses
import functools
import json
import logging
import threading

from django.conf import settings
from django.db import transaction
from procrastinate import jobs, sql
from procrastinate.contrib.django import app
from procrastinate.contrib.django.django_connector import DjangoConnector
from procrastinate.testing import InMemoryConnector

logger = logging.getLogger(__name__)

DEFER_JOBS = sql.queries["defer_jobs"]
# In-process jobs deferred in a transaction that has not committed yet: never fetched.
HELD = "held"


def after_commit(callback) -> None:
    """Call `callback` once the current transaction commits (at once outside one). The test
    suite, whose own transaction never commits, calls it when the code's outermost atomic
    block exits instead (tests/conftest.py)."""
    transaction.on_commit(callback)


class InProcessConnector(InMemoryConnector):
    """Jobs kept in this process (SQLite): held until their transaction commits, then run."""

    # The in-memory queries are coroutines that never wait for anything: driven here
    # without an event loop (procrastinate's own sync wrappers start one, which cannot be
    # done in a thread that already runs one, as a browser test's does).
    @staticmethod
    def _without_loop(coroutine):
        try:
            coroutine.send(None)
        except StopIteration as done:
            return done.value
        coroutine.close()
        raise RuntimeError("An in-process queue query waited for something.")

    def execute_query(self, query, **arguments):
        return self._without_loop(self.execute_query_async(query, **arguments))

    def execute_query_one(self, query, **arguments):
        return self._without_loop(self.execute_query_one_async(query, **arguments))

    def execute_query_all(self, query, **arguments):
        rows = self._without_loop(self.execute_query_all_async(query, **arguments))
        if query == DEFER_JOBS:
            ids = [row["id"] for row in rows]
            for job_id in ids:
                self.jobs[job_id]["status"] = HELD
            after_commit(functools.partial(self.release, ids))
        return rows

    def release(self, ids) -> None:
        for job_id in ids:
            self.jobs[job_id]["status"] = "todo"
        if settings.TASKS_RUN_AFTER_COMMIT:
            run_queued_jobs()


class RunAfterCommitDjangoConnector(DjangoConnector):
    """The Django connector; with `TASKS_RUN_AFTER_COMMIT` (only the test suite, on
    PostgreSQL) it also runs what a transaction deferred once it commits, so an assertion
    on `mail.outbox` right after an action sees what the task sent."""

    def execute_query_all(self, query, **arguments):
        rows = super().execute_query_all(query, **arguments)
        if query == DEFER_JOBS and settings.TASKS_RUN_AFTER_COMMIT:
            after_commit(run_queued_jobs)
        return rows


def uses_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def make_due_now() -> None:
    """Every queued job waiting for a later time (a retry's pause) is due now: for tests,
    and for staff who ask that failed email be retried at once."""
    database = app.connector.get_sync_connector()
    if isinstance(database, InMemoryConnector):
        for job in database.jobs.values():
            if job["status"] == "todo":
                job["scheduled_at"] = None
        return
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET scheduled_at = NULL "
            "WHERE status = 'todo' AND scheduled_at > now()"
        )


def choose_connector(procrastinate_app) -> None:
    """PROCRASTINATE_ON_APP_READY: the connector for the database in use."""
    if uses_postgresql():
        connector = RunAfterCommitDjangoConnector(alias="default")
    else:
        connector = InProcessConnector()
    procrastinate_app.connector = connector
    procrastinate_app.job_manager.connector = connector


@dataclasses.dataclass
class Outcome:
    """What a run of the queue did."""

    ran: int = 0
    failed: int = 0
    retried: int = 0


_running = threading.local()


@contextlib.contextmanager
def held():
    """Jobs deferred in this block wait for an explicit `run_queued_jobs()` after it,
    instead of running at their commit (`run_jobs` reports what they did)."""
    active = getattr(_running, "active", False)
    _running.active = True
    try:
        yield
    finally:
        _running.active = active


def run_queued_jobs(queues: list[str] | None = None) -> Outcome:
    """Run every job due now, one after the other in this thread, until none is left.
    Jobs deferred meanwhile (by the jobs themselves) run too. Not re-entered: a job whose
    commit asks for a run leaves the new jobs to the loop already running."""
    if getattr(_running, "active", False):
        return Outcome()
    _running.active = True
    try:
        return _run_queued_jobs(queues)
    finally:
        _running.active = False


def _run_queued_jobs(queues) -> Outcome:
    database = app.connector.get_sync_connector()
    worker_id = database.execute_query_one(sql.queries["register_worker"])["worker_id"]
    outcome = Outcome()
    try:
        while True:
            row = database.execute_query_one(
                sql.queries["fetch_job"], queues=queues, worker_id=worker_id
            )
            if row["id"] is None:
                return outcome
            if isinstance(row["args"], str):
                # Django's connection hands jsonb over as text (its JSONField decodes it).
                row["args"] = json.loads(row["args"])
            outcome.ran += 1
            status = run_job(jobs.Job.from_row(row), database=database)
            outcome.failed += status == jobs.Status.FAILED
            outcome.retried += status == jobs.Status.TODO
            database.execute_query(sql.queries["update_heartbeat"], worker_id=worker_id)
    finally:
        database.execute_query(sql.queries["unregister_worker"], worker_id=worker_id)


def run_job(job: jobs.Job, *, database) -> jobs.Status:
    """Run one fetched job and record its outcome as procrastinate's worker does: its
    status, TODO when it is to be retried."""
    task = app.tasks.get(job.task_name)
    try:
        if task is None:
            raise LookupError(f"No task is registered as {job.task_name!r}.")
        task(**job.task_kwargs)
    except Exception as error:  # noqa: BLE001 - a failed job is recorded, not raised
        decision = task and task.get_retry_exception(exception=error, job=job)
        if decision:
            logger.warning("Job %s failed, retried later: %s", job.call_string, error)
            retry = decision.retry_decision
            database.execute_query(
                sql.queries["retry_job"],
                job_id=job.id,
                retry_at=retry.retry_at,
                new_priority=retry.priority,
                new_queue_name=retry.queue,
                new_lock=retry.lock,
            )
            return jobs.Status.TODO
        logger.exception("Job %s failed", job.call_string)
        status = jobs.Status.FAILED
    else:
        status = jobs.Status.SUCCEEDED
    database.execute_query(
        sql.queries["finish_job"], job_id=job.id, status=status.value, delete_job=False
    )
    return status
