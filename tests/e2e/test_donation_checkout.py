"""A visitor gives $50 by card, paying on the fake Stripe's hosted page."""

import pytest
from django.core import mail

from donations.models import Designation, Donation

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_donates_50_dollars_by_card_and_lands_on_the_thank_you_page(
    live_server, page, axe_check, fake_stripe, settings
):
    settings.SITE_URL = live_server.url
    fake_stripe.webhook_url = live_server.url + "/payments/stripe/webhook/"
    Designation.objects.create(name="Youth exchange", description="Students travel abroad.")

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Make a donation").click()
    page.wait_for_url("**/donate/")
    page.get_by_label("$50.00").check()
    page.get_by_label("Where your gift goes").select_option(label="Youth exchange")
    page.get_by_label("Dedication").fill("In honour of Grandma Rose")
    page.get_by_label("Your name").fill("Ada Giver")
    page.get_by_label("Email").fill("ada.giver@example.org")
    page.get_by_label("Pay by card").check()
    axe_check(page)
    page.get_by_role("button", name="Give now").click()

    page.wait_for_url(f"{fake_stripe.url}/pay/**")
    assert "$50.00" in page.content()
    page.get_by_role("button", name="Pay").click()

    page.wait_for_url("**/donate/thanks/**")
    assert "Payment received" in page.content()
    donation = Donation.objects.get(donor_email="ada.giver@example.org")
    assert donation.paid_at is not None
    assert donation.amount == 50
    assert donation.designation.name == "Youth exchange"
    assert len(mail.outbox) == 1
    axe_check(page)

    page.get_by_role("link", name="Your receipt").click()
    page.wait_for_url("**/payments/**")
    assert "No goods or services were provided" in page.content()
    axe_check(page)


def test_typing_an_amount_unchooses_the_presets(live_server, page):
    page.goto(live_server.url + "/donate/")
    page.get_by_label("$25.00").check()
    page.get_by_label("Another amount, in dollars").fill("40")
    assert not page.get_by_label("$25.00").is_checked()
    page.get_by_label("$100.00").check()
    assert page.get_by_label("Another amount, in dollars").input_value() == ""


def test_visitor_pledges_a_check_and_reads_the_instructions(live_server, page, axe_check):
    page.goto(live_server.url + "/donate/")
    page.get_by_label("Another amount, in dollars").fill("75")
    page.get_by_label("Your name").fill("Cy Check")
    page.get_by_label("Email").fill("cy@example.org")
    page.get_by_label("Pay by check").check()
    page.get_by_role("button", name="Give now").click()
    page.wait_for_url("**/donate/thanks/**")
    donation = Donation.objects.get(donor_email="cy@example.org")
    assert donation.amount == 75
    assert donation.reference in page.content()
    assert "Make your check for $75.00 payable to" in page.content()
    axe_check(page)
