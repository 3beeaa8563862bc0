"""Membership emails: plain text and HTML from templates/emails/membership_<name>.*, signed
with the association's name (`Association.current()`)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from association.models import Association


def send_membership_email(name: str, *, to: str, subject: str, context: dict) -> None:
    context = {"site_url": settings.SITE_URL, "association": Association.current(), **context}
    text = render_to_string(f"emails/membership_{name}.txt", context)
    html = render_to_string(f"emails/membership_{name}.html", context)
    message = EmailMultiAlternatives(subject=str(subject), body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


def send_password_changed_email(user, *, how: str) -> None:
    """Tell the owner their password changed (`how`: "change" or "reset"), so a taken-over
    account does not go unnoticed."""
    send_membership_email(
        "password_changed",
        to=user.email,
        subject=_("Your password was changed"),
        context={"user": user, "how": how},
    )
