"""RSS of upcoming events. The location in each item comes from the reveal gate, and
feed readers and caches (the page cache too, association/page_cache.py) may keep the feed
only until the next reveal among its items."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from association.formats import format_event_time
from association.models import Association
from association.page_cache import public_page

from .listing import upcoming_events
from .reveal import cache_until_next_reveal, label_locations

FEED_SIZE = 50


@public_page(scopes=["events"])
class UpcomingEventsFeed(Feed):
    def __call__(self, request, *args, **kwargs):
        # The feed object is shared by all requests: the moment and the gate's answer
        # travel as the feed's per-request object (`get_object`), not on self, and the
        # same events bound how long the response may be cached (the reveal rule).
        now = timezone.now()
        events = label_locations(upcoming_events(now=now)[:FEED_SIZE], viewer=None, at=now)
        response = super().__call__(request, *args, events=events, **kwargs)
        return cache_until_next_reveal(response, events, viewer=None, now=now)

    def get_object(self, request, *args, events, **kwargs):
        return events

    def title(self):
        association = Association.kept()
        name = association.name
        return _("Upcoming events") + (f" · {name}" if name else "")

    def link(self):
        return reverse("events:event_list")

    def description(self):
        return _("Events, dinners and classes coming up.")

    def items(self, events):
        return events

    def item_title(self, event):
        prefix = _("Cancelled: ") if event.is_cancelled else ""
        return prefix + event.title

    def item_description(self, event):
        when = format_event_time(event.starts_at)
        parts = [when, event.location_label, event.summary]
        return " · ".join(part for part in parts if part)

    def item_pubdate(self, event):
        return event.created_at

    def item_updateddate(self, event):
        return event.updated_at
