from django.urls import path

from . import views

app_name = "cities"


def urlpatterns_with(*, partnership_detail_view=views.PartnershipDetailView) -> list:
    """The app's URLs, with the partnership page served by the view given. A project that
    adds other apps' content to that page passes its subclass (nsca/urls.py does);
    `urlpatterns` serves the plain one."""
    return [
        path("cities/", views.partnership_list, name="partnership_list"),
        path("cities/virginia/", views.virginia_directory, name="virginia_directory"),
        path("cities/<slug:slug>/", partnership_detail_view.as_view(), name="partnership_detail"),
        # The style in the address: a change of CITY_PICTURE_STYLE links other pictures
        # rather than meeting a stale one in a cache.
        path(
            "cities/<slug:slug>/<str:style>.svg",
            views.partnership_picture,
            name="partnership_picture",
        ),
    ]


urlpatterns = urlpatterns_with()
