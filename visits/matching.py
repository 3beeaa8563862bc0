"""Matching delegates of an incoming visit to host households.

- `hard_conflicts` is the ONE rule (DESIGN.md) of what may never be: an allergy to animals
  in a home with pets, a smoke-free need in a smoking home, more guests than the family
  has beds or offers, dates the family is away or not available, an age or gender outside
  what the family accepts, a household not eligible at the visit's dates (its status,
  background checks, orientation). It returns the reasons, in words; no suggestion and no
  confirmed match ever has one.
- `suggestions` ranks the households without a hard conflict by soft preferences: a
  shared language other than English (more when the delegate's English is basic), a
  sibling already placed there, a child of the family near the delegate's age.
- `confirm_match` places a delegate under a row lock on the household (taken first) and
  the delegate, checks the conflicts again with what is in the database then, and gives
  the first free bed; the unique constraints (one active match per delegate, one per bed)
  are the last guard. Two coordinators confirming the same bed end with one match.
- Cancelling or changing a match is done here too; each confirmation, change and
  cancellation emails the host family and the partner's coordinator (emails.py).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext as _

from . import emails
from .models import Delegate, HostHousehold, Match, Visit

ENGLISH = {"english", "englisch", "anglais", "英語", "英语"}


def hard_conflicts(
    delegate: Delegate, household: HostHousehold, *, visit: Visit, guests: int
) -> list[str]:
    """Why `delegate` may not stay with `household` during `visit`, which already has
    `guests` other guests over those dates; empty when nothing forbids it."""
    reasons = []
    if delegate.allergic_to_animals and household.has_pets:
        reasons.append(_("allergic to animals, and the family has pets"))
    if delegate.needs_smoke_free and household.smoking:
        reasons.append(_("needs a smoke-free home, and someone smokes there"))
    if guests + 1 > household.capacity:
        reasons.append(_("no free bed"))
    if not household.is_available(visit.starts_on, visit.ends_on):
        reasons.append(_("the family is away or not available on the visit's dates"))
    age = delegate.age_on(visit.starts_on)
    if age is None:
        reasons.append(_("age unknown"))
    elif not household.guest_min_age <= age <= household.guest_max_age:
        reasons.append(
            _("aged %(age)s, and the family takes guests aged %(min)s to %(max)s")
            % {"age": age, "min": household.guest_min_age, "max": household.guest_max_age}
        )
    if household.guest_gender != HostHousehold.GuestGender.ANY and (
        delegate.gender != household.guest_gender
    ):
        reasons.append(
            _("the family takes %(gender)s")
            % {"gender": household.get_guest_gender_display().lower()}
        )
    reasons.extend(household.eligibility_problems(visit.starts_on, visit.ends_on))
    return reasons


@dataclass
class Suggestion:
    household: HostHousehold
    score: int
    reasons: list[str] = field(default_factory=list)


def soft_preferences(
    delegate: Delegate, household: HostHousehold, *, visit: Visit, placed: list[Delegate]
) -> tuple[int, list[str]]:
    """How well `delegate` fits `household` (higher is better), with why; `placed` are the
    delegates of `visit` already staying there."""
    score, reasons = 0, []
    shared = (delegate.language_set() & household.language_set()) - ENGLISH
    if shared:
        basic = delegate.english_level in (
            Delegate.EnglishLevel.NONE,
            Delegate.EnglishLevel.BASIC,
        )
        score += 3 if basic else 2
        reasons.append(_("speaks %(languages)s") % {"languages": ", ".join(sorted(shared))})
    if delegate.sibling_group and any(
        other.sibling_group == delegate.sibling_group for other in placed
    ):
        score += 4
        reasons.append(_("a sibling stays there"))
    age = delegate.age_on(visit.starts_on)
    if age is not None and any(abs(child.age - age) <= 2 for child in household.children.all()):
        score += 1
        reasons.append(_("a child of the family is near their age"))
    return score, reasons


def households_for_matching():
    return HostHousehold.objects.exclude(status=HostHousehold.Status.WITHDRAWN).prefetch_related(
        "adults", "children", "away_periods"
    )


def overlapping_matches(visit: Visit):
    return Match.objects.active().filter(
        visit__starts_on__lte=visit.ends_on, visit__ends_on__gte=visit.starts_on
    )


def guests_by_household(visit: Visit) -> dict[int, list[Match]]:
    """Active matches of every household over `visit`'s dates (any visit), by household."""
    found = defaultdict(list)
    for match in overlapping_matches(visit).select_related("delegate"):
        found[match.household_id].append(match)
    return found


def suggestions(visit: Visit, *, limit: int = 5) -> dict[int, list[Suggestion]]:
    """For each delegate of `visit` who needs a host, the households without a hard
    conflict, best first (at most `limit`): homes for those not placed yet, other homes to
    move to for those placed (their own bed counted as theirs). A fixed number of queries."""
    households = list(households_for_matching())
    matches = guests_by_household(visit)
    current = {m.delegate_id: m.household_id for ms in matches.values() for m in ms}
    result = {}
    delegates = visit.delegates.filter(needs_host=True).select_related("visit")
    for delegate in delegates:
        ranked = []
        for household in households:
            if current.get(delegate.pk) == household.pk:
                continue
            here = matches.get(household.pk, [])
            if hard_conflicts(delegate, household, visit=visit, guests=len(here)):
                continue
            placed = [m.delegate for m in here if m.visit_id == visit.pk]
            score, reasons = soft_preferences(delegate, household, visit=visit, placed=placed)
            ranked.append(Suggestion(household=household, score=score, reasons=reasons))
        ranked.sort(key=lambda s: (-s.score, s.household.family_name, s.household.pk))
        result[delegate.pk] = ranked[:limit]
    return result


