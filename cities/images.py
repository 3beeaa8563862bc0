"""The cities pages' image renditions: cropped thumbnails in the sizes the pages show.

What an upload must be and how it is stripped of its metadata is the same for every app
and lives in `association.images`; the thumbnails are cut from the same upright pixels and
stored without metadata the same way.
"""

from PIL import Image, ImageOps

from association.images import encode_without_metadata, sanitized_copy, upright_image

# (width, height) of the cropped thumbnails the pages use.
CARD_SIZE = (640, 400)
GALLERY_SIZE = (480, 360)


def cropped_thumbnail(file, size):
    """A metadata-free thumbnail of exactly `size` (width, height), cropped to fill."""
    image = ImageOps.fit(upright_image(file, at_least=size), size, Image.Resampling.LANCZOS)
    return encode_without_metadata(image, named_after=file, suffix=f"-{size[0]}x{size[1]}")


def store_upload_with_thumbnail(image, thumbnail, size) -> None:
    """Before a model with an uploaded `image` and its `thumbnail` (both FieldFiles) is
    saved: a new upload is stored stripped of its metadata with its cropped thumbnail of
    `size`; an image taken away takes its thumbnail with it."""
    if image and not image._committed:
        upload = image
        small = cropped_thumbnail(upload, size)
        thumbnail.save(small.name, small, save=False)
        full = sanitized_copy(upload)
        image.save(full.name, full, save=False)
    elif not image:
        setattr(thumbnail.instance, thumbnail.field.attname, "")
