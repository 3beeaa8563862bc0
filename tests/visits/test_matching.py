import datetime
import random

import pytest
from django.core import mail
from django.db import connection

from tests.concurrency import race
from tests.tasks import run_tasks
from visits.matching import (
    cancel_match,
    change_match,
    confirm_match,
    hard_conflicts,
    suggestions,
    with_hosted_before,
)
from visits.models import AwayPeriod, Delegate, HostHousehold, HouseholdAdult, Match

from .conftest import ENDS, NOW, STARTS, add_child, make_delegate, make_household, make_visit

pytestmark = pytest.mark.django_db


def conflicts(delegate, household, guests=0):
    return hard_conflicts(delegate, household, visit=delegate.visit, guests=guests)


def test_a_fitting_household_has_no_conflict(visit):
    assert conflicts(make_delegate(visit), make_household()) == []


def test_allergy_to_animals_conflicts_with_pets(visit):
    delegate = make_delegate(visit, allergic_to_animals=True)
    assert conflicts(delegate, make_household(has_pets=True, pets="Cat")) != []
    assert conflicts(delegate, make_household("b@example.org", family="B")) == []


def test_smoke_free_need_conflicts_with_smoking(visit):
    delegate = make_delegate(visit, needs_smoke_free=True)
    assert conflicts(delegate, make_household(smoking=True)) != []


def test_no_more_guests_than_beds_or_than_offered(visit):
    delegate = make_delegate(visit)
    assert conflicts(delegate, make_household(beds=1, max_guests=3), guests=1) != []
    assert conflicts(delegate, make_household("b@x.org", family="B", beds=3, max_guests=1), 1)
    assert conflicts(delegate, make_household("c@x.org", family="C", beds=2, max_guests=2), 1) == []


def test_dates_the_family_is_away_or_unavailable(visit):
    delegate = make_delegate(visit)
    away = make_household()
    AwayPeriod.objects.create(household=away, starts_on=ENDS, ends_on=ENDS)
    assert conflicts(delegate, away) != []
    late = make_household("b@x.org", family="B", available_from=STARTS + datetime.timedelta(1))
    assert conflicts(delegate, late) != []
    early = make_household("c@x.org", family="C", available_until=ENDS - datetime.timedelta(1))
    assert conflicts(delegate, early) != []


def test_age_outside_the_range_or_unknown(visit):
    household = make_household(guest_min_age=17, guest_max_age=19)
    assert conflicts(make_delegate(visit, birth_date=datetime.date(2011, 4, 30)), household)
    assert conflicts(make_delegate(visit, "Unknown", birth_date=None), household)
    assert not conflicts(
        make_delegate(visit, "Old", birth_date=datetime.date(2009, 1, 1)), household
    )


def test_gender_the_family_does_not_take(visit):
    household = make_household(guest_gender="female")
    assert conflicts(make_delegate(visit, gender="male"), household)
    assert conflicts(make_delegate(visit, "X", gender=""), household)
    assert not conflicts(make_delegate(visit, "Y", gender="female"), household)


def test_household_not_approved_is_not_eligible(visit):
    household = make_household()
    HostHousehold.objects.filter(pk=household.pk).update(status="applied")
    household.refresh_from_db()
    assert conflicts(make_delegate(visit), household)


@pytest.mark.parametrize(
    "change",
    [
        {"check_status": "requested", "check_expires_on": None},
        {"check_status": "not_clear"},
        {"check_expires_on": ENDS - datetime.timedelta(days=1)},
        {"orientation_attended_on": None},
    ],
)
def test_every_adult_clear_through_the_visit_and_orientation_attended(visit, change):
    household = make_household(adults=2)
    adult = household.adults.last()
    HouseholdAdult.objects.filter(pk=adult.pk).update(**change)
    if "orientation_attended_on" in change:
        household.adults.update(orientation_attended_on=None)
    household = HostHousehold.objects.get(pk=household.pk)
    assert not household.is_eligible(STARTS, ENDS)
    assert conflicts(make_delegate(visit), household)


