"""Run every app's periodic jobs once; meant for cron every minute.

Each app lists its jobs in `<app>/jobs.py` as `JOBS`, callables taking `now`. Jobs are
idempotent and safe to run twice at once; one failing job does not stop the others.
"""

import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from nsca.discovery import project_app_modules

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the periodic jobs of every app (send venue notices, expire holds, reminders)."

    def handle(self, *args, **options):
        now = timezone.now()
        failures = 0
        for module in project_app_modules("jobs"):
            for job in module.JOBS:
                name = f"{module.__name__}.{job.__name__}"
                try:
                    result = job(now=now)
                except Exception:
                    failures += 1
                    logger.exception("Job %s failed", name)
                    continue
                self.stdout.write(f"{name}: {result if result is not None else 'done'}")
        if failures:
            raise CommandError(f"{failures} job(s) failed; see the log.")
