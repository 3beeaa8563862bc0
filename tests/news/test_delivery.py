"""Each person receives a mailing exactly once, only with consent, with retries, and with a
one-click way out."""

import pytest
from django.core import mail
from django.test import Client

from news import subscriptions
from news.delivery import queue_due_mailings, send_due_deliveries
from news.models import Delivery, Mailing, Subscriber, mailing_progress
from news.tasks import send_mailings
from outbox.models import OutgoingEmail
from tests.concurrency import race
from tests.events import factories
from tests.tasks import run_tasks
from tickets.models import Order

pytestmark = pytest.mark.django_db


def scheduled(make_mailing, now, **fields):
    return make_mailing(status=Mailing.Status.SCHEDULED, send_at=now, **fields)


def test_one_delivery_per_lower_cased_address(make_mailing, make_member, now, association):
    make_member("Mia@Example.org")
    mailing = scheduled(make_mailing, now, audience=Mailing.Audience.MEMBERS)
    queue_due_mailings(now=now)
    queue_due_mailings(now=now)  # a second run adds nothing
    assert list(mailing.deliveries.values_list("email", flat=True)) == ["mia@example.org"]


def test_ticket_holders_twice_in_the_audience_get_one_delivery(
    make_mailing, secret_event, now, association
):
    dinner = secret_event.ticket_types.get()
    other = factories.make_ticket_type(secret_event, name="Lunch", price=0)
    for email, ticket_type in [("Bo@example.org", dinner), ("bo@example.org", other)]:
        factories.make_order(secret_event, [(ticket_type, 1)], email=email, paid=True, now=now)
    factories.make_order(
        secret_event, [(dinner, 1)], email="gone@example.org", status=Order.Status.CANCELLED
    )
    factories.make_order(secret_event, [(other, 1)], email="lunch@example.org", now=now)
    # A reservation still to be paid holds no tickets yet: not in the audience.
    factories.make_order(secret_event, [(dinner, 1)], email="unpaid@example.org", now=now)
    everyone = scheduled(
        make_mailing, now, audience=Mailing.Audience.TICKET_HOLDERS, event=secret_event
    )
    dinner_only = scheduled(
        make_mailing, now, audience=Mailing.Audience.TICKET_HOLDERS, event=secret_event
    )
    dinner_only.ticket_types.set([dinner])
    queue_due_mailings(now=now)
    assert sorted(everyone.deliveries.values_list("email", flat=True)) == [
        "bo@example.org",
        "lunch@example.org",
    ]
    assert list(dinner_only.deliveries.values_list("email", flat=True)) == ["bo@example.org"]


def test_members_mailing_reaches_members_in_good_standing_of_the_plan(
    make_mailing, make_member, now, association
):
    from membership.models import MembershipPlan, User

    make_member("mia@example.org")
    student = MembershipPlan.objects.create(name="Student", slug="student", annual_dues=10)
    make_member("sam@example.org", plan=student)
    User.objects.create_user(email="nomember@example.org", password="x-long-password-1")
    everyone = scheduled(make_mailing, now, audience=Mailing.Audience.MEMBERS)
    students = scheduled(make_mailing, now, audience=Mailing.Audience.MEMBERS, plan=student)
    queue_due_mailings(now=now)
    assert sorted(everyone.deliveries.values_list("email", flat=True)) == [
        "mia@example.org",
        "sam@example.org",
    ]
    assert list(students.deliveries.values_list("email", flat=True)) == ["sam@example.org"]


def test_unconfirmed_and_unsubscribed_addresses_are_never_mailed(
    make_mailing, make_subscriber, make_member, now, association
):
    make_subscriber("yes@example.org")
    make_subscriber("unconfirmed@example.org", confirmed=False)
    make_subscriber("gone@example.org", unsubscribed=True)
    make_member("member-gone@example.org")
    subscriptions.unsubscribe(email="member-gone@example.org", now=now)
    scheduled(make_mailing, now)
    scheduled(make_mailing, now, audience=Mailing.Audience.MEMBERS, subject="Members")
    send_mailings(now=now)
    assert [m.to for m in mail.outbox] == [["yes@example.org"]]


