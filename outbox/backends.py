"""The site's email backend: `message.send()` anywhere (our apps, Django's password reset)
writes the message to the outbox on the default database connection, so inside the
caller's transaction, with the procrastinate job that sends it (outbox/tasks.py): both are
kept exactly when what caused it is, and no request waits for (or fails with) a mail
server. The worker (`manage.py procrastinate worker`, or `run_jobs`) sends it through
`OUTBOX_DELIVERY_BACKEND`."""

from django.core.mail.backends.base import BaseEmailBackend

from .messages import recipients_for_display, serialize
from .models import OutgoingEmail


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        messages = [message for message in email_messages if message.recipients()]
        if not messages:
            return 0
        try:
            rows = OutgoingEmail.objects.bulk_create(
                [
                    OutgoingEmail(
                        message=serialize(message),
                        subject=str(message.subject)[:500],
                        recipients=recipients_for_display(message),
                    )
                    for message in messages
                ]
            )
        except Exception:
            if not self.fail_silently:
                raise
            return 0
        from .tasks import defer_sending  # noqa: PLC0415 (tasks import the app registry)

        defer_sending(rows)
        return len(rows)