@dataclass
class Confirmation:
    match: Match | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def confirmed(self) -> bool:
        return self.match is not None


def _place(delegate_pk: int, household_pk: int, *, by, at: datetime.datetime) -> Confirmation:
    """Inside a transaction: lock, check, create. Household first, then the delegate: every
    caller takes them in this order, so two confirmations never wait on each other."""
    household = (
        HostHousehold.objects.select_for_update()
        .prefetch_related("adults", "children", "away_periods")
        .filter(pk=household_pk)
        .first()
    )
    delegate = (
        Delegate.objects.select_for_update().select_related("visit").filter(pk=delegate_pk).first()
    )
    if household is None or delegate is None:
        return Confirmation(problems=[_("This delegate or household no longer exists.")])
    visit = delegate.visit
    if not visit.is_incoming:
        return Confirmation(problems=[_("Only delegates of an incoming visit are hosted.")])
    if not delegate.needs_host:
        return Confirmation(problems=[_("This delegate does not need a host family.")])
    if Match.objects.active().filter(delegate=delegate).exists():
        return Confirmation(problems=[_("This delegate is already placed with a family.")])
    here = list(overlapping_matches(visit).filter(household=household))
    problems = hard_conflicts(delegate, household, visit=visit, guests=len(here))
    if problems:
        return Confirmation(problems=problems)
    taken = {m.bed for m in here if m.visit_id == visit.pk}
    bed = next(b for b in range(1, household.capacity + 1) if b not in taken)
    try:
        with transaction.atomic():
            match = Match.objects.create(
                visit=visit,
                delegate=delegate,
                household=household,
                bed=bed,
                confirmed_at=at,
                confirmed_by=by if getattr(by, "pk", None) else None,
            )
    except IntegrityError:
        return Confirmation(problems=[_("Someone else has just placed a guest in this bed.")])
    return Confirmation(match=match)


def confirm_match(
    delegate: Delegate, household: HostHousehold, *, by, at: datetime.datetime
) -> Confirmation:
    """Place `delegate` with `household`, or say why not. Emails the family and the
    partner's coordinator once it is confirmed (in the same transaction)."""
    with transaction.atomic():
        result = _place(delegate.pk, household.pk, by=by, at=at)
        if result.confirmed:
            emails.send_match_confirmed(result.match)
    return result


def cancel_match(match: Match, *, by, at: datetime.datetime, reason: str = "") -> bool:
    """Cancel an active match (the bed is free again); tells the family and the partner.
    False when it was already cancelled."""
    with transaction.atomic():
        cancelled = (
            Match.objects.active()
            .filter(pk=match.pk)
            .update(cancelled_at=at, cancel_reason=reason[:300])
        )
        if cancelled:
            match.cancelled_at, match.cancel_reason = at, reason[:300]
            emails.send_match_cancelled(match)
    return bool(cancelled)


def change_match(
    match: Match, household: HostHousehold, *, by, at: datetime.datetime
) -> Confirmation:
    """Move a placed delegate to another household: all or nothing. The old family and
    the partner hear of the cancellation, the new family and the partner of the match."""
    with transaction.atomic():
        # The new household's lock first, as every confirmation takes it.
        HostHousehold.objects.select_for_update().filter(pk=household.pk).first()
        if (
            not Match.objects.active()
            .filter(pk=match.pk)
            .update(cancelled_at=at, cancel_reason=_("moved to another family"))
        ):
            return Confirmation(problems=[_("This match was already cancelled.")])
        result = _place(match.delegate_id, household.pk, by=by, at=at)
        if not result.confirmed:
            transaction.set_rollback(True)
            return result
        match.cancelled_at = at
        emails.send_match_cancelled(match, moved=True)
        emails.send_match_confirmed(result.match)
    return result


def hosted_before(partnership, *, before: datetime.date):
    """Households that hosted a delegate of `partnership` on a visit that ended before
    `before`: they get priority on its next outgoing program."""
    return HostHousehold.objects.filter(
        matches__cancelled_at__isnull=True,
        matches__visit__partnership=partnership,
        matches__visit__ends_on__lt=before,
    ).distinct()


def with_hosted_before(applications):
    """Exchange applications annotated `hosted`: the applicant's household hosted a
    delegate of the program's partnership on a visit that ended before the program."""
    return applications.annotate(
        hosted=Exists(
            Match.objects.active().filter(
                household__member=OuterRef("applicant"),
                visit__partnership=OuterRef("program__partnership"),
                visit__ends_on__lt=OuterRef("program__travel_starts_on"),
            )
        )
    )


def matches_of(visit: Visit):
    return (
        visit.matches.active()
        .select_related("delegate", "household")
        .prefetch_related(Prefetch("household__adults"))
        .order_by("delegate__last_name", "delegate__first_name")
    )
