import hashlib
from itertools import groupby

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.generic import DetailView

from association.page_cache import computed_once_per_version, public_page

from .models import City, DirectoryListing, Origin, Partnership
from .pictures import STYLES, draw
from .timeline import partnership_timeline
from .worldmap import world_map

# How long a browser may keep a partnership's drawn picture before asking again (with its
# ETag, answered 304 when unchanged).
PICTURE_MAX_AGE = 60 * 60


@public_page(scopes=["cities"])
def partnership_list(request):
    # The lists and the map's SVG change only when a city or partnership does: computed
    # once per edit and process, not per request (association/page_cache.py).
    context = computed_once_per_version(
        "cities:partnership_list", partnership_list_context, scopes=["cities"]
    )
    return render(request, "cities/partnership_list.html", context)


def partnership_list_context() -> dict:
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
        "inactive_partnerships": list(Partnership.objects.inactive()),
        "origins": Origin.choices,
        "world_map": world_map(home=home, places=places),
        "map_title": (
            _("World map of the partner cities, each linked by an arc to %(home)s")
            % {"home": home.name}
            if home
            else _("World map of the partner cities")
        ),
    }
    return context


@public_page(scopes=["cities"])
class PartnershipDetailView(DetailView):
    """/cities/<slug>/: one partnership. Cities imports nothing of the events app, so the
    partnership's events come from two hooks a project overrides (nsca's composition.py
    does): `get_related_events()` and `limit_caching()`."""

    template_name = "cities/partnership_detail.html"
    context_object_name = "partnership"

    def get_queryset(self):
        return Partnership.objects.public().prefetch_related(
            "committees",
            "photos",
            "milestones",
            "status_changes",
        )

    def get_object(self, queryset=None):
        # The partnership, its committees, photos and milestones change only when staff
        # edit them: read once per edit and process (association/page_cache.py).
        slug = self.kwargs[self.slug_url_kwarg]
        found = computed_once_per_version(
            ("cities:partnership", slug),
            lambda: self.get_queryset().filter(slug=slug).first(),
            scopes=["cities"],
        )
        if found is None:
            raise Http404("No partnership found matching the query")
        return found

    def get_related_events(self, *, now):
        """The partnership's upcoming events as the page lists them (`self.object` is the
        partnership), or None when the project has no events: the page then has no events
        section."""
        return None

    def get_timeline_additions(self, *, today):
        """Entries other apps add to the partnership's timeline (`cities.timeline.
        TimelineEntry`, dated; `self.object` is the partnership), beside its milestones.
        None here; nsca's composition.py adds the exchange programs that have ended."""
        return []

    def limit_caching(self, response, *, events, now):
        """Bound how long the page may be cached, given the events it lists: they may change
        what they show at a given moment (a venue revealed), which only the events app
        knows. Returns the response."""
        return response

    def get(self, request, *args, **kwargs):
        # Taken before the events are read: a reveal falling while the page is composed
        # still bounds the cache (measured after, the pre-reveal page could be kept a whole
        # max-age).
        now = timezone.now()
        self.object = self.get_object()
        events = self.get_related_events(now=now)
        context = self.get_context_data(object=self.object)
        if events is not None:
            context["related_events"] = events
        response = self.render_to_response(context)
        if events is None:
            return response
        return self.limit_caching(response, events=events, now=now)

    def get_context_data(self, **kwargs):
        city = self.object.partner_city
        home = self.object.home_city
        today = timezone.localdate()
        return super().get_context_data(
            city=city,
            timeline=partnership_timeline(
                self.object.milestones.all(), self.get_timeline_additions(today=today), today=today
            ),
            world_map=world_map(home=home, places=[(city, "", city.label)]),
            map_title=_("%(city)s and %(home)s on the world map")
            % {"city": city.name, "home": home.name},
            **kwargs,
        )


@public_page(scopes=["cities"])
def virginia_directory(request):
    # Hundreds of rows that change only when staff edit them: grouped once per edit and
    # process, not per request (association/page_cache.py).
    context = computed_once_per_version(
        "cities:virginia_directory", virginia_directory_context, scopes=["cities"]
    )
    return render(request, "cities/virginia_directory.html", context)


def virginia_directory_context() -> dict:
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
        "locality_count": len(localities),
        "listing_count": len(listings),
        "friendship_count": sum(1 for listing in listings if listing.is_friendship),
        "sources": sorted({listing.source for listing in listings}),
    }
    return context


def drawn_picture(slug, style) -> tuple[bytes, str] | None:
    """A partnership's picture in a style as (SVG bytes, ETag), or None."""
    if style not in STYLES:
        return None
    partnership = Partnership.objects.public().filter(slug=slug).first()
    svg = draw(partnership, style) if partnership else None
    if svg is None:
        return None
    body = svg.encode()
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


@public_page(scopes=["cities"])
@require_safe
def partnership_picture(request, slug, style):
    """/cities/<slug>/map.svg or flag.svg: the partnership's map crop or flag
    (cities/pictures.py), the image its cards and page show when staff have uploaded no
    photo. Drawn once per edit and process (association/page_cache.py)."""
    found = computed_once_per_version(
        ("cities:picture", slug, style), lambda: drawn_picture(slug, style), scopes=["cities"]
    )
    if found is None:
        raise Http404("No picture for this partnership")
    body, etag = found
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(body, content_type="image/svg+xml")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=PICTURE_MAX_AGE)
    return response
