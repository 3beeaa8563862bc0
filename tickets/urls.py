from django.urls import path

from . import staff_views, views

app_name = "tickets"

# The paths are under /events/ and /orders/ as before the split; the names are tickets'.
urlpatterns = [
    path("events/<slug:slug>/tickets/", views.CheckoutView.as_view(), name="checkout"),
    path("events/<slug:slug>/waitlist/", views.waitlist_join, name="waitlist_join"),
    path("orders/<str:token>/", views.order_detail, name="order_detail"),
    path("orders/<str:token>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<str:token>/event.ics", views.order_ics, name="order_ics"),
    path("orders/<str:token>/guests/", views.order_guests, name="order_guests"),
    path(
        "orders/<str:token>/tickets/<int:ticket_id>/transfer/",
        views.ticket_transfer,
        name="ticket_transfer",
    ),
    path("tickets/<str:token>/", views.ticket_detail, name="ticket_detail"),
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
