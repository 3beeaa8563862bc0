"""The Content Security Policy's one exception for payments: forms may lead to the card
provider's hosted Checkout page, and only while card payments are on.

The checkout and join forms answer with a redirect to that page, and browsers apply the
page's `form-action` to the redirect. The origin is `STRIPE_CHECKOUT_ORIGIN` (Stripe's
`https://checkout.stripe.com` in production; the fake's own origin when `STRIPE_API_BASE`
is on loopback, see nsca/settings.py). It is read on every response, not baked into the
policy at start-up, so a test that starts a fake Stripe on a port of its own only sets the
setting. Still no third-party script: only `form-action` changes.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

from . import stripe_api


def checkout_form_targets() -> list[str]:
    """The origins besides our own that a form may lead to: the Checkout page's, while
    card payments are on; none otherwise."""
    if not stripe_api.card_payments_enabled():
        return []
    origin = settings.STRIPE_CHECKOUT_ORIGIN.rstrip("/")
    return [origin] if origin else []


class CheckoutCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the Checkout page's origin added to `form-action`."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        targets = checkout_form_targets()
        if targets:
            update = dict(parts.update or {})
            update["form-action"] = [*update.get("form-action", ()), *targets]
            parts.update = update
        return parts
