import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from cities.models import Committee, DirectoryListing, Milestone, Partnership, Photo
from membership.models import User
from tests.association.image_files import gps_exif, image_bytes
from tests.translated import in_english

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def partnership(make_partnership, furnish):
    partnership = furnish(make_partnership("Toulon"))
    partnership.change_status(status="active", note="Renewed.")
    DirectoryListing.objects.create(
        locality=partnership.home_city, partner=partnership.partner_city, source="Report"
    )
    return partnership


def admin_pages(partnership):
    photo = partnership.photos.first()
    listing = DirectoryListing.objects.first()
    return [
        "/admin/cities/",
        "/admin/cities/city/",
        "/admin/cities/city/add/",
        f"/admin/cities/city/{partnership.partner_city.pk}/change/",
        "/admin/cities/partnership/",
        "/admin/cities/partnership/add/",
        f"/admin/cities/partnership/{partnership.pk}/change/",
        "/admin/cities/partnership/?kind__exact=sister&status__exact=active&country=FR",
        "/admin/cities/partnership/?q=toul",
        "/admin/cities/photo/",
        "/admin/cities/photo/add/",
        f"/admin/cities/photo/{photo.pk}/change/",
        "/admin/cities/directorylisting/",
        f"/admin/cities/directorylisting/{listing.pk}/change/",
    ]


def test_admin_pages_load_for_staff(staff_client, partnership):
    for path in admin_pages(partnership):
        response = staff_client.get(path)
        assert response.status_code == 200, path


def test_admin_pages_are_refused_to_members_who_are_not_staff(client, partnership):
    member = User.objects.create_user(email="member@example.org", password="member-pass-123")
    client.force_login(member)
    for path in admin_pages(partnership):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/login/")


def test_admin_pages_are_refused_to_anonymous_visitors(client, partnership):
    for path in admin_pages(partnership):
        assert client.get(path).status_code == 302, path


def test_partnership_list_shows_partner_country_kind_status_year(staff_client, partnership):
    partnership.year_established = 1989
    partnership.save()
    html = staff_client.get("/admin/cities/partnership/").content.decode()
    for text in ["Toulon", "France", "Sister city", "Active", "1989"]:
        assert text in html


def test_partnership_change_form_links_to_the_public_page(staff_client, partnership):
    html = staff_client.get(f"/admin/cities/partnership/{partnership.pk}/change/").content.decode()
    assert "View on site" in html


def test_slug_help_text_shows_the_whole_page_address(staff_client, partnership):
    html = staff_client.get(f"/admin/cities/partnership/{partnership.pk}/change/").content.decode()
    assert "/cities//" not in html
    assert "/cities/kitakyushu/" in html


INLINES = {"committees": Committee, "photos": Photo, "milestones": Milestone}


def change_form_data(partnership, **changes):
    data = {
        "home_city": partnership.home_city_id,
        "partner_city": partnership.partner_city_id,
        "slug": partnership.slug,
        "kind": partnership.kind,
        "position": partnership.position,
        "status": partnership.status,
        "status_note": partnership.status_note,
        "status_changed_on": "",
        "year_established": "",
        "summary": partnership.summary,
        "story": partnership.story,
        "image_alt": "",
    }
    for prefix in ["committees", "photos", "milestones", "status_changes"]:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    data.update(changes)
    return in_english(data, Partnership, inlines=INLINES)


def test_changing_the_status_in_the_admin_records_date_and_note(
    staff_client, make_partnership, staff_user
):
    partnership = make_partnership("Kaliningrad", country="RU")
    response = staff_client.post(
        f"/admin/cities/partnership/{partnership.pk}/change/",
        change_form_data(
            partnership,
            status="paused",
            status_note="Paused in 2022.",
            status_changed_on="2022-03-02",
            origins=["trade", "historical"],
        ),
    )
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.status == "paused"
    assert partnership.origins == ["trade", "historical"]
    change = partnership.status_changes.get()
    assert (change.status, change.changed_on, change.note, change.recorded_by) == (
        "paused",
        datetime.date(2022, 3, 2),
        "Paused in 2022.",
        staff_user,
    )


def test_saving_without_a_status_change_records_nothing(staff_client, make_partnership):
    partnership = make_partnership("Toulon")
    response = staff_client.post(
        f"/admin/cities/partnership/{partnership.pk}/change/",
        change_form_data(partnership, summary="New summary"),
    )
    assert response.status_code == 302
    assert not partnership.status_changes.exists()
    partnership.refresh_from_db()
    assert partnership.summary == "New summary"


def test_admin_refuses_the_reserved_slug_with_a_form_error(staff_client, make_partnership):
    partnership = make_partnership("Toulon")
    response = staff_client.post(
        f"/admin/cities/partnership/{partnership.pk}/change/",
        change_form_data(partnership, slug="virginia"),
    )
    assert response.status_code == 200
    assert "is the address of another page" in response.content.decode()