def test_a_check_clear_through_the_last_day_is_enough(visit):
    household = make_household()
    household.adults.update(check_expires_on=ENDS)
    household = HostHousehold.objects.get(pk=household.pk)
    assert household.is_eligible(STARTS, ENDS)


# --- no suggestion ever has a hard conflict: generated households and delegates ---------


def oracle_allows(delegate, household, visit, guests) -> bool:
    """The rules of the issue written again, independently of matching.py."""
    adults = list(household.adults.all())
    born = delegate.birth_date
    if born is None:
        return False
    age = STARTS.year - born.year - ((STARTS.month, STARTS.day) < (born.month, born.day))
    return (
        not (delegate.allergic_to_animals and household.has_pets)
        and not (delegate.needs_smoke_free and household.smoking)
        and guests < household.beds
        and guests < household.max_guests
        and (household.available_from is None or household.available_from <= visit.starts_on)
        and (household.available_until is None or household.available_until >= visit.ends_on)
        and not any(
            a.starts_on <= visit.ends_on and a.ends_on >= visit.starts_on
            for a in household.away_periods.all()
        )
        and household.guest_min_age <= age <= household.guest_max_age
        and household.guest_gender in ("any", delegate.gender)
        and household.status == "approved"
        and adults
        and all(
            a.check_status == "clear" and a.check_expires_on and a.check_expires_on >= visit.ends_on
            for a in adults
        )
        and any(a.orientation_attended_on for a in adults)
    )


def pick(rng, chance, rare, usual):
    """`rare` with `chance`, else `usual` or None (no limit)."""
    roll = rng.random()
    return rare if roll < chance else (usual if roll < 0.5 else None)


def generate(visit, rng: random.Random, households=16, delegates=10):
    for index in range(households):
        household = make_household(
            f"h{index}@example.org",
            family=f"Family {index}",
            eligible=rng.random() < 0.8,
            adults=rng.randint(1, 3),
            has_pets=rng.random() < 0.3,
            smoking=rng.random() < 0.15,
            beds=rng.randint(1, 3),
            max_guests=rng.randint(1, 3),
            guest_min_age=rng.randint(10, 16),
            guest_max_age=rng.randint(16, 25),
            guest_gender=rng.choice(["any", "any", "female", "male"]),
            available_from=pick(
                rng, 0.15, STARTS + datetime.timedelta(2), STARTS - datetime.timedelta(5)
            ),
            available_until=pick(
                rng, 0.15, ENDS - datetime.timedelta(2), ENDS + datetime.timedelta(5)
            ),
            languages=rng.choice(["English", "English, German", "Spanish"]),
        )
        if rng.random() < 0.2:
            start = STARTS + datetime.timedelta(rng.randint(-10, 20))
            AwayPeriod.objects.create(
                household=household, starts_on=start, ends_on=start + datetime.timedelta(3)
            )
        for adult in household.adults.all():
            roll = rng.random()
            if roll < 0.1:
                adult.check_expires_on = ENDS - datetime.timedelta(rng.randint(1, 30))
            elif roll < 0.15:
                adult.check_status, adult.check_expires_on = "not_clear", None
            adult.save()
        if rng.random() < 0.3:
            add_child(household, rng.randint(1, 17))
    for index in range(delegates):
        make_delegate(
            visit,
            f"D{index}",
            birth_date=rng.choice(
                [None, *[datetime.date(2027 - age, 5, 1) for age in range(11, 22)]]
            ),
            gender=rng.choice(["female", "male", "other", ""]),
            allergic_to_animals=rng.random() < 0.3,
            needs_smoke_free=rng.random() < 0.3,
            english_level=rng.choice(["none", "basic", "good", "fluent"]),
            sibling_group=rng.choice(["", "", "a", "b"]),
        )


