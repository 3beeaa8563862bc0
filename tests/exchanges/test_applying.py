import datetime
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader, PdfWriter

from exchanges.applications import change_status, submit_application
from exchanges.models import Application, StatusChange

from .conftest import NOW, draft, make_user

pytestmark = pytest.mark.django_db


def form_data(program, **overrides):
    questions = list(program.questions.all())
    data = {
        "date_of_birth": "1990-01-01",
        "school": "Granby High",
        "guardian_name": "",
        "guardian_email": "",
        "guardian_phone": "",
        f"question_{questions[0].pk}": "I want to learn German.",
        f"question_{questions[1].pk}": "",
        "referee1-referee_name": "Tess Teacher",
        "referee1-referee_email": "tess@example.org",
        "referee1-relationship": "teacher",
        "referee2-referee_name": "Cody Coach",
        "referee2-referee_email": "cody@example.org",
        "referee2-relationship": "coach",
    }
    data.update(overrides)
    return data


@pytest.fixture
def signed_in(client, applicant, time_machine):
    time_machine.move_to(NOW, tick=False)
    client.force_login(applicant)
    return client


def test_applying_needs_an_account(client, program, time_machine):
    time_machine.move_to(NOW)
    response = client.get(f"/exchanges/{program.slug}/apply/")
    assert (
        response.status_code == 302
        and "/login" in response["Location"]
        or "sign" in response["Location"]
    )


def test_draft_is_saved_and_resumed(signed_in, program):
    url = f"/exchanges/{program.slug}/apply/"
    response = signed_in.post(
        url,
        form_data(
            program,
            **{
                "referee2-referee_name": "",
                "referee2-referee_email": "",
                "referee2-relationship": "",
            },
        )
        | {"save": "1"},
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.status == Application.Status.DRAFT
    html = signed_in.get(url).content.decode()
    assert "I want to learn German." in html and "Tess Teacher" in html


def test_word_limit_is_enforced_with_a_clear_message(signed_in, program):
    question = program.questions.first()
    too_long = " ".join(["word"] * 11)
    response = signed_in.post(
        f"/exchanges/{program.slug}/apply/",
        form_data(program, **{f"question_{question.pk}": too_long}) | {"save": "1"},
    )
    assert response.status_code == 400
    assert "This answer has 11 words; the limit is 10." in response.content.decode()
    assert not Application.objects.exists()


def test_submit_sends_reference_requests_and_records_who_and_when(
    signed_in, program, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            f"/exchanges/{program.slug}/apply/", form_data(program) | {"submit": "1"}
        )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED
    change = StatusChange.objects.get(application=application)
    assert (change.from_status, change.to_status, change.changed_by, change.changed_at) == (
        "draft",
        "submitted",
        applicant,
        NOW,
    )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ada@example.org",
        "cody@example.org",
        "tess@example.org",
    ]


def test_submit_is_refused_after_the_deadline_with_a_clear_message(
    signed_in, program, applicant, time_machine
):
    draft(program, applicant)
    time_machine.move_to(program.application_deadline + datetime.timedelta(minutes=1), tick=False)
    signed_in.force_login(applicant)  # a new session: the first would have expired
    response = signed_in.post(
        f"/exchanges/{program.slug}/apply/", form_data(program) | {"submit": "1"}
    )
    assert response.status_code == 400
    assert "The deadline for applications has passed" in response.content.decode()
    assert Application.objects.get().status == Application.Status.DRAFT


def test_staff_extension_lets_one_applicant_submit_late(program, applicant):
    application = draft(program, applicant)
    late = program.application_deadline + datetime.timedelta(days=1)
    assert not submit_application(application, by=applicant, at=late).submitted
    application.deadline_extended_to = late + datetime.timedelta(hours=1)
    application.save(update_fields=["deadline_extended_to"])
    assert submit_application(application, by=applicant, at=late).submitted


def test_a_teacher_referee_is_required_when_the_program_says_so(program, applicant):
    application = draft(program, applicant)
    application.references.filter(relationship="teacher").update(relationship="other")
    result = submit_application(application, by=applicant, at=NOW)
    assert not result.submitted
    assert "This program asks that one referee be a teacher." in result.problems


def test_membership_required_programs_refuse_non_members(signed_in, program):
    program.membership_required = True
    program.save(update_fields=["membership_required"])
    response = signed_in.get(f"/exchanges/{program.slug}/apply/")
    assert response.status_code == 403
    assert "members in good standing" in response.content.decode()


