"""Sample exchange programs for `load_demo`, dated relative to today and marked as samples:
a youth exchange with Wilhelmshaven open for applications (terms modeled on the 2018
outbound exchange in the association's fact sheet) and an adult delegation to Kitakyushu,
closed, its decisions sent. Rows are created when missing (keyed by slug) and never
overwritten. Sample applicants come only when asked: `manage.py load_exchange_applicants`.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from association.registry import demo_loaders
from cities.models import Partnership

from .models import Application, Installment, Program, Question, RubricCriterion

YOUTH = "wilhelmshaven-youth-exchange-sample"
DELEGATION = "kitakyushu-adult-delegation-sample"
SAMPLE = "Sample program for the demonstration site."


def _at(day: datetime.date, hour=17) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def load_programs(today: datetime.date) -> list[Program]:
    created = []
    wilhelmshaven = Partnership.objects.filter(slug="wilhelmshaven").first()
    if wilhelmshaven and not Program.objects.filter(slug=YOUTH).exists():
        starts = today + datetime.timedelta(days=200)
        program = Program.objects.create(
            partnership=wilhelmshaven,
            kind=Program.Kind.YOUTH_EXCHANGE,
            slug=YOUTH,
            title="Youth exchange to Wilhelmshaven (sample)",
            summary="Three weeks with a host family in Wilhelmshaven and a visit to Berlin.",
            description=(
                f"*{SAMPLE}*\n\nStudents from Norfolk-area high schools, preferably studying "
                "German, live with host families in Wilhelmshaven and visit Berlin, with an "
                "adult chaperone. Application form, essays and two references (one from a "
                "current teacher); the committee interviews applicants.\n\nSelection looks "
                "for adaptability, maturity, trustworthiness and interest in world affairs."
            ),
            travel_starts_on=starts,
            travel_ends_on=starts + datetime.timedelta(days=21),
            applications_open_at=_at(today - datetime.timedelta(days=10)),
            application_deadline=_at(today + datetime.timedelta(days=60)),
            reference_deadline=_at(today + datetime.timedelta(days=67)),
            notification_at=_at(today + datetime.timedelta(days=80), 9),
            places=15,
            cost=Decimal("2030.00"),
            deposit=Decimal("300.00"),
            min_age=15,
            max_age=18,
            requires_teacher_reference=True,
            published=True,
            eligibility="Norfolk-area high school students; host families get priority.",
        )
        Question.objects.create(
            program=program,
            position=1,
            word_limit=300,
            text="Why do you want to take part in this exchange?",
        )
        Question.objects.create(
            program=program,
            position=2,
            word_limit=250,
            text="Tell us about a time you adapted to something new.",
        )
        Question.objects.create(
            program=program,
            position=3,
            word_limit=100,
            required=False,
            sensitive=True,
            text="Health needs or allergies your host family should know about",
        )
        for position, name in enumerate(
            ["Adaptability", "Maturity", "Trustworthiness", "Interest in world affairs"], start=1
        ):
            RubricCriterion.objects.create(program=program, position=position, name=name)
        Installment.objects.create(
            program=program, due_on=starts - datetime.timedelta(days=90), amount=Decimal("865.00")
        )
        Installment.objects.create(
            program=program, due_on=starts - datetime.timedelta(days=45), amount=Decimal("865.00")
        )
        created.append(program)
    kitakyushu = Partnership.objects.filter(slug="kitakyushu").first()
    if kitakyushu and not Program.objects.filter(slug=DELEGATION).exists():
        starts = today + datetime.timedelta(days=120)
        program = Program.objects.create(
            partnership=kitakyushu,
            kind=Program.Kind.ADULT_DELEGATION,
            slug=DELEGATION,
            title="Adult delegation to Kitakyushu (sample)",
            summary="Ten days in our oldest sister city, with home visits and a civic reception.",
            description=f"*{SAMPLE}*\n\nApplications are closed and decisions have been sent.",
            travel_starts_on=starts,
            travel_ends_on=starts + datetime.timedelta(days=10),
            applications_open_at=_at(today - datetime.timedelta(days=90)),
            application_deadline=_at(today - datetime.timedelta(days=45)),
            reference_deadline=_at(today - datetime.timedelta(days=38)),
            notification_at=_at(today - datetime.timedelta(days=20), 9),
            places=12,
            cost=Decimal("2400.00"),
            deposit=Decimal("400.00"),
            min_age=21,
            membership_required=True,
            published=True,
        )
        Question.objects.create(
            program=program,
            position=1,
            word_limit=300,
            text="What would you like to learn in Kitakyushu?",
        )
        RubricCriterion.objects.create(
            program=program, position=1, name="Commitment to the partnership"
        )
        created.append(program)
    return created


def load_sample_applicants() -> int:
    """Sample applicants (accounts without a usable password) for the open program."""
    program = Program.objects.filter(slug=YOUTH).first()
    if program is None:
        return 0
    User = get_user_model()
    made = 0
    for first, last in [("Sample", "Applicant"), ("Example", "Student")]:
        email = f"{first.lower()}.{last.lower()}@example.org"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, first_name=first, last_name=last)
            user.set_unusable_password()
            user.save()
        _app, was_created = Application.objects.get_or_create(
            program=program, applicant=user, defaults={"school": "Sample High School"}
        )
        made += was_created
    return made


@demo_loaders.register
def load(*, stdout):
    load_programs(timezone.localdate())
    stdout.write(f"Exchanges: {Program.objects.count()} programs.")
