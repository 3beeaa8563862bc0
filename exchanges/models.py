"""Exchange programs and what people send to take part in them.

A rule about one object lives on its model (`Program.is_open_for_applications`,
`Application.is_minor`, `Reference.may_be_written`); who may see an application lives in
access.py; how an application's status changes lives in applications.py.
"""

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from association.badges import Badge, Tone
from association.images import UPLOAD_HELP_TEXT, validate_image_upload

from .uploads import TRANSCRIPT_HELP_TEXT, validate_document_upload


def new_token() -> str:
    """An unguessable private link's key (256 bits)."""
    return secrets.token_urlsafe(32)


# Paths under /exchanges/ that are not programs: a program may not take their names.
RESERVED_SLUGS = frozenset({"review", "consent", "references"})


def validate_program_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is used by the site's own pages; choose another."), params={"slug": value}
        )


class ProgramQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def open_for_applications(self, at: datetime.datetime):
        return self.published().filter(applications_open_at__lte=at, application_deadline__gt=at)

    def upcoming(self, at: datetime.datetime):
        """Published programs whose applications have not opened yet."""
        return self.published().filter(applications_open_at__gt=at)

    def past(self, at: datetime.datetime):
        """Published programs whose applications have closed."""
        return self.published().filter(application_deadline__lte=at)


