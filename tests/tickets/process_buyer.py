"""A buyer in its own process, for the cross-process inventory test.

Imports nothing of Django at module level: a spawned process sets up Django itself, with
the test database's address, then waits at the barrier with the other buyers.
"""

import os


def buy_one_ticket(database_url, event_id, barrier, results):
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DATABASE_POOL"] = "false"
    import django

    django.setup()
    from django.utils import timezone

    from events.models import Event
    from tickets.availability import SoldOut
    from tickets.orders import ReservationRequest, reserve_tickets

    event = Event.objects.get(pk=event_id)
    ticket_type = event.ticket_types.get()
    barrier.wait(timeout=60)
    try:
        reserve_tickets(
            ReservationRequest(
                event=event,
                lines=[(ticket_type, 1)],
                buyer={"name": "Process buyer", "email": "process@example.org"},
                idempotency_key=None,
                now=timezone.now(),
            )
        )
    except SoldOut:
        results.put("sold out")
    else:
        results.put("bought")
