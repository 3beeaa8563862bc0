from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cities.models import City, Committee, Milestone, Partnership, Photo


@pytest.fixture
def home_city(db):
    return City.objects.create(
        name="Exampleton",
        slug="exampleton",
        region="Virginia",
        country="US",
        latitude=36.85,
        longitude=-76.29,
        is_home=True,
    )


@pytest.fixture
def make_city(db):
    def make(name, country="FR", **fields):
        fields.setdefault("slug", name.lower().replace(" ", "-"))
        fields.setdefault("latitude", 43.12)
        fields.setdefault("longitude", 5.93)
        return City.objects.create(name=name, country=country, **fields)

    return make


@pytest.fixture
def make_partnership(home_city, make_city):
    def make(partner_name, **fields):
        country = fields.pop("country", "FR")
        fields.setdefault("home_city", home_city)
        fields.setdefault("slug", partner_name.lower().replace(" ", "-"))
        return Partnership.objects.create(
            partner_city=make_city(partner_name, country=country), **fields
        )

    return make


@pytest.fixture
def furnish():
    """Give a partnership committees, photos and milestones (no image processing)."""

    def furnish(partnership, count=2):
        for index in range(count):
            Committee.objects.create(
                partnership=partnership, name=f"Committee {index}", current_project="A project"
            )
            Photo.objects.create(
                partnership=partnership,
                image=f"cities/photos/p{partnership.pk}-{index}.jpg",
                thumbnail=f"cities/photos/p{partnership.pk}-{index}-480x360.jpg",
                caption=f"Photo {index}",
            )
            Milestone.objects.create(
                partnership=partnership, date=f"20{10 + index}-05-01", title=f"Milestone {index}"
            )
        return partnership

    return furnish


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


@pytest.fixture
def jpeg_upload():
    def make(name="photo.jpg", **kwargs):
        return SimpleUploadedFile(name, image_bytes(**kwargs), content_type="image/jpeg")

    return make
