"""Emails built by the worker instead of the request that caused them.

Some emails are costly to build (the order confirmation draws a QR code per ticket). The
request then only queues a row naming a registered builder and its JSON arguments
(`queue_build`), in its own transaction; the worker calls the builder, stores the message
it returns in the row and sends it (outbox/delivery.py). Apps register their builders
from their `AppConfig.ready()`, so the outbox imports no app.

A builder takes its arguments by keyword and returns the `EmailMessage` to send. It runs
in the worker's transaction together with the row's "built" mark, so whatever it claims
in the database (a venue notice told in the confirmation) is claimed once, with the
message that tells it.
"""

from collections.abc import Callable

from django.core.mail import EmailMessage

from .models import OutgoingEmail

_builders: dict[str, Callable[..., EmailMessage]] = {}


def register(name: str, builder: Callable[..., EmailMessage]) -> None:
    _builders[name] = builder


def queue_build(name: str, *, recipients: str = "", **arguments) -> OutgoingEmail:
    """Queue the email `name` builds from `arguments` (JSON values); `recipients` is only
    what staff see in the admin until it is built."""
    if name not in _builders:
        raise LookupError(f"No email builder is registered as {name!r}.")
    row = OutgoingEmail.objects.create(
        kind=name, builder=name, build_args=arguments, recipients=recipients
    )
    from .tasks import defer_sending  # noqa: PLC0415 (tasks import delivery, which imports this)

    defer_sending([row])
    return row


def build(row: OutgoingEmail) -> EmailMessage:
    return _builders[row.builder](**row.build_args)
