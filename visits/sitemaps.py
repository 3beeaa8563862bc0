from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from association.registry import sitemaps


@sitemaps.register(name="hosting")
class HostingSitemap(Sitemap):
    """/hosting/, the one public page of visits (the rest are private)."""

    changefreq = "monthly"

    def items(self):
        return ["visits:hosting"]

    def location(self, item):
        return reverse(item)
