from django.urls import path

from . import views

app_name = "visits"

urlpatterns = [
    path("hosting/", views.hosting, name="hosting"),
    path("hosting/apply/", views.hosting_apply, name="hosting_apply"),
    path("visits/volunteer/", views.volunteer, name="volunteer"),
    path("visits/volunteer/offer/", views.volunteer_offer, name="volunteer_offer"),
    path(
        "visits/volunteer/<int:pk>/withdraw/", views.volunteer_withdraw, name="volunteer_withdraw"
    ),
    path("visits/schedule/<str:token>.ics", views.schedule_ics, name="schedule_ics"),
    path("visits/coordinate/", views.coordinate_list, name="coordinate_list"),
    path("visits/coordinate/<int:pk>/", views.coordinate, name="coordinate"),
    path("visits/coordinate/<int:pk>/roster/", views.import_roster, name="import_roster"),
    path("visits/coordinate/<int:pk>/travelers/", views.add_travelers, name="add_travelers"),
    path("visits/coordinate/<int:pk>/match/", views.confirm_match, name="confirm_match"),
    path("visits/coordinate/<int:pk>/cancel/", views.cancel_match, name="cancel_match"),
    path("visits/coordinate/<int:pk>/volunteers/", views.decide_volunteer, name="decide_volunteer"),
    path("visits/coordinate/<int:pk>/schedules/", views.send_schedules, name="send_schedules"),
    path("visits/coordinate/<int:pk>/placements.csv", views.placements_csv, name="placements_csv"),
]
