"""Cities' own renditions (thumbnails) and the shared upload rules applied to its models;
the rules themselves are tested in tests/association/test_images.py."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from association.images import FULL_SIZE, validate_image_upload
from cities import images
from cities.models import Partnership, Photo
from tests.association.image_files import gps_exif, image_bytes


def upload(content, name="file.jpg"):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_photo_stores_only_metadata_free_images_and_a_thumbnail(make_partnership, jpeg_upload):
    partnership = make_partnership("Toulon")
    photo = Photo.objects.create(
        partnership=partnership,
        image=jpeg_upload(name="IMG_0001.jpg", size=(1000, 800), exif=gps_exif()),
        caption="Harbour",
    )
    with photo.image.open() as stored, Image.open(stored) as image:
        assert dict(image.getexif()) == {}
        assert image.size == (1000, 800)
    with photo.thumbnail.open() as stored, Image.open(stored) as thumb:
        assert dict(thumb.getexif()) == {}
        assert thumb.size == images.GALLERY_SIZE


def test_photo_full_size_copy_is_bounded(make_partnership, jpeg_upload):
    photo = Photo.objects.create(
        partnership=make_partnership("Toulon"), image=jpeg_upload(size=(3200, 1000))
    )
    with photo.image.open() as stored, Image.open(stored) as image:
        assert max(image.size) == FULL_SIZE


def test_partnership_image_gets_a_card_thumbnail_without_metadata(make_partnership, jpeg_upload):
    partnership = make_partnership("Toulon")
    partnership.image = jpeg_upload(size=(900, 900), exif=gps_exif())
    partnership.save()
    partnership = Partnership.objects.get(pk=partnership.pk)
    with partnership.image_card.open() as stored, Image.open(stored) as card:
        assert card.size == images.CARD_SIZE
        assert dict(card.getexif()) == {}


def test_image_with_transparency_stays_transparent(make_partnership):
    buffer = BytesIO()
    Image.new("RGBA", (40, 40), (0, 0, 0, 0)).save(buffer, "PNG")
    photo = Photo.objects.create(
        partnership=make_partnership("Toulon"),
        image=SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png"),
    )
    assert photo.image.name.endswith(".png")


def test_sideways_phone_photo_is_stored_upright_without_its_orientation_tag(make_partnership):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    content = image_bytes(size=(60, 40), exif=exif)
    photo = Photo.objects.create(
        partnership=make_partnership("Toulon"), image=upload(content, "sideways.jpg")
    )
    with photo.image.open() as stored, Image.open(stored) as image:
        assert image.size == (40, 60)
        assert 0x0112 not in image.getexif()


def test_validator_leaves_a_stored_file_alone(make_partnership, jpeg_upload):
    photo = Photo.objects.create(partnership=make_partnership("Toulon"), image=jpeg_upload())
    photo.image.storage.delete(photo.image.name)
    validate_image_upload(photo.image)  # neither reads it again nor fails
