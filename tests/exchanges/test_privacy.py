import datetime
import json
from decimal import Decimal

import pytest

from exchanges.decisions import record_decision, send_due_decisions
from exchanges.models import Answer, Application, Reference, TripPayment
from exchanges.privacy import delete_expired_application_data

from .conftest import NOW, complete, draft, make_user

pytestmark = pytest.mark.django_db


def after_retention(program, settings, *, days=1):
    settings.EXCHANGES_RETENTION_MONTHS = 6
    end = program.travel_ends_on
    return NOW.replace(
        year=end.year + (end.month + 6 - 1) // 12, month=(end.month + 6 - 1) % 12 + 1, day=end.day
    ) + datetime.timedelta(days=days)


def test_deletion_job_deletes_non_travelers_and_travelers_sensitive_answers(
    program, chair, applicant, settings
):
    traveler = complete(program, applicant)
    Answer.objects.create(
        application=traveler, question=program.questions.get(sensitive=True), text="Peanut allergy"
    )
    declined = complete(program, make_user("d@example.org"))
    never_sent = draft(program, make_user("n@example.org"))
    record_decision(traveler, decision="accepted", by=chair, at=NOW)
    record_decision(declined, decision="declined", by=chair, at=NOW)
    send_due_decisions(now=program.notification_at)
    TripPayment.objects.create(application=traveler, amount=Decimal("300.00"), paid_at=NOW)

    too_early = after_retention(program, settings, days=-2)
    result = delete_expired_application_data(now=too_early)
    assert result.applications == 0 and Application.objects.count() == 3

    result = delete_expired_application_data(now=after_retention(program, settings))
    assert result.applications == 2 and result.sensitive_answers == 1
    assert "2 application(s) deleted" in result.summary()
    assert list(Application.objects.all()) == [traveler]
    assert not Reference.objects.filter(application_id__in=[declined.pk, never_sent.pk]).exists()
    assert list(traveler.answers.values_list("text", flat=True)) == ["To learn German."]
    assert TripPayment.objects.filter(application=traveler).exists()  # what accounting needs stays
    again = delete_expired_application_data(now=after_retention(program, settings))
    assert (again.applications, again.sensitive_answers) == (0, 0)


def test_the_job_is_registered_and_says_what_it_deleted(program, applicant, settings):
    from association.registry import periodic_jobs

    names = [name for name, _job in periodic_jobs.items()]
    assert "exchanges.tasks.delete_old_applications" in names
    draft(program, applicant)
    job = dict(periodic_jobs.items())["exchanges.tasks.delete_old_applications"]
    assert job(now=after_retention(program, settings)).startswith("1 application(s) deleted")


def test_data_download_includes_applications_but_not_letters(client, program, applicant):
    complete(program, applicant)
    client.force_login(applicant)
    data = json.loads(client.get("/account/data/").content)
    [application] = data["exchange_applications"]
    assert application["program"] == program.title
    assert application["answers"][0]["answer"] == "To learn German."
    assert application["referees"][0]["letter_received"] is True
    assert "SECRET LETTER" not in json.dumps(data)


def test_application_pages_are_never_cacheable(client, program, applicant, time_machine):
    time_machine.move_to(NOW)
    from django.urls import resolve

    from association.page_cache import page_scopes

    for path in (
        f"/exchanges/{program.slug}/apply/",
        f"/exchanges/{program.slug}/review/",
        "/exchanges/references/some-token/",
        "/exchanges/consent/some-token/",
        "/exchanges/review/",
    ):
        match = resolve(path)
        assert page_scopes(match) is None, path
    client.force_login(applicant)
    response = client.get(f"/exchanges/{program.slug}/apply/")
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]
