"""Browser: the event's change page in the admin at a common laptop width."""

import pytest

from membership.models import User
from tests.events.factories import make_event

from .test_membership_admin import overlaps

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Staff-Unguessable-Phrase-7"


def test_event_staff_tools_do_not_cover_the_title_at_1280px(live_server, page):
    User.objects.create_superuser(email="events@example.org", password=PASSWORD)
    event = make_event(title="Annual Sister Cities Gala Dinner and Silent Auction at the Harbor")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + f"/admin/events/event/{event.pk}/change/")
    page.get_by_label("Email address").fill("events@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**/admin/events/event/{event.pk}/change/")
    headings = page.locator("#content h1, #content h2").evaluate_all(
        """nodes => nodes.map(node => { const range = document.createRange();
               range.selectNodeContents(node); const r = range.getBoundingClientRect();
               return {x: r.x, y: r.y, width: r.width, height: r.height}; })"""
    )
    tools = page.locator("#content .object-tools li").evaluate_all(
        """nodes => nodes.map(node => { const r = node.getBoundingClientRect();
               return {x: r.x, y: r.y, width: r.width, height: r.height}; })"""
    )
    assert len(tools) >= 8  # the staff links and the admin's own (history, view on site)
    for heading in headings:
        for tool in tools:
            assert not overlaps(heading, tool), (heading, tool)


def test_orders_list_fits_at_1280px(live_server, page):
    from tests.events.factories import make_order, make_ticket_type

    User.objects.create_superuser(email="events@example.org", password=PASSWORD)
    event = make_event(title="Annual Sister Cities Gala Dinner and Silent Auction at the Harbor")
    make_order(
        event,
        [(make_ticket_type(event), 2)],
        name="Bartholomew Featherstonehaugh-Cholmondeley",
        email="bartholomew.featherstonehaugh@example.org",
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/admin/tickets/order/")
    page.get_by_label("Email address").fill("events@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/tickets/order/")
    widths = page.evaluate(
        """() => ({table: document.querySelector('#result_list').getBoundingClientRect().right,
                   page: document.documentElement.clientWidth})"""
    )
    assert widths["table"] <= widths["page"], widths
