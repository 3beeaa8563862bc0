"""What of the page cache an edit in visits changes (association/page_cache.py).

Visits are what the "visits" scope shows: on each partner city's page, their dates and
purpose (nsca's partnership page names the scope). A visit also stops being upcoming by
itself, the day after it ends. Everything else of visits is on private pages, never cached."""

from association.page_cache import bump_on_change, changes_by_itself

from .listing import next_visit_change
from .models import Visit

bump_on_change(Visit, scopes=["visits"])
changes_by_itself("visits", next_visit_change)
