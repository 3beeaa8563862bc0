"""The outbox's periodic jobs: with cron alone (no `send_email` worker), every queued email
still goes within a minute; and sent emails are forgotten after `OUTBOX_KEEP_SENT_DAYS`,
since they hold what no one should keep for ever (password-reset links, private order
links) and a mailing adds a row per reader. Failed ones stay until staff deal with them."""

import datetime

from django.conf import settings

from association.registry import periodic_jobs

from .delivery import drain
from .models import OutgoingEmail


@periodic_jobs.register
def send_queued_email(*, now):
    return f"{drain(now=now)} email(s) handled"


@periodic_jobs.register
def forget_sent_email(*, now):
    cutoff = now - datetime.timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS)
    deleted, _ = OutgoingEmail.objects.sent_before(cutoff).delete()
    return f"{deleted} sent email(s) forgotten"
