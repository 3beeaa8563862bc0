"""RSS of upcoming events. The location in each item comes from the reveal gate."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from nsca.models import Association

from .models import Event
from .reveal import label_locations


class UpcomingEventsFeed(Feed):
    def title(self):
        association = Association.current()
        name = association.name if association else ""
        return _("Upcoming events") + (f" · {name}" if name else "")

    def link(self):
        return reverse("events:event_list")

    def description(self):
        return _("Events, dinners and classes coming up.")

    def items(self):
        # The feed object is shared by all requests: the moment and the gate's answer
        # travel on the items, not on self.
        now = timezone.now()
        events = Event.objects.upcoming(now).select_related("venue")[:50]
        return label_locations(events, viewer=None, at=now)

    def item_title(self, event):
        prefix = _("Cancelled: ") if event.is_cancelled else ""
        return prefix + event.title

    def item_description(self, event):
        when = date_format(timezone.localtime(event.starts_at), "l j F Y, g:i A")
        parts = [when, event.location_label, event.summary]
        return " · ".join(part for part in parts if part)

    def item_pubdate(self, event):
        return event.created_at

    def item_updateddate(self, event):
        return event.updated_at
