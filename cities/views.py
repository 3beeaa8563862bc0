from itertools import groupby

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import capfirst

from .models import City, DirectoryListing, Origin, Partnership
from .worldmap import world_map


def partnership_list(request):
    current = list(Partnership.objects.current())
    paused = list(Partnership.objects.paused())
    home = City.home()
    places = [
        (
            p.partner_city,
            p.get_absolute_url(),
            f"{p.partner_city.label}: {capfirst(p.relationship_label)}",
        )
        for p in current + paused
    ]
    context = {
        "home_city": home,
        "sister_cities": [p for p in current if p.kind == Partnership.Kind.SISTER],
        "friendship_cities": [p for p in current if p.kind == Partnership.Kind.FRIENDSHIP],
        "paused_partnerships": paused,
        "inactive_partnerships": Partnership.objects.inactive(),
        "origins": Origin.choices,
        "world_map": world_map(home=home, places=places),
        "map_title": (
            f"World map of the partner cities, each linked by an arc to {home.name}"
            if home
            else "World map of the partner cities"
        ),
    }
    return render(request, "cities/partnership_list.html", context)


def related_events(partnership, request):
    """Upcoming events of a partnership, from the callable named by CITIES_RELATED_EVENTS.

    Cities imports nothing of the events app; the project names the function in settings
    (a dotted path to `func(partnership, *, request)`), or leaves it unset.
    """
    path = getattr(settings, "CITIES_RELATED_EVENTS", None)
    if not path:
        return None
    return import_string(path)(partnership, request=request)


def bound_related_events_caching(response, *, request, events, now):
    """Let the project say how long a page listing its events may be cached, through the
    callable named by CITIES_RELATED_EVENTS_CACHE_CONTROL (a dotted path to
    `func(response, *, request, events, now)` returning the response).

    Events can change what they show at a given moment (a venue revealed), which only the
    events app knows; cities imports nothing of it, so it asks through this hook."""
    path = getattr(settings, "CITIES_RELATED_EVENTS_CACHE_CONTROL", None)
    if not path or events is None:
        return response
    return import_string(path)(response, request=request, events=events, now=now)


def partnership_detail(request, slug):
    partnership = get_object_or_404(
        Partnership.objects.public().prefetch_related(
            "committees",
            "photos",
            "milestones",
            "status_changes",
        ),
        slug=slug,
    )
    city = partnership.partner_city
    home = partnership.home_city
    context = {
        "partnership": partnership,
        "city": city,
        "world_map": world_map(home=home, places=[(city, "", city.label)]),
        "map_title": f"{city.name} and {home.name} on the world map",
    }
    # Taken before the events are read: a reveal falling while the page is composed still
    # bounds the cache (measured after, the pre-reveal page could be kept a whole max-age).
    now = timezone.now()
    events = related_events(partnership, request)
    if events is not None:
        context["related_events"] = events
    response = render(request, "cities/partnership_detail.html", context)
    return bound_related_events_caching(response, request=request, events=events, now=now)


def virginia_directory(request):
    listings = list(DirectoryListing.objects.for_display())
    partnership_urls = {
        partner_id: Partnership(slug=slug).get_absolute_url()
        for partner_id, slug in Partnership.objects.public().values_list("partner_city", "slug")
    }
    localities = []
    for locality, rows in groupby(listings, key=lambda listing: listing.locality):
        rows = list(rows)
        for row in rows:
            row.partnership_url = partnership_urls.get(row.partner_id) if locality.is_home else None
        localities.append({"city": locality, "listings": rows, "count": len(rows)})
    context = {
        "localities": localities,
        "listing_count": len(listings),
        "friendship_count": sum(1 for listing in listings if listing.is_friendship),
        "sources": sorted({listing.source for listing in listings}),
    }
    return render(request, "cities/virginia_directory.html", context)
