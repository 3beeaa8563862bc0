"""RSS of published news (never drafts nor scheduled posts). Kept by the page cache like
any public page (association/page_cache.py), never past the next scheduled publication."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from association.models import Association
from association.page_cache import public_page

from .models import Post

FEED_SIZE = 30


@public_page(scopes=["news"])
class LatestPostsFeed(Feed):
    def title(self):
        name = Association.kept().name
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
