"""QR codes for tickets (segno, pure Python; no JavaScript, no CDN): inline SVG for the
order page, PNG for the confirmation email.

A ticket's QR code holds the staff check-in URL of its event with the ticket's code
(`.../check-in/?code=<code>`), so a phone's own camera app opens the check-in page with
the ticket looked up (staff sign in first; anyone else is turned away). The check-in
page's scanner and typed codes accept the URL or the code alone. The URL reveals nothing
but the event's public slug and the code: no venue, no name.
"""

import io
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe


def ticket_checkin_url(ticket, *, event) -> str:
    """The absolute staff check-in URL for this ticket (what its QR code holds)."""
    path = reverse("events:checkin", kwargs={"slug": event.slug})
    return f"{settings.SITE_URL}{path}?{urlencode({'code': ticket.code})}"


def ticket_qr(ticket, *, event) -> segno.QRCode:
    return segno.make(ticket_checkin_url(ticket, event=event), error="m", micro=False)


def ticket_qr_png(ticket, *, event) -> bytes:
    """The ticket's QR code as a PNG, for email (mail programs do not show inline SVG)."""
    out = io.BytesIO()
    ticket_qr(ticket, event=event).save(out, kind="png", scale=5, border=2)
    return out.getvalue()


def ticket_qr_svg(ticket, *, event, title: str = "") -> str:
    """The ticket's QR code as SVG (an image with an accessible name), safe to put in a
    page."""
    out = io.BytesIO()
    ticket_qr(ticket, event=event).save(
        out,
        kind="svg",
        scale=4,
        border=2,
        xmldecl=False,
        svgclass="ticket-qr",
        lineclass=None,
        omitsize=True,  # a viewBox instead: the page's CSS decides the size
    )
    svg = out.getvalue().decode()
    label = escape(title or f"QR code of ticket {ticket.code}")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    return mark_safe(svg)  # noqa: S308 - segno's own markup and an escaped label