@pytest.mark.parametrize("seed", range(6))
def test_no_suggestion_or_confirmed_match_ever_has_a_hard_conflict(visit, coordinator, seed):
    rng = random.Random(seed)
    generate(visit, rng)
    seen = {"suggested": 0, True: 0, False: 0}
    for _round in range(4):
        proposed = suggestions(visit, limit=100)
        guests = {
            h: Match.objects.active().filter(household=h).count()
            for h in HostHousehold.objects.all()
        }
        for delegate_pk, ranked in proposed.items():
            delegate = Delegate.objects.get(pk=delegate_pk)
            for suggestion in ranked:
                seen["suggested"] += 1
                household = HostHousehold.objects.prefetch_related("adults", "away_periods").get(
                    pk=suggestion.household.pk
                )
                assert oracle_allows(delegate, household, visit, guests[household]), (
                    seed,
                    str(delegate),
                    str(household),
                )
        # Confirm some of them, and some random pairs too: only allowed ones become matches.
        delegates = list(visit.delegates.all())
        households = list(HostHousehold.objects.all())
        pairs = [(rng.choice(delegates), rng.choice(households)) for _ in range(6)]
        pairs += [
            (Delegate.objects.get(pk=pk), ranked[0].household)
            for pk, ranked in proposed.items()
            if ranked and rng.random() < 0.5
        ]
        for delegate, household in pairs:
            guests_now = Match.objects.active().filter(household=household).count()
            full = HostHousehold.objects.prefetch_related("adults", "away_periods").get(
                pk=household.pk
            )
            allowed = (
                oracle_allows(delegate, full, visit, guests_now)
                and not Match.objects.active().filter(delegate=delegate).exists()
            )
            result = confirm_match(delegate, household, by=coordinator, at=NOW)
            assert result.confirmed == allowed, (
                seed,
                str(delegate),
                str(household),
                result.problems,
            )
            seen[result.confirmed] += 1
    # The generated cases exercise both sides of the rule.
    assert seen["suggested"] and seen[True] and seen[False], seen
    for household in HostHousehold.objects.all():
        assert Match.objects.active().filter(household=household).count() <= min(
            household.beds, household.max_guests
        )


def test_a_shared_language_and_a_sibling_rank_a_home_higher(visit):
    lena = make_delegate(visit, "Lena", english_level="basic", sibling_group="k")
    jonas = make_delegate(visit, "Jonas", gender="female", sibling_group="k")
    plain = make_household("a@x.org", family="Anders", beds=2, max_guests=2)
    german = make_household(
        "b@x.org", family="Berger", languages="English, German", beds=2, max_guests=2
    )
    ranked = suggestions(visit)
    assert [s.household for s in ranked[lena.pk]][:2] == [german, plain]
    assert confirm_match(lena, plain, by=None, at=NOW).confirmed
    ranked = suggestions(visit)
    # Jonas's sibling is at the Anders': it outranks the shared language.
    assert ranked[jonas.pk][0].household == plain
    # Placed, Lena is offered the other home to move to, never her own.
    assert [s.household for s in ranked[lena.pk]] == [german]


def test_confirmation_emails_the_family_and_the_partner_what_each_needs(visit, coordinator):
    delegate = make_delegate(visit)
    household = make_household()
    result = confirm_match(delegate, household, by=coordinator, at=NOW)
    assert result.confirmed and result.match.bed == 1
    run_tasks()
    host, partner = sorted(mail.outbox, key=lambda m: m.to[0] != "host@example.org")
    assert host.to == ["host@example.org"]
    for text in (host.body, host.alternatives[0][0]):
        for shown in ("Lena", "16", "Vegetarian", "Peanuts", "Norfolk airport, 4:30 PM"):
            assert shown in text
        for hidden in ("SECRET", "2011", "Delegate", "+49"):
            assert hidden not in text
    assert partner.to == ["petra@example.de"]
    for text in (partner.body, partner.alternatives[0][0]):
        for shown in ("Smith", "1 Granby Street", "757-555-0101"):
            assert shown in text
        assert "SECRET" not in text and "Peanuts" not in text


def test_each_side_is_written_to_in_its_own_language_whoever_confirms(visit, coordinator):
    """A family that applied on /fr/hosting/ reads French, Wilhelmshaven's coordinator
    German, though the coordinator confirms in English (and a cancellation likewise)."""
    visit.partner_coordinator_language = "de"
    visit.save(update_fields=["partner_coordinator_language"])
    household = make_household(language="fr")
    match = confirm_match(make_delegate(visit), household, by=coordinator, at=NOW).match
    run_tasks()
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["host@example.org"].startswith("Votre invité pour")
    assert subjects["petra@example.de"].startswith("Gastfamilie für")
    mail.outbox.clear()
    assert cancel_match(match, by=coordinator, at=NOW, reason="ill")
    run_tasks()
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["host@example.org"].startswith("Changement d'invité pour")
    assert subjects["petra@example.de"].startswith("Wechsel der Gastfamilie für")


