"""Membership's periodic jobs, run by `manage.py run_jobs`."""

from .dues import cancel_long_unpaid_memberships
from .reminders import send_due_renewal_reminders


def send_renewal_reminders(*, now):
    return f"{send_due_renewal_reminders(now=now)} renewal reminder(s) sent"


def cancel_unpaid_memberships(*, now):
    return f"{cancel_long_unpaid_memberships(now=now)} unpaid membership(s) cancelled"


JOBS = [send_renewal_reminders, cancel_unpaid_memberships]