def test_minor_needs_guardian_details_to_submit(program, applicant):
    application = draft(
        program, applicant, born=datetime.date(2011, 1, 1)
    )  # 16 on the program's date
    assert application.is_minor
    result = submit_application(application, by=applicant, at=NOW)
    assert not result.submitted
    assert any("parent or guardian" in problem for problem in result.problems)


def test_guardian_consent_link_works_once_and_completes_the_application(
    client, program, applicant, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(NOW, tick=False)
    application = draft(program, applicant, born=datetime.date(2011, 1, 1), guardian=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert submit_application(application, by=applicant, at=NOW).submitted
    consent_mail = next(m for m in mail.outbox if m.to == ["gina@example.org"])
    application.refresh_from_db()
    link = f"/exchanges/consent/{application.consent_token}/"
    assert link in consent_mail.body
    assert len(application.consent_token) >= 40
    for reference in application.references.all():
        client.post(f"/exchanges/references/{reference.token}/", {"letter": "Ada is great."})
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED  # no consent yet
    assert client.post(link, {"signed_by": "Gina Guardian"}).status_code == 400  # box not ticked
    assert client.post(link, {"signed_by": "Gina Guardian", "agree": "on"}).status_code == 200
    application.refresh_from_db()
    assert application.status == Application.Status.COMPLETE
    assert application.consent_given_by == "Gina Guardian"
    assert client.get(link).status_code == 404


def png_with_exif():
    image = Image.new("RGB", (20, 20), "red")
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def pdf_with_author():
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_metadata({"/Author": "Secret Kid"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_uploads_are_checked_and_stripped_of_metadata(signed_in, program, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = form_data(program) | {"save": "1"}
    data["photo"] = SimpleUploadedFile("me.jpg", png_with_exif(), content_type="image/jpeg")
    data["transcript"] = SimpleUploadedFile(
        "grades.pdf", pdf_with_author(), content_type="application/pdf"
    )
    assert signed_in.post(f"/exchanges/{program.slug}/apply/", data).status_code == 302
    application = Application.objects.get()
    assert b"SecretCam" not in application.photo.read()
    transcript = application.transcript.read()
    assert b"Secret Kid" not in transcript
    assert (
        PdfReader(io.BytesIO(transcript)).metadata is None
        or "/Author" not in PdfReader(io.BytesIO(transcript)).metadata
    )


def test_an_upload_that_is_neither_image_nor_pdf_is_a_400(signed_in, program):
    data = form_data(program) | {"save": "1"}
    data["transcript"] = SimpleUploadedFile(
        "grades.exe", b"MZ\x90\x00 not a document", content_type="application/pdf"
    )
    response = signed_in.post(f"/exchanges/{program.slug}/apply/", data)
    assert response.status_code == 400
    assert "neither a PDF nor an image" in response.content.decode()


def test_a_broken_pdf_is_a_400(signed_in, program):
    data = form_data(program) | {"save": "1"}
    data["transcript"] = SimpleUploadedFile(
        "grades.pdf", b"%PDF-1.4 garbage", content_type="application/pdf"
    )
    response = signed_in.post(f"/exchanges/{program.slug}/apply/", data)
    assert response.status_code == 400
    assert "This PDF cannot be read." in response.content.decode()


def test_garbage_dates_and_emails_are_a_400(signed_in, program):
    data = form_data(program, date_of_birth="not-a-date", **{"referee1-referee_email": "nope"}) | {
        "save": "1"
    }
    assert signed_in.post(f"/exchanges/{program.slug}/apply/", data).status_code == 400


def test_status_changes_only_along_the_allowed_paths(program, applicant):
    application = draft(program, applicant)
    assert not change_status(application, to=Application.Status.ACCEPTED, by=None, at=NOW)
    assert change_status(application, to=Application.Status.WITHDRAWN, by=applicant, at=NOW)
    assert not change_status(application, to=Application.Status.SUBMITTED, by=applicant, at=NOW)
    assert list(application.history.values_list("to_status", flat=True)) == ["withdrawn"]


def test_withdrawn_at_any_time_by_the_applicant(signed_in, program, applicant):
    draft(program, applicant)
    assert signed_in.post(f"/exchanges/{program.slug}/apply/withdraw/").status_code == 302
    assert Application.objects.get().status == Application.Status.WITHDRAWN


def test_another_users_application_is_never_shown(client, program, applicant, time_machine):
    time_machine.move_to(NOW)
    draft(program, applicant)
    other = make_user("eve@example.org")
    client.force_login(other)
    html = client.get(f"/exchanges/{program.slug}/apply/").content.decode()
    assert "Granby High" not in html and "To learn German." not in html
