"""Published news for crawlers."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import timezone

from association.registry import sitemaps

from .models import Post


@sitemaps.register(name="news-list")
class NewsListSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["news:post_list"]

    def location(self, item):
        return reverse(item)


@sitemaps.register(name="news")
class PostSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        # A list, not a queryset: the sitemap's paginator would count it in a query of its own.
        return list(Post.objects.published(timezone.now()))

    def lastmod(self, post):
        return post.updated_at
