"""Run every app's periodic jobs once; meant for cron every minute.

Each app registers its jobs in `<app>/jobs.py` (`@periodic_jobs.register`, callables
taking `now`); they run in dependency order (association/registry.py). Jobs are
idempotent and safe to run twice at once; one failing job does not stop the others.
"""

import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from association.registry import periodic_jobs

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the periodic jobs of every app (send venue notices, expire holds, reminders)."

    def handle(self, *args, **options):
        now = timezone.now()
        failures = 0
        for name, job in periodic_jobs.items():
            try:
                result = job(now=now)
            except Exception:
                failures += 1
                logger.exception("Job %s failed", name)
                continue
            self.stdout.write(f"{name}: {result if result is not None else 'done'}")
        if failures:
            raise CommandError(f"{failures} job(s) failed; see the log.")
