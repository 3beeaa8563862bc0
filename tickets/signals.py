"""What of the page cache an edit in tickets changes (association/page_cache.py).

Ticket types are part of what the "events" scope shows (the lists, the home page's cards,
the feeds, every event page), as events and venues are (events/signals.py). An order or a
waiting-list entry changes only what one event's page shows of its availability
("event:<slug>"), and the figures of sales kept per process ("sales"): a ticket rush
leaves the home, news and cities pages cached. The event's state of sales on the lists'
cards (few left, sold out) is compared after the commit with the one last seen, and the
"events" scope bumped only when it changed.

That state is known without reading anything when the change that came last in the
transaction knew it: a reservation counts the places left under the event's lock anyway
(`orders.reserve_tickets` hands it over as `SalesNow`). Any other change (a save of an
order or an offer, an admin edit, a job writing in bulk) leaves it unknown, and the event
is read again after the commit.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from association.page_cache import bump, bump_on_change
from association.shared_cache import with_shared_cache
from events.listing import SalesState, describe_events, with_ticket_types
from events.models import Event

from .models import Order, TicketType, WaitlistEntry

SALES_STATE_KEY = "page-cache:sales-state:{pk}"

bump_on_change(TicketType, scopes=["events"])


@dataclass(frozen=True)
class SalesNow:
    """An event's state of sales as it will be once the current transaction commits,
    decided under the event's lock by the change that made it."""

    slug: str
    state: SalesState


def event_sales_changed(
    *, event_id: int, using: str | None = None, now_known: SalesNow | None = None
) -> None:
    """An order, a hold or an offer of this event changed (or will, at the commit): the
    figures of sales kept per process are read again, and, once committed, the event's
    page rendered again, and the lists too when the state of sales they show changed.
    `now_known`: that state, when the caller knows it as of the end of all it changed
    (the last call for an event in a transaction decides; without it, the event is read
    after the commit). Code that writes orders or offers in bulk calls it by name.
    Nothing is read before the commit: the checkout's transaction holds the event's
    lock."""
    bump("sales", using=using)
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        for _sids, func, _robust in connection.run_on_commit:
            if isinstance(func, _SalesChanges):
                func.events[event_id] = now_known
                return
    changes = _SalesChanges()
    changes.events[event_id] = now_known
    transaction.on_commit(changes, using=using, robust=True)


class _SalesChanges:
    """The events whose sales a transaction changed, handed to `_bump_event_after_sales`
    once after the commit (one callback per transaction, however many saves it made)."""

    def __init__(self):
        self.events: dict[int, SalesNow | None] = {}

    def __call__(self):
        for event_id, now_known in self.events.items():
            _bump_event_after_sales(event_id, now_known)


def _read_sales_now(event_id: int) -> SalesNow | None:
    now = timezone.now()
    rows = list(with_ticket_types(Event.objects.filter(pk=event_id), now=now))
    if not rows:  # deleted meanwhile: nothing left to show
        return None
    event = describe_events(rows, now=now)[0]
    return SalesNow(slug=event.slug, state=event.sales_state)


def _bump_event_after_sales(event_id: int, now_known: SalesNow | None) -> None:
    sales_now = now_known or _read_sales_now(event_id)
    if sales_now is None:
        return
    state = sales_now.state.value
    key = SALES_STATE_KEY.format(pk=event_id)

    def swap(shared) -> bool:
        before = shared.get(key)
        shared.set(key, state, None)
        return before != state

    # Redis down: nothing is served from the cache anyway (nothing to invalidate).
    lists_changed = with_shared_cache(swap, fallback=lambda: False)
    bump(f"event:{sales_now.slug}", *(["events"] if lists_changed else []))


def _order_changed(sender, instance, using=None, **kwargs):
    event_sales_changed(event_id=instance.event_id, using=using)


for _model in (Order, WaitlistEntry):
    post_save.connect(_order_changed, sender=_model, dispatch_uid=f"page_cache:{_model}")
    post_delete.connect(_order_changed, sender=_model, dispatch_uid=f"page_cache:{_model}:del")
