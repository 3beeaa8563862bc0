"""How much one buyer may take: the limits that make hoarding an event's places impractical.

Rules:
- Checkout submissions that pass the form (each may make an order) are counted per IP
  address (`EVENTS_CHECKOUT_LIMIT_PER_IP`) and per email address
  (`EVENTS_CHECKOUT_LIMIT_PER_EMAIL`, case-folded) in a window of
  `EVENTS_CHECKOUT_WINDOW_SECONDS`; beyond either, the checkout is refused with a 429 page
  before anything is reserved (one refused as sold out still counts: it was an attempt to
  take places). Free and paid events alike: a free event's order is confirmed at once, so
  it is the easiest to hoard. The same submission sent again (double click, refresh) finds
  its order and is not counted.
- One email address may hold at most `EVENTS_UNPAID_PLACES_PER_EMAIL` places unpaid at
  one event, and one network address at most `EVENTS_UNPAID_PLACES_PER_NETWORK`
  (`unpaid_places_for`): reservations to pay later, and checkouts still pending. Checked
  by `orders.reserve_tickets` under the event's lock, so two checkouts at once cannot both
  slip under it. An order keeps only a keyed hash of its network address
  (`network_key`), never the address.
The checkout limits are `checkout-ip` and `checkout-email` in the site's table of limits
(association/rate_limits.py, which also says whose address `client_ip` is).
"""

import hashlib
import hmac

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from association import rate_limits

from .models import Order, Ticket

CHECKOUT_LIMITS = ("checkout-ip", "checkout-email")


class LimitReached(Exception):
    """A buyer asked for more than the limits allow; answered with a 429 page
    (`rate_limits.too_many_attempts`), which says when to try again when waiting helps
    (`limits`: the windowed limits that refused it)."""

    def __init__(self, message: str, *, limits: tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.limits = limits


def count_checkout(*, ip: str, email: str) -> None:
    """Count one checkout against the buyer's IP address (`client_ip` of the request) and
    email; raise
    LimitReached when either has had its share in the window. Counted first, checked
    after (the cache's increment is atomic), so checkouts at the same moment cannot all
    pass a check made before any of them was counted."""
    if any(rate_limits.hit_all(("checkout-ip", ip), ("checkout-email", email))):
        raise LimitReached(
            _(
                "Too many orders were placed from your network or for this email address in "
                "a short time. Please wait an hour and try again, or contact the association."
            ),
            limits=CHECKOUT_LIMITS,
        )


def network_key(ip: str) -> str:
    """A keyed hash of a network address (`client_ip` of the request), stored on its order
    instead of the address itself."""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def unpaid_places_for(*, event_id: int, email: str = "", network: str = "") -> int:
    """Places this email address (or, given `network`, this network key) holds without
    having paid at this event: confirmed orders still owing money, and checkouts not yet
    finished (pending)."""
    unpaid = Q(order__status=Order.Status.PENDING) | Q(
        order__status=Order.Status.CONFIRMED, order__paid_at__isnull=True
    )
    whose = Q(order__network_key=network) if network else Q(order__email__iexact=email.strip())
    return Ticket.objects.filter(
        unpaid, whose, order__event_id=event_id, order__total__gt=0
    ).aggregate(n=Count("pk"))["n"]


def check_unpaid_places(*, event_id: int, email: str, network: str = "", adding: int) -> None:
    """Raise LimitReached when `adding` more unpaid places would take this email address
    past `EVENTS_UNPAID_PLACES_PER_EMAIL`, or its network past
    `EVENTS_UNPAID_PLACES_PER_NETWORK`, at this event. The caller holds the event lock."""
    if network:
        limit = settings.EVENTS_UNPAID_PLACES_PER_NETWORK
        held = unpaid_places_for(event_id=event_id, network=network)
        if held + adding > limit:
            raise LimitReached(
                _(
                    "At most %(limit)s places at this event may be reserved unpaid from one "
                    "network. Please pay for a reservation first, or choose another way to "
                    "pay."
                )
                % {"limit": limit}
            )
    limit = settings.EVENTS_UNPAID_PLACES_PER_EMAIL
    held = unpaid_places_for(event_id=event_id, email=email)
    if held + adding > limit:
        raise LimitReached(
            _(
                "One email address may reserve at most %(limit)s unpaid places at this event "
                "(you already hold %(held)s). Please pay for your reservation first, or "
                "choose another way to pay."
            )
            % {"limit": limit, "held": held}
        )
