"""The project's templates write each repeated thing once: the venue block lives in one
partial file, and money and dates go through the `formats` filters, never through
`|date:"..."`, `floatformat` or a hand-written dollar sign."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import edit_heard, emptied_page_store

TEMPLATES = Path(settings.BASE_DIR) / "templates"
VENUE_BLOCK = "events/includes/venue.html"
# Every page or email that says where an event is, through the block.
VENUE_SURFACES = [
    "events/event_detail.html",
    "tickets/order_detail.html",
    "emails/tickets/order_confirmation.html",
    "emails/tickets/order_confirmation.txt",
    "emails/tickets/venue_notice.html",
    "emails/tickets/venue_notice.txt",
    "emails/tickets/venue_update.html",
    "emails/tickets/venue_update.txt",
]
# What only the venue block may show: the venue itself, the online link, the reveal note.
VENUE_PARTS = re.compile(r"\bvenue\.(name|address|directions)\b|\bonline_link\b|\breveal_message\b")
# Machine-readable moments (a <time datetime> attribute) are not text for people.
MACHINE_DATE = re.compile(r"""\|date:(['"])(c|Y-m-d)\1""")


def template_files():
    return sorted(
        path
        for path in TEMPLATES.rglob("*")
        if path.suffix in {".html", ".txt"} and "admin" not in path.relative_to(TEMPLATES).parts
    )


def name(path: Path) -> str:
    return str(path.relative_to(TEMPLATES))


def test_the_venue_block_is_written_once():
    writers = [
        name(path)
        for path in template_files()
        if name(path) != VENUE_BLOCK and VENUE_PARTS.search(path.read_text())
    ]
    assert writers == []


@pytest.mark.parametrize("template", VENUE_SURFACES)
def test_every_venue_surface_uses_the_block(template):
    source = (TEMPLATES / template).read_text()
    part = "text" if template.endswith(".txt") else "html"
    assert f'{{% include "{VENUE_BLOCK}#{part}" %}}' in source


def test_templates_write_money_and_dates_through_the_filters():
    offenders = {}
    for path in template_files():
        source = MACHINE_DATE.sub("", path.read_text())
        found = re.findall(r"\|date:|\|time:|floatformat|\$\{\{", source)
        if found:
            offenders[name(path)] = found
    assert offenders == {}


def test_an_orders_postal_address_is_written_once():
    writers = [
        name(path) for path in template_files() if "{{ order.address_line1 }}" in path.read_text()
    ]
    assert writers == ["tickets/includes/postal_address.html"]


@pytest.mark.django_db
def test_a_cached_fragment_is_rendered_once_per_version_of_its_scope_and_key(settings):
    """`{% cache None "name" page_versions.<scope> ... %}`: Django's fragment cache, keyed
    by the scope's version, so an edit of the scope renders it again."""
    from django.template import Context, Template

    from association.page_cache import page_versions

    settings.PAGE_CACHE_ENABLED = True
    emptied_page_store()
    part = Template(
        '{% load cache %}{% cache None "test:part" page_versions.cities pk %}{{ name }}'
        "{% endcache %}"
    )

    def render(**values):
        return part.render(Context({"page_versions": page_versions, **values}))

    assert render(pk=1, name="Toulon") == "Toulon"
    assert render(pk=1, name="Kitakyushu") == "Toulon"  # kept
    assert render(pk=2, name="Kitakyushu") == "Kitakyushu"  # its own key
    edit_heard("news")  # another scope's edit: still kept
    assert render(pk=1, name="Kitakyushu") == "Toulon"
    edit_heard("cities")
    assert render(pk=1, name="Kitakyushu") == "Kitakyushu"
    settings.PAGE_CACHE_ENABLED = False
    assert render(pk=1, name="Norfolk") == "Norfolk"  # never kept
