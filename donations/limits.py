"""How many gifts one network may begin: donation forms are a favorite of people testing
stolen card numbers (each attempt is a small "gift"), and each card gift opens a Checkout
Session at Stripe. Valid submissions are counted per IP address
(`DONATIONS_LIMIT_PER_IP` within `DONATIONS_LIMIT_WINDOW_SECONDS`); beyond it the page
answers 429 before anything is created. Counted first, checked after (the shared cache's
increment is atomic), as events' checkout limits are; the client's address is
`membership.throttle.client_ip` (it honors `BEHIND_PROXY`).
"""

from django.conf import settings
from django.utils.translation import gettext as _

from membership.throttle import AttemptLimiter, client_ip


class TooManyGifts(Exception):
    pass


def count_donation(request) -> None:
    """Count one gift begun from this request's address; TooManyGifts past the limit."""
    limiter = AttemptLimiter(
        "donation-ip",
        limit=settings.DONATIONS_LIMIT_PER_IP,
        window_seconds=settings.DONATIONS_LIMIT_WINDOW_SECONDS,
    )
    if limiter.count_is_over(client_ip(request)):
        raise TooManyGifts(
            _(
                "Too many gifts were begun from your network in a short time. Please wait an "
                "hour and try again, or contact the association."
            )
        )
