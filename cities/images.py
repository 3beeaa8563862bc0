"""Uploaded images: what is accepted, and what is kept.

Only real images pass (Pillow opens and verifies them), no larger than MAX_UPLOAD_BYTES and
MAX_PIXELS. What is stored is never the uploaded file itself but a re-encoded copy made from
its pixels alone, so EXIF (camera, GPS position), XMP and comments never reach the public.
Thumbnails are cut from that copy in the sizes the pages show.
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
# (width, height) of the cropped thumbnails the pages use.
CARD_SIZE = (640, 400)
GALLERY_SIZE = (480, 360)


def validate_image_upload(file):
    """Refuse anything that is not a real, reasonably sized JPEG, PNG, WebP or GIF image."""
    # Model validation runs on every save (the admin's full_clean), also for the file already
    # stored, which was checked when it came in and is our own re-encoded copy. Reading it
    # again costs a download and fails when the file has gone missing from storage, which
    # would 500 any edit of its partnership or photo. Only new uploads are checked.
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


def _upright(file, *, at_least):
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


def _pixels_only(image):
    """A fresh image from the pixels alone: no EXIF, GPS, XMP, ICC or comments."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _encode(image, stem, suffix=""):
    buffer = BytesIO()
    if image.mode == "RGBA":
        image.save(buffer, "PNG", optimize=True)
        extension = "png"
    else:
        image.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
        extension = "jpg"
    return ContentFile(buffer.getvalue(), name=f"{stem}{suffix}.{extension}")


def _stem(file):
    return slugify(PurePath(getattr(file, "name", "") or "image").stem)[:60] or "image"


def sanitized_copy(file, *, longest_side=FULL_SIZE):
    """A metadata-free copy of the upload, no larger than `longest_side` pixels."""
    image = _upright(file, at_least=(longest_side, longest_side))
    image.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    return _encode(_pixels_only(image), _stem(file))


def cropped_thumbnail(file, size):
    """A metadata-free thumbnail of exactly `size` (width, height), cropped to fill."""
    image = ImageOps.fit(_upright(file, at_least=size), size, Image.Resampling.LANCZOS)
    return _encode(_pixels_only(image), _stem(file), f"-{size[0]}x{size[1]}")
