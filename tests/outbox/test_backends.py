"""Every `send()` on the site writes one outbox row in the caller's transaction, and the
message read back from it is the message that was written."""

import base64
import json
import re
from email.mime.image import MIMEImage

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction

from membership.models import User
from outbox.messages import deserialize, serialize
from outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def test_a_send_only_writes_a_row_and_sends_nothing(queued_only):
    assert send_mail("Hello", "Body", None, ["ann@example.org"]) == 1
    [row] = OutgoingEmail.objects.all()
    assert (row.status, row.recipients, row.subject) == (
        OutgoingEmail.Status.QUEUED,
        "ann@example.org",
        "Hello",
    )
    assert mail.outbox == []


def test_an_email_is_kept_exactly_when_what_caused_it_is(queued_only):
    with pytest.raises(RuntimeError), transaction.atomic():
        User.objects.create_user(email="ann@example.org", password="a-long-password-1")
        send_mail("Welcome", "Body", None, ["ann@example.org"])
        raise RuntimeError("the sign-up fails after all")
    assert not User.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_django_password_reset_goes_through_the_outbox(client, queued_only, association):
    User.objects.create_user(email="ann@example.org", password="a-long-password-1")
    response = client.post("/account/password/reset/", {"email": "ann@example.org"})
    assert response.status_code == 302
    [row] = OutgoingEmail.objects.all()
    assert row.recipients == "ann@example.org" and mail.outbox == []
    assert "/account/password/reset/" in row.message["body"]


def comparable(message) -> str:
    """The MIME text with its random multipart boundaries numbered in order."""
    text = message.message().as_string()
    for number, boundary in enumerate(dict.fromkeys(re.findall(r'boundary="([^"]+)"', text))):
        text = text.replace(boundary, f"BOUNDARY-{number}")
    return text


def test_a_message_reads_back_as_it_was_written():
    message = EmailMultiAlternatives(
        subject="Tickets – ünïcode",
        body="Plain text\nwith two lines",
        from_email="Sender <sender@example.org>",
        to=["ann@example.org"],
        cc=["cc@example.org"],
        bcc=["bcc@example.org"],
        reply_to=["reply@example.org"],
        # Fixed, so the two renderings can be compared byte for byte.
        headers={
            "Date": "Mon, 30 Nov 2026 05:00:00 -0000",
            "Message-ID": "<fixed@example.org>",
            "List-Unsubscribe": "<https://example.org/u/1>",
        },
    )
    message.attach_alternative("<p>HTML</p>", "text/html")
    message.attach("notes.txt", "some notes", "text/plain")
    message.attach("data.bin", b"\x00\x01\x02", "application/octet-stream")
    message.mixed_subtype = "related"
    image = MIMEImage(PNG, "png")
    image.add_header("Content-ID", "<ticket-1@example.org>")
    image.add_header("Content-Disposition", "inline", filename="ticket-1.png")
    message.attach(image)

    stored = json.loads(json.dumps(serialize(message)))  # as the database keeps it
    again = deserialize(stored)

    assert comparable(again) == comparable(message)
    assert again.recipients() == message.recipients()
    assert (again.body, again.alternatives) == (message.body, message.alternatives)
    [png] = [part for part in again.message().walk() if part.get_content_type() == "image/png"]
    assert png.get_payload(decode=True) == PNG
