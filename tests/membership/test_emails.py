"""Plain-text emails are text, not HTML: a name with an apostrophe or an ampersand reaches
the reader as typed, not as an HTML entity."""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core import mail

from membership.emails import send_membership_email

EMAIL_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "emails"


def test_plain_text_email_shows_a_name_as_typed(make_user, make_membership, plan):
    user = make_user("sean@example.org", first_name="Seán <O'Brien> & Co")
    membership = make_membership(user, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    send_membership_email(
        "active", to=user.email, subject="Welcome", context={"membership": membership}
    )
    (message,) = mail.outbox
    assert "Hello Seán <O'Brien> & Co," in message.body
    # The HTML part still escapes what the member typed.
    assert "Seán &lt;O&#x27;Brien&gt; &amp; Co" in message.alternatives[0][0]


def test_every_plain_text_email_template_turns_autoescape_off():
    missing = [
        path.name
        for path in sorted(EMAIL_TEMPLATES.glob("*.txt"))
        if "{% autoescape off %}" not in path.read_text()
    ]
    assert missing == []
