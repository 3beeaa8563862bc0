"""Event images follow the upload rules of association.images (issue 12, item 4): a venue
photo's GPS position must never be published, and a bad upload is a form error."""

import importlib
from io import BytesIO

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from association.images import MAX_UPLOAD_BYTES
from events.models import Event
from tests.association.image_files import (
    assert_no_metadata,
    image_bytes,
    venue_photo_bytes,
    venue_photo_upload,
)

from .factories import make_event
from .test_admin import _event_form_data

pytestmark = pytest.mark.django_db


def test_event_image_uploaded_in_the_admin_is_stored_without_gps_or_other_metadata(
    admin_client,
):
    data, _ = _event_form_data(image=venue_photo_upload(size=(2400, 1200)))
    response = admin_client.post(reverse("admin:events_event_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(slug="reveal-dinner")
    with event.image.open("rb") as stored:
        assert_no_metadata(stored)
        stored.seek(0)
        with Image.open(stored) as image:
            assert image.size == (1600, 800)  # bounded like every stored image


def test_event_image_saved_in_code_is_stored_without_metadata():
    event = make_event(image=venue_photo_upload())
    with Event.objects.get(pk=event.pk).image.open("rb") as stored:
        assert_no_metadata(stored)


def test_saving_an_event_again_leaves_its_stored_image_alone():
    event = make_event(image=venue_photo_upload())
    name = event.image.name
    event.title = "Renamed"
    event.save(update_fields=["title"])
    assert Event.objects.get(pk=event.pk).image.name == name


def _admin_add(admin_client, upload):
    data, _ = _event_form_data(image=upload)
    return admin_client.post(reverse("admin:events_event_add"), data)


def test_event_admin_answers_a_file_that_is_not_an_image_with_a_form_error(admin_client):
    response = _admin_add(
        admin_client, SimpleUploadedFile("venue.jpg", b"MZ\x90\x00 a program", "image/jpeg")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("image")
    assert not Event.objects.filter(slug="reveal-dinner").exists()


def test_event_admin_answers_an_image_over_ten_megabytes_with_a_form_error(admin_client):
    # A real JPEG padded past the limit: Pillow reads it, the size rule refuses it.
    content = image_bytes() + b"\0" * (MAX_UPLOAD_BYTES + 1)
    response = _admin_add(admin_client, SimpleUploadedFile("big.jpg", content, "image/jpeg"))
    assert response.status_code == 200
    assert "images may be at most 10 MB" in response.content.decode()
    assert not Event.objects.filter(slug="reveal-dinner").exists()


def test_event_admin_answers_an_image_with_too_many_pixels_with_a_form_error(admin_client):
    buffer = BytesIO()
    Image.new("1", (8000, 5001)).save(buffer, "PNG")  # 40 million pixels in a few kilobytes
    upload = SimpleUploadedFile("huge.png", buffer.getvalue(), "image/png")
    response = _admin_add(admin_client, upload)
    assert response.status_code == 200
    assert "images may have at most 40 million pixels" in response.content.decode()
    assert not Event.objects.filter(slug="reveal-dinner").exists()


def test_migration_strips_event_images_stored_before_the_rule():
    migration = importlib.import_module("events.migrations.0005_event_image_sanitized")
    event = make_event()
    # An image stored as uploaded, as the site did before: written without the model's save.
    storage = Event._meta.get_field("image").storage
    original = storage.save("events/IMG_0042.jpg", ContentFile(venue_photo_bytes()))
    Event.objects.filter(pk=event.pk).update(image=original)
    broken = make_event()
    Event.objects.filter(pk=broken.pk).update(image="events/gone.jpg")

    migration.strip_stored_event_images(apps, None)

    stored = Event.objects.get(pk=event.pk).image
    assert stored.name != original
    assert not storage.exists(original)  # its public URL no longer serves the GPS position
    with stored.open("rb") as file:
        assert_no_metadata(file)
    assert Event.objects.get(pk=broken.pk).image.name == ""
