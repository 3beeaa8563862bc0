"""The outbox's periodic job: with cron alone (no `send_email` worker), every queued email
still goes within a minute."""

from .delivery import drain


def send_queued_email(*, now):
    return f"{drain(now=now)} email(s) handled"


JOBS = [send_queued_email]
