from django.urls import path  # noqa: F401

from .staff_urls import urlpatterns as staff_urlpatterns

app_name = "events"

# Public pages: events, checkout, orders (owned by events-core).
urlpatterns = []

# Staff pages and the waiting list (owned by events-staff, in staff_urls.py).
urlpatterns += staff_urlpatterns
