"""Every email the site sends is built one way (association/emails.py): a plain-text part
and an HTML part, the association's details, and Reply-To its contact email. No other
module builds a message, so no email can lose its HTML twin or its Reply-To (the refund
email was text alone). tests/conftest.py also checks every email any test sends."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from tests.news.emails_of_each_kind import emails_of_each_kind
from tests.nsca.test_settings import ROOT

pytestmark = pytest.mark.django_db

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
# What builds or sends a message by itself, bypassing the one helper.
BUILDERS = {"EmailMessage", "EmailMultiAlternatives", "send_mail", "send_mass_mail"}
# The helper itself, and the outbox reading a stored message back.
ALLOWED = {"association/emails.py", "outbox/messages.py"}


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def called_names(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            function = node.func
            names.add(
                function.attr
                if isinstance(function, ast.Attribute)
                else getattr(function, "id", "")
            )
    return names


def test_no_module_builds_an_email_but_the_one_helper():
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests"}
    builders = {
        str(path.relative_to(ROOT)): sorted(called_names(path.read_text()) & BUILDERS)
        for package in packages
        for path in (ROOT / package).rglob("*.py")
        if str(path.relative_to(ROOT)) not in ALLOWED and "migrations" not in path.parts
    }
    assert {path: found for path, found in builders.items() if found} == {}


def test_every_email_template_has_its_plain_text_and_html_twin():
    names = {path.stem for path in EMAILS.glob("*.*") if not path.stem.endswith("_subject")}
    names -= {"base"}
    alone = sorted(
        name
        for name in names
        if not (EMAILS / f"{name}.txt").exists() or not (EMAILS / f"{name}.html").exists()
    )
    assert alone == []


def test_replies_to_every_kind_of_email_go_to_the_association(association, now):
    for kind, message in emails_of_each_kind(now=now).items():
        assert message.reply_to == [association.email], kind
        assert message.alternatives[0][1] == "text/html", kind


def test_the_refund_email_has_an_html_part(association, now):
    from payments.models import Payment
    from tests.events import factories
    from tickets.order_payments import _tell_buyer

    event = factories.make_event(title="Spring dinner")
    order = factories.make_order(event, [(factories.make_ticket_type(event), 1)], now=now)
    mail.outbox.clear()
    _tell_buyer(order, Payment(amount=order.total), "refund", amount=order.total)
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert "We have refunded" in message.body and "We have refunded" in html
    assert message.reply_to == [association.email]


def test_the_password_reset_email_has_both_parts_and_replies_to_the_association(
    client, association
):
    from membership.models import User

    User.objects.create_user(email="member@example.org", password="x-long-password-1")
    client.post("/account/password/reset/", {"email": "member@example.org"})
    (message,) = mail.outbox
    assert "reset" in message.body and message.alternatives[0][1] == "text/html"
    assert message.reply_to == [association.email]
