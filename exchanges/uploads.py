"""Application uploads (a transcript, a photo): what is accepted, and what is kept.

A photo is an image checked and re-encoded by association/images.py like every upload. A
transcript may also be a PDF: it must open as one, be no larger than MAX_UPLOAD_BYTES, and
what is stored is a copy without its document information and XMP metadata (author,
software, dates), since these applicants are often minors.
"""

from io import BytesIO
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from association.images import MAX_UPLOAD_BYTES, sanitized_copy, validate_image_upload

TRANSCRIPT_HELP_TEXT = _(
    "A PDF or a JPEG, PNG, WebP or GIF image, at most 10 MB. Metadata is removed."
)


def _is_pdf(file) -> bool:
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    return head == b"%PDF-"


def validate_document_upload(file):
    """Refuse anything that is not a readable PDF or a real image of bounded size."""
    if getattr(file, "_committed", False):
        return
    size = getattr(file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("This file is %(size)s; files may be at most %(limit)s MB."),
            code="file_too_large",
            params={"size": filesizeformat(size), "limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
        )
    if not _is_pdf(file):
        try:
            validate_image_upload(file)
        except ValidationError:
            raise ValidationError(
                _("This file is neither a PDF nor an image we can read."), code="invalid_document"
            ) from None
        return
    try:
        PdfReader(file, strict=False).pages[0]  # noqa: B018 - reading a page proves it opens
    except (PyPdfError, ValueError, OSError, IndexError, KeyError, TypeError):
        raise ValidationError(_("This PDF cannot be read."), code="invalid_pdf") from None
    finally:
        file.seek(0)


def sanitized_document(file) -> ContentFile:
    """A copy of the upload without its metadata: an image re-encoded from its pixels, a
    PDF rewritten without its document information and XMP."""
    if not _is_pdf(file):
        return sanitized_copy(file)
    reader = PdfReader(file, strict=False)
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.metadata = None  # no /Info dictionary at all (author, producer, dates)
    if "/Metadata" in writer._root_object:
        del writer._root_object["/Metadata"]
    buffer = BytesIO()
    writer.write(buffer)
    file.seek(0)
    stem = slugify(PurePath(getattr(file, "name", "") or "transcript").stem)[:60] or "transcript"
    return ContentFile(buffer.getvalue(), name=f"{stem}.pdf")


def store_sanitized_uploads(application) -> None:
    """Before an application is saved with new uploads: keep only metadata-free copies."""
    for field, make_copy in (("photo", sanitized_copy), ("transcript", sanitized_document)):
        field_file = getattr(application, field)
        if field_file and not field_file._committed:
            copy = make_copy(field_file)
            field_file.save(copy.name, copy, save=False)
