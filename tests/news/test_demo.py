import pytest

from news.models import Delivery, Mailing, Post, Subscriber

pytestmark = pytest.mark.django_db


def test_load_demo_adds_marked_sample_posts_and_mails_nobody(demo, client):
    posts = list(Post.objects.all())
    assert len(posts) == 3
    assert all(p.title.startswith("Sample news") and "sample" in p.body for p in posts)
    assert not Mailing.objects.exists() and not Delivery.objects.exists()
    assert not Subscriber.objects.exists()
    assert Post.objects.get(slug="sample-news-dinner-menu").event is not None
    assert client.get("/news/").status_code == 200
    # The sample dinner's page shows its sample news.
    assert (
        "Sample news: the dinner menu"
        in client.get("/events/sample-secret-venue-dinner/").content.decode()
    )


def test_load_demo_posts_are_idempotent(demo):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    assert Post.objects.count() == 3
