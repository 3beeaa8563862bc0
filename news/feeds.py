"""RSS of published news (never drafts nor scheduled posts). Its XML is built once per
edit, scheme and host (its addresses are absolute), and again when the next scheduled post
is published."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from association.models import Association
from association.page_cache import KeptResponse, computed_once_per_version

from .models import Post, next_publication

FEED_SIZE = 30


class LatestPostsFeed(Feed):
    def __call__(self, request, *args, **kwargs):
        now = timezone.now()

        return computed_once_per_version(
            ("news:feed", request.scheme, request.get_host()),
            lambda: KeptResponse(super(LatestPostsFeed, self).__call__(request, *args, **kwargs)),
            until=lambda _feed: next_publication(now=now),
        ).response()

    def title(self):
        name = Association.current().name
        return _("News") + (f" · {name}" if name else "")

    def link(self):
        return reverse("news:post_list")

    def description(self):
        return _("News from the association.")

    def items(self):
        return Post.objects.published(timezone.now())[:FEED_SIZE]

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        return post.summary

    def item_pubdate(self, post):
        return post.published_at

    def item_updateddate(self, post):
        return post.updated_at
