"""Run every periodic job and every queued task (emails included) once, then exit: for
operators without a procrastinate worker (cron every minute), and for scripts.

The periodic jobs are one procrastinate task (association/tasks.py) with a queueing lock
and a lock, so a `run_jobs` and the workers never run them twice at once. Queued tasks are
fetched one at a time through procrastinate's own queries (association/background.py), so
two `run_jobs`, or a `run_jobs` and a worker, never run the same job.
"""

from django.core.management.base import BaseCommand, CommandError

from association import background
from association.tasks import defer_periodic_jobs_now, reporting


class Command(BaseCommand):
    help = "Run the periodic jobs of every app and every queued task once (emails included)."

    def handle(self, *args, **options):
        with background.held():
            defer_periodic_jobs_now()
        with reporting(self.stdout.write):
            outcome = background.run_queued_jobs()
        self.stdout.write(
            f"{outcome.ran} task(s) run: {outcome.failed} failed, {outcome.retried} to retry."
        )
        if outcome.failed:
            raise CommandError(f"{outcome.failed} task(s) failed; see the log.")
