"""Every public page runs at most 6 queries when it is rendered (not served from the page
cache), whatever the number of rows: what changes only with the data (the association,
the world map, the Virginia directory, a partnership's committees and photos) is read once
per edit and process (association/page_cache.py's `computed_once_per_version`)."""

import datetime

import pytest
import time_machine
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from association import page_cache
from cities.models import Committee, Milestone, Partnership
from events.models import Event
from news.models import Post
from tests.conftest import emptied_page_store
from tests.events import factories

MAX_QUERIES = 6


def public_pages() -> list[str]:
    event = Event.objects.published().order_by("starts_at").first()
    partnership = Partnership.objects.public().first()
    post = Post.objects.published(timezone.now()).first()
    return [
        "/",
        "/about/",
        "/cities/",
        partnership.get_absolute_url(),
        "/cities/virginia/",
        "/events/",
        "/events/past/",
        "/events/past/?page=2",
        event.get_absolute_url(),
        "/membership/",
        "/events/feed/",
        "/events/calendar.ics",
        f"/events/{event.slug}/event.ics",
        "/sitemap.xml",
        "/news/",
        post.get_absolute_url(),
        "/news/feed/",
    ]


def add_rows(extra: int) -> None:
    """More of everything a public page lists: events (upcoming and past) with ticket
    types, and a partnership's committees and milestones."""
    now = timezone.now().replace(microsecond=0)
    partnership = Partnership.objects.public().first()
    for index in range(extra):
        for starts_at in (
            now + datetime.timedelta(days=5 + index),
            now - datetime.timedelta(days=400 + index),
        ):
            event = factories.make_event(starts_at=starts_at, partnership=partnership)
            factories.make_ticket_type(event)
            factories.make_ticket_type(event, name="Student", price=10)
        Post.objects.create(
            title=f"News {index}",
            slug=f"news-{index}",
            body="Text.",
            published_at=now - datetime.timedelta(days=index + 1),
            status=Post.Status.PUBLISHED,
        )
        Committee.objects.create(partnership=partnership, name=f"Committee {index}")
        Milestone.objects.create(partnership=partnership, date="2015-05-01", title=f"Step {index}")


@pytest.mark.parametrize("extra", [0, 25])
def test_every_public_page_runs_at_most_six_queries_at_any_size(client, settings, demo, extra):
    settings.PAGE_CACHE_ENABLED = True
    emptied_page_store()
    add_rows(extra)
    counts = {}
    # The clock held still: the version is re-read (and may change, when another thread
    # of the suite commits a write) once a second, which would make the count a cold one.
    with time_machine.travel(timezone.now(), tick=False):
        for url in public_pages():
            assert client.get(url).status_code == 200, url  # reads what is kept per edit
            caches[page_cache.PAGES_ALIAS].clear()  # ...but the page itself is rendered again
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200, url
            counts[url] = len(queries)
    emptied_page_store()
    assert {url: n for url, n in counts.items() if n > MAX_QUERIES} == {}, counts


def test_every_public_page_is_the_same_rendered_from_what_is_kept(client, settings, demo):
    """What is kept per edit (rows, fragments of pages) changes nothing a visitor sees: each
    public page, rendered with nothing kept (the page cache off), then from what is kept
    (on, rendered a second time), is the same page."""
    urls = [f"{url}{'&' if '?' in url else '?'}x" for url in public_pages()]  # rendered
    with time_machine.travel(timezone.now(), tick=False):
        settings.PAGE_CACHE_ENABLED = False
        fresh = {url: client.get(url).content.decode() for url in urls}
        settings.PAGE_CACHE_ENABLED = True
        emptied_page_store()
        for url in urls:
            client.get(url)
        kept = {url: client.get(url).content.decode() for url in urls}
    emptied_page_store()
    assert {url for url in urls if kept[url] != fresh[url]} == set()