def test_cancelling_and_changing_a_match_tells_both_sides(visit, coordinator):
    delegate = make_delegate(visit)
    first = make_household()
    second = make_household("b@example.org", family="Jones")
    match = confirm_match(delegate, first, by=coordinator, at=NOW).match
    run_tasks()
    mail.outbox.clear()
    moved = change_match(match, second, by=coordinator, at=NOW)
    assert moved.confirmed and moved.match.household == second
    run_tasks()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == [
        "b@example.org",
        "host@example.org",
        "petra@example.de",
        "petra@example.de",
    ]
    mail.outbox.clear()
    assert cancel_match(moved.match, by=coordinator, at=NOW, reason="ill")
    assert not cancel_match(moved.match, by=coordinator, at=NOW)
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == ["b@example.org", "petra@example.de"]
    assert not Match.objects.active().exists()


def test_a_change_to_a_conflicting_home_changes_nothing(visit, coordinator):
    delegate = make_delegate(visit, allergic_to_animals=True)
    match = confirm_match(delegate, make_household(), by=coordinator, at=NOW).match
    dogs = make_household("d@example.org", family="Dogs", has_pets=True, pets="Dogs")
    result = change_match(match, dogs, by=coordinator, at=NOW)
    assert not result.confirmed and result.problems
    assert Match.objects.active().get().household.family_name == "Smith"


def test_a_delegate_is_placed_once(visit):
    delegate = make_delegate(visit)
    assert confirm_match(delegate, make_household(), by=None, at=NOW).confirmed
    again = confirm_match(delegate, make_household("b@x.org", family="B"), by=None, at=NOW)
    assert not again.confirmed


def test_a_bed_taken_on_another_visit_at_the_same_dates_is_not_free(partnership, visit):
    household = make_household()
    other = make_visit(
        partnership, title="Other", starts_on=ENDS, ends_on=ENDS + datetime.timedelta(3)
    )
    assert confirm_match(make_delegate(other, "Otto"), household, by=None, at=NOW).confirmed
    assert not confirm_match(make_delegate(visit), household, by=None, at=NOW).confirmed


def test_families_who_hosted_are_marked_for_the_next_outgoing_program(visit, partnership):
    from exchanges.models import Application  # noqa: PLC0415
    from tests.exchanges.conftest import make_program  # noqa: PLC0415

    household = make_household()
    confirm_match(make_delegate(visit), household, by=None, at=NOW)
    program = make_program(partnership, travel_starts_on=datetime.date(2027, 7, 15))
    hosted = Application.objects.create(program=program, applicant=household.member)
    other = Application.objects.create(
        program=program, applicant=make_household("o@x.org", family="O").member
    )
    flags = {a.pk: a.hosted for a in with_hosted_before(Application.objects.all())}
    assert flags == {hosted.pk: True, other.pk: False}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_coordinators_confirming_the_same_bed_at_once_end_with_one_match(partnership):
    visit = make_visit(partnership)
    household = make_household(beds=1, max_guests=1)
    delegates = [make_delegate(visit, f"D{i}") for i in range(4)]

    def confirm(index):
        return confirm_match(delegates[index], household, by=None, at=NOW).confirmed

    outcomes = race(4, confirm)
    assert sorted(outcomes) == [False, False, False, True]
    assert Match.objects.active().count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_one_delegate_confirmed_into_two_homes_at_once_ends_with_one_match(partnership):
    visit = make_visit(partnership)
    delegate = make_delegate(visit)
    households = [make_household(f"h{i}@x.org", family=f"F{i}") for i in range(3)]

    outcomes = race(3, lambda i: confirm_match(delegate, households[i], by=None, at=NOW).confirmed)
    assert sorted(outcomes) == [False, False, True]
    assert Match.objects.active().count() == 1
