"""What every page shows about the association: who it is (`Association.current()`) and its
home city, which the cities app stores once (`City.home()`)."""

import functools
from urllib.parse import unquote

from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import pgettext

from association.models import Association
from association.page_cache import SITE, computed_once_per_version, page_versions
from cities.models import City


def association_and_home_city() -> dict:
    # The social links come prefetched with it. The home city is read only by a page that
    # shows it (the footer, when the founding year is set), then kept with the rest.
    return {"association": Association.current(), "home_city": SimpleLazyObject(City.home)}


def association(request):
    # Read once per edit and process (association/page_cache.py), not per request: an edit
    # in the admin bumps the "site" scope, so every process reads it afresh within a
    # second. `page_versions` keys the templates' `{% cache %}` fragments.
    kept = computed_once_per_version(
        "association-and-home-city", association_and_home_city, scopes=[SITE]
    )
    return {**kept, "page_versions": page_versions}


@functools.cache
def suggestion_words(code: str) -> tuple[str, str, str]:
    """The language's own words for the one-time suggestion (static/js/languages.js): the
    same for every page, read from the catalog once per process."""
    with translation.override(code):
        # Translators: offered to a visitor whose browser prefers your language, in
        # your language: "English" is the name of YOUR language here.
        suggestion = pgettext("suggestion", "This page is also in English.")
        # Translators: a link to the page in your language ("English": yours).
        accept = pgettext("suggestion", "Read it in English")
        dismiss = pgettext("suggestion", "No, thanks")
    return suggestion, accept, dismiss


class LanguageVersion:
    """This page in one of the site's languages, for the switcher and the hreflang links."""

    def __init__(self, code: str, name: str, path: str, current: str):
        self.code = code
        self.name = name
        self.path = path
        self.is_current = code == current
        self.suggestion, self.accept, self.dismiss = suggestion_words(code)


def path_in(match, path: str, code: str) -> str:
    """`path` in the language `code`: what django.urls.translate_url does, from a match
    resolved once for all the languages instead of once for each."""
    if match is None or not match.url_name:
        return path
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    with translation.override(code):
        try:
            return reverse(name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return path


def language_versions(request) -> list[LanguageVersion]:
    """The page the request is for, in every language of the site (LANGUAGES): the same
    path under each prefix (English without one)."""
    current = translation.get_language()
    path = request.path
    try:
        match = resolve(unquote(path))
    except Resolver404:
        match = None
    return [
        LanguageVersion(code, name, path_in(match, path, code), current)
        for code, name in settings.LANGUAGES
    ]


def languages(request):
    return {"language_versions": SimpleLazyObject(lambda: language_versions(request))}
