"""Event pages for crawlers: addresses only, never a venue."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from association.page_cache import computed_once_per_version
from association.registry import sitemaps

from .models import Event


@sitemaps.register(name="event-lists")
class EventListSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["events:event_list", "events:event_past"]

    def location(self, item):
        return reverse(item)


@sitemaps.register(name="events")
class EventSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        # A list, not a queryset: the sitemap's paginator would count it in a query of its
        # own; read once per edit (association/page_cache.py).
        return computed_once_per_version(
            "sitemap:events",
            lambda: list(Event.objects.published().order_by("-starts_at")),
            scopes=["events"],
        )

    def lastmod(self, event):
        return event.updated_at
