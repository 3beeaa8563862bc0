import datetime
import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from cities.models import City, Partnership
from membership.models import User
from visits.models import Delegate, HostHousehold, HouseholdAdult, HouseholdChild, Visit

NOW = timezone.make_aware(datetime.datetime(2027, 3, 1, 12, 0))
STARTS = datetime.date(2027, 6, 1)
ENDS = datetime.date(2027, 6, 14)


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def partnership(db):
    home = City.objects.create(name="Norfolk", slug="norfolk", country="US", is_home=True)
    partner = City.objects.create(name="Wilhelmshaven", slug="wilhelmshaven-city", country="DE")
    return Partnership.objects.create(
        home_city=home, partner_city=partner, slug="wilhelmshaven", kind="sister", status="active"
    )


def make_user(email, **extra):
    return User.objects.create_user(email=email, password="pass-123-word", **extra)


@pytest.fixture
def coordinator(db):
    return make_user("cora@example.org", first_name="Cora", last_name="Coordinator", is_staff=True)


def visit_coordinators_group() -> Group:
    """The group its data migration makes (a transactional test's flush empties it: made
    again here with the migration's own list of permissions)."""
    migration = importlib.import_module("visits.migrations.0002_visit_coordinators_group")
    group, _ = Group.objects.get_or_create(name=migration.GROUP_NAME)
    if not group.permissions.exists():
        codenames = [
            action if action == "hosting" else f"{action}_{model}"
            for model, actions in migration.PERMISSIONS
            for action in actions
        ]
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="visits", codename__in=codenames)
        )
    return group


@pytest.fixture
def hosting_staff(db):
    user = make_user("hank@example.org", first_name="Hank", last_name="Hosting", is_staff=True)
    user.groups.add(visit_coordinators_group())
    return user


@pytest.fixture
def other_staff(db):
    return make_user("olga@example.org", first_name="Olga", last_name="Other", is_staff=True)


def make_visit(partnership, *, coordinator=None, **overrides):
    fields = {
        "partnership": partnership,
        "direction": Visit.Direction.INCOMING,
        "title": "Youth delegation 2027",
        "purpose": "Students from Wilhelmshaven at Norfolk schools.",
        "starts_on": STARTS,
        "ends_on": ENDS,
        "arrival": "Norfolk airport, 4:30 PM",
        "coordinator": coordinator,
        "partner_coordinator_name": "Petra Partner",
        "partner_coordinator_email": "petra@example.de",
    }
    fields.update(overrides)
    return Visit.objects.create(**fields)


@pytest.fixture
def visit(partnership, coordinator):
    return make_visit(partnership, coordinator=coordinator)


def make_delegate(visit, first="Lena", **overrides):
    fields = {
        "visit": visit,
        "first_name": first,
        "last_name": "Delegate",
        "birth_date": datetime.date(2011, 4, 30),
        "gender": "female",
        "english_level": "good",
        "languages": "German, English",
        "diet": "Vegetarian",
        "allergies": "Peanuts",
        "health_notes": "SECRET-HEALTH asthma inhaler",
        "emergency_contact_name": "SECRET-CONTACT Mama",
        "emergency_contact_phone": "+49 4421 123456",
    }
    fields.update(overrides)
    return Delegate.objects.create(**fields)


def make_household(email="host@example.org", *, family="Smith", eligible=True, adults=1, **over):
    member = User.objects.filter(email=email).first() or make_user(
        email, first_name="Sam", last_name=family
    )
    fields = {
        "member": member,
        "email": email,
        "family_name": family,
        "status": HostHousehold.Status.APPROVED if eligible else HostHousehold.Status.APPLIED,
        "phone": "757-555-0101",
        "street": "1 Granby Street",
        "city": "Norfolk",
        "postal_code": "23510",
        "languages": "English",
        "beds": 1,
        "max_guests": 1,
        "guest_min_age": 12,
        "guest_max_age": 19,
        "agrees_to_orientation": True,
        "agrees_to_background_checks": True,
    }
    fields.update(over)
    household = HostHousehold.objects.create(**fields)
    for index in range(adults):
        HouseholdAdult.objects.create(
            household=household,
            name=f"Adult {index} {family}",
            check_status=HouseholdAdult.Check.CLEAR if eligible else "",
            check_expires_on=ENDS + datetime.timedelta(days=365) if eligible else None,
            check_notes="SECRET-CHECK ref 123",
            orientation_attended_on=datetime.date(2027, 2, 1) if eligible else None,
        )
    return household


def add_child(household, age):
    return HouseholdChild.objects.create(household=household, first_name="Kid", age=age)
