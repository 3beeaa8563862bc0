"""The public program pages are kept in the page cache for anonymous visitors; an edit of
a program is seen at once, and no page is kept past applications opening or closing."""

import datetime

import pytest
import time_machine
from django.urls import resolve

from association import page_cache
from exchanges.signals import next_phase_change

from ..conftest import edit_heard
from .conftest import NOW, make_program


def test_program_pages_are_public_pages_that_show_the_exchanges_scope():
    assert "exchanges" in page_cache.page_scopes(resolve("/exchanges/"))
    assert "exchanges" in page_cache.page_scopes(resolve("/exchanges/youth-2027/"))
    # A partner city's page lists its programs.
    assert "exchanges" in page_cache.page_scopes(resolve("/cities/wilhelmshaven/"))
    # Applying is never a public page.
    assert page_cache.page_scopes(resolve("/exchanges/youth-2027/apply/")) is None


@pytest.mark.django_db(transaction=True)
def test_a_program_page_is_kept_until_its_program_is_edited(client, kept, partnership):
    program = make_program(partnership)
    with time_machine.travel(NOW, tick=False):
        assert b"Youth exchange 2027" in client.get("/exchanges/youth-2027/").content
        program.title = "Youth exchange, summer 2027"
        # Written behind the receivers' back: the kept page is still served.
        type(program).objects.filter(pk=program.pk).update(title=program.title)
        assert b"Youth exchange 2027" in client.get("/exchanges/youth-2027/").content
        # A save (the admin's) bumps the scope; every process hears of it within a second.
        program.save()
        edit_heard("exchanges")
        assert b"summer 2027" in client.get("/exchanges/youth-2027/").content


@pytest.mark.django_db
def test_no_program_page_is_kept_past_applications_opening_or_closing(partnership):
    open_now = make_program(partnership)
    later = make_program(partnership, slug="later", opens=NOW + datetime.timedelta(days=3))
    assert next_phase_change(NOW) == later.applications_open_at
    assert next_phase_change(later.applications_open_at) == open_now.application_deadline
    assert next_phase_change(NOW + datetime.timedelta(days=400)) is None
