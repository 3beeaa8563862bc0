"""Staff pages (exports, check-in) and the public waiting-list page, owned by events-staff.

Concatenated into events/urls.py, so these live under the `events` namespace.
"""

from django.urls import path

from . import staff_views

urlpatterns = [
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
    path("events/<slug:slug>/waitlist/", staff_views.waitlist_join, name="waitlist_join"),
]
