import importlib

from django.urls import resolve

import membership.urls
from membership.views import AccountView


class ComposedAccountView(AccountView):
    """Stands in for the site's account view that adds other apps' sections."""


def test_account_urls_use_the_account_view_or_a_subclass():
    assert issubclass(resolve("/account/").func.view_class, AccountView)
    assert resolve("/account/data/").func.view_initkwargs == {"export": True}


def test_account_view_can_be_swapped_by_setting(settings):
    settings.MEMBERSHIP_ACCOUNT_VIEW = "tests.membership.test_urls.ComposedAccountView"
    try:
        module = importlib.reload(membership.urls)
        views = {p.name: getattr(p.callback, "view_class", None) for p in module.urlpatterns}
        assert views["account"] is ComposedAccountView
        assert views["account_data"] is ComposedAccountView
    finally:
        del settings.MEMBERSHIP_ACCOUNT_VIEW
        importlib.reload(membership.urls)
