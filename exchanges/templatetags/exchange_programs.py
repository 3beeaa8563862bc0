"""`{% partnership_exchange_programs partnership as programs %}`: a partner city page lists
its programs without cities importing exchanges (the template asks)."""

from django import template

from exchanges.models import Program

register = template.Library()


@register.simple_tag
def partnership_exchange_programs(partnership):
    return list(
        Program.objects.published().filter(partnership=partnership).order_by("-travel_starts_on")
    )
