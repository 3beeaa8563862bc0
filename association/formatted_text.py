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
import re
from html.parser import HTMLParser

import markdown
import nh3
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
    """The same text for a plain-text email, keeping its shape: a heading underlined ("="
    under a main heading, "-" under a smaller one), a numbered list numbered ("1.", "2."),
    a bulleted one with "-", nested lists indented, a quotation with "> ", and a link's
    address after its words ("our site (https://...)"), since a plain-text reader cannot
    follow words alone."""
    builder = _TreeBuilder()
    builder.feed(str(render_formatted(text)))
    builder.close()
    return "\n\n".join(_blocks(builder.root)).strip()


class _Node:
    def __init__(self, tag: str, attrs):
        self.tag = tag
        self.attrs = dict(attrs)
        self.children: list = []


class _TreeBuilder(HTMLParser):
    """The sanitised HTML (nh3's allow-list, well formed) as a small tree of _Node."""

    VOID = {"br", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", [])
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(_Node(tag, attrs))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


BLOCK_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "hr", "li"}


def _inline(children) -> str:
    parts = []
    for child in children:
        if isinstance(child, str):
            parts.append(re.sub(r"\s+", " ", child))
        elif child.tag == "br":
            parts.append("\n")
        elif child.tag == "a":
            words = _inline(child.children).strip()
            href = child.attrs.get("href") or ""
            address = href.removeprefix("mailto:").removeprefix("tel:")
            parts.append(words if not href or address == words else f"{words} ({address})")
        else:
            parts.append(_inline(child.children))
    return re.sub(r" *\n *", "\n", "".join(parts))


def _all_text(node) -> str:
    return "".join(c if isinstance(c, str) else _all_text(c) for c in node.children)


def _list(node: _Node) -> str:
    lines = []
    items = [child for child in node.children if not isinstance(child, str)]
    for number, item in enumerate(items, start=1):
        marker = f"{number}. " if node.tag == "ol" else "- "
        content = "\n".join(_blocks(item)).split("\n")
        lines.append(marker + content[0])
        lines += [" " * len(marker) + line if line else "" for line in content[1:]]
    return "\n".join(lines)


def _block(node: _Node) -> str:
    if node.tag in {"h2", "h3", "h4", "h5", "h6"}:
        title = " ".join(_inline(node.children).split())
        return f"{title}\n{('=' if node.tag == 'h2' else '-') * len(title)}" if title else ""
    if node.tag in {"ul", "ol"}:
        return _list(node)
    if node.tag == "blockquote":
        quoted = "\n\n".join(_blocks(node)).split("\n")
        return "\n".join(f"> {line}" if line else ">" for line in quoted)
    if node.tag == "pre":
        return _all_text(node).strip("\n")
    if node.tag == "hr":
        return "* * *"
    return _inline(node.children).strip()


def _blocks(node: _Node) -> list[str]:
    """The node's children as blocks of text (paragraphs, headings, lists...), in order;
    words outside any block (a tight list item's) make a block of their own."""
    blocks, run = [], []

    def end_run():
        text = _inline(run).strip()
        if text:
            blocks.append(text)
        run.clear()

    for child in node.children:
        if isinstance(child, str) or child.tag not in BLOCK_TAGS:
            run.append(child)
            continue
        end_run()
        text = _block(child)
        if text:
            blocks.append(text)
    end_run()
    return blocks
