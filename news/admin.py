"""News and mailings in the admin.

Mailings: write (or make one from a post), preview, send a test to yourself, then send now
or at `send_at`. Who may mail whom is `Mailing.required_permission` (event managers: ticket
holders; the Membership secretary: members and subscribers), checked on every save and
send; a mailing naming a venue still secret is refused (`Mailing.reveals_secret_venue`).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from modeltranslation.admin import TranslationAdmin

from association.badges import render_badge

from .delivery import reach
from .emails import MailingRenderer
from .models import Delivery, Mailing, Post, Subscriber, mailing_progress

FAILURES_SHOWN = 50
SECRET_VENUE_MESSAGE = gettext_lazy(
    "This mailing names the venue of %(event)s, which stays secret until %(when)s. Remove "
    "the venue's name and address, or send it after the reveal."
)


def audiences_allowed(user) -> list[str]:
    return [
        audience
        for audience in Mailing.Audience.values
        if user.has_perm(Mailing(audience=audience).required_permission())
    ]


def refuse_secret_venue(mailing: Mailing, *, at) -> None:
    if mailing.reveals_secret_venue(at):
        event = mailing.event_about()
        raise ValidationError(
            SECRET_VENUE_MESSAGE
            % {"event": event.title, "when": timezone.localtime(event.venue_reveal_at)}
        )


AUDIENCE_FIELDS = {
    Mailing.Audience.SUBSCRIBERS: (),
    Mailing.Audience.MEMBERS: ("plan",),
    Mailing.Audience.TICKET_HOLDERS: ("event", "ticket_types"),
}
"""The fields each audience needs; the others are hidden and cleared."""


class MailingForm(forms.ModelForm):
    class Meta:
        model = Mailing
        fields = ["subject", "body", "post", "audience", "event", "ticket_types", "plan", "send_at"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "audience" in self.fields:  # absent once sent: everything is read-only then
            allowed = audiences_allowed(user)
            field = self.fields["audience"]
            field.choices = [c for c in field.choices if c[0] in allowed or c[0] == ""]

    def clean(self):
        data = super().clean()
        if "audience" not in self.fields:
            return data
        audience = data.get("audience")
        if audience and audience not in audiences_allowed(self.user):
            raise ValidationError(_("You may not send mailings to this audience."))
        if audience in AUDIENCE_FIELDS:
            # What another audience would need does not narrow this one: a plan left from
            # a members draft must not stay on a mailing to subscribers.
            needed = AUDIENCE_FIELDS[audience]
            for name in ("event", "plan"):
                if name not in needed and name in self.fields:
                    data[name] = None
            if "ticket_types" not in needed and "ticket_types" in self.fields:
                data["ticket_types"] = []
        if audience == Mailing.Audience.TICKET_HOLDERS and not data.get("event"):
            self.add_error("event", _("Choose the event whose ticket holders receive it."))
        event = data.get("event")
        for ticket_type in data.get("ticket_types") or []:
            if event is None or ticket_type.event_id != event.pk:
                self.add_error("ticket_types", _("Choose ticket types of the event chosen."))
                break
        mailing = Mailing(
            subject=data.get("subject") or "",
            body=data.get("body") or "",
            event=event,
            post=data.get("post"),
        )
        send_at = data.get("send_at")
        refuse_secret_venue(mailing, at=max(timezone.now(), send_at or timezone.now()))
        return data


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    list_display = ("subject", "audience", "status", "send_at", "sent", "failed", "queued")
    list_filter = ("status", "audience")
    search_fields = ("subject",)
    autocomplete_fields = ()
    readonly_fields = ("status", "created_by", "queued_at", "finished_at", "progress", "failures")
    fieldsets = (
        (None, {"fields": ("subject", "body", "post")}),
        (gettext_lazy("Audience"), {"fields": ("audience",)}),
        (
            gettext_lazy("Ticket holders"),
            {
                "fields": ("event", "ticket_types"),
                "description": gettext_lazy("Only for a mailing to an event's ticket holders."),
                "audience": Mailing.Audience.TICKET_HOLDERS,
            },
        ),
        (
            gettext_lazy("Members"),
            {
                "fields": ("plan",),
                "description": gettext_lazy("Only for a mailing to members."),
                "audience": Mailing.Audience.MEMBERS,
            },
        ),
        (
            gettext_lazy("Sending"),
            {"fields": ("send_at", "status", "created_by", "queued_at", "finished_at")},
        ),
        (gettext_lazy("Progress"), {"fields": ("progress", "failures")}),
    )
    filter_horizontal = ("ticket_types",)
    form = MailingForm

    def get_queryset(self, request):
        return super().get_queryset(request).filter(audience__in=audiences_allowed(request.user))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class WithUser(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return WithUser

    def get_fieldsets(self, request, obj=None):
        """The fields of one audience (an event's ticket holders, members of a plan) are a
        section of their own, folded away (a <details>, no JavaScript needed) unless the
        mailing is for that audience; saving clears what the audience does not need."""
        audience = obj.audience if obj is not None else None
        fieldsets = []
        for name, options in self.fieldsets:
            options = dict(options)
            section_audience = options.pop("audience", None)
            if section_audience not in (None, audience):
                options["classes"] = ("collapse",)
            fieldsets.append((name, options))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return [*MailingForm.Meta.fields, *self.readonly_fields]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None:
            return obj.audience in audiences_allowed(request.user)
        return allowed

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_editable)

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=gettext_lazy("Sent"))
    def sent(self, obj):
        return mailing_progress(obj)["sent"]

    @admin.display(description=gettext_lazy("Failed"))
    def failed(self, obj):
        return mailing_progress(obj)["failed"]

    @admin.display(description=gettext_lazy("Queued"))
    def queued(self, obj):
        return mailing_progress(obj)["queued"]

    @admin.display(description=gettext_lazy("Progress"))
    def progress(self, obj):
        if obj.pk is None:
            return "-"
        figures = mailing_progress(obj)
        labels = [
            (_("queued"), figures["queued"]),
            (_("sent"), figures["sent"]),
            (_("failed"), figures["failed"]),
            (_("skipped (unsubscribed)"), figures["skipped"]),
            (_("unsubscribed since"), figures["unsubscribed_since"]),
        ]
        return format_html_join(" · ", "{}: {}", labels)

    @admin.display(description=gettext_lazy("Failures"))
    def failures(self, obj):
        if obj.pk is None:
            return "-"
        rows = obj.deliveries.filter(status=Delivery.Status.FAILED).values_list("email", "error")
        rows = list(rows[:FAILURES_SHOWN])
        if not rows:
            return _("None")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", rows))

    # Preview, test, send -------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="news_mailing_preview",
            ),
            path(
                "<int:pk>/send/",
                self.admin_site.admin_view(self.send_now_view),
                name="news_mailing_send_now",
            ),
            *super().get_urls(),
        ]

    def _mailing_for(self, request, pk) -> Mailing:
        mailing = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, mailing):
            raise PermissionDenied
        return mailing

    def preview_view(self, request, pk):
        mailing = self._mailing_for(request, pk)
        name = request.user.get_full_name()
        message = MailingRenderer(mailing).message(email=request.user.email, name=name)
        html = message.alternatives[0][0]
        return HttpResponse(html)

    def response_change(self, request, obj):
        if "_send_test" in request.POST:
            name = request.user.get_full_name()
            MailingRenderer(obj).message(email=request.user.email, name=name, test=True).send()
            self.message_user(request, _("A test was sent to %s.") % request.user.email)
            return HttpResponseRedirect(request.path)
        if "_send_now" in request.POST:
            # Saved; sending asks first, on a page of its own that says how many it reaches.
            return HttpResponseRedirect(reverse("admin:news_mailing_send_now", args=[obj.pk]))
        if "_schedule" in request.POST:
            return self._send(request, obj, now=False)
        return super().response_change(request, obj)

    def send_now_view(self, request, pk):
        """ "Send now" asks to confirm, as Django's delete does: GET says how many people
        the mailing reaches; only the POST from its button sends."""
        mailing = self._mailing_for(request, pk)
        if not self.has_change_permission(request, mailing):
            raise PermissionDenied
        change_url = reverse("admin:news_mailing_change", args=[mailing.pk])
        if not mailing.is_editable:
            self.message_user(request, _("This mailing was already sent."), messages.ERROR)
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            return self._send(request, mailing, now=True, back_to=change_url)
        count = reach(mailing, now=timezone.now())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send “%(subject)s” now?") % {"subject": mailing.subject},
            "mailing": mailing,
            "reach": ngettext(
                "It will be sent to %(count)s person: %(audience)s.",
                "It will be sent to %(count)s people: %(audience)s.",
                count,
            )
            % {"count": count, "audience": mailing.get_audience_display().lower()},
            "count": count,
            "change_url": change_url,
            "opts": self.model._meta,
            "original": mailing,
        }
        return TemplateResponse(request, "admin/news/mailing/send_confirmation.html", context)

    def _send(self, request, mailing: Mailing, *, now: bool, back_to: str | None = None):
        moment = timezone.now()
        back_to = back_to or request.path
        if mailing.audience not in audiences_allowed(request.user):
            raise PermissionDenied
        if not mailing.is_editable:
            self.message_user(request, _("This mailing was already sent."), messages.ERROR)
            return HttpResponseRedirect(back_to)
        if not now and (mailing.send_at is None or mailing.send_at <= moment):
            self.message_user(request, _("Set a future 'send at' time first."), messages.ERROR)
            return HttpResponseRedirect(back_to)
        send_at = moment if now else mailing.send_at
        try:
            refuse_secret_venue(mailing, at=send_at)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(back_to)
        Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.DRAFT).update(
            status=Mailing.Status.SCHEDULED, send_at=send_at
        )
        self.message_user(
            request,
            _("The mailing will go out with the next run of the jobs (every minute).")
            if now
            else _("The mailing is scheduled."),
        )
        return HttpResponseRedirect(reverse("admin:news_mailing_changelist"))


class PostAdminForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = "__all__"  # noqa: DJ007 - the admin narrows it to its fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "status" in self.fields:
            # A scheduled post whose time has come is published: say so, so saving it
            # again is not refused for a time that is no longer in the future.
            self.initial["status"] = self.instance.state(timezone.now())


class PostStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Post.Status.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == Post.Status.PUBLISHED:
            return queryset.published(now)
        if self.value() == Post.Status.SCHEDULED:
            return queryset.scheduled_after(now)
        if self.value() == Post.Status.DRAFT:
            return queryset.drafts()
        return queryset


@admin.register(Post)
class PostAdmin(TranslationAdmin):
    form = PostAdminForm
    list_display = ("title", "state", "published_at", "event")
    list_filter = (PostStateFilter, "partnerships")
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("partnerships",)
    date_hierarchy = "published_at"
    actions = ["make_mailing"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body")}),
        (gettext_lazy("Image"), {"fields": ("image", "image_alt")}),
        (
            gettext_lazy("Publication"),
            {"fields": ("status", "published_at", "partnerships", "event")},
        ),
    )

    @admin.display(description=gettext_lazy("Status"), ordering="status")
    def state(self, post):
        return render_badge(post.badge(timezone.now()))

    @admin.action(description=gettext_lazy("Make a mailing to subscribers from this post"))
    def make_mailing(self, request, queryset):
        if not request.user.has_perm("news.add_mailing"):
            raise PermissionDenied
        audience = Mailing.Audience.SUBSCRIBERS
        if audience not in audiences_allowed(request.user):
            raise PermissionDenied
        mailing = None
        for post in queryset:
            body = "\n\n".join(part for part in (post.summary, post.body) if part)
            mailing = Mailing.objects.create(
                subject=post.title, body=body, post=post, audience=audience, created_by=request.user
            )
        if mailing is not None:
            return HttpResponseRedirect(reverse("admin:news_mailing_change", args=[mailing.pk]))
        return None


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "confirmed_at", "unsubscribed_at", "user")
    list_filter = (
        ("confirmed_at", admin.EmptyFieldListFilter),
        ("unsubscribed_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("email", "name")
    readonly_fields = ("user", "created_at", "confirmation_sent_at", "confirmed_at")
    fields = (
        "email",
        "name",
        "user",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
    )

    def has_add_permission(self, request):
        # Consent is given by the person (double opt-in, or their profile), never typed in.
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("email", "mailing", "status", "attempts", "sent_at", "error")
    list_filter = ("status", "mailing")
    search_fields = ("email",)

    def get_queryset(self, request):
        allowed = audiences_allowed(request.user)
        return super().get_queryset(request).filter(mailing__audience__in=allowed)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
