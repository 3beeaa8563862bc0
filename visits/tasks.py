"""Visits' periodic job, run every minute by the periodic task (association/tasks.py) and
by `manage.py run_jobs`: idempotent, safe under two runners at once."""

from association.registry import periodic_jobs

from .privacy import delete_expired_private_details


@periodic_jobs.register
def delete_visit_private_details(*, now):
    return delete_expired_private_details(now=now).summary()
