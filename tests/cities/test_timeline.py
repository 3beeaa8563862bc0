"""A partnership's timeline (cities/timeline.py) and milestones dated as far as known."""

import datetime

import pytest
from PIL import Image

from cities import images
from cities.models import Milestone
from cities.timeline import TimelineEntry, partnership_timeline
from tests.association.image_files import gps_exif

TODAY = datetime.date(2026, 12, 4)


@pytest.mark.parametrize(
    ("precision", "when", "machine"),
    [
        ("day", "July 14, 1959", "1959-07-14"),
        ("month", "July 1959", "1959-07"),
        ("year", "1959", "1959"),
    ],
)
def test_milestone_shows_no_more_of_its_date_than_is_known(precision, when, machine):
    milestone = Milestone(date=datetime.date(1959, 7, 14), precision=precision, title="Signed")
    assert (milestone.when, milestone.machine_date) == (when, machine)


def test_timeline_is_newest_first_and_leaves_out_what_has_not_happened(make_partnership):
    partnership = make_partnership("Toulon")
    for day, title in [
        ("1989-01-01", "Signed"),
        ("2015-05-01", "Delegation"),
        ("2027-01-01", "Anniversary planned"),
    ]:
        Milestone.objects.create(partnership=partnership, date=day, title=title, precision="year")
    exchange = TimelineEntry.on_day(
        datetime.date(2019, 7, 1), title="Student exchange", kind="Exchange", url="/x/"
    )
    entries = partnership_timeline(partnership.milestones.all(), [exchange], today=TODAY)
    assert [entry.title for entry in entries] == ["Student exchange", "Delegation", "Signed"]
    assert entries[0].when == "July 1, 2019"


def test_partner_page_timeline_lists_milestones_newest_first(client, make_partnership):
    partnership = make_partnership("Toulon")
    Milestone.objects.create(
        partnership=partnership, date="1989-01-01", title="Signed", precision="year"
    )
    Milestone.objects.create(
        partnership=partnership, date="2020-04-01", title="Masks", precision="month"
    )
    html = client.get("/cities/toulon/").content.decode()
    assert html.index("Masks") < html.index("Signed")
    assert '<time datetime="2020-04">April 2020</time>' in html
    assert '<time datetime="1989">1989</time>' in html


def test_milestone_photo_is_stripped_thumbnailed_and_shown_with_its_description(
    client, make_partnership, jpeg_upload
):
    partnership = make_partnership("Toulon")
    milestone = Milestone.objects.create(
        partnership=partnership,
        date="2015-05-01",
        title="Delegation",
        photo=jpeg_upload(name="IMG_1.jpg", size=(1000, 800), exif=gps_exif()),
        photo_alt="Twenty-two travelers on the quay",
    )
    with milestone.photo_thumbnail.open() as stored, Image.open(stored) as thumb:
        assert dict(thumb.getexif()) == {}
        assert thumb.size == images.GALLERY_SIZE
    with milestone.photo.open() as stored, Image.open(stored) as image:
        assert dict(image.getexif()) == {}
    html = client.get("/cities/toulon/").content.decode()
    assert milestone.photo_thumbnail.url in html
    assert 'alt="Twenty-two travelers on the quay"' in html


def test_milestone_photo_description_defaults_to_its_title(make_partnership, jpeg_upload):
    milestone = Milestone.objects.create(
        partnership=make_partnership("Toulon"),
        date=datetime.date(2015, 5, 1),
        title="Delegation",
        photo=jpeg_upload(),
    )
    assert TimelineEntry.of_milestone(milestone).photo_alt == "Delegation"


def test_milestone_photo_removed_takes_its_thumbnail_with_it(make_partnership, jpeg_upload):
    milestone = Milestone.objects.create(
        partnership=make_partnership("Toulon"), date="2015-05-01", title="D", photo=jpeg_upload()
    )
    milestone.photo = ""
    milestone.save()
    assert not milestone.photo_thumbnail


def test_latest_milestone_is_of_a_current_partnership_and_has_happened(make_partnership):
    current = make_partnership("Toulon")
    former = make_partnership("Kochi", status="inactive", country="IN")
    Milestone.objects.create(partnership=current, date="2020-04-01", title="Masks")
    Milestone.objects.create(partnership=current, date="2030-01-01", title="Future")
    Milestone.objects.create(partnership=former, date="2023-01-01", title="Former")
    assert Milestone.objects.latest_of_current_partnerships(TODAY).title == "Masks"
