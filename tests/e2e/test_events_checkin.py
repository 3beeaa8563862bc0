"""Browser: staff at the door check a ticket in, once; the waiting-list page is accessible."""

import pytest
from django.conf import settings
from django.test import Client

from tests.events.factories import make_event, make_order, make_ticket_type

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


@pytest.fixture
def door_ticket(db):
    event = make_event(title="Door dinner", slug="door-dinner", meal_options="Chicken\nFish")
    order = make_order(
        event,
        [(make_ticket_type(event, name="Dinner"), 1)],
        paid=True,
        name="Grace Hopper",
        attendees=[{"attendee_name": "Grace Hopper", "meal_choice": "Fish"}],
    )
    return order.tickets.get()


def test_staff_checks_a_ticket_in_and_a_second_check_in_is_refused(
    association, live_server, page, axe_check, staff_user, door_ticket, external_requests
):
    _sign_in(page, live_server, staff_user)
    url = f"{live_server.url}/staff/events/door-dinner/check-in/"
    page.goto(url)
    assert page.get_by_role("heading", name="Check-in: Door dinner").is_visible()
    axe_check(page)

    page.get_by_label("Ticket code").fill(door_ticket.code)
    page.get_by_role("button", name="Find ticket").click()
    page.wait_for_url("**/check-in/?code=*")
    assert page.get_by_role("heading", name="Grace Hopper").is_visible()
    assert "Valid ticket." in page.get_by_role("alert").inner_text()
    axe_check(page)

    # A second phone opens the same ticket before the first one checks it in.
    other = page.context.new_page()
    other.goto(page.url)

    page.get_by_role("button", name="Check in Grace Hopper").click()
    page.wait_for_url(url)
    assert page.get_by_text("Grace Hopper (Dinner): Checked in.").is_visible()
    assert "1 of 1 ticket checked in" in page.locator("main").inner_text()

    other.get_by_role("button", name="Check in Grace Hopper").click()
    refusal = other.get_by_role("alert").inner_text()
    assert "Refused." in refusal
    assert "Already checked in on" in refusal and "by staff@example.org" in refusal
    assert other.get_by_role("button", name="Check in Grace Hopper").count() == 0
    axe_check(other)

    # Looking the code up again says the same.
    page.get_by_label("Ticket code").fill(door_ticket.code)
    page.get_by_role("button", name="Find ticket").click()
    assert "Already checked in on" in page.get_by_role("alert").inner_text()
    assert external_requests == []


def test_staff_find_a_ticket_by_name(association, live_server, page, staff_user, door_ticket):
    _sign_in(page, live_server, staff_user)
    page.goto(f"{live_server.url}/staff/events/door-dinner/check-in/")
    page.get_by_label("Name or order reference").fill("hopper")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("heading", name="1 ticket found").is_visible()
    page.get_by_role("link", name="Open the ticket of Grace Hopper").click()
    assert page.get_by_role("heading", name="Grace Hopper").is_visible()


def test_waitlist_page_is_accessible(association, live_server, page, axe_check):
    event = make_event(title="Full dinner", slug="full-dinner")
    ticket_type = make_ticket_type(event, quantity=1)
    make_order(event, [(ticket_type, 1)], paid=True)

    page.goto(f"{live_server.url}/events/full-dinner/waitlist/")
    assert page.get_by_role("heading", name="Waiting list: Full dinner").is_visible()
    axe_check(page)

    page.get_by_role("button", name="Join the waiting list").click()
    assert page.locator(".errorlist").first.is_visible()
    axe_check(page)

    page.get_by_label("Your name").fill("Wendy Wait")
    page.get_by_label("Email").fill("wendy@example.org")
    page.get_by_label("How many tickets you would like").fill("2")
    page.get_by_role("button", name="Join the waiting list").click()
    page.wait_for_url("**/waitlist/?joined=1")
    assert page.get_by_text("You are on the waiting list.").first.is_visible()
    axe_check(page)


FAKE_SCANNER = """
(() => {
  const code = %r;
  class FakeBarcodeDetector {
    static getSupportedFormats() { return Promise.resolve(["qr_code"]); }
    detect() { return Promise.resolve([{ rawValue: code, format: "qr_code" }]); }
  }
  window.BarcodeDetector = FakeBarcodeDetector;
  navigator.mediaDevices.getUserMedia = () => {
    const canvas = document.createElement("canvas");
    canvas.width = 64;
    canvas.height = 64;
    canvas.getContext("2d").fillRect(0, 0, 64, 64);
    return Promise.resolve(canvas.captureStream());
  };
})();
"""


def test_a_phone_camera_reads_the_qr_code_where_the_browser_can(
    association, live_server, page, staff_user, door_ticket
):
    # Chromium on Linux has no BarcodeDetector: stand in for the camera and the detector.
    page.add_init_script(FAKE_SCANNER % door_ticket.code)
    _sign_in(page, live_server, staff_user)
    page.goto(f"{live_server.url}/staff/events/door-dinner/check-in/")
    page.get_by_role("button", name="Scan a QR code").click()
    page.wait_for_url("**/check-in/?code=*")
    assert page.get_by_role("heading", name="Grace Hopper").is_visible()


def test_without_a_detector_the_scan_button_stays_hidden(
    association, live_server, page, staff_user, door_ticket
):
    _sign_in(page, live_server, staff_user)
    page.goto(f"{live_server.url}/staff/events/door-dinner/check-in/")
    page.wait_for_load_state("load")
    assert page.evaluate("'BarcodeDetector' in window") is False
    assert page.get_by_role("button", name="Scan a QR code").count() == 0
    assert page.get_by_label("Ticket code").is_visible()
