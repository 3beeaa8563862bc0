"""Donation emails: plain text and HTML from templates/emails/donations/<name>.*, built the
one way every email is (association/emails.py). Written to the outbox in the caller's
transaction (sent by its worker), so no mail server can fail or slow the gift that caused
them."""

from association.emails import queue_email


def send_donation_email(name: str, *, to: str, subject: str, context: dict) -> None:
    queue_email(f"donations/{name}", to=to, subject=subject, context=context)
