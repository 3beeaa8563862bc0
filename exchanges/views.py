"""The exchanges pages. Public: the program list and a program's page. Private (never
cached: the page cache stores public pages only, and these all vary by viewer): applying,
the guardian's consent link, the referee's letter link, the committee's review pages."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from association.page_cache import public_page
from cities.models import Partnership
from membership.standing import membership_in_good_standing

from . import access, decisions, trip_payments
from .applications import (
    current_references,
    give_guardian_consent,
    references_received,
    submit_application,
)
from .forms import (
    ApplicationForm,
    ConsentForm,
    DecisionForm,
    LetterForm,
    RefereeForm,
    ReplaceRefereeForm,
    ReviewForm,
    TripPaymentForm,
)
from .models import Answer, Application, Program, Reference
from .references import replace_referee, submit_letter
from .review import ranking, recuse, save_review
from .uploads import store_sanitized_uploads


@public_page(scopes=["exchanges", "cities"])
def program_list(request):
    now = timezone.now()
    programs = Program.objects.published().select_related("partnership__partner_city")
    city = request.GET.get("city", "")
    partnerships = (
        Partnership.objects.filter(exchange_programs__published=True)
        .select_related("partner_city")
        .distinct()
    )
    if city:
        programs = programs.filter(partnership__slug=city)
    programs = list(programs)
    return render(
        request,
        "exchanges/program_list.html",
        {
            "open_programs": [p for p in programs if p.phase(now) == "open"],
            "upcoming_programs": [p for p in programs if p.phase(now) == "upcoming"],
            "past_programs": [p for p in programs if p.phase(now) == "past"],
            "partnerships": partnerships,
            "city": city,
        },
    )


@public_page(scopes=["exchanges", "cities"])
def program_detail(request, slug):
    program = get_object_or_404(
        Program.objects.published()
        .select_related("partnership__partner_city")
        .prefetch_related("installments"),
        slug=slug,
    )
    return render(
        request,
        "exchanges/program_detail.html",
        {
            "program": program,
            "json_ld": program_json_ld(program, request=request),
            "is_open": program.is_open_for_applications(timezone.now()),
        },
    )


def program_json_ld(program, *, request) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "EducationalOccupationalProgram",
        "name": program.title,
        "description": program.summary,
        "url": request.build_absolute_uri(program.get_absolute_url()),
        "startDate": program.travel_starts_on.isoformat(),
        "endDate": program.travel_ends_on.isoformat(),
        "applicationStartDate": program.applications_open_at.date().isoformat(),
        "applicationDeadline": program.application_deadline.date().isoformat(),
        "maximumEnrollment": program.places,
        "offers": {"@type": "Offer", "price": f"{program.cost:.2f}", "priceCurrency": "USD"},
    }
    text = json.dumps(data, ensure_ascii=False)
    # JSON inside a <script> element: escape what could close it.
    for char, escaped in (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return mark_safe(text)  # noqa: S308 - JSON with <, > and & escaped


def _answers(application):
    return {a.question_id: a.text for a in application.answers.all()} if application else {}


def _save_draft(application, form, referee_forms):
    with transaction.atomic():
        form.save()
        for question_id, text in form.answers().items():
            Answer.objects.update_or_create(
                application=application, question_id=question_id, defaults={"text": text}
            )
        current = current_references(application)
        for index, referee_form in enumerate(referee_forms):
            existing = current[index] if index < len(current) else None
            if referee_form.is_named():
                data = {
                    k: referee_form.cleaned_data[k]
                    for k in ("referee_name", "referee_email", "relationship")
                }
                if existing:
                    Reference.objects.filter(pk=existing.pk).update(**data)
                else:
                    Reference.objects.create(application=application, **data)
            elif existing:
                existing.delete()


@never_cache
@login_required
def apply(request, slug):
    now = timezone.now()
    program = get_object_or_404(
        Program.objects.published().prefetch_related("questions"), slug=slug
    )
    application = (
        Application.objects.filter(program=program, applicant=request.user)
        .prefetch_related("answers", "references")
        .first()
    )
    if application is None and not program.is_open_for_applications(now):
        return render(request, "exchanges/apply_closed.html", {"program": program}, status=403)
    if (
        application is None
        and program.membership_required
        and membership_in_good_standing(request.user, on=timezone.localdate(now)) is None
    ):
        return render(
            request, "exchanges/apply_members_only.html", {"program": program}, status=403
        )
    questions = list(program.questions.all())
    if application is not None and not application.is_editable:
        if request.method == "POST":
            messages.error(
                request, _("This application was already submitted; it can no longer be changed.")
            )
            return _application_status_page(request, program, application, now, status=409)
        return _application_status_page(request, program, application, now)
    status = 200
    problems = []
    if request.method == "POST":
        form = ApplicationForm(
            request.POST,
            request.FILES,
            instance=application or Application(program=program, applicant=request.user),
            questions=questions,
        )
        referee_forms = [RefereeForm(request.POST, prefix=f"referee{i}") for i in (1, 2)]
        if form.is_valid() and all(f.is_valid() for f in referee_forms):
            with transaction.atomic():
                application = form.instance
                application.program, application.applicant = program, request.user
                store_sanitized_uploads(application)
                _save_draft(application, form, referee_forms)
            application = Application.objects.prefetch_related("answers", "references").get(
                pk=application.pk
            )
            if "submit" in request.POST:
                result = submit_application(application, by=request.user, at=now)
                if result.submitted:
                    messages.success(
                        request,
                        _(
                            "Your application was submitted. "
                            "We have asked your referees for their letters."
                        ),
                    )
                    return redirect("exchanges:apply", slug=slug)
                problems, status = result.problems, 400
            else:
                messages.success(
                    request, _("Your draft was saved. You can come back to it until the deadline.")
                )
                return redirect("exchanges:apply", slug=slug)
        else:
            status = 400
    else:
        form = ApplicationForm(
            instance=application, questions=questions, answers=_answers(application)
        )
        current = current_references(application) if application else []
        referee_forms = [
            RefereeForm(
                instance=current[i - 1] if i <= len(current) else None, prefix=f"referee{i}"
            )
            for i in (1, 2)
        ]
    return render(
        request,
        "exchanges/apply.html",
        {
            "program": program,
            "application": application,
            "form": form,
            "referee_forms": referee_forms,
            "problems": problems,
            "deadline": application.submission_deadline()
            if application
            else program.application_deadline,
        },
        status=status,
    )


def _application_status_page(
    request, program, application, now, *, status=200, replace_form=None, replace_pk=None
):
    references = current_references(application)
    return render(
        request,
        "exchanges/application_status.html",
        {
            "program": program,
            "application": application,
            # Only names and whether a letter came: never a letter.
            "referees": [
                {
                    "pk": r.pk,
                    "name": r.referee_name,
                    "relationship": r.get_relationship_display(),
                    "received": r.is_received,
                    "replaceable": r.may_be_replaced
                    and application.status == Application.Status.SUBMITTED,
                }
                for r in references
            ],
            "received": references_received(application),
            "needed": len(references) or 2,
            "has_open_offer": application.has_open_offer(now),
            "balance": trip_payments.balance(application) if application.is_traveler else None,
            "paid": trip_payments.paid_total(application) if application.is_traveler else None,
            "installments": list(program.installments.all()) if application.is_traveler else [],
            "trip_payment_form": TripPaymentForm(),
            "replace_form": replace_form or ReplaceRefereeForm(),
            "replace_pk": replace_pk,
        },
        status=status,
    )


def _own_application(request, slug):
    return get_object_or_404(
        Application.objects.select_related("program").prefetch_related("references"),
        program__slug=slug,
        applicant=request.user,
    )


@never_cache
@login_required
@require_POST
def withdraw(request, slug):
    application = _own_application(request, slug)
    if decisions.withdraw(application, by=request.user, at=timezone.now()):
        messages.success(request, _("Your application was withdrawn."))
        return redirect("exchanges:apply", slug=slug)
    return _application_status_page(
        request, application.program, application, timezone.now(), status=409
    )


@never_cache
@login_required
@require_POST
def accept_offer(request, slug):
    application = _own_application(request, slug)
    if decisions.accept_offer(application, by=request.user, at=timezone.now()):
        messages.success(request, _("Your place is confirmed once the deposit is paid."))
        return redirect("exchanges:apply", slug=slug)
    messages.error(request, _("This offer is no longer open."))
    return _application_status_page(
        request, application.program, application, timezone.now(), status=409
    )


@never_cache
@login_required
@require_POST
def replace_reference(request, slug, pk):
    application = _own_application(request, slug)
    reference = get_object_or_404(application.references, pk=pk)
    form = ReplaceRefereeForm(request.POST)
    now = timezone.now()
    if not form.is_valid():
        return _application_status_page(
            request,
            application.program,
            application,
            now,
            status=400,
            replace_form=form,
            replace_pk=pk,
        )
    if application.status not in (Application.Status.SUBMITTED,) or not replace_referee(
        reference,
        at=now,
        **{
            "name": form.cleaned_data["referee_name"],
            "email": form.cleaned_data["referee_email"],
            "relationship": form.cleaned_data["relationship"],
        },
    ):
        messages.error(request, _("This referee can no longer be replaced."))
        return _application_status_page(request, application.program, application, now, status=409)
    messages.success(
        request,
        _("We have asked %(name)s for a letter.") % {"name": form.cleaned_data["referee_name"]},
    )
    return redirect("exchanges:apply", slug=slug)


@never_cache
@login_required
@require_POST
def pay(request, slug):
    application = _own_application(request, slug)
    form = TripPaymentForm(request.POST)
    if not application.is_traveler or not form.is_valid():
        messages.error(request, _("Choose how you pay."))
        return _application_status_page(
            request, application.program, application, timezone.now(), status=400
        )
    installment = None
    if form.cleaned_data["installment"]:
        installment = application.program.installments.filter(
            pk=form.cleaned_data["installment"]
        ).first()
        if installment is None:
            raise Http404
    try:
        _row, redirect_url, instructions = trip_payments.begin_trip_payment(
            application,
            method_code=form.cleaned_data["method"],
            now=timezone.now(),
            installment=installment,
        )
    except trip_payments.TripPaymentRefused as refusal:
        messages.error(request, str(refusal))
        return _application_status_page(
            request, application.program, application, timezone.now(), status=409
        )
    if redirect_url:
        return HttpResponseRedirect(redirect_url)
    messages.success(request, instructions)
    return redirect("exchanges:apply", slug=slug)


@never_cache
def guardian_consent(request, token):
    application = (
        Application.objects.select_related("program", "applicant")
        .filter(consent_token=token, consent_given_at__isnull=True)
        .first()
    )
    if application is None:
        return render(request, "exchanges/link_used.html", status=404)
    form = ConsentForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid() and give_guardian_consent(
            application, signed_by=form.cleaned_data["signed_by"], at=timezone.now()
        ):
            return render(
                request, "exchanges/consent_thanks.html", {"program": application.program}
            )
        return render(
            request,
            "exchanges/guardian_consent.html",
            {"application": application, "form": form},
            status=400,
        )
    return render(
        request, "exchanges/guardian_consent.html", {"application": application, "form": form}
    )


@never_cache
def reference_letter(request, token):
    reference = (
        Reference.objects.select_related("application__program", "application__applicant")
        .filter(token=token)
        .first()
    )
    now = timezone.now()
    if reference is None or not reference.may_be_written(now):
        return render(
            request,
            "exchanges/link_used.html",
            {"reference": reference},
            status=404 if reference is None else 410,
        )
    form = LetterForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid() and submit_letter(reference, letter=form.cleaned_data["letter"], at=now):
            return render(
                request, "exchanges/letter_thanks.html", {"program": reference.application.program}
            )
        return render(
            request,
            "exchanges/reference_letter.html",
            {"reference": reference, "form": form},
            status=400,
        )
    return render(
        request, "exchanges/reference_letter.html", {"reference": reference, "form": form}
    )


@never_cache
@login_required
def review_home(request):
    programs = Program.objects.filter(
        pk__in=access.reviewable_by(request.user).values("program")
    ).distinct()
    return render(request, "exchanges/review_home.html", {"programs": programs})


@never_cache
@login_required
def review_program(request, slug):
    program = get_object_or_404(Program, slug=slug)
    visible = access.reviewable_by(request.user)
    rows = list(ranking(program, visible=visible))
    for row in rows:
        row.average_text = f"{row.average:.2f}" if row.average is not None else "—"
    may_decide = access.may_decide(request.user, program)
    if not rows and not may_decide and not program.is_reviewer(request.user):
        raise Http404
    return render(
        request,
        "exchanges/review_program.html",
        {
            "program": program,
            "rows": rows,
            "may_decide": may_decide,
            "decision_choices": Application.Decision.choices,
        },
    )


@never_cache
@login_required
def review_application(request, pk):
    application = get_object_or_404(
        access.reviewable_by(request.user).select_related("program", "applicant"), pk=pk
    )
    program = application.program
    criteria = list(program.criteria.all())
    review = application.reviews.filter(reviewer=request.user).prefetch_related("scores").first()
    initial = (
        {f"criterion_{s.criterion_id}": s.value for s in review.scores.all()} if review else {}
    )
    if review:
        initial["comment"] = review.comment
    form = ReviewForm(request.POST or None, criteria=criteria, initial=initial)
    status = 200
    if request.method == "POST":
        if "recuse" in request.POST:
            recuse(application, reviewer=request.user)
            messages.success(request, _("You have recused yourself from this application."))
            return redirect("exchanges:review_program", slug=program.slug)
        if form.is_valid():
            save_review(
                application,
                reviewer=request.user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("Your review was saved."))
            return redirect("exchanges:review_program", slug=program.slug)
        status = 400
    letters = (
        [r for r in current_references(application) if r.is_received]
        if access.may_read_letters(request.user, application)
        else []
    )
    return render(
        request,
        "exchanges/review_application.html",
        {
            "application": application,
            "program": program,
            "answers": application.answers.select_related("question"),
            "letters": letters,
            "form": form,
        },
        status=status,
    )


@never_cache
@login_required
@require_POST
def record_decision(request, slug):
    program = get_object_or_404(Program, slug=slug)
    if not access.may_decide(request.user, program):
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return render(
            request, "exchanges/bad_request.html", {"program": program, "form": form}, status=400
        )
    application = get_object_or_404(
        access.reviewable_by(request.user).filter(program=program),
        pk=form.cleaned_data["application"],
    )
    if decisions.record_decision(
        application,
        decision=form.cleaned_data["decision"],
        by=request.user,
        at=timezone.now(),
        waitlist_rank=form.cleaned_data["waitlist_rank"],
    ):
        messages.success(
            request,
            _("Decision recorded; it is sent on %(date)s.")
            % {"date": program.notification_at.date()},
        )
        return redirect("exchanges:review_program", slug=slug)
    return render(
        request,
        "exchanges/bad_request.html",
        {
            "program": program,
            "form": form,
            "message": _("This application's decision can no longer be changed."),
        },
        status=409,
    )
