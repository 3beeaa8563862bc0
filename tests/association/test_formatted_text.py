"""Formatted text: one function turns what staff write into safe HTML, and plain paragraphs
written before it show as they did."""

from django.template import Context, Template
from django.utils.html import linebreaks

from association.formatted_text import formatted_as_plain_text, render_formatted

HOSTILE = (
    'Hello <script>alert("x")</script> <img src=x onerror="alert(1)"> '
    '[click](javascript:alert(2)) <a href="#" onclick="alert(3)">a</a>'
)


def test_script_and_event_handlers_never_survive():
    html = render_formatted(HOSTILE)
    assert "<script" not in html and 'alert("x")' not in html
    assert "onerror" not in html and "onclick" not in html and "javascript:" not in html


def test_markup_gives_headings_links_lists_and_emphasis():
    html = render_formatted(
        "# Title\n\n## Part\n\n- one\n- two\n\n**bold** *it* [a](https://x.org)"
    )
    assert "<h2>Title</h2>" in html and "<h2>Part</h2>" in html
    assert "<ul>" in html and "<li>one</li>" in html
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert '<a href="https://x.org" rel="noopener noreferrer">a</a>' in html


def _rendered_alike(html: str) -> str:
    # Whitespace between tags renders as nothing or one space: compare what a browser shows.
    return " ".join(html.split()).replace("<br> ", "<br>")


def test_plain_paragraphs_show_as_they_did_with_linebreaks():
    text = "First paragraph,\nsecond line.\n\nSecond paragraph."
    assert _rendered_alike(render_formatted(text)) == _rendered_alike(linebreaks(text))


def test_empty_text_is_empty():
    assert render_formatted("") == "" and render_formatted(None) == ""


def test_plain_text_twin_has_words_not_tags():
    assert formatted_as_plain_text("A & B **bold** <script>x</script>") == "A & B bold"


def test_the_template_filter_is_the_same_function():
    rendered = Template("{% load formatted_text %}{{ text|formatted }}").render(
        Context({"text": HOSTILE})
    )
    assert rendered == render_formatted(HOSTILE)


def test_plain_text_keeps_numbered_lists_numbered_and_headings_underlined():
    text = formatted_as_plain_text(
        "# Our visit\n\nThe plan:\n\n1. Arrive\n2. Dinner\n   - soup\n   - fish\n3. Leave\n\n"
        "### Who comes\n\n- Ann\n- Bob"
    )
    assert text == (
        "Our visit\n=========\n\n"
        "The plan:\n\n"
        "1. Arrive\n2. Dinner\n   - soup\n   - fish\n3. Leave\n\n"
        "Who comes\n---------\n\n"
        "- Ann\n- Bob"
    )


def test_plain_text_gives_a_links_address_after_its_words():
    text = formatted_as_plain_text(
        "Read [our program](https://example.org/p) or write to [us](mailto:info@example.org)."
    )
    assert text == "Read our program (https://example.org/p) or write to us (info@example.org)."


def test_plain_text_keeps_quotations_and_line_breaks():
    assert formatted_as_plain_text("> Friends\n> for ever\n\nA line\nand the next") == (
        "> Friends\n> for ever\n\nA line\nand the next"
    )
