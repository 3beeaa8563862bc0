import sys

from django.conf import settings
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.db import DatabaseError, connections
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from association.page_cache import computed_once_per_version, public_page
from association.registry import sitemaps
from association.shared_cache import shared_cache_answers
from events.reveal import cache_until_next_reveal

from .composition import (
    home_page_events,
    home_page_friendship,
    home_page_partnerships,
    home_page_posts,
)
from .models import Page
from .unavailable import is_busy, is_unavailable, unavailable_response


@public_page(scopes=["events", "news", "cities", "exchanges", "visits", "pages"])
def home(request):
    # Taken before the events are read: a reveal falling while the page is composed still
    # bounds the cache (measured after, the pre-reveal page could be kept a whole max-age).
    now = timezone.now()
    events = home_page_events(request=request)
    posts = home_page_posts(now=now)
    context = {
        "partnerships": home_page_partnerships(),
        "friendship": home_page_friendship(today=timezone.localdate(now)),
        "events": events,
        "posts": posts,
        # Which posts the news cards show: what they show of them changes with an edit.
        "posts_key": tuple(post.pk for post in posts),
    }
    response = render(request, "nsca/home.html", context)
    return cache_until_next_reveal(response, events, viewer=request.user, now=now)


def published_pages() -> dict[str, Page]:
    """The published pages by slug, read once per edit and process (shared: read only)."""
    return computed_once_per_version(
        "nsca:pages",
        lambda: {page.slug: page for page in Page.objects.published()},
        scopes=["pages"],
    )


@public_page(scopes=["pages"])
def page(request, slug):
    page = published_pages().get(slug)
    if page is None:
        raise Http404
    return render(request, "nsca/page.html", {"page": page})


@public_page(scopes=["pages"])
def about(request):
    return page(request, "about")


# Every app's sitemaps, keyed by section (association/registry.py), each page listed in every
# language with its alternates (hreflang, and English as the x-default).
SITEMAPS = {
    name: type(sitemap.__name__, (sitemap,), {"i18n": True, "alternates": True, "x_default": True})
    for name, sitemap in sitemaps.items()
}


@public_page(scopes=["pages", "cities", "events", "news"])
def sitemap(request):
    """/sitemap.xml: Django's sitemap of every app's sitemaps (kept by the page cache like
    any public page, per scheme and host: its addresses are absolute)."""
    return sitemap_view(request, sitemaps=SITEMAPS)


@require_GET
@never_cache
def healthz(request):
    """200 when every database answers, 503 when one does not. The shared cache (Redis)
    is reported, never a reason for a 503: without it the site still serves every page
    (association/shared_cache.py), so a load balancer must not take the server out."""
    cache = "ok" if shared_cache_answers() else "degraded"
    try:
        for connection in connections.all():
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
    except DatabaseError:
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable", "cache": cache}, status=503
        )
    return JsonResponse(
        {"status": "ok" if cache == "ok" else "degraded", "database": "ok", "cache": cache}
    )


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the real icon."""
    return redirect(static("img/favicon.svg"), permanent=True)


@public_page(scopes=[])
@require_GET
def robots_txt(request):
    # Each private part in every language (English at the root, the others under their prefix).
    prefixes = [
        "" if code == settings.LANGUAGE_CODE else f"/{code}" for code, _ in settings.LANGUAGES
    ]
    lines = [
        "User-agent: *",
        *(
            f"Disallow: {prefix}/{part}/"
            for part in ("admin", "account", "orders")
            for prefix in prefixes
        ),
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def server_error(request):
    # Called inside Django's exception handler, so the error is at hand: an unreachable
    # database met outside a view (middleware, a lazy template read) is a 503, not a bug.
    error = sys.exc_info()[1]
    if is_unavailable(error):
        return unavailable_response(busy=is_busy(error))
    # Rendered without a RequestContext so a broken database cannot break the error page.
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(template.render({}), status=500)
