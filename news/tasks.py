"""news's periodic jobs, run by `run_jobs` every minute (see news/delivery.py)."""

from association.registry import periodic_jobs

from .delivery import finish_sent_mailings, queue_due_mailings, send_due_deliveries


@periodic_jobs.register
def send_mailings(*, now):
    queued = queue_due_mailings(now=now)
    sent = send_due_deliveries(now=now)
    finished = finish_sent_mailings(now=now)
    return f"{queued} mailing(s) queued, {sent} delivery(ies) handled, {finished} finished"
