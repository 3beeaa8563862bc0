"""Stand-ins for the mail server at the network boundary, as the outbox's delivery backend."""

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

REFUSING = "tests.outbox.mail_servers.RefusingEmailBackend"
COUNTING = "tests.outbox.mail_servers.CountingEmailBackend"


class RefusingEmailBackend(BaseEmailBackend):
    """A mail server that is down: every send fails, as SMTP would."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


class CountingEmailBackend(LocmemBackend):
    """locmem that also counts the connections opened (one per batch is the rule)."""

    opened = 0

    def open(self):
        type(self).opened += 1
        return super().open()


def delivered_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]
