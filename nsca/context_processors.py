"""What every page shows about the association: who it is (`Association.current()`) and its
home city, which the cities app stores once (`City.home()`)."""

from django.utils.functional import SimpleLazyObject

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
