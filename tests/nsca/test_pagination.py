"""Paginated lists (news, past events) show their pages through one partial,
templates/includes/pagination.html, over a Django Paginator page."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.paginator import Paginator
from django.template.loader import render_to_string

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PARTIAL = "includes/pagination.html"


def pages(number, *, of):
    return Paginator(range(of * 10), 10).get_page(number)


def test_pagination_is_written_once():
    writing_it = [
        path.relative_to(TEMPLATES).as_posix()
        for path in TEMPLATES.rglob("*.html")
        if 'class="pagination"' in path.read_text(encoding="utf-8")
    ]
    assert writing_it == [PARTIAL]


@pytest.mark.parametrize("page", ["news/post_list.html", "events/event_list.html"])
def test_each_paginated_list_uses_the_partial(page):
    assert PARTIAL in (TEMPLATES / page).read_text(encoding="utf-8")


def test_a_middle_page_links_both_ways_in_a_labelled_nav():
    html = render_to_string(PARTIAL, {"page_obj": pages(2, of=3), "label": "Pages of news"})
    assert '<nav class="pagination" aria-label="Pages of news">' in html
    assert '<a href="?page=1" rel="prev">Newer</a>' in html
    assert '<a href="?page=3" rel="next">Older</a>' in html
    assert '<span aria-current="page">Page 2 of 3</span>' in html


def test_the_first_page_has_no_newer_link_and_the_last_no_older():
    first = render_to_string(PARTIAL, {"page_obj": pages(1, of=2), "label": "x"})
    last = render_to_string(PARTIAL, {"page_obj": pages(2, of=2), "label": "x"})
    assert "Newer" not in first and "Older" in first
    assert "Older" not in last and "Newer" in last


def test_one_page_shows_no_pagination():
    assert "<nav" not in render_to_string(PARTIAL, {"page_obj": pages(1, of=1), "label": "x"})