class Program(models.Model):
    class Kind(models.TextChoices):
        YOUTH_EXCHANGE = "youth_exchange", _("Youth exchange")
        ADULT_DELEGATION = "adult_delegation", _("Adult delegation")
        SCHOLARSHIP = "scholarship", _("Scholarship")
        PROFESSIONAL = "professional", _("Professional or municipal exchange")

    partnership = models.ForeignKey(
        "cities.Partnership",
        on_delete=models.PROTECT,
        related_name="exchange_programs",
        verbose_name=_("partnership"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, validators=[validate_program_slug]
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown: paragraphs, lists, links.")
    )
    travel_starts_on = models.DateField(_("travel starts on"))
    travel_ends_on = models.DateField(_("travel ends on"))
    applications_open_at = models.DateTimeField(_("applications open at"))
    application_deadline = models.DateTimeField(_("application deadline"))
    reference_deadline = models.DateTimeField(
        _("reference deadline"), help_text=_("Referees may submit letters until then.")
    )
    notification_at = models.DateTimeField(
        _("notification date"),
        help_text=_(
            "Decisions are emailed to applicants as one batch at this moment, never before."
        ),
    )
    places = models.PositiveIntegerField(_("places"))
    cost = models.DecimalField(_("cost per traveler"), max_digits=9, decimal_places=2)
    deposit = models.DecimalField(_("deposit"), max_digits=9, decimal_places=2)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    age_on = models.DateField(
        _("age on"),
        null=True,
        blank=True,
        help_text=_(
            "Ages (and whether an applicant is a minor) are counted on this date; "
            "empty: the first day of travel."
        ),
    )
    membership_required = models.BooleanField(_("membership required"), default=False)
    eligibility = models.TextField(_("eligibility"), blank=True)
    requires_teacher_reference = models.BooleanField(
        _("one referee must be a teacher"), default=False
    )
    offer_days = models.PositiveSmallIntegerField(
        _("days to accept a place offered from the waiting list"), default=7
    )
    committee = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="exchange_committees",
        verbose_name=_("committee (reviewers)"),
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chaired_exchange_programs",
        verbose_name=_("chair"),
    )
    published = models.BooleanField(_("published"), default=False)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["-travel_starts_on", "title"]
        verbose_name = _("exchange program")
        verbose_name_plural = _("exchange programs")
        permissions = [
            ("exchanges", _("Manage exchange programs and see their applications")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(application_deadline__gt=models.F("applications_open_at")),
                name="program_deadline_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(reference_deadline__gte=models.F("application_deadline")),
                name="program_references_after_applications",
            ),
            models.CheckConstraint(
                condition=Q(travel_ends_on__gte=models.F("travel_starts_on")),
                name="program_travel_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(deposit__lte=models.F("cost")) & Q(deposit__gte=0),
                name="program_deposit_within_cost",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("exchanges:program_detail", kwargs={"slug": self.slug})

    def is_open_for_applications(self, at: datetime.datetime) -> bool:
        return self.published and self.applications_open_at <= at < self.application_deadline

    @property
    def ages_counted_on(self) -> datetime.date:
        return self.age_on or self.travel_starts_on

    def phase(self, at: datetime.datetime) -> str:
        if at < self.applications_open_at:
            return "upcoming"
        if at < self.application_deadline:
            return "open"
        return "past"

    def is_reviewer(self, user) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        return self.committee.filter(pk=user.pk).exists()


class Question(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    word_limit = models.PositiveIntegerField(_("word limit"), default=300)
    required = models.BooleanField(_("required"), default=True)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_(
            "Health, passport details: deleted from travelers' applications too "
            "after the program ends."
        ),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(word_limit__gt=0), name="question_word_limit_positive"
            )
        ]

    def __str__(self):
        return self.text


class RubricCriterion(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("criterion"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")

    def __str__(self):
        return self.name


class Installment(models.Model):
    """A part of the balance due by a date the program sets (after the deposit)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="installments")
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), max_digits=9, decimal_places=2)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="installment_amount_positive")
        ]

    def __str__(self):
        return f"{self.due_on}: {self.amount}"


class ApplicationQuerySet(models.QuerySet):
    def decisions_due(self, at: datetime.datetime):
        """Decisions recorded and not yet sent, whose program's notification moment came."""
        return self.filter(
            program__notification_at__lte=at,
            decision_notified_at__isnull=True,
            status__in=[Application.Status.COMPLETE, Application.Status.WAITLISTED],
        ).exclude(decision="")


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        COMPLETE = "complete", _("Complete")
        ACCEPTED = "accepted", _("Accepted")
        WAITLISTED = "waitlisted", _("Waitlisted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accept")
        WAITLISTED = "waitlisted", _("Waitlist")
        DECLINED = "declined", _("Decline")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="exchange_applications",
        verbose_name=_("applicant"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    school = models.CharField(_("school or employer"), max_length=200, blank=True)
    guardian_name = models.CharField(_("parent or guardian's name"), max_length=200, blank=True)
    guardian_email = models.EmailField(_("parent or guardian's email"), blank=True)
    guardian_phone = models.CharField(_("parent or guardian's phone"), max_length=40, blank=True)
    consent_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    consent_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    consent_given_at = models.DateTimeField(_("guardian consent given at"), null=True, blank=True)
    consent_given_by = models.CharField(_("consent signed by"), max_length=200, blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to="exchanges/photos/",
        blank=True,
        validators=[validate_image_upload],
        help_text=UPLOAD_HELP_TEXT,
    )
    transcript = models.FileField(
        _("transcript"),
        upload_to="exchanges/transcripts/",
        blank=True,
        validators=[validate_document_upload],
        help_text=TRANSCRIPT_HELP_TEXT,
    )
    deadline_extended_to = models.DateTimeField(
        _("deadline extended to"),
        null=True,
        blank=True,
        help_text=_("Staff may give this applicant until this moment to submit."),
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision = models.CharField(
        _("decision recorded"),
        max_length=12,
        choices=Decision.choices,
        blank=True,
        help_text=_("Sent to the applicant on the program's notification date."),
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    waitlist_rank = models.PositiveIntegerField(
        _("waiting-list rank"),
        null=True,
        blank=True,
        help_text=_("1 is offered a place first when one frees up."),
    )
    decision_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    offered_at = models.DateTimeField(null=True, blank=True, editable=False)
    offer_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    offer_lapsed_at = models.DateTimeField(null=True, blank=True, editable=False)
    scholarship_credit = models.DecimalField(
        _("scholarship credit"),
        max_digits=9,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("Awarded by the committee; lowers the traveler's balance."),
    )
    sensitive_answers_deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "applicant"], name="one_application_per_program"
            ),
            models.CheckConstraint(
                condition=Q(scholarship_credit__gte=0), name="scholarship_not_negative"
            ),
        ]

    def __str__(self):
        return _("%(name)s for %(program)s") % {
            "name": self.applicant_name,
            "program": self.program.title,
        }

    def get_absolute_url(self):
        return reverse("exchanges:apply", kwargs={"slug": self.program.slug})

    @property
    def applicant_name(self) -> str:
        return self.applicant.get_full_name() or self.applicant.email

    @property
    def reference(self) -> str:
        return f"X-{self.pk:05d}"

    def age_on_program_date(self) -> int | None:
        if self.date_of_birth is None:
            return None
        on, born = self.program.ages_counted_on, self.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    @property
    def is_minor(self) -> bool:
        age = self.age_on_program_date()
        return age is not None and age < 18

    @property
    def needs_consent(self) -> bool:
        return self.is_minor and self.consent_given_at is None

    def submission_deadline(self) -> datetime.datetime:
        deadline = self.program.application_deadline
        if self.deadline_extended_to and self.deadline_extended_to > deadline:
            return self.deadline_extended_to
        return deadline

    def may_be_submitted(self, at: datetime.datetime) -> bool:
        return self.status == self.Status.DRAFT and at < self.submission_deadline()

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_withdrawable(self) -> bool:
        return self.status not in (self.Status.WITHDRAWN, self.Status.DECLINED)

    @property
    def is_waitlisted(self) -> bool:
        return self.status == self.Status.WAITLISTED

    @property
    def is_traveler(self) -> bool:
        return self.status == self.Status.ACCEPTED

    def has_open_offer(self, at: datetime.datetime) -> bool:
        return (
            self.status == self.Status.WAITLISTED
            and self.offer_expires_at is not None
            and self.offer_lapsed_at is None
            and at < self.offer_expires_at
        )

    @property
    def badge(self) -> Badge:
        tones = {
            self.Status.ACCEPTED: Tone.OK,
            self.Status.COMPLETE: Tone.OK,
            self.Status.WAITLISTED: Tone.WARN,
            self.Status.DECLINED: Tone.ERROR,
            self.Status.WITHDRAWN: Tone.ERROR,
        }
        return Badge(label=self.get_status_display(), tone=tones.get(self.status, Tone.PLAIN))


class Answer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["question__position", "question__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self):
        return str(self.question)


class StatusChange(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=12, choices=Application.Status.choices)
    to_status = models.CharField(max_length=12, choices=Application.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class Reference(models.Model):
    class Relationship(models.TextChoices):
        TEACHER = "teacher", _("Teacher")
        COUNSELOR = "counselor", _("School counselor")
        EMPLOYER = "employer", _("Employer or supervisor")
        COACH = "coach", _("Coach or club leader")
        COMMUNITY = "community", _("Community or faith leader")
        OTHER = "other", _("Other (not a relative)")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="references"
    )
    referee_name = models.CharField(_("referee's name"), max_length=200)
    referee_email = models.EmailField(_("referee's email"))
    relationship = models.CharField(_("relationship"), max_length=12, choices=Relationship.choices)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    letter = models.TextField(_("letter"), blank=True)
    requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    received_at = models.DateTimeField(null=True, blank=True, editable=False)
    replaced_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("reference")
        verbose_name_plural = _("references")
        constraints = [
            # A letter is written once: received means the letter is there.
            models.CheckConstraint(
                condition=Q(received_at__isnull=True) | ~Q(letter=""),
                name="received_reference_has_letter",
            ),
        ]

    def __str__(self):
        return self.referee_name

    @property
    def is_received(self) -> bool:
        return self.received_at is not None

    def may_be_written(self, at: datetime.datetime) -> bool:
        """The referee's link works once (until the letter is in), while the reference is
        current and until the program's reference deadline."""
        return (
            self.received_at is None
            and self.replaced_at is None
            and self.requested_at is not None
            and at < self.application.program.reference_deadline
            and self.application.status
            not in (Application.Status.WITHDRAWN, Application.Status.DRAFT)
        )

    @property
    def may_be_replaced(self) -> bool:
        return self.received_at is None and self.replaced_at is None


class Review(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exchange_reviews"
    )
    recused = models.BooleanField(_("recused"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="one_review_per_reviewer"
            )
        ]

    def __str__(self):
        return f"{self.reviewer} · {self.application}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        ordering = ["criterion__position", "criterion__pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(
                condition=Q(value__gte=1) & Q(value__lte=5), name="score_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class TripPayment(models.Model):
    """One part of a traveler's trip cost being paid: the deposit (no installment) or an
    installment, by card or check through the payments app (`exchanges.trip` purpose)."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="trip_payments"
    )
    installment = models.ForeignKey(
        Installment, on_delete=models.PROTECT, null=True, blank=True, related_name="trip_payments"
    )
    amount = models.DecimalField(_("amount"), max_digits=9, decimal_places=2)
    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("trip payment")
        verbose_name_plural = _("trip payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="trip_payment_positive"),
        ]

    def __str__(self):
        return str(self.installment) if self.installment_id else str(_("Deposit"))

    @property
    def is_deposit(self) -> bool:
        return self.installment_id is None


class InstallmentReminder(models.Model):
    """A reminder sent before an installment's due date: once per traveler and installment
    (the unique constraint is the claim)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    installment = models.ForeignKey(Installment, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "installment"], name="one_reminder_per_installment"
            )
        ]

    def __str__(self):
        return f"{self.application_id} · {self.installment_id}"
