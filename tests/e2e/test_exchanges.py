"""An exchange from end to end in the browser: a student applies, two referees write their
letters through their private links, a committee member scores the application and, as
chair, accepts it; on the notification date the decision goes out and the student pays the
deposit by card on the fake Stripe's page. Axe checks every new page on the way."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from cities.models import City, Partnership
from exchanges.decisions import send_due_decisions
from exchanges.models import Application, Program, Question, Reference, RubricCriterion, TripPayment
from membership.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


@pytest.fixture
def program(db):
    now = timezone.now()
    home = City.objects.create(name="Norfolk", slug="norfolk", country="US", is_home=True)
    partner = City.objects.create(name="Wilhelmshaven", slug="wilhelmshaven", country="DE")
    partnership = Partnership.objects.create(
        home_city=home, partner_city=partner, slug="wilhelmshaven", kind="sister", status="active"
    )
    program = Program.objects.create(
        partnership=partnership,
        kind=Program.Kind.YOUTH_EXCHANGE,
        slug="youth-exchange",
        title="Youth exchange to Wilhelmshaven",
        summary="Three weeks with a host family.",
        description="Live with a host family and visit Berlin.",
        travel_starts_on=(now + datetime.timedelta(days=200)).date(),
        travel_ends_on=(now + datetime.timedelta(days=221)).date(),
        applications_open_at=now - datetime.timedelta(days=1),
        application_deadline=now + datetime.timedelta(days=30),
        reference_deadline=now + datetime.timedelta(days=37),
        notification_at=now + datetime.timedelta(days=50),
        places=15,
        cost=Decimal("2030.00"),
        deposit=Decimal("300.00"),
        requires_teacher_reference=True,
        published=True,
    )
    Question.objects.create(
        program=program, position=1, text="Why do you want to go?", word_limit=100
    )
    RubricCriterion.objects.create(program=program, position=1, name="Maturity")
    return program


def test_apply_reference_review_decide_and_pay_the_deposit(
    live_server, page, axe_check, fake_stripe, settings, program
):
    settings.SITE_URL = live_server.url
    fake_stripe.webhook_url = live_server.url + "/payments/stripe/webhook/"
    student = User.objects.create_user(
        email="sam@example.org", password="pw-123-abc", first_name="Sam", last_name="Student"
    )
    chair = User.objects.create_user(
        email="chair@example.org", password="pw-123-abc", first_name="Chris", last_name="Chair"
    )
    program.committee.add(chair)
    program.chair = chair
    program.save(update_fields=["chair"])

    # The student applies.
    sign_in(page, live_server, student)
    page.goto(live_server.url + "/exchanges/")
    axe_check(page)
    page.get_by_role("link", name="Youth exchange to Wilhelmshaven").click()
    page.wait_for_url("**/exchanges/youth-exchange/")
    axe_check(page)
    page.get_by_role("link", name="Apply").click()
    page.wait_for_url("**/apply/")
    axe_check(page)
    page.get_by_label("Date of birth").fill("1995-05-05")
    page.get_by_label("Why do you want to go?").fill("To learn German and make friends.")
    page.locator("#id_referee1-referee_name").fill("Tess Teacher")
    page.locator("#id_referee1-referee_email").fill("tess@example.org")
    page.locator("#id_referee1-relationship").select_option("teacher")
    page.locator("#id_referee2-referee_name").fill("Cody Coach")
    page.locator("#id_referee2-referee_email").fill("cody@example.org")
    page.locator("#id_referee2-relationship").select_option("coach")
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_url("**/apply/")
    assert "0 of 2 references received" in page.content()
    axe_check(page)

    # Each referee writes through the private link (no account).
    page.context.clear_cookies()
    for reference in Reference.objects.all():
        page.goto(f"{live_server.url}/exchanges/references/{reference.token}/")
        if reference.relationship == "teacher":
            axe_check(page)
        page.get_by_label("Your letter").fill(
            f"SECRET LETTER: {reference.referee_name} recommends Sam."
        )
        page.get_by_role("button", name="Send the letter").click()
        page.get_by_role("heading", name="Thank you").wait_for()
    application = Application.objects.get()
    assert application.status == Application.Status.COMPLETE

    # The chair reviews, scores and accepts.
    sign_in(page, live_server, chair)
    page.goto(live_server.url + "/exchanges/youth-exchange/review/")
    axe_check(page)
    page.get_by_role("link", name="Sam Student").click()
    assert "SECRET LETTER: Tess Teacher" in page.content()
    axe_check(page)
    page.get_by_label("4").check()
    page.get_by_label("Comment").fill("Mature and curious.")
    page.get_by_role("button", name="Save my review").click()
    page.wait_for_url("**/youth-exchange/review/")
    assert "4.00" in page.content()
    page.get_by_label("Decision for Sam Student").select_option("accepted")
    page.get_by_role("button", name="Record").click()
    page.wait_for_url("**/youth-exchange/review/")
    assert "recorded: Accept" in page.content()

    # The notification date: the job sends the decision.
    assert send_due_decisions(now=program.notification_at) == 1

    # The student pays the deposit by card.
    sign_in(page, live_server, student)
    page.goto(live_server.url + "/exchanges/youth-exchange/apply/")
    assert "SECRET LETTER" not in page.content()
    axe_check(page)
    page.get_by_label("By card").check()
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url(f"{fake_stripe.url}/pay/**")
    assert "$300.00" in page.content()
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url("**/youth-exchange/apply/**")
    deposit = TripPayment.objects.get()
    assert deposit.paid_at is not None and deposit.amount == Decimal("300.00")
    page.goto(live_server.url + "/account/")
    assert "$1,730.00" in page.content()
    axe_check(page)
