from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from association.registry import sitemaps


@sitemaps.register(name="membership")
class MembershipSitemap(Sitemap):
    """The plans page: joining pages carry forms and add nothing for a search engine."""

    changefreq = "monthly"

    def items(self):
        return ["membership:plan_list"]

    def location(self, item):
        return reverse(item)
