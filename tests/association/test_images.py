import ast
from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from association import images
from tests.association.image_files import (
    assert_no_metadata,
    gps_exif,
    image_bytes,
    venue_photo_upload,
)


def upload(content, name="file.jpg"):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_validator_accepts_a_real_jpeg():
    images.validate_image_upload(upload(image_bytes()))


def test_validator_refuses_a_file_that_is_not_an_image():
    with pytest.raises(ValidationError) as error:
        images.validate_image_upload(upload(b"MZ\x90\x00 this is a program", "evil.jpg"))
    assert error.value.code == "invalid_image"


def test_validator_refuses_a_truncated_image():
    with pytest.raises(ValidationError) as error:
        images.validate_image_upload(upload(image_bytes(size=(400, 300))[:300]))
    assert error.value.code == "invalid_image"


def test_validator_refuses_files_over_ten_megabytes(monkeypatch):
    file = upload(image_bytes())
    monkeypatch.setattr(file, "size", 12 * 1024 * 1024)
    with pytest.raises(ValidationError) as error:
        images.validate_image_upload(file)
    assert error.value.code == "file_too_large"
    assert error.value.messages[0] == "This file is 12.0\xa0MB; images may be at most 10 MB."


def test_validator_accepts_exactly_ten_megabytes(monkeypatch):
    file = upload(image_bytes())
    monkeypatch.setattr(file, "size", images.MAX_UPLOAD_BYTES)
    images.validate_image_upload(file)


def test_validator_refuses_too_many_pixels():
    buffer = BytesIO()
    Image.new("1", (8000, 5001)).save(buffer, "PNG")  # compresses to a few kilobytes
    with pytest.raises(ValidationError) as error:
        images.validate_image_upload(upload(buffer.getvalue(), "huge.png"))
    assert error.value.code == "too_many_pixels"


def test_validator_refuses_formats_the_site_does_not_show():
    with pytest.raises(ValidationError) as error:
        images.validate_image_upload(upload(image_bytes(image_format="TIFF"), "scan.tif"))
    assert error.value.code == "invalid_format"


def test_sanitized_copy_drops_exif_and_gps():
    original = upload(image_bytes(exif=gps_exif()))
    assert Image.open(original).getexif()  # the upload does carry metadata
    copy = images.sanitized_copy(original)
    with Image.open(copy) as result:
        assert dict(result.getexif()) == {}
        assert "exif" not in result.info


def test_sanitized_copy_drops_xmp_and_comments():
    original = venue_photo_upload()
    with Image.open(original) as carried:  # the upload does carry all three
        assert {"exif", "xmp", "comment"} <= set(carried.info)
    assert_no_metadata(images.sanitized_copy(original))


def test_sanitized_copy_is_bounded_and_named_after_the_upload():
    copy = images.sanitized_copy(upload(image_bytes(size=(3200, 1000)), "Venue Photo.JPG"))
    assert copy.name == "venue-photo.jpg"
    with Image.open(copy) as result:
        assert result.size == (images.FULL_SIZE, 500)


def test_association_images_imports_none_of_the_project_apps():
    # Every app uses this module; it must import none of them (association is a leaf).
    source = Path(images.__file__).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported & {"cities", "events", "membership", "payments", "nsca"} == set()
