import os
import subprocess
import sys

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


def _form_action(env_extra):
    code = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='tests.settings';"
        "from django.conf import settings;"
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    env = {**os.environ, "STRIPE_SECRET_KEY": "", "STRIPE_WEBHOOK_SECRET": "", **env_extra}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout


def test_csp_form_action_gains_stripe_checkout_only_when_card_payments_are_on():
    assert "checkout.stripe.com" not in _form_action({})
    assert "checkout.stripe.com" not in _form_action({"STRIPE_SECRET_KEY": "sk_test_x"})
    on = _form_action({"STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"})
    assert "https://checkout.stripe.com" in on
