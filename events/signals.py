"""What of the page cache an edit in events changes (association/page_cache.py).

Events and venues are what the "events" scope shows (the lists, the home page's cards, the
feeds, every event page). What selling changes (ticket types, orders, the waiting list) is
tickets' to say (tickets/signals.py).
"""

from association.page_cache import bump_on_change

from .models import Event, Venue

bump_on_change(Event, Venue, scopes=["events"])
