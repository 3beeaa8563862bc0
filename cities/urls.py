from django.urls import path

from . import views

app_name = "cities"

urlpatterns = [
    path("cities/", views.partnership_list, name="partnership_list"),
    path("cities/virginia/", views.virginia_directory, name="virginia_directory"),
    path("cities/<slug:slug>/", views.partnership_detail, name="partnership_detail"),
]
