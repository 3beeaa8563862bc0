"""Periodic jobs of the events app, run by `manage.py run_jobs` (cron, every minute).

Each is idempotent and safe when two runs overlap: holds expire under the inventory's
locks, notices are claimed row by row before they are sent.
"""

from . import inventory, notifications


def expire_stale_holds(*, now):
    return f"{inventory.expire_stale_holds(now=now)} hold(s) expired"


def send_due_venue_notices(*, now):
    return f"{notifications.send_due_venue_notices(now=now)} venue notice(s) sent"


def send_venue_updates(*, now):
    return f"{notifications.send_venue_updates(now=now)} venue update(s) sent"


JOBS = [expire_stale_holds, send_due_venue_notices, send_venue_updates]
