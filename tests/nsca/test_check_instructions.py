"""Every place that asks for a check says whom to make it payable to (the association's
legal name), what to write on it (the reference) and where to mail it (the postal address),
through one partial fed from the Association: the order page, its confirmation and payment
reminder, the dues page and email, the gift's thank-you page and email, and the donation
page itself."""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from association.models import Association
from membership.dues import begin_membership
from membership.models import MembershipPlan, User
from tests.donations.conftest import donation_data
from tests.events.factories import make_event, make_ticket_type
from tickets import notifications
from tickets.checkout import place_order
from tickets.orders import ReservationRequest

pytestmark = pytest.mark.django_db

PAYEE = "Example Sister City Association, Inc."
ADDRESS = ["P.O. Box 1976", "Norfolk, VA 23510"]
PARTIAL = "includes/check_instructions.html"


@pytest.fixture
def association(db):
    return Association.objects.create(
        name="Example Sister City Association",
        legal_name=PAYEE,
        email="info@example.org",
        postal_address="\n".join(ADDRESS),
        tax_number="12-3456789",
    )


def says_whom_to_pay_and_where(text: str, *, amount: str, reference: str) -> bool:
    # Pages and HTML emails put the payee and the reference in <strong>, and the address
    # lines one per line.
    plain = re.sub(r"<[^>]+>", "", text)
    return (
        f"Make your check for {amount} payable to {PAYEE} and write {reference} on it." in plain
        and "Mail it to:" in plain
        and all(line in plain for line in ADDRESS)
    )


def test_an_order_paid_by_check_says_whom_to_pay_and_where(client, association):
    now = timezone.now().replace(microsecond=0)
    event = make_event(starts_at=now + timedelta(days=10), pay_later_days=7)
    make_ticket_type(event, name="Dinner", price=Decimal("50.00"), quantity=4)
    order = place_order(
        ReservationRequest(
            event=event,
            lines=[(event.ticket_types.get(), 1)],
            buyer={"name": "Pat Buyer", "email": "pat@example.org"},
            attendees=None,
            user=None,
            idempotency_key="check-instructions-order-0001",
            now=now,
        ),
        payment_method="offline",
    ).order
    (confirmation,) = mail.outbox
    page = client.get(order.get_absolute_url()).content.decode()
    mail.outbox.clear()
    notifications.send_payment_reminders(now=order.payment_reminder_due_at)
    (reminder,) = mail.outbox
    surfaces = {
        "order page": page,
        "confirmation text": confirmation.body,
        "confirmation HTML": confirmation.alternatives[0][0],
        "reminder text": reminder.body,
        "reminder HTML": reminder.alternatives[0][0],
    }
    for name, text in surfaces.items():
        assert says_whom_to_pay_and_where(text, amount="$50.00", reference=order.reference), name


def test_dues_paid_by_check_say_whom_to_pay_and_where(client, association):
    plan = MembershipPlan.objects.create(
        slug="individual", name="Individual", annual_dues=Decimal("35.00"), term_months=12
    )
    user = User.objects.create_user(email="ada@example.org", password="a-long-member-password")
    now = timezone.now()
    membership, _outcome = begin_membership(
        user=user, plan=plan, payment_method="offline", today=now.date(), now=now
    )
    (email,) = mail.outbox
    client.force_login(user)
    page = client.get(membership.get_absolute_url()).content.decode()
    for name, text in {
        "dues page": page,
        "email text": email.body,
        "email HTML": email.alternatives[0][0],
    }.items():
        assert says_whom_to_pay_and_where(text, amount="$35.00", reference=membership.reference), (
            name
        )


def test_a_gift_by_check_says_whom_to_pay_and_where(client, association):
    from donations.models import Donation

    donate_page = client.get("/donate/").content.decode()
    client.post("/donate/", donation_data())
    donation = Donation.objects.get()
    (email,) = mail.outbox
    page = client.get(donation.get_absolute_url()).content.decode()
    for name, text in {
        "thank-you page": page,
        "email text": email.body,
        "email HTML": email.alternatives[0][0],
    }.items():
        assert says_whom_to_pay_and_where(text, amount="$50.00", reference=donation.reference), name
    plain = re.sub(r"<[^>]+>", "", donate_page)
    assert f"Make your check payable to {PAYEE}." in plain
    assert all(line in plain for line in ADDRESS)


def test_every_template_that_asks_for_a_check_uses_the_one_partial():
    templates = Path(settings.BASE_DIR) / "templates"
    asking = [
        path
        for path in templates.rglob("*")
        if path.suffix in {".html", ".txt"}
        and re.search(r"\{\{ *[\w.]*instructions|check_is_offered", path.read_text())
        and "admin" not in path.relative_to(templates).parts
        and path.relative_to(templates).as_posix() != PARTIAL
    ]
    assert asking
    without = [
        str(path.relative_to(templates)) for path in asking if PARTIAL not in path.read_text()
    ]
    assert without == []


@pytest.mark.parametrize(
    ("email", "asks"),
    [("info@example.org", "write to us at info@example.org"), ("", "contact us")],
)
def test_an_address_on_one_line_is_not_given_as_where_to_mail_a_check(email, asks):
    """The demo's "Norfolk, Virginia" is a place, not an address a letter reaches: the
    instructions ask the buyer to get in touch instead of naming it as where to mail."""
    from django.template.loader import render_to_string

    place = Association.objects.create(
        name="Example", legal_name=PAYEE, email=email, postal_address="Norfolk, Virginia"
    )
    for partial in ("html", "text"):
        text = render_to_string(f"{PARTIAL}#{partial}", {"association": place})
        plain = " ".join(re.sub(r"<[^>]+>", "", text).split())
        assert "Mail it to" not in plain
        assert "For the address to mail it to, please " + asks in plain
