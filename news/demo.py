"""Clearly marked sample posts for the demo, dated relative to today; none is mailed to
anyone (load_demo creates no mailing and no subscriber).

Idempotent: posts are created when missing (keyed by slug) and never overwritten."""

import datetime

from django.utils import timezone

from association.registry import demo_loaders
from cities.models import Partnership
from events.models import Event

from .models import Post

SAMPLES = [
    {
        "slug": "sample-news-delegation-visit",
        "title": "Sample news: a delegation visits",
        "summary": "A sample post, to show how news looks on the site.",
        "body": (
            "*This is sample news made by the demo data.*\n\n"
            "## What happened\n\n"
            "A delegation from one of our sister cities visited for a week of exchanges:\n\n"
            "- a reception at City Hall\n- school visits\n- a concert\n\n"
            "Read more about [our sister cities](/cities/)."
        ),
        "days_ago": 3,
        "partnership": True,
    },
    {
        "slug": "sample-news-dinner-menu",
        "title": "Sample news: the dinner menu",
        "summary": "A sample post linked to the sample secret-venue dinner.",
        "body": (
            "*This is sample news made by the demo data.*\n\n"
            "The menu for the dinner is ready. **Wear white!** The place stays a "
            "surprise until the day before."
        ),
        "days_ago": 1,
        "event": "sample-secret-venue-dinner",
    },
    {
        "slug": "sample-news-annual-meeting",
        "title": "Sample news: annual meeting",
        "summary": "A sample post about the association's annual meeting.",
        "body": "*This is sample news made by the demo data.*\n\nAll members are welcome.",
        "days_ago": 10,
    },
]


@demo_loaders.register
def load(*, stdout):
    now = timezone.now()
    for sample in SAMPLES:
        if Post.objects.filter(slug=sample["slug"]).exists():
            continue
        post = Post.objects.create(
            slug=sample["slug"],
            title=sample["title"],
            summary=sample["summary"],
            body=sample["body"],
            published_at=now - datetime.timedelta(days=sample["days_ago"]),
            status=Post.Status.PUBLISHED,
            event=Event.objects.filter(slug=sample.get("event", "")).first(),
        )
        if sample.get("partnership"):
            partnership = Partnership.objects.current().first()
            if partnership is not None:
                post.partnerships.add(partnership)
        stdout.write(f"  sample post: {post.title}")
