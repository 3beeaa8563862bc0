from django.urls import resolve, reverse

from membership import urls as membership_urls
from membership.views import AccountView, JoinView
from nsca import composition


class ComposedAccountView(AccountView):
    """Stands in for a project's account view that adds other apps' sections."""


def test_account_urls_use_the_account_view_or_a_subclass():
    assert issubclass(resolve("/account/").func.view_class, AccountView)
    assert resolve("/account/data/").func.view_initkwargs == {"export": True}


def test_a_project_serves_its_own_account_view_at_the_account_paths():
    patterns = membership_urls.urlpatterns_with(account_view=ComposedAccountView)
    views = {p.name: getattr(p.callback, "view_class", None) for p in patterns}
    assert views["account"] is ComposedAccountView
    assert views["account_data"] is ComposedAccountView
    assert views["join"] is JoinView


def test_the_apps_own_urls_serve_the_plain_views():
    views = {p.name: getattr(p.callback, "view_class", None) for p in membership_urls.urlpatterns}
    assert views["account"] is AccountView
    assert views["join"] is JoinView


def test_the_site_mounts_its_composed_views_under_the_apps_url_names():
    assert resolve(reverse("membership:account")).func.view_class is composition.AccountView
    assert resolve(reverse("membership:account_data")).func.view_class is composition.AccountView
    join = reverse("membership:join", kwargs={"slug": "individual"})
    assert resolve(join).func.view_class is composition.JoinView
