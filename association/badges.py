"""Status badges: what a page shows of a row's state, as a label and a tone.

Each model with a state answers "which badge?" once, with one property (`Order.buyer_state`,
`Membership.badge`, `Payment.badge`, ...) returning something with a `label` (for people)
and a `tone` (`Tone`: a CSS class suffix). One partial shows any of them,
`templates/includes/badge.html`; the admin shows the same through `render_badge`.
Templates never compare status strings: they ask the model.
"""

from dataclasses import dataclass

from django.db import models
from django.template.loader import render_to_string


class Tone(models.TextChoices):
    """How a badge is colored (`.badge-ok`, `.badge-warn`, `.badge-error` in site.css)."""

    PLAIN = "", "plain"
    OK = "ok", "ok"
    WARN = "warn", "warn"
    ERROR = "error", "error"


@dataclass(frozen=True)
class Badge:
    label: str
    tone: str = Tone.PLAIN


def render_badge(state, *, css_class: str = "") -> str:
    """The badge partial for `state` (anything with `label` and `tone`), for the admin's
    columns and other places outside a template."""
    return render_to_string("includes/badge.html", {"state": state, "class": css_class}).strip()
