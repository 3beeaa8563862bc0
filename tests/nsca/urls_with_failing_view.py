"""The site's URLconf plus one view that raises, to reach handler500 through a request.

Tests only (`@pytest.mark.urls("tests.nsca.urls_with_failing_view")`).
"""

from django.db import OperationalError
from django.urls import path

from nsca import urls as site_urls

# Django looks for handler500 in the URLconf in use, so take the site's own.
handler500 = site_urls.handler500


def fail(request):
    raise RuntimeError("A bug in a view.")


def fail_on_the_database(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


urlpatterns = [
    path("test-only/fail/", fail),
    path("test-only/database-down/", fail_on_the_database),
    *site_urls.urlpatterns,
]
