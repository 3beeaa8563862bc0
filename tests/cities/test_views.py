import datetime
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone

from cities.models import DirectoryListing, Origin, Partnership
from cities.views import PartnershipDetailView
from nsca import composition


def section(html, heading_id):
    """The HTML of the <section> labelled by `heading_id`."""
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, flags=re.DOTALL
    )
    assert match, f"no section labelled {heading_id}"
    return match.group(0)


def meta(html, attribute, name):
    match = re.search(rf'<meta {attribute}="{name}" content="([^"]*)"', html)
    return match.group(1) if match else None


@pytest.fixture
def partnerships(make_partnership):
    return {
        "toulon": make_partnership("Toulon", summary="Naval cities on two shores."),
        "ningbo": make_partnership("Ningbo-Beilun", kind="friendship", country="CN"),
        "kaliningrad": make_partnership(
            "Kaliningrad",
            country="RU",
            status="paused",
            status_note="Paused in 2022 after Russia's invasion of Ukraine.",
        ),
        "kochi": make_partnership("Kochi", country="IN", status="inactive"),
    }


def test_list_shows_sister_then_friendship_cities(client, partnerships):
    html = client.get("/cities/").content.decode()
    assert "Toulon" in section(html, "sister-heading")
    assert "Ningbo-Beilun" in section(html, "friendship-heading")
    assert "Ningbo-Beilun" not in section(html, "sister-heading")
    assert html.index('id="sister-heading"') < html.index('id="friendship-heading"')
    assert "Naval cities on two shores." in html
    assert "France" in section(html, "sister-heading")


def test_paused_partnership_has_its_own_section_with_its_note(client, partnerships):
    html = client.get("/cities/").content.decode()
    paused = section(html, "paused-heading")
    assert "Kaliningrad" in paused
    assert "invasion of Ukraine" in paused
    assert "Kaliningrad" not in section(html, "sister-heading")


def test_inactive_partnership_is_not_presented_as_current(client, partnerships):
    html = client.get("/cities/").content.decode()
    assert "Kochi" not in section(html, "sister-heading")
    assert "Kochi" not in section(html, "map-heading")
    assert "Kochi" in section(html, "inactive-heading")


def test_list_explains_sister_and_friendship_cities_and_how_they_develop(client, db):
    html = client.get("/cities/").content.decode()
    assert "What is a sister city?" in html
    assert "What is a friendship city?" in html
    for _value, label in Origin.choices:
        assert str(label) in html


def test_map_has_a_linked_marker_with_an_accessible_name_per_partner(client, partnerships):
    html = client.get("/cities/").content.decode()
    markers = re.findall(r'<a class="worldmap-marker" href="([^"]+)" aria-label="([^"]+)">', html)
    assert sorted(href for href, _label in markers) == [
        "/cities/kaliningrad/",
        "/cities/ningbo-beilun/",
        "/cities/toulon/",
    ]
    assert ("/cities/toulon/", "Toulon, France: Sister city") in markers
    assert html.count('class="worldmap-arc"') == 3
    assert "<title>Toulon, France: Sister city</title>" in html


def test_map_list_holds_the_same_places_as_the_markers(client, partnerships):
    html = client.get("/cities/").content.decode()
    listing = html[html.index('class="worldmap-list"') :]
    listing = listing[: listing.index("</ul>")]
    assert re.findall(r'href="([^"]+)"', listing) == [
        "/cities/toulon/",
        "/cities/ningbo-beilun/",
        "/cities/kaliningrad/",
    ]


def test_detail_page_shows_story_status_history_committees_photos_and_milestones(
    client, partnerships, furnish, staff_user
):
    toulon = furnish(partnerships["toulon"])
    toulon.story = "It began with ships.\n\nThen came schools."
    toulon.year_established = 1989
    toulon.origins = [Origin.HISTORICAL]
    toulon.save()
    toulon.change_status(
        status="paused", note="A pause.", on=datetime.date(2020, 4, 1), by=staff_user
    )
    toulon.change_status(status="active", note="", on=datetime.date(2021, 6, 1))
    html = client.get("/cities/toulon/").content.decode()
    assert "<p>It began with ships.</p>" in html
    assert "1989" in html
    assert "Historical connection" in html
    assert "Committee 0" in section(html, "committees-heading")
    assert "A project" in html
    assert html.count("-480x360.jpg") == 2
    assert "Milestone 1" in section(html, "timeline-heading")
    assert "April 1, 2020" in html and "A pause." in html
    assert html.index("June 1, 2021") < html.index("April 1, 2020")  # newest first


def test_detail_page_of_a_paused_partnership_shows_the_note(client, partnerships):
    html = client.get("/cities/kaliningrad/").content.decode()
    assert "Paused" in html
    assert "invasion of Ukraine" in html


def test_unknown_partnership_is_404(client, db):
    assert client.get("/cities/atlantis/").status_code == 404


