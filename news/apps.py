from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("News and mailings")

    def ready(self):
        # What of the page cache its edits change (association/page_cache.py).
        # A member's newsletter consent on their profile is the newsletter subscription:
        # news follows membership's User (membership imports nothing of news).
        from . import (
            member_consent,
            signals,  # noqa: F401
        )

        member_consent.connect()
