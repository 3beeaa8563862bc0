"""Donation emails: plain text and HTML from templates/emails/donations_<name>.*, built the
one way every email is (association/emails.py). Written to the outbox in the caller's
transaction (sent by its worker), so no mail server can fail or slow the gift that caused
them."""

from association.emails import association_email


def send_donation_email(name: str, *, to: str, subject: str, context: dict) -> None:
    association_email(f"donations_{name}", to=to, subject=subject, context=context).send()
