from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from association.page_cache import computed_once_per_version
from association.registry import sitemaps

from .models import Partnership


@sitemaps.register(name="cities")
class CitiesPagesSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return ["cities:partnership_list", "cities:virginia_directory"]

    def location(self, item):
        return reverse(item)


@sitemaps.register(name="partnerships")
class PartnershipSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        # A list, not a queryset: the sitemap's paginator would count it in a query of its
        # own; read once per edit (association/page_cache.py).
        return computed_once_per_version(
            "sitemap:partnerships", lambda: list(Partnership.objects.public()), scopes=["cities"]
        )

    def lastmod(self, partnership):
        return partnership.updated_at
