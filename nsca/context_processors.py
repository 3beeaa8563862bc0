"""What every page shows about the association: who it is (`Association.current()`) and its
home city, which the cities app stores once (`City.home()`)."""

from django.utils.functional import SimpleLazyObject

from association.models import Association
from cities.models import City


def association(request):
    # Memoised on the request only: a request that renders several templates reads them
    # once, and the next request reads them afresh (see Association.current).
    if not hasattr(request, "_nsca_association"):
        request._nsca_association = {
            "association": Association.current(),
            # Read only by a page that shows it (the footer, when the founding year is set).
            "home_city": SimpleLazyObject(City.home),
        }
    return request._nsca_association
