from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("payments/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("payments/<str:token>/", views.receipt, name="receipt"),
]
