import datetime

import pytest
from django.core import mail

from exchanges.models import Application, Reference
from exchanges.references import send_due_reference_reminders

from .conftest import NOW, complete, submitted

pytestmark = pytest.mark.django_db


def test_referee_link_works_once(client, program, applicant, time_machine):
    time_machine.move_to(NOW)
    application = submitted(program, applicant)
    reference = application.references.first()
    url = f"/exchanges/references/{reference.token}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"letter": "A fine student."}).status_code == 200
    reference.refresh_from_db()
    assert reference.letter == "A fine student." and reference.received_at is not None
    assert client.get(url).status_code == 410
    assert client.post(url, {"letter": "Changed my mind."}).status_code == 410
    reference.refresh_from_db()
    assert reference.letter == "A fine student."


def test_referee_link_does_not_work_after_the_reference_deadline(
    client, program, applicant, time_machine
):
    application = submitted(program, applicant)
    reference = application.references.first()
    time_machine.move_to(program.reference_deadline + datetime.timedelta(seconds=1))
    assert (
        client.post(f"/exchanges/references/{reference.token}/", {"letter": "Late."}).status_code
        == 410
    )
    reference.refresh_from_db()
    assert reference.received_at is None


def test_unknown_referee_token_is_404_and_empty_letter_400(
    client, program, applicant, time_machine
):
    time_machine.move_to(NOW)
    application = submitted(program, applicant)
    assert client.get("/exchanges/references/not-a-token/").status_code == 404
    reference = application.references.first()
    assert (
        client.post(f"/exchanges/references/{reference.token}/", {"letter": ""}).status_code == 400
    )


def test_one_reminder_seven_days_after_the_request_if_nothing_came(
    program, applicant, django_capture_on_commit_callbacks
):
    application = submitted(program, applicant)
    first = application.references.first()
    from exchanges.references import submit_letter

    submit_letter(first, letter="Done.", at=NOW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reference_reminders(now=NOW + datetime.timedelta(days=6)) == 0
        assert send_due_reference_reminders(now=NOW + datetime.timedelta(days=7)) == 1
        assert send_due_reference_reminders(now=NOW + datetime.timedelta(days=8)) == 0
    assert [m.to for m in mail.outbox] == [["cody@example.org"]]


def test_applicant_sees_how_many_references_came_and_may_replace_one_who_has_not_answered(
    client, program, applicant, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW)
    application = submitted(program, applicant)
    teacher, coach = application.references.all()
    client.post(f"/exchanges/references/{teacher.token}/", {"letter": "SECRET LETTER TEXT"})
    client.force_login(applicant)
    html = client.get(f"/exchanges/{program.slug}/apply/").content.decode()
    assert "1 of 2 references received" in html
    assert f"/references/{coach.pk}/replace/" in html
    assert f"/references/{teacher.pk}/replace/" not in html
    # The answered referee cannot be replaced; a bad form is a 400.
    assert (
        client.post(
            f"/exchanges/{program.slug}/apply/references/{teacher.pk}/replace/",
            {"referee_name": "X", "referee_email": "x@example.org", "relationship": "coach"},
        ).status_code
        == 409
    )
    assert (
        client.post(
            f"/exchanges/{program.slug}/apply/references/{coach.pk}/replace/",
            {"referee_name": "X", "referee_email": "bad", "relationship": "coach"},
        ).status_code
        == 400
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/exchanges/{program.slug}/apply/references/{coach.pk}/replace/",
            {
                "referee_name": "Nora New",
                "referee_email": "nora@example.org",
                "relationship": "employer",
            },
        )
    assert response.status_code == 302
    coach.refresh_from_db()
    assert coach.replaced_at is not None
    new = Reference.objects.get(referee_email="nora@example.org")
    assert [m.to for m in mail.outbox] == [["nora@example.org"]]
    assert (
        client.post(f"/exchanges/references/{coach.token}/", {"letter": "old link"}).status_code
        == 410
    )
    client.post(f"/exchanges/references/{new.token}/", {"letter": "Nora's letter."})
    application.refresh_from_db()
    assert application.status == Application.Status.COMPLETE


def test_the_applicant_never_sees_a_letter(
    client, program, applicant, time_machine, django_capture_on_commit_callbacks, chair
):
    """Every page the applicant can open and every email they get, through to a decision."""
    time_machine.move_to(NOW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        application = complete(program, applicant)
        from exchanges.decisions import record_decision, send_due_decisions

        record_decision(application, decision="accepted", by=chair, at=NOW)
        send_due_decisions(now=program.notification_at)
    client.force_login(applicant)
    pages = [
        f"/exchanges/{program.slug}/apply/",
        "/exchanges/",
        program.get_absolute_url(),
        "/account/",
        "/account/data/",
        "/exchanges/review/",
        f"/exchanges/{program.slug}/review/",
        f"/exchanges/review/application/{application.pk}/",
    ]
    for url in pages:
        response = client.get(url)
        assert "SECRET LETTER" not in response.content.decode(errors="replace"), url
    assert client.get(f"/exchanges/review/application/{application.pk}/").status_code == 404
    to_applicant = [m for m in mail.outbox if m.to == [applicant.email]]
    assert len(to_applicant) >= 2
    for message in to_applicant:
        assert "SECRET LETTER" not in message.body
        assert all("SECRET LETTER" not in content for content, _type in message.alternatives)
