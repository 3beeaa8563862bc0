"""Newsletter and mailing emails: plain text and HTML, a personalised greeting, who sent it
and why the person receives it, and one-click unsubscribe (a link, and the RFC 8058
`List-Unsubscribe` / `List-Unsubscribe-Post` headers)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.translation import gettext as _

from association.emails import association_email, queue_email
from association.formatted_text import formatted_as_plain_text, render_formatted
from association.models import Association

from .models import Mailing
from .subscriptions import confirmation_token, unsubscribe_token


def unsubscribe_url(email: str) -> str:
    return settings.SITE_URL + reverse(
        "news:unsubscribe", kwargs={"token": unsubscribe_token(email)}
    )


def reason_for(mailing: Mailing) -> str:
    """Why this person receives the mailing, in the footer."""
    if mailing.audience == Mailing.Audience.MEMBERS:
        return _("you are a member of the association")
    if mailing.audience == Mailing.Audience.TICKET_HOLDERS:
        return _("you hold tickets for %(event)s") % {"event": mailing.event.title}
    return _("you subscribed to our newsletter")


class MailingRenderer:
    """Renders one mailing for many recipients: the formatted body once, the greeting and
    unsubscribe link per person."""

    def __init__(self, mailing: Mailing):
        self.mailing = mailing
        self.association = Association.current()
        self.body_html = render_formatted(mailing.body)
        self.body_text = formatted_as_plain_text(mailing.body)
        self.reason = reason_for(mailing)

    def message(
        self, *, email: str, name: str, test: bool = False, language: str | None = None
    ) -> EmailMultiAlternatives:
        """The mailing to one person: its subject and body as staff wrote them, the rest
        (greeting, why they receive it, how to stop) in `language`, theirs."""
        link = unsubscribe_url(email)
        context = {
            "mailing": self.mailing,
            "association": self.association,
            "name": name,
            "body_html": self.body_html,
            "body_text": self.body_text,
            "reason": self.reason,
            "unsubscribe_url": link,
            "site_url": settings.SITE_URL,
            "post_url": settings.SITE_URL + self.mailing.post.get_absolute_url()
            if self.mailing.post_id
            else "",
            "test": test,
        }
        subject = self.mailing.subject
        if test:
            subject = _("[Test] %(subject)s") % {"subject": subject}
        return association_email(
            "news/mailing",
            language=language,
            to=email,
            subject=subject,
            context=context,
            headers={
                "List-Unsubscribe": f"<{link}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            association=self.association,
        )


def send_confirmation(*, email: str, name: str, language: str | None = None) -> None:
    """The double opt-in email: a link that completes the subscription."""
    context = {
        "name": name,
        "confirm_url": settings.SITE_URL
        + reverse("news:confirm", kwargs={"token": confirmation_token(email)}),
    }
    queue_email(
        "news/confirm",
        to=email,
        subject=_("Please confirm your newsletter subscription"),
        context=context,
        language=language,
    )
