"""Deployment checks for card payments (`manage.py check --deploy`, DEBUG off).

A test key (`sk_test_...`) takes no real money: a warning, since a staging site may mean
it; it never stops the site from starting or migrating. A secret key without its webhook
secret would take money and never hear that it arrived: an error.
"""

from django.conf import settings
from django.core.checks import Error, Warning


def check_stripe_keys(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    problems = []
    key = settings.STRIPE_SECRET_KEY
    if key.startswith("sk_test_"):
        problems.append(
            Warning(
                "STRIPE_SECRET_KEY is a test key: card payments take no real money.",
                hint="Use the live key (sk_live_...) in production; a staging site may keep it.",
                id="payments.W001",
            )
        )
    if key and not settings.STRIPE_WEBHOOK_SECRET:
        problems.append(
            Error(
                "STRIPE_SECRET_KEY is set without STRIPE_WEBHOOK_SECRET.",
                hint="Register the webhook /payments/stripe/webhook/ in Stripe's dashboard "
                "and set its signing secret (whsec_...); card payments stay off until then.",
                id="payments.E002",
            )
        )
    return problems
