from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "membership"


def urlpatterns_with(*, account_view=views.AccountView, join_view=views.JoinView) -> list:
    """The app's URLs, with the account and join pages served by the views given. A project
    that composes those pages from other apps passes its subclasses (nsca/urls.py does);
    `urlpatterns` serves the plain ones."""
    return [
        path("membership/", views.plan_list, name="plan_list"),
        path("membership/join/<slug:slug>/", join_view.as_view(), name="join"),
        path("membership/join/<slug:slug>/sent/", views.join_sent, name="join_sent"),
        path(
            "membership/join/<slug:slug>/confirm/<uidb64>/<token>/",
            views.join_confirm,
            name="join_confirm",
        ),
        path("account/", account_view.as_view(), name="account"),
        path("account/data/", account_view.as_view(export=True), name="account_data"),
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
        path(
            "account/password/change/", views.PasswordChangeView.as_view(), name="password_change"
        ),
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


urlpatterns = urlpatterns_with()
