"""An email as JSON and back: what the outbox stores of a message.

Every field of Django's `EmailMessage` / `EmailMultiAlternatives` that shapes the MIME it
produces is kept (addresses, subject, bodies, headers, alternatives, attachments, the
subtypes and the encoding), so the worker sends what the caller built, byte for byte in
content, and the message read back is an ordinary `EmailMultiAlternatives` that any email
backend (and the test suite's `mail.outbox`) handles as usual. Binary content is base64;
a ready-made MIME part (an inline image) is kept as its own bytes.
"""

import base64
from email import message_from_bytes
from email.mime.base import MIMEBase

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.message import EmailAttachment

FORMAT = 1


def _content(content) -> dict:
    if isinstance(content, bytes):
        return {"base64": base64.b64encode(content).decode("ascii")}
    return {"text": str(content)}


def _content_back(data: dict):
    if "base64" in data:
        return base64.b64decode(data["base64"])
    return data["text"]


def _attachment(attachment) -> dict:
    if isinstance(attachment, MIMEBase):
        return {"mime": base64.b64encode(attachment.as_bytes()).decode("ascii")}
    filename, content, mimetype = attachment
    return {"filename": filename, "mimetype": mimetype, **_content(content)}


def _mime_part_back(raw: bytes) -> MIMEBase:
    """A stored MIME part as the MIMEBase Django's `attach()` takes: its headers and its
    payload as they were encoded, so nothing is encoded twice."""
    parsed = message_from_bytes(raw)
    part = MIMEBase(parsed.get_content_maintype(), parsed.get_content_subtype())
    for name in list(part.keys()):
        del part[name]
    for name, value in parsed.items():
        part[name] = value
    part.set_payload(parsed.get_payload())
    return part


def serialize(message: EmailMessage) -> dict:
    return {
        "format": FORMAT,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "subject": str(message.subject),
        "body": str(message.body),
        "headers": {name: str(value) for name, value in message.extra_headers.items()},
        "content_subtype": message.content_subtype,
        "mixed_subtype": message.mixed_subtype,
        "alternative_subtype": getattr(message, "alternative_subtype", "alternative"),
        "encoding": message.encoding if isinstance(message.encoding, str | None) else None,
        "alternatives": [
            {"mimetype": mimetype, **_content(content)}
            for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": [_attachment(attachment) for attachment in message.attachments],
    }


def deserialize(data: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
        alternatives=[(_content_back(item), item["mimetype"]) for item in data["alternatives"]],
    )
    message.content_subtype = data["content_subtype"]
    message.mixed_subtype = data["mixed_subtype"]
    message.alternative_subtype = data["alternative_subtype"]
    message.encoding = data["encoding"]
    # As they were stored by `attach()`: appended as they are, not processed a second time.
    for item in data["attachments"]:
        if "mime" in item:
            message.attachments.append(_mime_part_back(base64.b64decode(item["mime"])))
        else:
            message.attachments.append(
                EmailAttachment(item["filename"], _content_back(item), item["mimetype"])
            )
    return message


def recipients_for_display(message: EmailMessage) -> str:
    return ", ".join(message.recipients())
