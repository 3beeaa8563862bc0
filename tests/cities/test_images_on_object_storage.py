"""Media on an S3-compatible bucket (MEDIA_STORAGE_URL): uploads land in the bucket, still
checked and still stripped of their metadata (association/images.py, unchanged)."""

import urllib.request
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cities import images
from cities.models import Partnership, Photo
from nsca.media_storage import media_storage_from_url
from tests.association.image_files import gps_exif
from tests.servers.moto_s3 import CREDENTIALS, MotoS3


@pytest.fixture
def bucket(settings, monkeypatch):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    with MotoS3() as s3:
        name = s3.public_bucket("nsca-media")
        storage, _origins = media_storage_from_url(
            f"s3://{name}/uploads?endpoint_url={s3.url}&region_name=us-east-1"
        )
        settings.STORAGES = {**settings.STORAGES, "default": storage}
        yield s3, name


def stored_keys(s3, name):
    return {item["Key"] for item in s3.client.list_objects_v2(Bucket=name)["Contents"]}


def test_uploads_go_to_the_bucket_without_their_metadata(bucket, make_partnership, jpeg_upload):
    s3, name = bucket
    photo = Photo.objects.create(
        partnership=make_partnership("Toulon"),
        image=jpeg_upload(name="IMG_0001.jpg", size=(1000, 800), exif=gps_exif()),
        caption="Harbour",
    )
    assert stored_keys(s3, name) == {
        f"uploads/{photo.image.name}",
        f"uploads/{photo.thumbnail.name}",
    }
    body = s3.client.get_object(Bucket=name, Key=f"uploads/{photo.image.name}")["Body"].read()
    with Image.open(BytesIO(body)) as image:
        assert dict(image.getexif()) == {}
        assert image.size == (1000, 800)
    with photo.thumbnail.open() as stored, Image.open(stored) as thumb:
        assert thumb.size == images.GALLERY_SIZE


def test_media_links_point_at_the_bucket_unsigned_and_load(bucket, make_partnership, jpeg_upload):
    s3, name = bucket
    partnership = make_partnership("Toulon")
    partnership.image = jpeg_upload(size=(900, 900), exif=gps_exif())
    partnership.save()
    partnership = Partnership.objects.get(pk=partnership.pk)
    url = partnership.image_card.url
    assert url.startswith(f"{s3.url}/{name}/uploads/cities/partnerships/")
    assert "Signature" not in url and "?" not in url
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
        body = response.read()
    with Image.open(BytesIO(body)) as card:
        assert card.size == images.CARD_SIZE


def test_a_non_image_is_refused_before_it_reaches_the_bucket(bucket, make_partnership):
    s3, name = bucket
    photo = Photo(
        partnership=make_partnership("Toulon"),
        image=SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg"),
    )
    with pytest.raises(ValidationError):
        photo.full_clean()
    assert "Contents" not in s3.client.list_objects_v2(Bucket=name)