def test_partnership_of_another_home_city_has_no_page(client, make_partnership, make_city):
    other = make_city("Richmond", country="US")
    make_partnership("Zhengzhou", home_city=other, country="CN")
    assert client.get("/cities/zhengzhou/").status_code == 404


def test_detail_page_renders_no_events_section_without_related_events(client, partnerships):
    html = client.get("/cities/toulon/").content.decode()
    assert "Upcoming events" not in html


class PartnershipWithEventsView(PartnershipDetailView):
    """A project's partnership page, as nsca's composition.py makes one."""

    def get_related_events(self, *, now):
        start = timezone.make_aware(datetime.datetime(2030, 5, 18, 19, 0))
        return [
            SimpleNamespace(
                title=f"Evening for {self.object.partner_city.name}",
                get_absolute_url="/events/evening/",
                starts_at=start,
            )
        ]

    def limit_caching(self, response, *, events, now):
        response["Cache-Control"] = f"max-age={len(events)}"
        return response


def get_partnership_page(view_class, slug):
    request = RequestFactory().get(f"/cities/{slug}/")
    request.user = AnonymousUser()
    response = view_class.as_view()(request, slug=slug)
    response.render()
    return response


def test_detail_page_shows_events_the_project_relates_to_the_partnership(partnerships):
    response = get_partnership_page(PartnershipWithEventsView, "toulon")
    events = section(response.content.decode(), "events-heading")
    assert '<a href="/events/evening/">Evening for Toulon</a>' in events
    assert "May 18, 2030" in events
    assert response["Cache-Control"] == "max-age=1"


def test_the_apps_own_detail_page_has_no_events_and_no_cache_bound(partnerships):
    response = get_partnership_page(PartnershipDetailView, "toulon")
    assert response.status_code == 200
    assert "Upcoming events" not in response.content.decode()
    assert "Cache-Control" not in response


def test_the_site_mounts_its_composed_partnership_page_under_the_apps_url_name(db):
    match = resolve(reverse("cities:partnership_detail", kwargs={"slug": "toulon"}))
    assert match.func.view_class is composition.PartnershipDetailView
    assert resolve("/cities/virginia/").url_name == "virginia_directory"


def test_each_page_has_its_own_title_description_and_open_graph(client, partnerships, demo):
    seen = set()
    for path in ["/cities/", "/cities/virginia/", "/cities/toulon/"]:
        html = client.get(path).content.decode()
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        description = meta(html, "name", "description")
        og_title = meta(html, "property", "og:title")
        og_description = meta(html, "property", "og:description")
        assert title and description and og_title and og_description
        seen.add((title, description, og_title, og_description))
    assert len(seen) == 3
    assert meta(client.get("/cities/toulon/").content.decode(), "property", "og:type") == (
        "article"
    )


def test_virginia_directory_groups_partners_by_locality_with_counts(client, demo):
    html = client.get("/cities/virginia/").content.decode()
    assert "12 Virginia localities and their 47 partner cities" in html
    charlottesville = section(html, "charlottesville-virginia-heading")
    assert "4 partners" in charlottesville
    assert "Winneba, Central Region, Ghana" in charlottesville
    assert "Friendship city" in charlottesville
    assert "1 partner<" in section(html, "chesapeake-virginia-heading")
    assert "2018 Annual Impact Report" in html


def test_virginia_directory_links_the_associations_partners_to_their_pages(client, demo):
    html = client.get("/cities/virginia/").content.decode()
    norfolk = section(html, "norfolk-virginia-heading")
    assert '<a href="/cities/toulon/">Toulon' in norfolk
    assert '<a href="/cities/kochi/">' in norfolk
    assert "/cities/" not in section(html, "richmond-virginia-heading")


def test_virginia_directory_is_not_the_associations_live_list(client, demo):
    assert DirectoryListing.objects.filter(partner__name="Ningbo").exists()
    html = client.get("/cities/").content.decode()
    assert "Alexandria" not in html and "Gyumri" not in html


@pytest.mark.parametrize("count", [2, 12])
def test_list_page_query_count_does_not_grow(
    client, make_partnership, furnish, count, django_assert_max_num_queries
):
    for index in range(count):
        kind = "sister" if index % 2 else "friendship"
        status = "paused" if index % 3 == 0 else ("inactive" if index % 5 == 0 else "active")
        furnish(make_partnership(f"City {index}", kind=kind, status=status))
    with django_assert_max_num_queries(5):
        assert client.get("/cities/").status_code == 200


