from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from association.registry import sitemaps

from .models import Program


@sitemaps.register(name="exchanges")
class ExchangesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["exchanges:program_list", *Program.objects.published().order_by("pk")]

    def location(self, item):
        return reverse(item) if isinstance(item, str) else item.get_absolute_url()
