"""Periodic jobs of the tickets app, run every minute by the periodic task (association/tasks.py).

Each is idempotent and safe when two runs overlap: holds expire and unpaid reservations
are released under the event's lock (each order re-checked under it), notices and payment
reminders are claimed row by row in the transaction that writes their email to the outbox
(whose procrastinate job sends it: outbox/tasks.py).

They run in the order registered here: holds expire and unpaid reservations are released
first, so the places they give back are offered to the waiting list in the same run.
"""

from association.registry import periodic_jobs

from . import notifications, orders, waitlist


@periodic_jobs.register
def expire_stale_holds(*, now):
    return f"{orders.expire_stale_holds(now=now)} hold(s) expired"


@periodic_jobs.register
def release_unpaid_orders(*, now):
    """Unpaid pay-later reservations past their `pay_by` are cancelled, and their buyers
    told (only the run that released an order emails it)."""
    released = orders.release_unpaid_orders(now=now)
    for order in released:
        notifications.send_order_cancelled(order, now=now)
    return f"{len(released)} unpaid reservation(s) released"


@periodic_jobs.register
def offer_returned_places(*, now):
    return waitlist.offer_returned_places(now=now)


@periodic_jobs.register
def send_payment_reminders(*, now):
    return f"{notifications.send_payment_reminders(now=now)} payment reminder(s) sent"


@periodic_jobs.register
def send_due_venue_notices(*, now):
    return f"{notifications.send_due_venue_notices(now=now)} venue notice(s) sent"


@periodic_jobs.register
def send_event_changes(*, now):
    return f"{notifications.send_event_changes(now=now)} update(s) of time or place sent"
