"""Membership's periodic jobs, run by `manage.py run_jobs`."""

from .reminders import send_due_renewal_reminders


def send_renewal_reminders(*, now):
    return f"{send_due_renewal_reminders(now=now)} renewal reminder(s) sent"


JOBS = [send_renewal_reminders]
