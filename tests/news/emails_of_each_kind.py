"""One real email of each kind, for the layout tests (unit and browser): a ticket email, a
membership email, a newsletter confirmation and a mailing."""

from django.core import mail

from membership.emails import send_password_changed_email
from membership.models import User
from news.emails import MailingRenderer, send_confirmation
from news.models import Mailing
from tests.events import factories
from tickets.notifications import queue_order_confirmation


def emails_of_each_kind(*, now) -> dict:
    event = factories.make_event(title="Spring dinner with a rather long title for phones")
    order = factories.make_order(
        event, [(factories.make_ticket_type(event), 2)], email="buyer@example.org", now=now
    )
    user = User.objects.create_user(email="member@example.org", password="x-long-password-1")
    mailing = Mailing(subject="News", body="## Toulon\n\nThe delegation arrives **Friday**.")
    sends = {
        "ticket": lambda: queue_order_confirmation(order, now=now),
        "membership": lambda: send_password_changed_email(user, how="change"),
        "newsletter_confirmation": lambda: send_confirmation(email="r@example.org", name="R"),
        "mailing": lambda: (
            MailingRenderer(mailing).message(email="r@example.org", name="Reader").send()
        ),
    }
    emails = {}
    for kind, send in sends.items():
        send()
        emails[kind] = mail.outbox[-1]
    return emails
