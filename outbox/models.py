"""The outbox: every email the site sends, as a row written in the transaction that
caused it, and sent afterwards by a worker (outbox/delivery.py).

A row holds either the message itself (`message`, serialized by outbox/messages.py), or,
for an email too heavy to build inside a request, the name of a registered builder and its
arguments (`builder`, `build_args`; outbox/builds.py): the worker builds it, stores the
message in the row, and sends it.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

OVERDUE_AFTER = datetime.timedelta(minutes=5)


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, now):
        """Queued rows whose (next) attempt has come, oldest first: what the worker takes."""
        return self.filter(status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "pk"
        )

    def overdue(self, now):
        """Due for more than `OVERDUE_AFTER` and still queued: neither the worker nor
        cron's `run_jobs` is running (either would have sent or rescheduled them)."""
        return self.due(now - OVERDUE_AFTER)

    def failed(self):
        return self.filter(status=OutgoingEmail.Status.FAILED)

    def sent_before(self, moment):
        return self.filter(status=OutgoingEmail.Status.SENT, sent_at__lt=moment)


class OutgoingEmail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    kind = models.CharField(
        _("kind"),
        max_length=100,
        blank=True,
        help_text=_("The builder of an email built by the worker; empty for one written whole."),
    )
    recipients = models.TextField(_("recipients"), blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    message = models.JSONField(
        _("message"),
        null=True,
        blank=True,
        help_text=_("The email itself; empty until the worker has built it."),
    )
    builder = models.CharField(_("builder"), max_length=100, blank=True)
    build_args = models.JSONField(_("build arguments"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The worker's question, asked every second: queued rows due by now.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="queued"),
                name="outbox_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(message__isnull=False) | ~Q(builder=""),
                name="outbox_message_or_builder",
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"),
                name="outbox_sent_has_sent_at",
            ),
        ]

    def __str__(self):
        return f"{self.subject or self.kind} to {self.recipients}"

    @property
    def is_built(self) -> bool:
        return self.message is not None
