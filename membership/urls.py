from django.urls import path

from . import views

app_name = "membership"

urlpatterns = [
    path("membership/join/<slug:slug>/", views.join, name="join"),
]
