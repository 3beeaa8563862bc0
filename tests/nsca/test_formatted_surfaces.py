"""Every long text staff write goes through the one formatted-text function: markup shows
as HTML, and a `<script>` or `onerror=` typed into it never reaches the page."""

import pytest

from cities.models import City, Committee, Partnership
from membership.models import MembershipPlan
from nsca.models import Page
from tests.events import factories

pytestmark = pytest.mark.django_db

HOSTILE = "**Bold words** <script>alert(1)</script><img src=x onerror=alert(2)>"


def assert_formatted_and_safe(body: str):
    assert "<strong>Bold words</strong>" in body
    assert "<script>alert" not in body and "onerror" not in body


def test_partnership_story_and_committee_project(client, association):
    home = City.objects.create(name="Norfolk", slug="norfolk", country="US", is_home=True)
    toulon = City.objects.create(name="Toulon", slug="toulon", country="FR")
    partnership = Partnership.objects.create(
        home_city=home, partner_city=toulon, kind="sister", slug="toulon", story=HOSTILE
    )
    Committee.objects.create(partnership=partnership, name="Youth", current_project=HOSTILE)
    body = client.get("/cities/toulon/").content.decode()
    assert body.count("<strong>Bold words</strong>") == 2
    assert_formatted_and_safe(body)


def test_event_description(client, association):
    factories.make_event(slug="formatted", body=HOSTILE)
    assert_formatted_and_safe(client.get("/events/formatted/").content.decode())


def test_about_page_and_pages(client, association):
    Page.objects.create(slug="about", title="About", body=HOSTILE)
    Page.objects.create(slug="history", title="History", body=HOSTILE)
    assert_formatted_and_safe(client.get("/about/").content.decode())
    assert_formatted_and_safe(client.get("/pages/history/").content.decode())


def test_plan_description(client, association):
    MembershipPlan.objects.create(
        name="Individual", slug="individual", annual_dues=35, description=HOSTILE
    )
    assert_formatted_and_safe(client.get("/membership/").content.decode())
