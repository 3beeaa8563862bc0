"""The ticket models' rows survive their move out of events: a database made by the old code
keeps its ticket types, orders, tickets, refunded tickets and waiting list, the mailings
pointed at ticket types, the payments of its orders, the admin's history of an order, and
the permissions staff were given on them (now `tickets.*`); and migrating back gives them
all back to events."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tickets.models import ORDER_PURPOSE

BEFORE_THE_MOVE = [
    ("events", "0013_refunded_ticket_codes"),
    ("news", "0003_post_status"),
    ("tickets", None),
]
MOVED = ("tickettype", "order", "ticket", "refundedticket", "waitlistentry")


def migrate(targets=None):
    """Migrate the test database to `targets` (the latest migrations without), and return
    the models as they are at that point."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()
    return executor.loader.project_state(list(executor.loader.applied_migrations)).apps


def content_types(apps):
    rows = apps.get_model("contenttypes", "ContentType").objects.filter(model__in=MOVED)
    return {(row.model, row.app_label): row.pk for row in rows}


def granted(group):
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def make_sales(apps):
    """An event sold as the old code sold it (rows written directly: the historical models
    have none of the code), with the staff who look after it."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    now = timezone.now()
    event = apps.get_model("events", "Event").objects.create(
        title="Harbour Supper",
        slug="harbour-supper",
        starts_at=now + datetime.timedelta(days=3),
        ends_at=now + datetime.timedelta(days=3, hours=3),
        status="published",
        reserved=2,
    )
    dinner = apps.get_model("events", "TicketType").objects.create(
        event=event, name="Dinner", price=Decimal("40.00"), quantity=10, reserved=2
    )
    order = apps.get_model("events", "Order").objects.create(
        event=event,
        reference="ABC234",
        token="old-token-0123456789",
        buyer_name="Ada Buyer",
        email="ada@example.org",
        status="confirmed",
        total=Decimal("80.00"),
        paid_at=now,
    )
    Ticket = apps.get_model("events", "Ticket")
    Ticket.objects.create(order=order, ticket_type=dinner, price=40, code="CODE2345CODE2345")
    Ticket.objects.create(order=order, ticket_type=dinner, price=40, code="CODE6789CODE6789")
    apps.get_model("events", "RefundedTicket").objects.create(
        order=order, ticket_type=dinner, price=40, code="GONE2345GONE2345", refunded_at=now
    )
    apps.get_model("events", "WaitlistEntry").objects.create(
        event=event, ticket_type=dinner, name="Wanda", email="wanda@example.org", token="w-1"
    )
    mailing = apps.get_model("news", "Mailing").objects.create(
        subject="Parking", body="Park on Main Street.", audience="ticket_holders", event=event
    )
    mailing.ticket_types.add(dinner)
    apps.get_model("payments", "Payment").objects.create(
        purpose="events.order",
        object_id=str(order.pk),
        payer_name="Ada Buyer",
        payer_email="ada@example.org",
        amount=Decimal("80.00"),
        method="card",
        status="paid",
        token="payment-token-0123456789",
    )
    order_type = ContentType.objects.get(app_label="events", model="order")
    door = apps.get_model("auth", "Group").objects.create(name="Door volunteers")
    door.permissions.add(
        Permission.objects.get(content_type=order_type, codename="view_order"),
        Permission.objects.get(content_type__app_label="events", codename="change_ticket"),
    )
    volunteer = apps.get_model("membership", "User").objects.create(
        email="volunteer@example.org", is_staff=True
    )
    volunteer.user_permissions.add(
        Permission.objects.get(content_type=order_type, codename="view_order")
    )
    apps.get_model("admin", "LogEntry").objects.create(
        action_time=now,
        user=volunteer,
        content_type=order_type,
        object_id=str(order.pk),
        object_repr="ABC234",
        action_flag=2,
    )
    return order


def assert_sales_kept(apps, app_label):
    Order = apps.get_model(app_label, "Order")
    order = Order.objects.get(reference="ABC234")
    assert (order.buyer_name, order.total, order.status) == ("Ada Buyer", 80, "confirmed")
    assert sorted(order.tickets.values_list("code", flat=True)) == [
        "CODE2345CODE2345",
        "CODE6789CODE6789",
    ]
    assert list(order.refunded_tickets.values_list("code", flat=True)) == ["GONE2345GONE2345"]
    dinner = apps.get_model(app_label, "TicketType").objects.get(name="Dinner")
    assert (dinner.reserved, dinner.event.slug) == (2, "harbour-supper")
    entry = apps.get_model(app_label, "WaitlistEntry").objects.get()
    assert (entry.email, entry.ticket_type_id) == ("wanda@example.org", dinner.pk)
    mailing = apps.get_model("news", "Mailing").objects.get()
    assert list(mailing.ticket_types.all()) == [dinner]
    assert apps.get_model("payments", "Payment").objects.get().object_id == str(order.pk)
    door = apps.get_model("auth", "Group").objects.get(name="Door volunteers")
    assert granted(door) == {(app_label, "view_order"), (app_label, "change_ticket")}
    volunteer = apps.get_model("membership", "User").objects.get(email="volunteer@example.org")
    assert set(volunteer.user_permissions.values_list("content_type__app_label", "codename")) == {
        (app_label, "view_order")
    }
    history = apps.get_model("admin", "LogEntry").objects.get()
    assert (history.content_type.app_label, history.content_type.model) == (app_label, "order")
    return order


@pytest.mark.django_db(transaction=True)
def test_rows_made_before_the_move_survive_it_and_a_move_back():
    old = migrate(BEFORE_THE_MOVE)
    try:
        assert {app for _model, app in content_types(old)} == {"events"}
        before = content_types(old)
        make_sales(old)
    finally:
        new = migrate()

    order = assert_sales_kept(new, "tickets")
    # The same content types, handed over (what pointed at them still does).
    assert content_types(new) == {(model, "tickets"): pk for (model, _app), pk in before.items()}
    assert ORDER_PURPOSE == "events.order"  # the name its payments were stored under
    from membership.models import User  # noqa: PLC0415

    volunteer = User.objects.get(email="volunteer@example.org")
    assert volunteer.has_perm("tickets.view_order")
    assert not volunteer.has_perm("events.view_order")

    old = migrate(BEFORE_THE_MOVE)
    try:
        assert assert_sales_kept(old, "events").pk == order.pk
        assert content_types(old) == before
    finally:
        migrate()


@pytest.mark.django_db(transaction=True)
def test_a_twin_content_type_made_meanwhile_takes_over_the_permissions_given():
    """A database partly migrated with the new code may have had Django make tickets' own
    content types and permissions (post_migrate) before events handed its over: the groups
    keep what they were given, on the twin, and no content type is left twice."""
    old = migrate(BEFORE_THE_MOVE)
    try:
        make_sales(old)
        ContentType = old.get_model("contenttypes", "ContentType")
        twin = ContentType.objects.create(app_label="tickets", model="order")
        old.get_model("auth", "Permission").objects.create(
            content_type=twin, codename="view_order", name="Can view order"
        )
    finally:
        new = migrate()

    assert_sales_kept(new, "tickets")
    assert ("order", "events") not in content_types(new)
    assert content_types(new)[("order", "tickets")] == twin.pk
    Permission = new.get_model("auth", "Permission")
    assert (
        Permission.objects.filter(content_type__model="order", codename="view_order").count() == 1
    )
