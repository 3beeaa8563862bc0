from django.urls import path

from . import views
from .feeds import UpcomingEventsFeed

app_name = "events"


def urlpatterns_with(*, event_detail_view=views.EventDetailView) -> list:
    """The app's URLs, with the event page served by the view given. A project that adds
    other apps' content to that page passes its subclass (nsca/urls.py does);
    `urlpatterns` serves the plain one."""
    return [
        *_patterns_before_detail,
        path("events/<slug:slug>/", event_detail_view.as_view(), name="event_detail"),
        *_patterns_after_detail,
    ]


_patterns_before_detail = [
    path("events/", views.event_list, name="event_list"),
    path("events/past/", views.event_past, name="event_past"),
    path("events/feed/", UpcomingEventsFeed(), name="feed"),
    path("events/calendar.ics", views.calendar_ics, name="calendar_ics"),
]
_patterns_after_detail = [
    path("events/<slug:slug>/event.ics", views.event_ics, name="event_ics"),
]

urlpatterns = urlpatterns_with()
