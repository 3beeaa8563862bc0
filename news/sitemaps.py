"""Published news for crawlers."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import timezone

from .models import Post


class NewsListSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["news:post_list"]

    def location(self, item):
        return reverse(item)


class PostSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        # A list, not a queryset: the sitemap's paginator would count it in a query of its own.
        return list(Post.objects.published(timezone.now()))

    def lastmod(self, post):
        return post.updated_at


SITEMAPS = {"news-list": NewsListSitemap, "news": PostSitemap}
