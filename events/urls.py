from django.urls import path

from . import staff_views, views
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
    path("events/<slug:slug>/tickets/", views.CheckoutView.as_view(), name="checkout"),
    path("events/<slug:slug>/event.ics", views.event_ics, name="event_ics"),
    path("events/<slug:slug>/waitlist/", views.waitlist_join, name="waitlist_join"),
    path("orders/<str:token>/", views.order_detail, name="order_detail"),
    path("orders/<str:token>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<str:token>/event.ics", views.order_ics, name="order_ics"),
    # Staff pages outside the admin (a staff account and a model permission each).
    path(
        "staff/events/<slug:slug>/attendees.csv",
        staff_views.export_attendees,
        name="export_attendees",
    ),
    path("staff/events/<slug:slug>/meals.csv", staff_views.export_meals, name="export_meals"),
    path(
        "staff/events/<slug:slug>/addresses.csv",
        staff_views.export_addresses,
        name="export_addresses",
    ),
    path("staff/events/<slug:slug>/check-in/", staff_views.checkin, name="checkin"),
]

urlpatterns = urlpatterns_with()
