from django.urls import path

from . import views
from .feeds import UpcomingEventsFeed
from .staff_urls import urlpatterns as staff_urlpatterns

app_name = "events"

# Public pages: events, checkout, orders (owned by events-core).
urlpatterns = [
    path("events/", views.event_list, name="event_list"),
    path("events/past/", views.event_past, name="event_past"),
    path("events/feed/", UpcomingEventsFeed(), name="feed"),
    path("events/calendar.ics", views.calendar_ics, name="calendar_ics"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("events/<slug:slug>/tickets/", views.checkout, name="checkout"),
    path("events/<slug:slug>/event.ics", views.event_ics, name="event_ics"),
    path("orders/<str:token>/", views.order_detail, name="order_detail"),
    path("orders/<str:token>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<str:token>/event.ics", views.order_ics, name="order_ics"),
]

# Staff pages and the waiting list (owned by events-staff, in staff_urls.py).
urlpatterns += staff_urlpatterns
