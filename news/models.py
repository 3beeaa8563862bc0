"""Posts, newsletter subscribers, mailings and their deliveries.

Publishing: a post has a status staff choose, Draft, Scheduled or Published, and a
publication time. It is public once it is not a draft and its time has come
(`PostQuerySet.published`, which every surface uses: list, page, feed, sitemap, partnership,
event and home pages); a scheduled post goes public at its time with no job to run, and
`Post.state(at)` says where a post stands at a moment. A draft is one by choice, never for
want of a date: Scheduled needs a time in the future, Published without one is published
now (`Post.clean`). Consent lives on `SubscriberQuerySet` (see news/consent.py).
"""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from association.badges import Badge, Tone
from association.images import UPLOAD_HELP_TEXT, store_sanitized_upload, validate_image_upload
from association.languages import language_field
from association.page_cache import computed_once_per_version
from cities.models import Partnership
from events.models import Event
from membership.models import MembershipPlan
from tickets.models import TicketType

FORMATTED_HELP_TEXT = _(
    "Formatted text: a blank line starts a paragraph; ## Heading, **bold**, *italic*, "
    "- list item, [link text](https://example.org). HTML is not allowed."
)


def new_token() -> str:
    return secrets.token_urlsafe(32)


class PostQuerySet(models.QuerySet):
    def published(self, now: datetime.datetime):
        """Posts the public may read at `now`: not drafts, not scheduled for later."""
        return self.exclude(status=Post.Status.DRAFT).filter(
            published_at__isnull=False, published_at__lte=now
        )

    def drafts(self):
        """Posts that are drafts (`Post.state`): marked so, or with no publication time."""
        return self.filter(models.Q(status=Post.Status.DRAFT) | models.Q(published_at__isnull=True))

    def scheduled_after(self, now: datetime.datetime):
        """Posts that will go public by themselves after `now`."""
        return self.exclude(status=Post.Status.DRAFT).filter(published_at__gt=now)


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.TextField(_("summary"), blank=True, help_text=_("One or two sentences."))
    body = models.TextField(_("body"), blank=True, help_text=FORMATTED_HELP_TEXT)
    image = models.ImageField(
        _("image"),
        upload_to="news/",
        blank=True,
        validators=[validate_image_upload],
        help_text=UPLOAD_HELP_TEXT,
    )
    image_alt = models.CharField(
        _("image description"), max_length=200, blank=True, help_text=_("For screen readers.")
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text=_(
            "Draft: not public. Scheduled: public at the publication time, which must be in "
            "the future. Published: public now (at the publication time, or now if empty)."
        ),
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("When the post is (or was) published. Optional for a draft."),
    )
    partnerships = models.ManyToManyField(
        Partnership, blank=True, related_name="posts", verbose_name=_("partnerships")
    )
    event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("event"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = [models.F("published_at").desc(nulls_first=True), "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="post_not_draft_has_publication_time",
                violation_error_message=_("A post that is not a draft needs a publication time."),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()  # as clean does, for posts made in code
        store_sanitized_upload(self, field="image")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("news:post_detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        self.settle_publication(now=timezone.now())

    def settle_publication(self, *, now: datetime.datetime) -> None:
        """Check the status against the publication time as of `now`: Published without a
        time is published now; Scheduled needs a time to come; Published with a time to
        come is Scheduled in all but name, so staff are asked which they mean."""
        if self.status == self.Status.PUBLISHED:
            if self.published_at is None:
                self.published_at = now
            elif self.published_at > now:
                raise ValidationError(
                    {
                        "published_at": _(
                            "This time is still to come: choose “Scheduled” to publish the "
                            "post then, or a time that has passed to publish it now."
                        )
                    }
                )
        elif self.status == self.Status.SCHEDULED and (
            self.published_at is None or self.published_at <= now
        ):
            raise ValidationError(
                {"published_at": _("A scheduled post needs a publication time in the future.")}
            )

    def state(self, at: datetime.datetime) -> str:
        """Where the post stands at `at`: a scheduled post whose time has come is
        published."""
        if self.status == self.Status.DRAFT or self.published_at is None:
            return self.Status.DRAFT
        return self.Status.PUBLISHED if self.published_at <= at else self.Status.SCHEDULED

    def is_published(self, at: datetime.datetime) -> bool:
        return self.state(at) == self.Status.PUBLISHED

    def badge(self, at: datetime.datetime) -> Badge:
        """Where the post stands at `at` (`state`) as a badge (association/badges.py)."""
        state = self.Status(self.state(at))
        tone = {self.Status.PUBLISHED: Tone.OK, self.Status.SCHEDULED: Tone.WARN}.get(
            state, Tone.PLAIN
        )
        return Badge(state.label, tone)


class SubscriberQuerySet(models.QuerySet):
    def may_receive_marketing(self):
        """THE consent rule: who may be sent the newsletter or a mailing. Confirmed (double
        opt-in, or a member's consent from their verified account) and not unsubscribed."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)

    def opted_out(self):
        """Addresses that said no: never mailed a newsletter or mailing, whatever the
        audience (member, ticket holder)."""
        return self.filter(unsubscribed_at__isnull=False)

    def for_email(self, email: str):
        return self.filter(email__iexact=email.strip())


class Subscriber(models.Model):
    email = models.EmailField(_("email"), max_length=254)
    name = models.CharField(_("name"), max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="newsletter_subscription",
        verbose_name=_("member account"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    language = language_field()

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="subscriber_email_unique_ci"),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def may_receive_marketing(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class Mailing(models.Model):
    class Audience(models.TextChoices):
        SUBSCRIBERS = "subscribers", _("Newsletter subscribers")
        MEMBERS = "members", _("Members in good standing")
        TICKET_HOLDERS = "ticket_holders", _("Ticket holders of one event")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), help_text=FORMATTED_HELP_TEXT)
    post = models.ForeignKey(
        Post,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mailings",
        verbose_name=_("made from post"),
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mailings",
        verbose_name=_("event"),
        help_text=_("For ticket holders: whose confirmed orders receive it."),
    )
    ticket_types = models.ManyToManyField(
        TicketType,
        blank=True,
        verbose_name=_("ticket types"),
        help_text=_("Only holders of these ticket types (none chosen: every ticket holder)."),
    )
    plan = models.ForeignKey(
        MembershipPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("membership plan"),
        help_text=_("For members: only this plan (empty: every member in good standing)."),
    )
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    queued_at = models.DateTimeField(
        _("deliveries queued"),
        null=True,
        blank=True,
        help_text=_("When every recipient had its delivery."),
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(audience="ticket_holders") | models.Q(event__isnull=False),
                name="mailing_ticket_holders_have_an_event",
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def event_about(self) -> Event | None:
        """The event this mailing is about: its audience's event, else its post's."""
        if self.event_id:
            return self.event
        if self.post_id and self.post.event_id:
            return self.post.event
        return None

    def reveals_secret_venue(self, at: datetime.datetime) -> bool:
        """Would sending this at `at` tell a venue still secret then? Its text naming the
        venue, or a line of its address, of the event it is about, before the reveal
        (events' gate: `Event.venue_is_revealed`)."""
        event = self.event_about()
        if event is None or event.venue_id is None or event.venue_is_revealed(at):
            return False
        venue = event.venue
        text = f"{self.subject}\n{self.body}".casefold()
        secrets_ = [venue.name, *venue.address.splitlines()]
        return any(part.strip() and part.strip().casefold() in text for part in secrets_)

    def required_permission(self) -> str:
        """Who may send to this audience: event managers to ticket holders, the Membership
        secretary to members and subscribers."""
        if self.audience == self.Audience.TICKET_HOLDERS:
            return "events.change_event"
        return "membership.change_membership"


class DeliveryQuerySet(models.QuerySet):
    def due(self, now: datetime.datetime):
        return self.filter(status=Delivery.Status.QUEUED, next_attempt_at__lte=now)


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (unsubscribed)")

    mailing = models.ForeignKey(
        Mailing, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("mailing")
    )
    email = models.EmailField(_("email"), max_length=254)
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = language_field()
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["id"]
        constraints = [
            # One per address: `email` is stored lower-cased by the queueing code.
            models.UniqueConstraint(fields=["mailing", "email"], name="delivery_once_per_address"),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="delivery_email_lower_case"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.mailing} → {self.email}"


def mailing_progress(mailing: "Mailing") -> dict[str, int]:
    """What the admin shows of a mailing's sending: deliveries per status, and how many of
    its recipients unsubscribed since it was queued."""
    counts = dict(
        mailing.deliveries.values_list("status").annotate(n=models.Count("pk")).order_by()
    )
    progress = {status: counts.get(status, 0) for status in Delivery.Status.values}
    since = mailing.queued_at
    progress["unsubscribed_since"] = (
        Subscriber.objects.opted_out()
        .filter(
            unsubscribed_at__gte=since,
            email__in=mailing.deliveries.values("email"),
        )
        .count()
        if since
        else 0
    )
    return progress


def next_publication(*, now: datetime.datetime) -> datetime.datetime | None:
    """When the next post scheduled for later is published (None: none is): until then,
    what `Post.objects.published(now)` answers changes only with an edit."""
    return computed_once_per_version(
        "news:next-publication",
        lambda: (
            Post.objects.scheduled_after(now)
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        ),
        scopes=["news"],
        until=lambda moment: moment,
    )
