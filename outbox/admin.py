"""Staff's view of outgoing email: what went, what waits, what failed and why, and a
"retry now" action. The changelist says how many have failed, so it is seen."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OutgoingEmail
from .tasks import defer_sending


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "subject_or_kind",
        "recipients",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    )
    list_filter = ("status", "kind")
    search_fields = ("recipients", "subject")
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    fields = (
        "created_at",
        "kind",
        "recipients",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "build_args",
    )
    readonly_fields = fields

    @admin.display(description=_("Subject"), ordering="subject")
    def subject_or_kind(self, obj):
        return obj.subject or obj.kind

    @admin.display(description=_("Last error"))
    def short_error(self, obj):
        return Truncator(obj.last_error).chars(80)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Read-only: nothing about a queued email is staff's to edit, only to retry.
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm("outbox.change_outgoingemail")

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        """Queue the selected failed or waiting emails for the worker's next round; a
        failed one gets its full number of attempts again. Sent ones are left alone."""
        rows = list(queryset.exclude(status=OutgoingEmail.Status.SENT).only("pk"))
        count = OutgoingEmail.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=OutgoingEmail.Status.QUEUED, next_attempt_at=timezone.now(), attempts=0
        )
        # A new sending task each: a waiting one's retry may be hours away.
        defer_sending(rows)
        self.message_user(
            request,
            ngettext(
                "%(count)s email will be sent again within seconds.",
                "%(count)s emails will be sent again within seconds.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def changelist_view(self, request, extra_context=None):
        overdue = OutgoingEmail.objects.overdue(timezone.now()).count()
        if overdue:
            self.message_user(
                request,
                ngettext(
                    "%(count)s email has waited more than five minutes to be sent: the "
                    "procrastinate worker and cron's run_jobs seem to be stopped.",
                    "%(count)s emails have waited more than five minutes to be sent: the "
                    "procrastinate worker and cron's run_jobs seem to be stopped.",
                    overdue,
                )
                % {"count": overdue},
                messages.ERROR,
            )
        failed = OutgoingEmail.objects.failed().count()
        if failed:
            self.message_user(
                request,
                ngettext(
                    "%(count)s email could not be sent. Filter by status “failed” to see "
                    "why, then “Retry now”.",
                    "%(count)s emails could not be sent. Filter by status “failed” to see "
                    "why, then “Retry now”.",
                    failed,
                )
                % {"count": failed},
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)
