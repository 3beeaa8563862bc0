"""Sample visits for `load_demo`, dated relative to today and marked as samples: a youth
delegation from Wilhelmshaven coming to Norfolk, with a few delegates, an itinerary that
needs drivers and interpreters, and three sample host families (one already matched);
and an adult delegation going to Kitakyushu, its travelers taken from the sample exchange
program. Rows are created when missing (a visit keyed by its title, a household by its
email) and never overwritten, so staff edits stay. No account is created: the sample
families are entered as staff enter a paper application.
"""

import datetime

from django.utils import timezone

from association.registry import demo_loaders
from cities.models import Partnership
from exchanges.models import Program

from .models import (
    Delegate,
    HostHousehold,
    HouseholdAdult,
    HouseholdChild,
    ItineraryItem,
    Match,
    Visit,
)

INCOMING = "Wilhelmshaven youth delegation (sample)"
OUTGOING = "Adult delegation to Kitakyushu (sample)"
DELEGATION_PROGRAM = "kitakyushu-adult-delegation-sample"

DELEGATES = [
    # first, last, born years before, gender, english, diet, allergies, sibling group
    ("Lena", "Sample", 16, "female", "good", "Vegetarian", "", "sample-a"),
    ("Jonas", "Sample", 15, "male", "basic", "", "", "sample-a"),
    ("Mia", "Example", 16, "female", "good", "", "Cats", ""),
    ("Finn", "Example", 17, "male", "fluent", "No pork", "", ""),
]

FAMILIES = [
    # email, family, languages, pets, smoking, beds, child ages
    ("sample.host1@example.org", "Sample Host family", "English, German", False, False, 2, [16]),
    ("sample.host2@example.org", "Example Host family", "English", True, False, 1, []),
    ("sample.host3@example.org", "Demo Host family", "English, Spanish", False, False, 2, [12]),
]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def load_host_families(today: datetime.date) -> list[HostHousehold]:
    households = []
    for email, family, languages, pets, smoking, beds, children in FAMILIES:
        household = HostHousehold.objects.filter(email=email).first()
        if household is None:
            household = HostHousehold.objects.create(
                email=email,
                family_name=family,
                status=HostHousehold.Status.APPROVED,
                phone="757-555-0100",
                street="100 Sample Street",
                city="Norfolk",
                postal_code="23510",
                languages=languages,
                has_pets=pets,
                pets="A dog" if pets else "",
                smoking=smoking,
                beds=beds,
                rooms=1,
                max_guests=beds,
                guest_min_age=14,
                guest_max_age=18,
                agrees_to_orientation=True,
                agrees_to_background_checks=True,
                notes="Sample household for the demonstration site.",
            )
            HouseholdAdult.objects.create(
                household=household,
                name=f"Sample Adult ({family})",
                check_status=HouseholdAdult.Check.CLEAR,
                check_requested_on=today - datetime.timedelta(days=40),
                check_expires_on=today + datetime.timedelta(days=700),
                orientation_attended_on=today - datetime.timedelta(days=20),
            )
            for age in children:
                HouseholdChild.objects.create(household=household, first_name="Sample", age=age)
        households.append(household)
    return households


def load_incoming(today: datetime.date, households: list[HostHousehold]) -> Visit | None:
    partnership = Partnership.objects.filter(slug="wilhelmshaven").first()
    if partnership is None or Visit.objects.filter(title=INCOMING).exists():
        return None
    starts = today + datetime.timedelta(days=45)
    visit = Visit.objects.create(
        partnership=partnership,
        direction=Visit.Direction.INCOMING,
        title=INCOMING,
        purpose="Students from Wilhelmshaven spend two weeks with Norfolk families and at school.",
        starts_on=starts,
        ends_on=starts + datetime.timedelta(days=14),
        arrival="Norfolk International Airport, 4:30 PM",
        partner_coordinator_name="Sample Partner Coordinator",
        partner_coordinator_email="partner.coordinator@example.org",
        partner_coordinator_language="de",
    )
    delegates = []
    for first, last, years, gender, english, diet, allergies, siblings in DELEGATES:
        delegates.append(
            Delegate.objects.create(
                visit=visit,
                first_name=first,
                last_name=last,
                birth_date=datetime.date(starts.year - years, 3, 1),
                gender=gender,
                english_level=english,
                languages="German, English",
                diet=diet,
                allergies=allergies,
                allergic_to_animals=bool(allergies),
                sibling_group=siblings,
                emergency_contact_name="Sample Parent",
                emergency_contact_phone="+49 4421 000000",
            )
        )
    Match.objects.create(
        visit=visit,
        delegate=delegates[0],
        household=households[0],
        bed=1,
        confirmed_at=timezone.now(),
    )
    for day, hour, length, place, title, drivers, interpreters in [
        (0, 16, 2, "Norfolk International Airport", "Arrival and welcome", 3, 1),
        (1, 10, 3, "Norfolk City Hall", "Reception by the mayor", 0, 1),
        (2, 9, 6, "Granby High School", "A day at school", 2, 0),
        (13, 18, 3, "Town Point Park", "Farewell picnic with host families", 0, 0),
    ]:
        start = _at(starts + datetime.timedelta(days=day), hour)
        ItineraryItem.objects.create(
            visit=visit,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=length),
            place=place,
            title=title,
            drivers_needed=drivers,
            interpreters_needed=interpreters,
        )
    return visit


def load_outgoing(today: datetime.date) -> Visit | None:
    program = Program.objects.filter(slug=DELEGATION_PROGRAM).first()
    if program is None or Visit.objects.filter(title=OUTGOING).exists():
        return None
    return Visit.objects.create(
        partnership=program.partnership,
        direction=Visit.Direction.OUTGOING,
        title=OUTGOING,
        purpose="Norfolk residents visit our oldest sister city: home visits, a civic reception.",
        starts_on=program.travel_starts_on,
        ends_on=program.travel_ends_on,
        program=program,
    )


@demo_loaders.register
def load(*, stdout):
    today = timezone.localdate()
    households = load_host_families(today)
    load_incoming(today, households)
    load_outgoing(today)
    stdout.write(
        f"Visits: {Visit.objects.count()} visits, {HostHousehold.objects.count()} host families."
    )
