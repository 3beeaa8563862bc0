"""The partnerships as the home page and partner pages compose them (nsca/composition.py):
years of friendship, the next journey (exchanges, and the one hook for visits), the latest
milestone, and ended exchange programs on a partner page's timeline."""

import datetime

import pytest
import time_machine

from cities.models import City, Milestone, Partnership
from nsca import composition
from tests.exchanges.conftest import make_program
from visits.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_city(db):
    def make(name, country="FR"):
        return City.objects.create(
            name=name, slug=name.lower(), country=country, latitude=43.1, longitude=5.9
        )

    return make


@pytest.fixture
def make_partnership(make_city):
    home = City.objects.create(
        name="Exampleton",
        slug="exampleton",
        country="US",
        latitude=36.8,
        longitude=-76.3,
        is_home=True,
    )

    def make(name, country="FR", **fields):
        return Partnership.objects.create(
            home_city=home, partner_city=make_city(name, country), slug=name.lower(), **fields
        )

    return make


MOMENT = datetime.datetime(2026, 12, 4, 15, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 12, 4)


@pytest.fixture
def partnerships(make_partnership):
    toulon = make_partnership("Toulon", year_established=1989)
    make_partnership("Kitakyushu", country="JP", year_established=1959)
    make_partnership("Kochi", country="IN", year_established=1950, status="inactive")
    return toulon


def test_years_of_friendship_count_from_the_oldest_current_partnership(partnerships):
    friendship = composition.home_page_friendship(today=TODAY)
    assert friendship["oldest"].partner_city.name == "Kitakyushu"
    assert friendship["years"] == 67


def test_no_year_known_means_no_years_of_friendship(make_partnership):
    make_partnership("Tema", country="GH")
    assert composition.home_page_friendship(today=TODAY)["years"] is None


def test_home_page_says_years_next_journey_and_latest_milestone(client, partnerships):
    make_program(
        partnerships,
        slug="later",
        title="Later trip",
        travel_starts_on=datetime.date(2027, 9, 1),
        travel_ends_on=datetime.date(2027, 9, 20),
    )
    make_program(
        partnerships,
        slug="sooner",
        title="Sooner trip",
        travel_starts_on=datetime.date(2027, 3, 1),
        travel_ends_on=datetime.date(2027, 3, 20),
    )
    Milestone.objects.create(
        partnership=partnerships, date="2019-06-01", precision="month", title="Soirée"
    )
    with time_machine.travel(MOMENT, tick=False):
        html = client.get("/").content.decode()
    assert "67 years of friendship" in html
    assert "Sooner trip" in html and "Later trip" not in html
    assert "travel begins March 1, 2027" in html
    assert "Soirée" in html and '<time datetime="2019-06">June 2019</time>' in html


def test_a_journey_that_has_begun_is_no_longer_next(partnerships):
    make_program(
        partnerships,
        travel_starts_on=datetime.date(2026, 12, 1),
        travel_ends_on=datetime.date(2026, 12, 20),
    )
    assert composition.next_journey(today=TODAY) is None


def test_unpublished_programs_are_never_announced(partnerships):
    make_program(partnerships, published=False)
    assert composition.next_journey(today=TODAY) is None


def test_the_next_visit_is_the_next_journey_when_it_travels_first(partnerships):
    make_program(partnerships)  # travels July 15, 2027
    toulon = Partnership.objects.get(slug="toulon")
    common = {"partnership": toulon, "direction": Visit.Direction.INCOMING, "published": True}
    Visit.objects.create(
        title="Not yet announced",
        starts_on=datetime.date(2027, 1, 5),
        ends_on=datetime.date(2027, 1, 9),
        **{**common, "published": False},
    )
    Visit.objects.create(
        title="Delegation from Toulon",
        starts_on=datetime.date(2027, 2, 1),
        ends_on=datetime.date(2027, 2, 8),
        **common,
    )
    journey = composition.next_journey(today=TODAY)
    assert journey.title == "Delegation from Toulon"
    assert journey.url == toulon.get_absolute_url()
    assert journey.starts_on == datetime.date(2027, 2, 1)


def test_home_page_without_any_journey_or_milestone_says_neither(client, partnerships):
    html = client.get("/").content.decode()
    assert "Next journey" not in html
    assert "Latest milestone" not in html


def test_ended_exchange_programs_join_the_partner_page_timeline(client, partnerships):
    make_program(
        partnerships,
        slug="past-exchange",
        title="Student exchange 2019",
        opens=MOMENT - datetime.timedelta(days=900),
        application_deadline=MOMENT - datetime.timedelta(days=800),
        reference_deadline=MOMENT - datetime.timedelta(days=790),
        notification_at=MOMENT - datetime.timedelta(days=780),
        travel_starts_on=datetime.date(2019, 7, 1),
        travel_ends_on=datetime.date(2019, 7, 20),
    )
    make_program(partnerships, slug="future-exchange", title="Youth exchange 2027")
    Milestone.objects.create(partnership=partnerships, date="2020-01-01", title="Cancelled")
    Milestone.objects.create(partnership=partnerships, date="1989-01-01", title="Signed")
    with time_machine.travel(MOMENT, tick=False):
        html = client.get("/cities/toulon/").content.decode()
    timeline = html[html.index('id="timeline-heading"') :]
    timeline = timeline[: timeline.index("</ol>")]
    assert timeline.index("Cancelled") < timeline.index("Student exchange 2019")
    assert timeline.index("Student exchange 2019") < timeline.index("Signed")
    assert 'href="/exchanges/past-exchange/"' in timeline
    assert "Youth exchange 2027" not in timeline


def test_home_page_counts_years_in_the_year_it_is_shown(client, partnerships, settings):
    settings.PAGE_CACHE_ENABLED = True
    with time_machine.travel(datetime.datetime(2026, 12, 31, 20, tzinfo=datetime.UTC)):
        assert "67 years of friendship" in client.get("/").content.decode()
    with time_machine.travel(datetime.datetime(2027, 1, 1, 12, tzinfo=datetime.UTC)):
        assert "68 years of friendship" in client.get("/").content.decode()
    assert Partnership.objects.count() == 3


def rendered_query_count(client, url) -> int:
    """Queries of rendering `url` again once what is kept per edit is warm (the page itself
    not served from the page cache), as tests/nsca/test_page_queries.py counts them."""
    from django.core.cache import cache, caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from association import page_cache

    assert client.get(url).status_code == 200
    caches[page_cache.PAGES_ALIAS].clear()
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/", "/cities/", "/cities/kitakyushu/"])
def test_pictures_timeline_and_friendship_add_no_query_per_partnership(client, settings, demo, url):
    from tests.conftest import emptied_page_store

    settings.PAGE_CACHE_ENABLED = True
    home = Partnership.objects.get(slug="kitakyushu").home_city
    with time_machine.travel(MOMENT, tick=False):
        emptied_page_store()
        before = rendered_query_count(client, url)
        kitakyushu = Partnership.objects.get(slug="kitakyushu")
        for index in range(12):
            partnership = Partnership.objects.create(
                home_city=home,
                partner_city=City.objects.create(
                    name=f"Extra {index}", slug=f"extra-{index}", country="DE"
                ),
                slug=f"extra-{index}",
                year_established=1990 + index,
            )
            Milestone.objects.create(partnership=partnership, date="2021-01-01", title="M")
            Milestone.objects.create(partnership=kitakyushu, date="2021-01-01", title=f"K{index}")
        emptied_page_store()
        after = rendered_query_count(client, url)
        emptied_page_store()
    assert after <= before <= 6
