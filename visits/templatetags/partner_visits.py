"""`{% partnership_upcoming_visits partnership as visits %}`: a partner city's page lists
its upcoming visits without cities importing visits (the template asks)."""

from django import template

from visits.listing import upcoming_visits_for

register = template.Library()


@register.simple_tag
def partnership_upcoming_visits(partnership):
    return upcoming_visits_for(partnership)
