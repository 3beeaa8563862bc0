"""Periodic jobs of the events app, run by `manage.py run_jobs` (cron, every minute).

Each is idempotent and safe when two runs overlap: holds expire under the event's lock,
notices are claimed row by row before they are sent.
"""

from . import notifications, orders, waitlist


def expire_stale_holds(*, now):
    return f"{orders.expire_stale_holds(now=now)} hold(s) expired"


def send_due_venue_notices(*, now):
    return f"{notifications.send_due_venue_notices(now=now)} venue notice(s) sent"


def send_venue_updates(*, now):
    return f"{notifications.send_venue_updates(now=now)} venue update(s) sent"


def offer_returned_places(*, now):
    return waitlist.offer_returned_places(now=now)


# Holds expire first, so the places they give back are offered to the waiting list at once.
JOBS = [expire_stale_holds, offer_returned_places, send_due_venue_notices, send_venue_updates]
