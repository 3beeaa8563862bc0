"""QR codes for tickets, as inline SVG (segno, pure Python; no JavaScript, no CDN)."""

import io

import segno
from django.utils.html import escape
from django.utils.safestring import mark_safe


def ticket_qr_svg(ticket, *, title: str = "") -> str:
    """The ticket's code as an SVG QR code (an image with an accessible name), safe to put
    in a page.

    It encodes the ticket's code alone: the check-in page looks tickets up by code, and a
    code on its own reveals nothing (no venue, no name) to whoever reads it."""
    qr = segno.make(ticket.code, error="m", micro=False)
    out = io.BytesIO()
    qr.save(
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
