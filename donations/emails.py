"""Donation emails: plain text and HTML from templates/emails/donations_<name>.*, signed
with the association's name. Written to the outbox in the caller's transaction (sent by
its worker), so no mail server can fail or slow the gift that caused them."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from association.models import Association


def send_donation_email(name: str, *, to: str, subject: str, context: dict) -> None:
    context = {"site_url": settings.SITE_URL, "association": Association.current(), **context}
    text = render_to_string(f"emails/donations_{name}.txt", context)
    html = render_to_string(f"emails/donations_{name}.html", context)
    message = EmailMultiAlternatives(subject=str(subject), body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()