def test_unsubscribing_skips_deliveries_still_queued(
    make_mailing, make_subscriber, now, association, settings
):
    settings.TASKS_RUN_AFTER_COMMIT = False  # queued; no worker has sent them yet
    make_subscriber("ann@example.org")
    make_subscriber("bo@example.org")
    mailing = scheduled(make_mailing, now)
    queue_due_mailings(now=now)
    Client().post(f"/newsletter/unsubscribe/{subscriptions.unsubscribe_token('bo@example.org')}/")
    run_tasks()
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]
    assert mailing.deliveries.get(email="bo@example.org").status == Delivery.Status.SKIPPED


def test_each_email_greets_says_who_and_why_and_offers_one_click_unsubscribe(
    make_mailing, make_subscriber, now, association, settings
):
    settings.SITE_URL = "https://nsca.example"
    make_subscriber("ann@example.org", name="Ann Smith")
    scheduled(make_mailing, now, body="Hello <script>alert(1)</script><img src=x onerror=y()>")
    send_mailings(now=now)
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert message.body.startswith("Hello Ann Smith,")
    assert "Hello Ann Smith," in html
    for text in (message.body, html):
        assert association.name in text and "you subscribed to our newsletter" in text
        assert "<script" not in text and "onerror" not in text
    link = message.extra_headers["List-Unsubscribe"]
    assert link.startswith("<https://nsca.example/newsletter/unsubscribe/") and link[1:-1] in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = link[1:-1].rsplit("/", 2)[-2]
    assert subscriptions.email_from_unsubscribe_token(token) == "ann@example.org"


def test_every_mailing_shows_the_associations_postal_address_in_both_parts(
    make_mailing, make_subscriber, now, association
):
    # US law (CAN-SPAM) asks for the sender's postal address in every mailing.
    make_subscriber("ann@example.org", name="Ann Smith")
    scheduled(make_mailing, now, body="News")
    send_mailings(now=now)
    message = mail.outbox[0]
    assert "1 Main Street\nExampleton, VA" in message.body
    assert "1 Main Street<br>Exampleton, VA" in message.alternatives[0][0]


def test_a_mailings_plain_text_keeps_its_numbered_list_and_headings(
    make_mailing, make_subscriber, now, association
):
    make_subscriber("ann@example.org", name="Ann Smith")
    scheduled(make_mailing, now, body="## Program\n\n1. Lunch\n2. Talks\n3. Dinner")
    send_mailings(now=now)
    assert "Program\n=======\n\n1. Lunch\n2. Talks\n3. Dinner" in mail.outbox[0].body


def test_ticket_holders_are_told_why(make_mailing, secret_event, now, association):
    factories.make_order(secret_event, [(secret_event.ticket_types.get(), 1)], paid=True, now=now)
    scheduled(make_mailing, now, audience=Mailing.Audience.TICKET_HOLDERS, event=secret_event)
    send_mailings(now=now)
    assert "you hold tickets for Secret Supper" in mail.outbox[0].body


def test_mailing_goes_through_the_outbox_which_retries_a_mail_server_that_is_down(
    make_mailing, make_subscriber, now, association, mail_server_down
):
    """A delivery is done once its message is in the outbox (one row each); the mail
    server's failures are the outbox's to retry and show staff, like every email's."""
    make_subscriber("ann@example.org")
    make_subscriber("bob@example.org")
    mailing = scheduled(make_mailing, now)
    send_mailings(now=now)
    assert set(mailing.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}
    rows = OutgoingEmail.objects.order_by("recipients")
    assert [row.recipients for row in rows] == ["ann@example.org", "bob@example.org"]
    assert {(row.status, row.attempts) for row in rows} == {(OutgoingEmail.Status.QUEUED, 1)}
    assert mail.outbox == []


def test_delivery_that_cannot_be_written_is_failed_with_the_reason(
    make_mailing, make_subscriber, now, association, monkeypatch
):
    """Writing the message failing is a bug (the mail server's failures are the outbox's
    to retry): the delivery fails at once, with the reason, and the mailing still ends."""
    make_subscriber("ann@example.org")
    mailing = scheduled(make_mailing, now)

    def refuse(self, *args, **kwargs):
        raise ValueError("bad template")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    send_mailings(now=now)
    delivery = mailing.deliveries.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 1
    assert "bad template" in delivery.error
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    assert mailing_progress(mailing)["failed"] == 1


