"""Membership's periodic jobs, run by `manage.py run_jobs`."""

from association.registry import periodic_jobs

from .dues import cancel_long_unpaid_memberships
from .reminders import send_due_renewal_reminders


@periodic_jobs.register
def send_renewal_reminders(*, now):
    return f"{send_due_renewal_reminders(now=now)} renewal reminder(s) sent"


@periodic_jobs.register
def cancel_unpaid_memberships(*, now):
    return f"{cancel_long_unpaid_memberships(now=now)} unpaid membership(s) cancelled"
