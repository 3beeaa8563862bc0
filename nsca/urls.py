from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from cities import urls as cities_urls
from events import urls as events_urls
from membership import urls as membership_urls

from . import composition, views

handler500 = "nsca.views.server_error"

# The pages nsca composes from several apps (composition.py) take the place of the apps'
# plain views, at the apps' own paths and URL names.
membership_patterns = membership_urls.urlpatterns_with(
    account_view=composition.AccountView, join_view=composition.JoinView
)
cities_patterns = cities_urls.urlpatterns_with(
    partnership_detail_view=composition.PartnershipDetailView
)
events_patterns = events_urls.urlpatterns_with(event_detail_view=composition.EventDetailView)

# What has no language stays at the root: machines' addresses.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sitemap.xml", views.sitemap, name="django.contrib.sitemaps.views.sitemap"),
]

# Every page people read, in each language: English at the root as always, the partners'
# languages under /de/, /fr/, /ja/, /zh-hans/. The admin too: a partner editor from
# Kitakyushu works at /ja/admin/.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("pages/<slug:slug>/", views.page, name="page"),
    path("", include((membership_patterns, membership_urls.app_name))),
    path("", include((cities_patterns, cities_urls.app_name))),
    path("", include((events_patterns, events_urls.app_name))),
    path("", include("tickets.urls")),
    path("", include("payments.urls")),
    path("", include("donations.urls")),
    path("", include("exchanges.urls")),
    path("", include("visits.urls")),
    path("", include("news.urls")),
    prefix_default_language=False,
)

if settings.SERVE_MEDIA:
    urlpatterns += [
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
    ]
