from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from association.page_cache import computed_once_per_version
from association.registry import sitemaps

from .models import Page


@sitemaps.register(name="static")
class StaticViewSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["home"]

    def location(self, item):
        return reverse(item)


@sitemaps.register(name="pages")
class PageSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        # A list, not a queryset: the sitemap's paginator would count it in a query of its
        # own; read once per edit (association/page_cache.py).
        return computed_once_per_version(
            "sitemap:pages", lambda: list(Page.objects.published()), scopes=["pages"]
        )

    def lastmod(self, page):
        return page.updated_at
