"""RSS of upcoming events. The location in each item comes from the reveal gate."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from nsca.models import Association

from .models import Event
from .reveal import public_location


class UpcomingEventsFeed(Feed):
    def __call__(self, request, *args, **kwargs):
        self.now = timezone.now()
        return super().__call__(request, *args, **kwargs)

    def title(self):
        association = Association.current()
        name = association.name if association else ""
        return _("Upcoming events") + (f" · {name}" if name else "")

    def link(self):
        return reverse("events:event_list")

    def description(self):
        return _("Events, dinners and classes coming up.")

    def items(self):
        return list(Event.objects.upcoming(self.now).select_related("venue")[:50])

    def item_title(self, event):
        prefix = _("Cancelled: ") if event.is_cancelled else ""
        return prefix + event.title

    def item_description(self, event):
        when = date_format(timezone.localtime(event.starts_at), "l j F Y, g:i A")
        location = public_location(event, viewer=None, at=self.now)
        parts = [when, location, event.summary]
        return " · ".join(part for part in parts if part)

    def item_pubdate(self, event):
        return event.created_at

    def item_updateddate(self, event):
        return event.updated_at
