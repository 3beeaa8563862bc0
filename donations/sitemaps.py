from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from association.registry import sitemaps


@sitemaps.register(name="donations")
class DonationsSitemap(Sitemap):
    """The donation page; a donor's thank-you page is private and never listed."""

    changefreq = "monthly"

    def items(self):
        return ["donations:donate"]

    def location(self, item):
        return reverse(item)
