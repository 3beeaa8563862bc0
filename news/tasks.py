"""news's tasks: a mailing's batches (deferred when it is queued, news/delivery.py), and
the periodic job that queues due mailings, sends what a lost batch left and marks finished
mailings sent."""

from django.utils import timezone
from procrastinate.contrib.django import app

from association.registry import periodic_jobs

from .delivery import finish_sent_mailings, queue_due_mailings, send_due_deliveries
from .models import Delivery


@app.task(name="news.send_deliveries", queue="mailing", pass_context=False)
def send_deliveries(*, mailing_id: int, first_id: int, last_id: int) -> None:
    """Send the mailing's queued deliveries with ids from `first_id` to `last_id`."""
    batch = Delivery.objects.filter(mailing_id=mailing_id, pk__gte=first_id, pk__lte=last_id)
    send_due_deliveries(now=timezone.now(), limit=last_id - first_id + 1, among=batch)
    finish_sent_mailings(now=timezone.now())


@periodic_jobs.register
def send_mailings(*, now):
    queued = queue_due_mailings(now=now)
    sent = send_due_deliveries(now=now)
    finished = finish_sent_mailings(now=now)
    return f"{queued} mailing(s) queued, {sent} delivery(ies) handled, {finished} finished"
