"""Drafts and scheduled posts are never public, on any surface; published ones show where
the issue says: the list, the page, the feed, the sitemap, the partnership, event and home
pages."""

import datetime

import pytest

from news.models import Post
from tests.events import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_kinds(make_post, now):
    return {
        "published": make_post(title="Published news", slug="published-news"),
        "draft": make_post(title="Draft news", slug="draft-news", published_at=None),
        "scheduled": make_post(
            title="Scheduled news",
            slug="scheduled-news",
            published_at=now + datetime.timedelta(days=1),
        ),
    }


def test_published_queryset_is_the_rule(three_kinds, now):
    assert list(Post.objects.published(now)) == [three_kinds["published"]]
    assert three_kinds["scheduled"] in Post.objects.published(now + datetime.timedelta(days=2))


def test_drafts_and_scheduled_posts_never_public_on_any_surface(client, three_kinds, association):
    surfaces = ["/news/", "/news/feed/", "/sitemap.xml", "/"]
    for url in surfaces:
        body = client.get(url).content.decode()
        assert "published-news" in body, url
        assert "draft-news" not in body and "Draft news" not in body, url
        assert "scheduled-news" not in body and "Scheduled news" not in body, url
    assert client.get("/news/published-news/").status_code == 200
    assert client.get("/news/draft-news/").status_code == 404
    assert client.get("/news/scheduled-news/").status_code == 404


def test_news_list_is_newest_first_and_paginated(client, make_post, association):
    for _ in range(12):
        make_post()
    first = client.get("/news/")
    titles = [post.title for post in first.context["posts"]]
    assert titles[0] == "Post 1" and len(titles) == 10
    second = client.get("/news/?page=2")
    assert len(second.context["posts"]) == 2
    assert client.get("/news/?page=junk").status_code == 200


def test_home_page_shows_the_latest_three(client, make_post, association):
    for _ in range(4):
        make_post()
    body = client.get("/").content.decode()
    assert "Post 1" in body and "Post 3" in body and "Post 4" not in body


def test_partnership_page_shows_its_posts(client, make_post, association):
    from cities.models import City, Partnership

    home = City.objects.create(name="Norfolk", slug="norfolk", country="US", is_home=True)
    toulon = City.objects.create(name="Toulon", slug="toulon", country="FR")
    partnership = Partnership.objects.create(
        home_city=home, partner_city=toulon, kind="sister", status="active", slug="toulon"
    )
    make_post(title="Toulon delegation", partnerships=[partnership])
    make_post(title="Unrelated news")
    make_post(title="Toulon draft", partnerships=[partnership], published_at=None)
    body = client.get("/cities/toulon/").content.decode()
    assert "Toulon delegation" in body
    assert "Unrelated news" not in body and "Toulon draft" not in body


def test_event_page_shows_its_posts(client, make_post, association):
    event = factories.make_event(title="Spring dinner", slug="spring-dinner")
    make_post(title="Menu announced", event=event)
    make_post(title="Other news")
    body = client.get("/events/spring-dinner/").content.decode()
    assert "Menu announced" in body and "Other news" not in body


def test_script_and_onerror_in_a_post_never_reach_a_page_or_feed(client, make_post, association):
    make_post(
        slug="hostile",
        title="Hostile",
        body="Hi <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))",
    )
    for url in ("/news/hostile/", "/news/feed/", "/news/"):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body and "onerror" not in body, url
        assert "javascript:alert" not in body, url
