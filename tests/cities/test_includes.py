"""The templates other pages reuse: the partnership cards and the related-events section."""

import datetime
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import timezone

from cities.models import Partnership


def test_partnership_cards_show_partner_country_year_summary_and_picture(make_partnership):
    make_partnership("Toulon", year_established=1989, summary="Two naval ports.")
    html = render_to_string(
        "cities/includes/partnership_cards.html",
        {"partnerships": Partnership.objects.current()},
    )
    assert '<a href="/cities/toulon/">Toulon</a>' in html
    assert "France" in html
    assert "since 1989" in html
    assert "Two naval ports." in html
    # No photo: the drawn picture (cities/pictures.py), not the lettered placeholder.
    assert 'src="/cities/toulon/map.svg"' in html
    assert 'alt="Map of the region around Toulon, France' in html
    assert "partnership-card-placeholder" not in html


def test_partnership_cards_show_the_card_image_with_its_description(make_partnership):
    partnership = make_partnership("Toulon", image_alt="The harbour at dusk")
    Partnership.objects.filter(pk=partnership.pk).update(
        image="cities/partnerships/harbour.jpg",
        image_card="cities/partnerships/harbour-640x400.jpg",
    )
    html = render_to_string(
        "cities/includes/partnership_cards.html",
        {"partnerships": Partnership.objects.current()},
    )
    assert 'src="/media/cities/partnerships/harbour-640x400.jpg"' in html
    assert 'alt="The harbour at dusk"' in html
    assert "partnership-card-placeholder" not in html


def test_partnership_cards_render_nothing_for_no_partnerships(db):
    assert render_to_string("cities/includes/partnership_cards.html", {}).strip() == ""


def test_related_events_section_renders_nothing_without_events():
    html = render_to_string("cities/includes/partnership_events.html", {"related_events": []})
    assert html.strip() == ""


def test_related_events_section_lists_title_link_and_local_start():
    starts_at = timezone.make_aware(datetime.datetime(2030, 5, 18, 19, 30))
    event = SimpleNamespace(title="Soirée", get_absolute_url="/events/soiree/", starts_at=starts_at)
    html = render_to_string("cities/includes/partnership_events.html", {"related_events": [event]})
    assert '<a href="/events/soiree/">Soirée</a>' in html
    assert "Saturday, May 18, 2030, 7:30 PM" in html
