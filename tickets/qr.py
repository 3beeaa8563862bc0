"""QR codes for tickets (segno, pure Python; no JavaScript, no CDN): inline SVG for the
order page, PNG for the confirmation email.

A ticket's QR code holds the staff check-in URL of its event with the ticket's code
(`.../check-in/?code=<code>`), so a phone's own camera app opens the check-in page with
the ticket looked up (staff sign in first; anyone else is turned away). The check-in
page's scanner and typed codes accept the URL or the code alone. The URL reveals nothing
but the event's public slug and the code: no venue, no name.

Making a QR code is costly, and a ticket's never changes: it depends on nothing but the
URL it holds. Two things keep it cheap:
- One mask (`QR_MASK`) instead of segno trying all eight and scoring each in pure Python
  (8.7 ms a code for our URLs; 1.6 ms with the mask named). Any of the eight masks makes a
  valid code that every reader decodes; the scoring only picks the one with the fewest
  finder-like blotches, which matters for damaged print, not for a phone screen or a
  fresh printout (tests/events/test_qr.py decodes our codes with a real reader, zxing-cpp).
- Each is made once and kept in the shared cache for `QR_KEPT_SECONDS`, keyed by its URL:
  the order page and the confirmation email, built in different requests or processes,
  share it instead of making it twice.
"""

import hashlib
import io
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from association.shared_cache import with_shared_cache


def ticket_checkin_url(ticket, *, event) -> str:
    """The absolute staff check-in URL for this ticket (what its QR code holds)."""
    path = reverse("tickets:checkin", kwargs={"slug": event.slug})
    return f"{settings.SITE_URL}{path}?{urlencode({'code': ticket.code})}"


QR_KEPT_SECONDS = 6 * 60 * 60
"""Long enough for the order page, the confirmation email and the buyer's first visits."""

QR_MASK = 0
"""The mask every ticket's code uses (see the module docstring)."""


def make_qr(url: str) -> segno.QRCode:
    """The QR code holding `url`: a full QR code (never micro) with medium error
    correction, in the one mask."""
    return segno.make(url, error="m", micro=False, mask=QR_MASK)


def ticket_qr(ticket, *, event) -> segno.QRCode:
    """The ticket's QR code, made once and kept (see the module docstring). The shared
    cache being unreachable only costs the time to make it again."""
    url = ticket_checkin_url(ticket, event=event)
    digest = hashlib.sha256(url.encode()).hexdigest()
    key = f"ticket-qr:{segno.__version__}:{digest}"
    # Through the shared cache's breaker: with Redis hung, an order page of ten tickets
    # waits for one short timeout, not twenty.
    qr = with_shared_cache(lambda shared: shared.get(key), fallback=lambda: None)
    if qr is None:
        qr = make_qr(url)
        with_shared_cache(
            lambda shared: shared.set(key, qr, QR_KEPT_SECONDS), fallback=lambda: None
        )
    return qr


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
