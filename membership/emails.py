"""Membership emails: plain text and HTML from templates/emails/membership/<name>.*, built
the one way every email is (association/emails.py)."""

from django.utils.translation import gettext as _

from association.emails import queue_email
from association.languages import speaking_to


def send_membership_email(name: str, *, to: str, subject: str, context: dict) -> None:
    queue_email(f"membership/{name}", to=to, subject=subject, context=context)


def send_password_changed_email(user, *, how: str) -> None:
    """Tell the owner their password changed (`how`: "change" or "reset"), so a taken-over
    account does not go unnoticed."""
    with speaking_to(user):
        send_membership_email(
            "password_changed",
            to=user.email,
            subject=_("Your password was changed"),
            context={"user": user, "how": how},
        )
