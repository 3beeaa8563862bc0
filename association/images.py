"""Uploaded images, for every app: what is accepted, and what is kept.

Only real images pass (Pillow opens and verifies them), no larger than MAX_UPLOAD_BYTES and
MAX_PIXELS. What is stored is never the uploaded file itself but a re-encoded copy made from
its pixels alone, so EXIF (camera, GPS position), XMP, ICC profiles and comments never reach
the public: a phone photo of a secret venue would otherwise publish where it is.

Every ImageField that takes uploads has `validate_image_upload` among its validators and
stores `sanitized_copy(upload)` in its model's save(). Apps that need smaller renditions
(cities' thumbnails) make them from `upright_image()` and `encode_without_metadata()`.
"""

from io import BytesIO
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# Longest side of the stored full-size copy.
FULL_SIZE = 1600
UPLOAD_HELP_TEXT = _("JPEG, PNG, WebP or GIF, at most 10 MB. Location data is removed.")


def validate_image_upload(file):
    """Refuse anything that is not a real, reasonably sized JPEG, PNG, WebP or GIF image."""
    # Model validation runs on every save (the admin's full_clean), also for the file already
    # stored, which was checked when it came in and is our own re-encoded copy. Reading it
    # again costs a download and fails when the file has gone missing from storage, which
    # would 500 any edit of the object it belongs to. Only new uploads are checked.
    if getattr(file, "_committed", False):
        return
    size = getattr(file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("This file is %(size)s; images may be at most %(limit)s MB."),
            code="file_too_large",
            params={"size": filesizeformat(size), "limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
        )
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            if image_format in ACCEPTED_FORMATS and width * height <= MAX_PIXELS:
                image.verify()
    except Image.DecompressionBombError:
        raise ValidationError(
            _("The image has far too many pixels; images may have at most %(megapixels)s million."),
            code="too_many_pixels",
            params={"megapixels": MAX_PIXELS // 1_000_000},
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF photo."),
            code="invalid_image",
        ) from None
    finally:
        file.seek(0)
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted. Upload a JPEG, PNG, WebP or GIF photo."),
            code="invalid_format",
            params={"format": image_format or _("This kind of")},
        )
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _(
                "The image is %(width)s × %(height)s pixels; images may have at most "
                "%(megapixels)s million pixels."
            ),
            code="too_many_pixels",
            params={"width": width, "height": height, "megapixels": MAX_PIXELS // 1_000_000},
        )


def upright_image(file, *, at_least: tuple[int, int]) -> Image.Image:
    """The upload's first frame, turned upright, decoded no larger than needed.

    JPEGs are decoded at a reduced scale when the result needs only `at_least` pixels, so
    a large photo does not cost its full size in memory.
    """
    file.seek(0)
    with Image.open(file) as original:
        original.seek(0)  # first frame of an animation
        if original.format == "JPEG":
            original.draft("RGB", at_least)
        upright = ImageOps.exif_transpose(original)
        has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
        upright = upright.convert("RGBA" if has_alpha else "RGB")
    file.seek(0)
    return upright


def encode_without_metadata(image: Image.Image, *, named_after, suffix: str = "") -> ContentFile:
    """A file holding the image's pixels alone (no EXIF, GPS, XMP, ICC or comments), as PNG
    when it has transparency and JPEG otherwise, named after the upload `named_after`."""
    # A fresh image from the raw pixels: nothing of the original's info dict can follow.
    pixels = Image.frombytes(image.mode, image.size, image.tobytes())
    buffer = BytesIO()
    if pixels.mode == "RGBA":
        pixels.save(buffer, "PNG", optimize=True)
        extension = "png"
    else:
        pixels.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
        extension = "jpg"
    stem = slugify(PurePath(getattr(named_after, "name", "") or "image").stem)[:60] or "image"
    return ContentFile(buffer.getvalue(), name=f"{stem}{suffix}.{extension}")


def sanitized_copy(file, *, longest_side: int = FULL_SIZE) -> ContentFile:
    """A metadata-free copy of the upload, no larger than `longest_side` pixels."""
    image = upright_image(file, at_least=(longest_side, longest_side))
    image.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    return encode_without_metadata(image, named_after=file)


def store_sanitized_upload(instance, *, field: str) -> None:
    """For a model's save(), before the row is written: replace a new upload in the image
    field `field` by its metadata-free copy. A file already stored, or a field not loaded
    (deferred), is left alone."""
    if field not in instance.__dict__:
        return
    field_file = getattr(instance, field)
    if field_file and not field_file._committed:
        copy = sanitized_copy(field_file)
        field_file.save(copy.name, copy, save=False)
