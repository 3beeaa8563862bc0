"""`{% partnership_exchange_programs partnership as programs %}`: a partner city page lists
its programs without cities importing exchanges (the template asks)."""

from django import template

from association.page_cache import computed_once_per_version
from exchanges.models import Program

register = template.Library()


@register.simple_tag
def partnership_exchange_programs(partnership):
    # Programs change only when staff edit them: read once per edit and process, as the
    # rest of the partnership page is (association/page_cache.py).
    return computed_once_per_version(
        ("exchanges:partnership_programs", partnership.pk),
        lambda: list(
            Program.objects.published()
            .filter(partnership=partnership)
            .select_related("partnership__partner_city")
            .order_by("-travel_starts_on")
        ),
        scopes=["exchanges"],
    )
