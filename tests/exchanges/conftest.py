import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cities.models import City, Partnership
from exchanges.applications import submit_application
from exchanges.models import Answer, Application, Program, Question, Reference, RubricCriterion
from exchanges.references import submit_letter
from membership.models import User

NOW = timezone.make_aware(datetime.datetime(2027, 3, 1, 12, 0))


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


def make_program(partnership, *, slug="youth-2027", opens=None, **overrides):
    opens = opens or NOW - datetime.timedelta(days=10)
    fields = {
        "partnership": partnership,
        "kind": Program.Kind.YOUTH_EXCHANGE,
        "title": "Youth exchange 2027",
        "slug": slug,
        "summary": "Three weeks in Wilhelmshaven.",
        "travel_starts_on": datetime.date(2027, 7, 15),
        "travel_ends_on": datetime.date(2027, 8, 5),
        "applications_open_at": opens,
        "application_deadline": NOW + datetime.timedelta(days=20),
        "reference_deadline": NOW + datetime.timedelta(days=30),
        "notification_at": NOW + datetime.timedelta(days=45),
        "places": 2,
        "cost": Decimal("2030.00"),
        "deposit": Decimal("300.00"),
        "min_age": 14,
        "max_age": 40,
        "requires_teacher_reference": True,
        "published": True,
    }
    fields.update(overrides)
    program = Program.objects.create(**fields)
    Question.objects.create(
        program=program, position=1, text="Why do you want to go?", word_limit=10
    )
    Question.objects.create(
        program=program,
        position=2,
        text="Health needs",
        word_limit=50,
        required=False,
        sensitive=True,
    )
    RubricCriterion.objects.create(program=program, position=1, name="Maturity")
    RubricCriterion.objects.create(program=program, position=2, name="Adaptability")
    return program


@pytest.fixture
def program(partnership):
    return make_program(partnership)


def make_user(email, **extra):
    return User.objects.create_user(email=email, password="pass-123-word", **extra)


@pytest.fixture
def applicant(db):
    return make_user("ada@example.org", first_name="Ada", last_name="Applicant")


@pytest.fixture
def reviewer(program):
    user = make_user("rita@example.org", first_name="Rita", last_name="Reviewer")
    program.committee.add(user)
    return user


@pytest.fixture
def chair(program):
    user = make_user("carl@example.org", first_name="Carl", last_name="Chair")
    program.committee.add(user)
    program.chair = user
    program.save(update_fields=["chair"])
    return user


def draft(program, user, *, born=datetime.date(1990, 1, 1), guardian=False):
    application = Application.objects.create(
        program=program, applicant=user, date_of_birth=born, school="Granby High"
    )
    if guardian:
        Application.objects.filter(pk=application.pk).update(
            guardian_name="Gina Guardian",
            guardian_email="gina@example.org",
            guardian_phone="757-555-0100",
        )
        application.refresh_from_db()
    Answer.objects.create(
        application=application, question=program.questions.first(), text="To learn German."
    )
    Reference.objects.create(
        application=application,
        referee_name="Tess Teacher",
        referee_email="tess@example.org",
        relationship="teacher",
    )
    Reference.objects.create(
        application=application,
        referee_name="Cody Coach",
        referee_email="cody@example.org",
        relationship="coach",
    )
    return application


def submitted(program, user, **kwargs):
    application = draft(program, user, **kwargs)
    result = submit_application(application, by=user, at=NOW)
    assert result.submitted, result.problems
    return application


def complete(program, user, **kwargs):
    application = submitted(program, user, **kwargs)
    for reference in application.references.all():
        assert submit_letter(
            reference, letter=f"SECRET LETTER from {reference.referee_name}", at=NOW
        )
    application.refresh_from_db()
    assert application.status == Application.Status.COMPLETE
    return application
