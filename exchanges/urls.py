from django.urls import path

from . import views

app_name = "exchanges"

urlpatterns = [
    path("exchanges/", views.program_list, name="program_list"),
    path("exchanges/review/", views.review_home, name="review_home"),
    path(
        "exchanges/review/application/<int:pk>/",
        views.review_application,
        name="review_application",
    ),
    path("exchanges/consent/<str:token>/", views.guardian_consent, name="guardian_consent"),
    path("exchanges/references/<str:token>/", views.reference_letter, name="reference_letter"),
    path("exchanges/<slug:slug>/", views.program_detail, name="program_detail"),
    path("exchanges/<slug:slug>/apply/", views.apply, name="apply"),
    path("exchanges/<slug:slug>/apply/withdraw/", views.withdraw, name="withdraw"),
    path("exchanges/<slug:slug>/apply/accept/", views.accept_offer, name="accept_offer"),
    path("exchanges/<slug:slug>/apply/pay/", views.pay, name="pay"),
    path(
        "exchanges/<slug:slug>/apply/references/<int:pk>/replace/",
        views.replace_reference,
        name="replace_reference",
    ),
    path("exchanges/<slug:slug>/review/", views.review_program, name="review_program"),
    path("exchanges/<slug:slug>/review/decide/", views.record_decision, name="record_decision"),
]
