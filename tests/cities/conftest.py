import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cities.models import City, Committee, Milestone, Partnership, Photo
from tests.association.image_files import image_bytes


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


@pytest.fixture
def jpeg_upload():
    def make(name="photo.jpg", **kwargs):
        return SimpleUploadedFile(name, image_bytes(**kwargs), content_type="image/jpeg")

    return make