@pytest.mark.parametrize("count", [1, 10])
def test_detail_page_query_count_does_not_grow(
    client, make_partnership, furnish, count, django_assert_max_num_queries
):
    partnership = furnish(make_partnership("Toulon"), count=count)
    for index in range(count):
        partnership.change_status(status="active", note=f"note {index}")
    # 11: the partnership's latest news (composed in by nsca) is one query, its exchange
    # programs (the exchanges app's template tag) one more, the same programs read for the
    # timeline's ended exchanges one more (with the page cache on, as in production, both
    # read the one list kept per edit: tests/nsca/test_page_queries.py), and its upcoming
    # visits (visits' template tag) one more.
    with django_assert_max_num_queries(11):
        assert client.get("/cities/toulon/").status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_directory_query_count_does_not_grow(
    client, make_city, home_city, count, django_assert_max_num_queries
):
    for index in range(count):
        locality = make_city(f"Locality {index}", country="US")
        for partner_index in range(3):
            DirectoryListing.objects.create(
                locality=locality,
                partner=make_city(f"Partner {index}-{partner_index}"),
                source="Test report",
                is_friendship=partner_index == 0,
            )
    with django_assert_max_num_queries(3):
        response = client.get("/cities/virginia/")
    assert f"{count} Virginia localities and their {count * 3} partner cities" in (
        response.content.decode()
    )


def test_query_counts_match_at_both_sizes(client, make_partnership, furnish):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        return len(captured)

    furnish(make_partnership("Toulon"))
    small = (queries("/cities/"), queries("/cities/toulon/"))
    for index in range(8):
        furnish(make_partnership(f"City {index}", kind="friendship"), count=4)
    furnish(Partnership.objects.get(slug="toulon"), count=5)
    assert (queries("/cities/"), queries("/cities/toulon/")) == small


def lead(html):
    match = re.search(r'<p class="lead">(.*?)</p>', html, flags=re.DOTALL)
    return match.group(1) if match else None


# "sister city of Norfolk" said of Kochi without "former" would present it as current.
CURRENT_SISTER_CITY = re.compile(r"(?<!former )sister city of Norfolk", flags=re.IGNORECASE)


def test_former_partnership_page_does_not_present_it_as_a_current_sister_city(client, demo):
    html = client.get("/cities/kochi/").content.decode()
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert title.startswith("Kochi, India: former sister city")
    # The descriptions are the demo's summary, which says it too.
    assert meta(html, "name", "description").startswith("A former sister city in Kerala")
    assert meta(html, "property", "og:title") == "Kochi, India · Former sister city of Norfolk"
    assert meta(html, "property", "og:description").startswith("A former sister city")
    assert lead(html) == "Kerala, India · Former sister city of Norfolk"
    assert not CURRENT_SISTER_CITY.search(html)


def test_paused_partnership_page_says_it_is_paused_wherever_it_names_the_kind(client, demo):
    html = client.get("/cities/kaliningrad/").content.decode()
    assert "<title>Kaliningrad, Russia: sister city (paused)" in html
    assert meta(html, "property", "og:title") == (
        "Kaliningrad, Russia · Sister city of Norfolk (paused)"
    )
    assert lead(html) == "Kaliningrad Oblast, Russia · Sister city of Norfolk (paused)"
    assert "<dt>Relationship</dt><dd>Sister city (paused)</dd>" in html


def test_current_partnership_page_names_its_kind_and_year(client, make_partnership):
    make_partnership("Toulon", year_established=1989)
    html = client.get("/cities/toulon/").content.decode()
    assert "<title>Toulon, France: sister city" in html
    assert lead(html) == "France · Sister city of Exampleton since 1989"


def test_list_page_names_paused_and_former_partnerships_as_such(client, partnerships):
    html = client.get("/cities/").content.decode()
    assert "Sister city (paused)" in section(html, "paused-heading")
    assert "former sister city" in section(html, "inactive-heading")


def test_detail_page_survives_an_image_whose_card_is_missing(client, make_partnership):
    # An image stored without its derived card (a failed save, an import, a data fix).
    make_partnership("Toulon", image="cities/partnerships/toulon.jpg", image_card="")
    response = client.get("/cities/toulon/")
    assert response.status_code == 200
    # The drawn picture stands in (cities/pictures.py), never a broken image.
    html = response.content.decode()
    assert 'src="/cities/toulon/map.svg"' in html
    assert "toulon.jpg" not in html


def test_detail_page_leaves_out_a_photo_without_its_thumbnail(client, make_partnership):
    partnership = make_partnership("Toulon")
    partnership.photos.create(image="cities/photos/a.jpg", thumbnail="", caption="No thumb")
    partnership.photos.create(
        image="cities/photos/b.jpg", thumbnail="cities/photos/b-480x360.jpg", caption="Thumb"
    )
    response = client.get("/cities/toulon/")
    assert response.status_code == 200
    gallery = section(response.content.decode(), "photos-heading")
    assert "b-480x360.jpg" in gallery
    assert "No thumb" not in gallery


def test_demo_paused_partnership_shows_its_undated_status_history_entry(client, demo):
    html = client.get("/cities/kaliningrad/").content.decode()
    history = re.search(r'<ol class="plain-list status-history">(.*?)</ol>', html, re.DOTALL)
    assert "<li>Paused. Paused in 2022 after Russia&#x27;s invasion of Ukraine" in history.group(1)
    assert "<time" not in history.group(1)


def test_demo_active_partnership_shows_no_history_that_only_repeats_its_status(client, demo):
    html = client.get("/cities/kitakyushu/").content.decode()
    assert "Status history" not in html
