"""What of the page cache an edit in tickets changes (association/page_cache.py).

Ticket types are part of what the "events" scope shows (the lists, the home page's cards,
the feeds, every event page), as events and venues are (events/signals.py). An order or a
waiting-list entry changes only what one event's page shows of its availability
("event:<slug>"), and the figures of sales kept per process ("sales"): a ticket rush
leaves the home, news and cities pages cached. The event's state of sales on the lists'
cards (few left, sold out) is checked after the commit, and the "events" scope bumped only
when that state changed.
"""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from association.page_cache import bump, bump_on_change, on_commit_once
from association.shared_cache import with_shared_cache
from events.models import Event

from .models import Order, TicketType, WaitlistEntry

SALES_STATE_KEY = "page-cache:sales-state:{pk}"

bump_on_change(TicketType, scopes=["events"])


def event_sales_changed(*, event_id: int, using: str | None = None) -> None:
    """An order, a hold or an offer of this event changed (or will, at the commit): the
    figures of sales kept per process are read again, and, once committed, the event's
    page rendered again, and the lists too when the state of sales they show changed.
    Code that writes them in bulk calls it by name. Nothing is read before the commit:
    the checkout's transaction holds the event's lock."""
    bump("sales", using=using)
    on_commit_once(_bump_events_after_sales, [event_id], using=using)


def _bump_events_after_sales(event_ids: set[int]) -> None:
    for event_id in event_ids:
        _bump_event_after_sales(event_id)


def _bump_event_after_sales(event_id: int) -> None:
    from events.listing import describe_events, with_ticket_types  # noqa: PLC0415

    now = timezone.now()
    rows = list(with_ticket_types(Event.objects.filter(pk=event_id), now=now))
    if not rows:  # not listed (a draft): only its own page, which staff see uncached
        return
    event = describe_events(rows, now=now)[0]
    state = event.sales_state.value
    key = SALES_STATE_KEY.format(pk=event_id)

    def swap(shared) -> bool:
        before = shared.get(key)
        shared.set(key, state, None)
        return before != state

    # Redis down: nothing is served from the cache anyway (nothing to invalidate).
    lists_changed = with_shared_cache(swap, fallback=lambda: False)
    bump(f"event:{event.slug}", *(["events"] if lists_changed else []))


def _order_changed(sender, instance, using=None, **kwargs):
    event_sales_changed(event_id=instance.event_id, using=using)


for _model in (Order, WaitlistEntry):
    post_save.connect(_order_changed, sender=_model, dispatch_uid=f"page_cache:{_model}")
    post_delete.connect(_order_changed, sender=_model, dispatch_uid=f"page_cache:{_model}:del")
