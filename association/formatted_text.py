"""Formatted text: the one way every long text staff write becomes HTML.

Staff write light markup (Markdown: headings, links, lists, emphasis) and never HTML. The
text is stored as typed and turned into HTML when shown, by `render_formatted`, and the
HTML is sanitised by nh3 (an allow-list sanitiser) every time: whatever reaches a page or
an email went through the allow-list, so a `<script>` or an `onerror=` typed into a post,
a mailing, a story or an event description never does.

Plain text written before this (paragraphs separated by blank lines, line breaks inside a
paragraph) shows as it did with Django's `linebreaks`: a blank line starts a paragraph and a
single line break stays a line break (`nl2br`).
"""

import functools
import html

import markdown
import nh3
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "a", "ul", "ol",
    "li", "blockquote", "code", "pre", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


@functools.lru_cache(maxsize=512)
def render_formatted(text: str | None) -> SafeString:
    """Safe HTML for a formatted text (Markdown, sanitised); empty for empty text.

    The HTML depends on the text alone, so the last 512 texts' are kept in each process:
    a page showing an event's description or a story no longer runs Markdown and the
    sanitiser on every request (about a millisecond each)."""
    if not text or not text.strip():
        return mark_safe("")  # noqa: S308 - nothing to escape
    converted = markdown.markdown(
        text.replace("\r\n", "\n"), extensions=["nl2br", "sane_lists"], output_format="html"
    )
    # A page has one h1, the title, so a "# heading" typed by staff becomes an h2 (nh3
    # would otherwise drop the tag and keep only its text).
    converted = converted.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    cleaned = nh3.clean(
        converted,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


def formatted_as_plain_text(text: str | None) -> str:
    """The same text for a plain-text email: the markup's words, no tags."""
    return html.unescape(strip_tags(render_formatted(text))).strip()
