"""`{% load formatted_text %}` then `{{ post.body|formatted }}`: the one filter for every long
text staff write; it calls `association.formatted_text.render_formatted`."""

from django import template

from association.formatted_text import render_formatted

register = template.Library()


@register.filter
def formatted(text):
    return render_formatted(text)
