from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path
from django.utils.module_loading import import_string

from . import views

app_name = "membership"

# The account page's view can be swapped for a subclass that adds other apps' sections
# (orders, tickets) without membership importing them.
AccountView = import_string(
    getattr(settings, "MEMBERSHIP_ACCOUNT_VIEW", "membership.views.AccountView")
)

urlpatterns = [
    path("membership/", views.plan_list, name="plan_list"),
    path("membership/join/<slug:slug>/", views.join, name="join"),
    path("membership/join/<slug:slug>/sent/", views.join_sent, name="join_sent"),
    path(
        "membership/join/<slug:slug>/confirm/<uidb64>/<token>/",
        views.join_confirm,
        name="join_confirm",
    ),
    path("account/", AccountView.as_view(), name="account"),
    path("account/data/", AccountView.as_view(export=True), name="account_data"),
    path(
        "account/memberships/<int:pk>/",
        views.MembershipDetailView.as_view(),
        name="membership_detail",
    ),
    path(
        "account/memberships/<int:pk>/cancel/",
        views.cancel_membership,
        name="membership_cancel",
    ),
    path("account/profile/", views.ProfileView.as_view(), name="profile"),
    path("account/email/", views.EmailChangeView.as_view(), name="email_change"),
    path(
        "account/email/confirm/<uidb64>/<token>/",
        views.email_change_confirm,
        name="email_change_confirm",
    ),
    path("account/login/", views.SignInView.as_view(), name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/change/done/",
        views.password_change_done,
        name="password_change_done",
    ),
    path("account/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "account/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