def test_a_mailing_fans_out_in_batches_of_tasks(
    make_mailing, make_subscriber, now, association, settings
):
    """Queueing defers one task per NEWS_SEND_BATCH deliveries, by ranges of ids; each
    sends its own range, and the last one to finish marks the mailing sent."""
    settings.TASKS_RUN_AFTER_COMMIT = False
    settings.NEWS_SEND_BATCH = 2
    for index in range(5):
        make_subscriber(f"s{index}@example.org")
    mailing = scheduled(make_mailing, now)
    queue_due_mailings(now=now)
    assert mail.outbox == []
    outcome = run_tasks()
    # 3 batches (2, 2, 1), then the 5 emails' sending tasks.
    assert outcome.ran == 3 + 5 and outcome.failed == 0
    assert sorted(m.to[0] for m in mail.outbox) == [f"s{i}@example.org" for i in range(5)]
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT


def test_a_killed_queueing_run_leaves_nothing_and_the_next_run_queues_all(
    make_mailing, make_subscriber, now, association, monkeypatch
):
    from news import delivery

    for index in range(3):
        make_subscriber(f"s{index}@example.org")
    mailing = scheduled(make_mailing, now)
    monkeypatch.setattr(delivery, "QUEUE_CHUNK", 1)
    real_bulk_create = Delivery.objects.bulk_create
    calls = []

    def dies_on_the_second_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("killed")  # the process dies half-way
        return real_bulk_create(*args, **kwargs)

    monkeypatch.setattr(Delivery.objects, "bulk_create", dies_on_the_second_chunk)
    with pytest.raises(RuntimeError):
        queue_due_mailings(now=now)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SCHEDULED and not mailing.deliveries.exists()
    monkeypatch.setattr(Delivery.objects, "bulk_create", real_bulk_create)
    send_mailings(now=now)
    assert sorted(m.to[0] for m in mail.outbox) == [f"s{i}@example.org" for i in range(3)]


def test_a_killed_sending_run_resumes_where_it_stopped(
    make_mailing, make_subscriber, now, association, settings
):
    settings.TASKS_RUN_AFTER_COMMIT = False  # the batch task is lost: the periodic job
    for index in range(4):
        make_subscriber(f"s{index}@example.org")
    mailing = scheduled(make_mailing, now)
    queue_due_mailings(now=now)
    send_due_deliveries(now=now, limit=2)  # then the process dies
    run_tasks(queues=["email"])  # the two emails it wrote are sent
    first = {m.to[0] for m in mail.outbox}
    send_mailings(now=now)
    run_tasks()
    later = [m.to[0] for m in mail.outbox[2:]]
    assert len(first) == 2 and sorted(later) == sorted(
        {f"s{i}@example.org" for i in range(4)} - first
    )
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT


def _due_mailing_to_subscribers(count: int, *, now) -> Mailing:
    """`count` confirmed subscribers and a mailing to them, due now (committed: the race
    tests' threads see it)."""
    for index in range(count):
        Subscriber.objects.create(email=f"s{index}@example.org", confirmed_at=now)
    return Mailing.objects.create(
        subject="Hello",
        body="Body",
        audience=Mailing.Audience.SUBSCRIBERS,
        status=Mailing.Status.SCHEDULED,
        send_at=now,
    )


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_never_send_the_same_delivery_twice(association, settings):
    from django.utils import timezone

    settings.TASKS_RUN_AFTER_COMMIT = False  # the runs race for the deliveries
    now = timezone.now()
    _due_mailing_to_subscribers(40, now=now)
    # Queued first, so that every run competes for the same deliveries.
    queue_due_mailings(now=now)
    outcomes = race(4, lambda index: send_mailings(now=now))
    assert not [o for o in outcomes if isinstance(o, Exception)]
    run_tasks()
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == 40 and len(set(recipients)) == 40
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 40
    assert Mailing.objects.get().status == Mailing.Status.SENT
    # The runs handled 40 deliveries between them: none handled one another had claimed.
    assert sum(int(o.split(", ")[1].split()[0]) for o in outcomes) == 40


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_queue_a_mailing_once(association):
    from django.utils import timezone

    now = timezone.now()
    _due_mailing_to_subscribers(30, now=now)
    outcomes = race(3, lambda index: queue_due_mailings(now=now))
    assert sorted(outcomes) == [0, 0, 1]
    assert Delivery.objects.count() == 30
