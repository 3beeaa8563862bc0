"""Bare Django: one view answering "hello", no middleware, no database. `make bench`
serves it with the same gunicorn settings as the site, as the yardstick the issue names
(`gunicorn benchmarks.hello:application`)."""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path


def hello(request):
    return HttpResponse("hello")


settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-hello-not-secret",  # noqa: S106 (serves one constant page)
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)
urlpatterns = [path("", hello)]
application = get_wsgi_application()
