"""The exchanges' periodic jobs, run every minute by the periodic task
(association/tasks.py) and by `manage.py run_jobs`: thin wrappers over the service
modules, each idempotent and safe under two runners at once."""

from association.registry import periodic_jobs

from .decisions import lapse_expired_offers, send_due_decisions
from .privacy import delete_expired_application_data
from .references import send_due_reference_reminders
from .trip_payments import send_due_installment_reminders


@periodic_jobs.register
def remind_referees(*, now):
    return f"{send_due_reference_reminders(now=now)} referee reminder(s) sent"


@periodic_jobs.register
def send_decisions(*, now):
    return f"{send_due_decisions(now=now)} exchange decision(s) sent"


@periodic_jobs.register
def lapse_place_offers(*, now):
    return f"{lapse_expired_offers(now=now)} place offer(s) lapsed"


@periodic_jobs.register
def remind_installments(*, now):
    return f"{send_due_installment_reminders(now=now)} installment reminder(s) sent"


@periodic_jobs.register
def delete_old_applications(*, now):
    return delete_expired_application_data(now=now).summary()
