import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tickets.models import Order

from .factories import make_event, make_order, make_staff, make_ticket_type

pytestmark = pytest.mark.django_db

EVENT_MANAGERS = "Event managers"


@pytest.fixture
def dinner():
    event = make_event(slug="group-dinner")
    make_order(event, [(make_ticket_type(event), 2)], paid=True)
    return event


def _staff_urls(event):
    return [
        reverse("tickets:checkin", kwargs={"slug": event.slug}),
        reverse("tickets:export_attendees", kwargs={"slug": event.slug}),
        reverse("tickets:export_meals", kwargs={"slug": event.slug}),
        reverse("tickets:export_addresses", kwargs={"slug": event.slug}),
    ]


def test_event_managers_group_has_exactly_the_permissions_it_needs():
    group = Group.objects.get(name=EVENT_MANAGERS)
    granted = {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }
    assert granted == {
        "events.add_event",
        "events.change_event",
        "events.delete_event",
        "events.view_event",
        "tickets.add_tickettype",
        "tickets.change_tickettype",
        "tickets.delete_tickettype",
        "tickets.view_tickettype",
        "events.add_venue",
        "events.change_venue",
        "events.delete_venue",
        "events.view_venue",
        "tickets.change_order",
        "tickets.view_order",
        "tickets.change_ticket",
        "tickets.view_ticket",
        "tickets.change_waitlistentry",
        "tickets.delete_waitlistentry",
        "tickets.view_waitlistentry",
        # news: mailings to their events' ticket holders (news/admin.py checks the audience)
        "news.add_post",
        "news.change_post",
        "news.view_post",
        "news.add_mailing",
        "news.change_mailing",
        "news.view_mailing",
        "news.view_delivery",
        # No outgoing email (outbox's migration 0003), and no payments.manage_payments.
    }


def test_event_manager_opens_check_in_exports_and_the_admin(client, dinner):
    client.force_login(make_staff("manager@example.org", group=EVENT_MANAGERS))
    for url in _staff_urls(dinner):
        assert client.get(url).status_code == 200, url
    for name in ("events_event", "events_venue", "tickets_order", "tickets_ticket"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:tickets_waitlistentry_changelist")).status_code == 200
    assert client.get(reverse("admin:events_event_add")).status_code == 200


def test_event_manager_may_check_in_and_cancel(client, dinner):
    client.force_login(make_staff("manager@example.org", group=EVENT_MANAGERS))
    order = dinner.orders.get()
    ticket = order.tickets.first()
    response = client.post(
        reverse("tickets:checkin", kwargs={"slug": dinner.slug}), {"code": ticket.code}
    )
    assert response.status_code == 302
    client.post(
        reverse("admin:tickets_order_changelist"),
        {"action": "cancel_orders", "_selected_action": [order.pk]},
    )
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED


def test_event_manager_cannot_touch_accounts_or_delete_orders(client, dinner):
    client.force_login(make_staff("manager@example.org", group=EVENT_MANAGERS))
    assert client.get(reverse("admin:membership_user_changelist")).status_code == 403
    order = dinner.orders.get()
    assert client.get(reverse("admin:tickets_order_delete", args=[order.pk])).status_code == 403


def test_staff_without_the_group_is_refused(client, dinner):
    client.force_login(make_staff("volunteer@example.org"))
    for url in _staff_urls(dinner):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("admin:events_event_changelist")).status_code == 403


def test_visitors_are_sent_to_the_admin_sign_in(client, dinner):
    for url in _staff_urls(dinner):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


# --- Money is the Treasurer's (issue 18, item 4) ---


def _unpaid_order(event):
    return make_order(event, [(event.ticket_types.get(), 1)])


def _changelist_action(client, action, order):
    return client.post(
        reverse("admin:tickets_order_changelist"),
        {"action": action, "_selected_action": [order.pk]},
    )


def test_event_manager_sees_orders_but_no_action_that_moves_money(client, dinner):
    client.force_login(make_staff("manager@example.org", group=EVENT_MANAGERS))
    page = client.get(reverse("admin:tickets_order_changelist"))
    actions = {name for name, _label in page.context["action_form"].fields["action"].choices}
    assert "cancel_orders" in actions
    assert not {"mark_paid", "refund_by_card"} & actions
    order = dinner.orders.get()
    assert client.get(reverse("admin:tickets_order_change", args=[order.pk])).status_code == 200


def test_event_manager_cannot_mark_an_order_paid_by_posting_the_action(client, dinner):
    order = _unpaid_order(dinner)
    client.force_login(make_staff("manager@example.org", group=EVENT_MANAGERS))
    _changelist_action(client, "mark_paid", order)
    order.refresh_from_db()
    assert order.paid_at is None


def test_event_manager_cannot_open_or_post_the_refund_form(client, dinner):
    order = dinner.orders.get()
    client.force_login(make_staff("manager@example.org", group=EVENT_MANAGERS))
    url = reverse("admin:tickets_order_refund", kwargs={"order_id": order.pk})
    assert client.get(url).status_code == 403
    tickets = [str(pk) for pk in order.tickets.values_list("pk", flat=True)]
    assert client.post(url, {"ticket": tickets}).status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    _changelist_action(client, "refund_by_card", order)  # not even the redirect to it


def test_event_manager_checks_in_an_unpaid_ticket_but_records_no_payment(client, dinner):
    order = _unpaid_order(dinner)
    ticket = order.tickets.get()
    client.force_login(make_staff("manager@example.org", group=EVENT_MANAGERS))
    url = reverse("tickets:checkin", kwargs={"slug": dinner.slug})
    page = client.get(url, {"code": ticket.code}).content.decode()
    assert 'name="payment_collected"' not in page
    client.post(url, {"code": ticket.code, "payment_collected": "1"})
    order.refresh_from_db()
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None
    assert order.paid_at is None


def test_treasurer_marks_an_order_paid(client, dinner, treasurer):
    order = _unpaid_order(dinner)
    client.force_login(treasurer)
    page = client.get(reverse("admin:tickets_order_changelist"))
    actions = {name for name, _label in page.context["action_form"].fields["action"].choices}
    assert {"mark_paid", "refund_by_card"} <= actions
    _changelist_action(client, "mark_paid", order)
    order.refresh_from_db()
    assert order.paid_at is not None


def test_treasurer_cannot_edit_events_or_cancel_orders(client, dinner, treasurer):
    client.force_login(treasurer)
    order = dinner.orders.get()
    assert client.get(reverse("admin:events_event_add")).status_code == 403
    _changelist_action(client, "cancel_orders", order)
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
