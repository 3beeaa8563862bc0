"""Drafts and scheduled posts are never public, on any surface; published ones show where
the issue says: the list, the page, the feed, the sitemap, the partnership, event and home
pages."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from news.models import Post
from tests.events import factories
from tests.translated import in_english

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
        # A draft keeps the date staff typed, and stays a draft when the date passes.
        "dated draft": make_post(
            title="Dated draft",
            slug="dated-draft",
            published_at=now - datetime.timedelta(days=1),
            status=Post.Status.DRAFT,
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
        assert "dated-draft" not in body and "Dated draft" not in body, url
    assert client.get("/news/published-news/").status_code == 200
    assert client.get("/news/dated-draft/").status_code == 404
    assert client.get("/news/draft-news/").status_code == 404
    assert client.get("/news/scheduled-news/").status_code == 404


def test_news_list_is_newest_first_and_paginated(client, make_post, association):
    for _ in range(12):
        make_post()
    first = client.get("/news/")
    titles = [post.title for post in first.context["posts"]]
    assert titles[0] == "Post 1" and len(titles) == 10
    assert '<nav class="pagination" aria-label="Pages of news">' in first.content.decode()
    second = client.get("/news/?page=2")
    assert len(second.context["posts"]) == 2
    assert 'rel="prev">Newer</a>' in second.content.decode()
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


# --- Draft / Scheduled / Published (issue 18, item 20) ---


def post_form(**fields):
    data = {
        "title": "Toulon arrives",
        "slug": "toulon-arrives",
        "summary": "",
        "body": "Details.",
        "image_alt": "",
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
    }
    data.update(fields)
    return in_english(data, Post)


@pytest.fixture
def editor(client, staff_user):
    client.force_login(staff_user)
    return client


def test_saving_published_without_a_date_publishes_now_not_a_draft(editor, now, association):
    with time_machine.travel(now, tick=False):
        response = editor.post("/admin/news/post/add/", post_form())
        assert response.status_code == 302
        post = Post.objects.get()
        assert (post.status, post.published_at) == (Post.Status.PUBLISHED, now)
        assert list(Post.objects.published(now)) == [post]
        assert editor.get("/news/toulon-arrives/").status_code == 200


def test_a_new_post_is_a_draft_only_when_staff_choose_it(editor, now):
    page = editor.get("/admin/news/post/add/")
    assert page.context["adminform"].form["status"].value() == Post.Status.DRAFT
    response = editor.post("/admin/news/post/add/", post_form(status="draft"))
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT and post.published_at is None
    assert not Post.objects.published(now).exists()


@pytest.mark.parametrize(
    ("status", "when", "message"),
    [
        ("scheduled", None, "A scheduled post needs a publication time in the future."),
        ("scheduled", "2026-03-01", "A scheduled post needs a publication time in the future."),
        ("published", "2026-09-01", "choose “Scheduled” to publish the post then"),
    ],
)
def test_status_and_date_that_disagree_are_a_form_error(editor, status, when, message):
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC), tick=False):
        data = post_form(status=status)
        if when:
            data.update({"published_at_0": when, "published_at_1": "10:00:00"})
        response = editor.post("/admin/news/post/add/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Post.objects.exists()


def test_a_scheduled_post_goes_public_at_its_time_by_itself(editor, association):
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC), tick=False):
        editor.post(
            "/admin/news/post/add/",
            post_form(status="scheduled", published_at_0="2026-06-02", published_at_1="09:00:00"),
        )
        post = Post.objects.get()
        assert post.status == Post.Status.SCHEDULED
        assert editor.get("/news/toulon-arrives/").status_code == 404
        listing = editor.get("/admin/news/post/").content.decode()
        assert "Scheduled" in listing
    with time_machine.travel(datetime.datetime(2026, 6, 3, 12, tzinfo=datetime.UTC), tick=False):
        assert editor.get("/news/toulon-arrives/").status_code == 200
        assert post.state(datetime.datetime(2026, 6, 3, tzinfo=datetime.UTC)) == "published"
        # Its page in the admin says Published, so saving it again is not refused.
        page = editor.get(f"/admin/news/post/{post.pk}/change/")
        assert page.context["adminform"].form["status"].value() == Post.Status.PUBLISHED
        data = post_form(
            status=page.context["adminform"].form["status"].value(),
            published_at_0="2026-06-02",
            published_at_1="09:00:00",
            title="Toulon arrived",
        )
        assert editor.post(f"/admin/news/post/{post.pk}/change/", data).status_code == 302


def test_the_database_refuses_a_public_post_without_a_time(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(title="X", slug="x", status=Post.Status.SCHEDULED)


def test_the_admin_filters_posts_by_where_they_stand(editor, make_post, now):
    make_post(title="Out now")
    make_post(title="Coming", published_at=now + datetime.timedelta(days=1))
    make_post(title="Unfinished", published_at=None)
    for state, title in (
        ("published", "Out now"),
        ("scheduled", "Coming"),
        ("draft", "Unfinished"),
    ):
        listed = editor.get("/admin/news/post/", {"state": state}).context["cl"].result_list
        assert [post.title for post in listed] == [title]


@pytest.mark.django_db(transaction=True)
def test_existing_posts_keep_what_the_public_saw_when_status_arrives():
    executor = MigrationExecutor(connection)
    executor.migrate([("news", "0002_staff_groups_may_mail")])
    executor.loader.build_graph()
    old = executor.loader.project_state([("news", "0002_staff_groups_may_mail")]).apps
    OldPost = old.get_model("news", "Post")
    now = timezone.now()
    OldPost.objects.create(title="A", slug="a", published_at=None)
    OldPost.objects.create(title="B", slug="b", published_at=now + datetime.timedelta(days=2))
    OldPost.objects.create(title="C", slug="c", published_at=now - datetime.timedelta(days=2))
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert dict(Post.objects.values_list("slug", "status")) == {
        "a": "draft",
        "b": "scheduled",
        "c": "published",
    }
    assert list(Post.objects.published(now).values_list("slug", flat=True)) == ["c"]
