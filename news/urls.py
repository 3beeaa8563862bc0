from django.urls import path

from . import feeds, views

app_name = "news"

urlpatterns = [
    path("news/", views.post_list, name="post_list"),
    path("news/feed/", feeds.LatestPostsFeed(), name="feed"),
    path("news/<slug:slug>/", views.post_detail, name="post_detail"),
    path("newsletter/", views.subscribe, name="subscribe"),
    path("newsletter/sent/", views.subscribe_sent, name="subscribe_sent"),
    path("newsletter/confirm/<str:token>/", views.confirm, name="confirm"),
    path("newsletter/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