def post_photo(client, partnership, upload):
    return client.post(
        "/admin/cities/photo/add/",
        {"partnership": partnership.pk, "image": upload, "caption": "Harbour", "position": 0},
    )


def test_admin_photo_upload_of_a_non_image_gets_a_clear_error(staff_client, make_partnership):
    partnership = make_partnership("Toulon")
    upload = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
    response = post_photo(staff_client, partnership, upload)
    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()
    assert not Photo.objects.exists()


def test_admin_photo_upload_of_a_tiff_gets_a_clear_error(staff_client, make_partnership):
    partnership = make_partnership("Toulon")
    upload = SimpleUploadedFile("scan.tif", image_bytes(image_format="TIFF"))
    response = post_photo(staff_client, partnership, upload)
    assert response.status_code == 200
    assert "TIFF images are not accepted" in response.content.decode()
    assert not Photo.objects.exists()


def test_admin_photo_upload_with_too_many_pixels_gets_a_clear_error(staff_client, make_partnership):
    buffer = BytesIO()
    Image.new("1", (8000, 5001)).save(buffer, "PNG")
    upload = SimpleUploadedFile("huge.png", buffer.getvalue(), content_type="image/png")
    response = post_photo(staff_client, make_partnership("Toulon"), upload)
    assert response.status_code == 200
    assert "at most 40 million pixels" in response.content.decode()
    assert not Photo.objects.exists()


def test_admin_photo_upload_is_stored_without_location_data(staff_client, make_partnership):
    partnership = make_partnership("Toulon")
    upload = SimpleUploadedFile(
        "IMG_0001.jpg", image_bytes(size=(800, 600), exif=gps_exif()), content_type="image/jpeg"
    )
    response = post_photo(staff_client, partnership, upload)
    assert response.status_code == 302
    photo = Photo.objects.get()
    for field in (photo.image, photo.thumbnail):
        with field.open() as stored, Image.open(stored) as image:
            assert dict(image.getexif()) == {}
    assert Partnership.objects.get().photos.count() == 1


def test_partnership_whose_stored_image_is_missing_still_saves_in_the_admin(
    staff_client, make_partnership, jpeg_upload
):
    partnership = make_partnership("Toulon")
    partnership.image = jpeg_upload()
    partnership.save()
    partnership.image.storage.delete(partnership.image.name)
    response = staff_client.post(
        f"/admin/cities/partnership/{partnership.pk}/change/",
        change_form_data(partnership, summary="Edited after the file went missing"),
    )
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.summary == "Edited after the file went missing"


def test_photo_whose_stored_file_is_missing_still_saves_in_the_admin(
    staff_client, make_partnership, jpeg_upload
):
    photo = Photo.objects.create(partnership=make_partnership("Toulon"), image=jpeg_upload())
    photo.image.storage.delete(photo.image.name)
    response = staff_client.post(
        f"/admin/cities/photo/{photo.pk}/change/",
        in_english(
            {"partnership": photo.partnership_id, "caption": "New caption", "position": 0}, Photo
        ),
    )
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.caption == "New caption"


def add_form_data(home_city, partner_city, **changes):
    data = {
        "home_city": home_city.pk,
        "partner_city": partner_city.pk,
        "slug": partner_city.slug,
        "kind": "sister",
        "position": 0,
        "status": "active",
        "status_note": "",
        "status_changed_on": "",
        "year_established": "",
        "summary": "",
        "story": "",
        "image_alt": "",
    }
    for prefix in ["committees", "photos", "milestones", "status_changes"]:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    data.update(changes)
    return in_english(data, Partnership, inlines=INLINES)


def test_adding_a_partnership_in_the_admin_records_its_initial_status(
    staff_client, home_city, make_city, staff_user
):
    partner = make_city("Kaliningrad", country="RU")
    response = staff_client.post(
        "/admin/cities/partnership/add/",
        add_form_data(
            home_city,
            partner,
            status="paused",
            status_note="Paused in 2022.",
            status_changed_on="2022-03-02",
        ),
    )
    assert response.status_code == 302
    change = Partnership.objects.get(slug="kaliningrad").status_changes.get()
    assert (change.status, change.changed_on, change.note, change.recorded_by) == (
        "paused",
        datetime.date(2022, 3, 2),
        "Paused in 2022.",
        staff_user,
    )


def test_adding_a_partnership_without_a_date_records_its_status_as_of_today(
    staff_client, home_city, make_city
):
    response = staff_client.post(
        "/admin/cities/partnership/add/", add_form_data(home_city, make_city("Toulon"))
    )
    assert response.status_code == 302
    change = Partnership.objects.get(slug="toulon").status_changes.get()
    assert (change.status, change.changed_on) == ("active", timezone.localdate())
