"""Image files as cameras and phones write them, for the tests of every app that takes
uploads: with EXIF (a GPS position), XMP and a comment, the metadata that must not be kept."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

XMP_PACKET = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="36,51.05N" '
    b'exif:GPSLongitude="76,17.15W"/></rdf:RDF></x:xmpmeta>'
)


def image_bytes(size=(64, 48), image_format="JPEG", exif=None, color=(200, 30, 30)):
    buffer = BytesIO()
    image = Image.new("RGB", size, color)
    params = {"exif": exif} if exif is not None else {}
    image.save(buffer, image_format, **params)
    return buffer.getvalue()


def gps_exif():
    """EXIF with a camera make and a GPS position, as a phone would write it."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (36.0, 51.0, 3.0), 3: "W", 4: (76.0, 17.0, 9.0)}  # GPSInfo
    return exif


def venue_photo_bytes(size=(800, 600)):
    """A JPEG carrying a GPS position three ways: EXIF, an XMP packet and a comment."""
    buffer = BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(
        buffer, "JPEG", exif=gps_exif(), xmp=XMP_PACKET, comment=b"Secret venue, 36.85 -76.29"
    )
    return buffer.getvalue()


def venue_photo_upload(name="IMG_0042.jpg", **kwargs):
    return SimpleUploadedFile(name, venue_photo_bytes(**kwargs), content_type="image/jpeg")


def assert_no_metadata(stored_file):
    """The stored file holds pixels only: no EXIF, no XMP, no comment, no trace of the GPS."""
    stored_file.seek(0)
    content = stored_file.read()
    stored_file.seek(0)
    with Image.open(BytesIO(content)) as image:
        assert dict(image.getexif()) == {}
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment"} & set(image.info)
    assert b"ns.adobe.com" not in content
    assert b"PhoneMaker" not in content
    assert b"Secret venue" not in content
