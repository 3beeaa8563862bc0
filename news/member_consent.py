"""Wiring only: after a User is saved, news follows their newsletter box
(`subscriptions.follow_member`). A signal rather than a hook on membership's profile view
because the box is set in several places (joining, the profile, the admin, account
confirmation) and membership must not know news exists; the rule itself lives in
news/subscriptions.py."""

from django.db.models.signals import post_save
from django.utils import timezone

from membership.models import User

from . import subscriptions

FOLLOWED_FIELDS = {"newsletter_opt_in", "is_active", "email"}


def _user_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and not FOLLOWED_FIELDS & set(update_fields):
        return  # a sign-in's last_login, a password: nothing the subscription follows
    subscriptions.follow_member(user=instance, created=created, now=timezone.now())


def connect() -> None:
    post_save.connect(_user_saved, sender=User, dispatch_uid="news.follow_member")
