"""Template filters for money and moments: `{% load formats %}`, then
`{{ order.total|money }}`, `{{ event.starts_at|event_time }}`,
`{{ event.ends_at|event_end:event.starts_at }}`, `{{ membership.ends_on|plain_date }}`,
`{{ order.hold_expires_at|time_of_day }}`. Each calls the one function in
`association.formats` that every Python caller (emails, messages, admin, CSV) uses too."""

from django import template

from association import formats

register = template.Library()


@register.filter
def money(amount) -> str:
    return formats.format_money(amount)


@register.filter
def event_time(moment) -> str:
    return formats.format_event_time(moment)


@register.filter
def event_end(end, start) -> str:
    return formats.format_event_end(end, start=start)


@register.filter
def plain_date(day) -> str:
    return formats.format_date(day)


@register.filter
def machine_time(moment) -> str:
    return formats.format_machine_time(moment)


@register.filter
def time_of_day(moment) -> str:
    return formats.format_time(moment)
