import os
import subprocess
import sys

import pytest

from payments.checks import check_stripe_keys


def test_test_key_warns_and_key_without_webhook_secret_is_an_error(settings):
    settings.DEBUG = False
    settings.STRIPE_SECRET_KEY = "sk_test_abc"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_abc"
    assert [p.id for p in check_stripe_keys()] == ["payments.W001"]
    settings.STRIPE_SECRET_KEY = "sk_live_abc"
    assert check_stripe_keys() == []
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert [p.id for p in check_stripe_keys()] == ["payments.E002"]
    settings.STRIPE_SECRET_KEY = ""
    assert check_stripe_keys() == []


def _checkout_origin(env_extra):
    code = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='tests.settings';"
        "from django.conf import settings;"
        "print(settings.STRIPE_CHECKOUT_ORIGIN)"
    )
    env = {**os.environ, **env_extra}
    env.pop("STRIPE_CHECKOUT_ORIGIN", None)
    env.pop("STRIPE_API_BASE", None)
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def _form_action(client) -> str:
    policy = client.get("/").headers["Content-Security-Policy"]
    return next(part for part in policy.split(";") if part.strip().startswith("form-action"))


@pytest.mark.django_db
def test_csp_form_action_gains_stripe_checkout_only_when_card_payments_are_on(client, settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"
    assert "checkout.stripe.com" not in _form_action(client)
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    assert "checkout.stripe.com" not in _form_action(client)
    settings.STRIPE_WEBHOOK_SECRET = "whsec_x"
    on = _form_action(client)
    assert "'self'" in on
    assert "https://checkout.stripe.com" in on
    policy = client.get("/").headers["Content-Security-Policy"]
    assert policy.count("stripe.com") == 1  # form-action only: still no third-party script


@pytest.mark.django_db
def test_csp_form_action_allows_the_checkout_origin_actually_used(client, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_x"
    settings.STRIPE_CHECKOUT_ORIGIN = "http://127.0.0.1:8123"
    on = _form_action(client)
    assert "http://127.0.0.1:8123" in on
    assert "checkout.stripe.com" not in on


def test_checkout_origin_is_stripes_unless_the_api_is_a_fake_on_loopback():
    assert _checkout_origin({}) == "https://checkout.stripe.com"
    assert _checkout_origin({"STRIPE_API_BASE": "https://api.stripe.com"}) == (
        "https://checkout.stripe.com"
    )
    assert _checkout_origin({"STRIPE_API_BASE": "http://127.0.0.1:8123"}) == (
        "http://127.0.0.1:8123"
    )
    assert _checkout_origin({"STRIPE_API_BASE": "http://localhost:9000/"}) == (
        "http://localhost:9000"
    )
    assert (
        _checkout_origin(
            {"STRIPE_API_BASE": "http://127.0.0.1:8123", "STRIPE_CHECKOUT_ORIGIN": "https://x.test"}
        )
        == "https://x.test"
    )
