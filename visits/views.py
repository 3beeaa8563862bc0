"""Visits and hosting pages. Public (cached for anonymous visitors): /hosting/, which
explains hosting. Private (never cached; they vary by viewer): applying to host, the
member's volunteer page, a person's schedule (.ics, at a signed link), and the
coordinator's pages, where the one rule of access.py decides who sees what. Views only
wire: the rules are in matching.py, roster.py, itinerary.py and on the models."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from association.csv_export import csv_response
from association.page_cache import public_page

from . import access, emails, itinerary, matching, roster
from .forms import (
    AdultFormSet,
    CancelMatchForm,
    ChildFormSet,
    DecideVolunteerForm,
    HouseholdForm,
    MatchForm,
    OfferForm,
    RosterForm,
)
from .models import Delegate, HostHousehold, Match, Visit, Volunteer


@public_page(scopes=["visits"])
def hosting(request):
    return render(request, "visits/hosting.html")


@never_cache
@login_required
def hosting_apply(request):
    household = (
        HostHousehold.objects.filter(member=request.user)
        .prefetch_related("adults", "children")
        .first()
    )
    if household is not None:
        return render(
            request,
            "visits/hosting_status.html",
            {
                "household": household,
                "orientation_attended": any(
                    a.orientation_attended_on for a in household.adults.all()
                ),
            },
        )
    status = 200
    household = HostHousehold(member=request.user, email=request.user.email)
    form = HouseholdForm(request.POST or None, instance=household)
    adults = AdultFormSet(request.POST or None, instance=household, prefix="adults")
    children = ChildFormSet(request.POST or None, instance=household, prefix="children")
    if request.method == "POST":
        if form.is_valid() and adults.is_valid() and children.is_valid():
            with transaction.atomic():
                household = form.save()
                adults.instance = children.instance = household
                adults.save()
                children.save()
                emails.send_host_application_received(household)
            messages.success(
                request,
                _("Thank you! We will be in touch about background checks and an orientation."),
            )
            return redirect("visits:hosting_apply")
        status = 400
    return render(
        request,
        "visits/hosting_apply.html",
        {"form": form, "adults": adults, "children": children},
        status=status,
    )


@never_cache
@login_required
def volunteer(request):
    today = timezone.localdate()
    offers = {
        v.item_id: v
        for v in Volunteer.objects.filter(user=request.user, item__visit__ends_on__gte=today)
    }
    items = list(itinerary.items_needing_people(on=today))
    for item in items:
        item.offer = offers.get(item.pk)
        item.roles = [
            (role, Volunteer.Role(role).label, count) for role, count in item.needed().items()
        ]
    visit_ids = {item.visit_id for item in items} | {
        v.item.visit_id for v in offers.values() if v.is_confirmed
    }
    schedules = [
        itinerary.schedule_for(request.user, visit)
        for visit in Visit.objects.filter(pk__in=visit_ids)
    ]
    return render(
        request,
        "visits/volunteer.html",
        {"items": items, "schedules": [s for s in schedules if s.entries]},
    )


@never_cache
@login_required
@require_POST
def volunteer_offer(request):
    form = OfferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how you would like to help."))
        return redirect("visits:volunteer")
    item = get_object_or_404(
        itinerary.items_needing_people(on=timezone.localdate()), pk=form.cleaned_data["item"]
    )
    if itinerary.offer_help(
        item, user=request.user, role=form.cleaned_data["role"], note=form.cleaned_data["note"]
    ):
        messages.success(request, _("Thank you! The coordinator will confirm your help."))
    else:
        messages.error(
            request, _("You have already offered to help with this, or it is not needed.")
        )
    return redirect("visits:volunteer")


@never_cache
@login_required
@require_POST
def volunteer_withdraw(request, pk):
    offer = get_object_or_404(Volunteer, pk=pk, user=request.user)
    itinerary.withdraw_offer(offer)
    messages.success(request, _("Your offer was withdrawn."))
    return redirect("visits:volunteer")


@never_cache
def schedule_ics(request, token):
    found = itinerary.read_schedule_token(token)
    if found is None:
        raise Http404
    user_pk, visit_pk = found
    visit = get_object_or_404(Visit, pk=visit_pk)
    user = get_object_or_404(get_user_model(), pk=user_pk, is_active=True)
    schedule = itinerary.schedule_for(user, visit)
    content = itinerary.schedule_calendar(schedule, now=timezone.now())
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visit-{visit.pk}-schedule.ics"'
    return response


def _coordinated_visit(request, pk) -> Visit:
    visit = get_object_or_404(Visit.objects.select_related("partnership__partner_city"), pk=pk)
    if not access.may_coordinate(request.user, visit):
        raise Http404
    return visit


@never_cache
@login_required
def coordinate_list(request):
    visits = access.visits_coordinated_by(request.user).select_related(
        "partnership__partner_city", "coordinator"
    )
    if not request.user.is_staff:
        raise Http404
    return render(request, "visits/coordinate_list.html", {"visits": visits})


@never_cache
@login_required
def coordinate(request, pk, *, roster_form=None, import_errors=None, status=200):
    visit = _coordinated_visit(request, pk)
    delegates = list(visit.delegates.all())
    matches = list(matching.matches_of(visit))
    placed = {m.delegate_id: m for m in matches}
    suggestions = matching.suggestions(visit) if visit.is_incoming else {}
    for delegate in delegates:
        delegate.match = placed.get(delegate.pk)
        delegate.suggestions = suggestions.get(delegate.pk, [])
        delegate.age = delegate.age_on(visit.starts_on)
    for match in matches:
        match.moves = suggestions.get(match.delegate_id, [])
    items = list(
        visit.itinerary.prefetch_related(
            Prefetch("volunteers", queryset=Volunteer.objects.select_related("user"))
        )
    )
    return render(
        request,
        "visits/coordinate.html",
        {
            "visit": visit,
            "delegates": delegates,
            "unplaced": [d for d in delegates if d.needs_host and d.match is None],
            "matches": matches,
            "items": items,
            "roster_form": roster_form or RosterForm(),
            "import_errors": import_errors or [],
        },
        status=status,
    )


@never_cache
@login_required
@require_POST
def import_roster(request, pk):
    visit = _coordinated_visit(request, pk)
    form = RosterForm(request.POST, request.FILES)
    if not form.is_valid():
        return coordinate(request, pk, roster_form=form, status=400)
    result = roster.import_delegates(visit, form.cleaned_data["file"].read())
    if not result.imported:
        return coordinate(request, pk, roster_form=form, import_errors=result.errors, status=400)
    messages.success(request, _("%(count)s delegate(s) imported.") % {"count": result.created})
    return redirect("visits:coordinate", pk=pk)


@never_cache
@login_required
@require_POST
def add_travelers(request, pk):
    visit = _coordinated_visit(request, pk)
    added = roster.add_travelers(visit)
    messages.success(request, _("%(count)s traveler(s) added.") % {"count": added})
    return redirect("visits:coordinate", pk=pk)


@never_cache
@login_required
@require_POST
def confirm_match(request, pk):
    visit = _coordinated_visit(request, pk)
    form = MatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a delegate and a family."))
        return coordinate(request, pk, status=400)
    delegate = get_object_or_404(Delegate, pk=form.cleaned_data["delegate"], visit=visit)
    household = get_object_or_404(HostHousehold, pk=form.cleaned_data["household"])
    current = Match.objects.active().filter(delegate=delegate).first()
    if current is not None:
        result = matching.change_match(current, household, by=request.user, at=timezone.now())
    else:
        result = matching.confirm_match(delegate, household, by=request.user, at=timezone.now())
    if not result.confirmed:
        messages.error(
            request,
            _("%(name)s was not placed with %(family)s: %(why)s.")
            % {"name": delegate, "family": household, "why": "; ".join(result.problems)},
        )
        return coordinate(request, pk, status=409)
    messages.success(
        request,
        _("%(name)s is placed with %(family)s; both sides were emailed.")
        % {"name": delegate, "family": household},
    )
    return redirect("visits:coordinate", pk=pk)


@never_cache
@login_required
@require_POST
def cancel_match(request, pk):
    visit = _coordinated_visit(request, pk)
    form = CancelMatchForm(request.POST)
    if not form.is_valid():
        return coordinate(request, pk, status=400)
    match = get_object_or_404(Match, pk=form.cleaned_data["match"], visit=visit)
    if matching.cancel_match(
        match, by=request.user, at=timezone.now(), reason=form.cleaned_data["reason"]
    ):
        messages.success(request, _("The match was cancelled; both sides were emailed."))
        return redirect("visits:coordinate", pk=pk)
    messages.error(request, _("This match was already cancelled."))
    return coordinate(request, pk, status=409)


@never_cache
@login_required
@require_POST
def decide_volunteer(request, pk):
    visit = _coordinated_visit(request, pk)
    form = DecideVolunteerForm(request.POST)
    if not form.is_valid():
        return coordinate(request, pk, status=400)
    offer = get_object_or_404(
        Volunteer.objects.select_related("item__visit", "user"),
        pk=form.cleaned_data["volunteer"],
        item__visit=visit,
    )
    confirm = form.cleaned_data["decision"] == "confirm"
    itinerary.decide(offer, confirm=confirm, at=timezone.now())
    messages.success(
        request,
        _("%(name)s: %(status)s.")
        % {
            "name": offer.user.get_full_name() or offer.user.email,
            "status": offer.get_status_display(),
        },
    )
    return redirect("visits:coordinate", pk=pk)


@never_cache
@login_required
@require_POST
def send_schedules(request, pk):
    visit = _coordinated_visit(request, pk)
    sent = itinerary.send_schedules(visit)
    messages.success(request, _("%(count)s schedule(s) emailed.") % {"count": sent})
    return redirect("visits:coordinate", pk=pk)


@never_cache
@login_required
def placements_csv(request, pk):
    """Who stays where, for drivers on arrival day: names and the host's address and
    phone only (no birth date, health note or emergency contact: access.py)."""
    visit = _coordinated_visit(request, pk)

    def rows():
        yield [_("Delegate"), _("Host family"), _("Address"), _("Phone")]
        for match in matching.matches_of(visit):
            yield [
                str(match.delegate),
                match.household.family_name,
                match.household.address,
                match.household.phone,
            ]

    return csv_response(rows(), filename=f"visit-{visit.pk}-placements.csv")
